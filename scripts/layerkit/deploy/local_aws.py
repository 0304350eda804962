"""A local stand-in for AWS: moto in server mode on 127.0.0.1, answering as AWS does where Terraform relies on it.

The server runs in this process, on a port the OS picks when it binds (or the one asked
for), and stops when the `running` block ends, by success, error or Ctrl-C, so it never
outlives the command that started it.
"""

import http.client
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.server import ThreadedMotoServer

from layerkit.deploy.local_aws_fixes import AS_AWS
from layerkit.errors import LayerError

HOST = "127.0.0.1"
REGION = "us-east-1"


@contextmanager
def running(port: int = 0) -> Iterator[str]:
    """Run the local AWS for the block, and yield its endpoint URL.

    moto answers as AWS does (`local_aws_fixes`) only while a local AWS runs in this process:
    the first to start changes moto, and the last to stop puts it back as it was.
    """
    if port:
        _check_free(port)
    with AS_AWS.applied():
        server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        # The server's threads start with Ctrl-C blocked, so the kernel delivers it to the caller's
        # thread. Delivered to a server thread, it would leave the caller's wait uninterrupted.
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            server.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        try:
            host, bound = server.get_host_and_port()
            yield f"http://{host}:{bound}"
        finally:
            server.stop()


def client_options(endpoint: str) -> dict[str, Any]:
    """boto3.client() options that reach the local AWS: its URL, a region, and keys it accepts."""
    return {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def reset(endpoint: str) -> None:
    """Clear every resource the local AWS holds (moto's own reset)."""
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=30)
    try:
        connection.request("POST", "/moto-api/reset")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != http.client.OK:
        raise LayerError(f"local AWS at {endpoint}: reset answered {response.status}")


def _check_free(port: int) -> None:
    """Fail now if the port is taken: moto's server thread would die binding it, and start() wait forever."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise LayerError(
                f"local AWS: cannot listen on {HOST}:{port} ({exc.strerror}); choose another PORT"
            ) from None
