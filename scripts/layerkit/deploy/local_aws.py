"""A local stand-in for AWS: moto in server mode on 127.0.0.1, answering as AWS does where Terraform relies on it.

The server runs in this process, on a port the OS picks when it binds (or the one asked
for), and stops when the `running` block ends, by success, error or Ctrl-C, so it never
outlives the command that started it.
"""

import functools
import http.client
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest.mock import patch

from moto.awslambda.policy import Policy
from moto.core.config import default_user_config
from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMRequestBase
from moto.server import ThreadedMotoServer

from layerkit import lambda_facts
from layerkit.errors import LayerError

HOST = "127.0.0.1"
REGION = "us-east-1"


@contextmanager
def running(port: int = 0) -> Iterator[str]:
    """Run the local AWS for the block, and yield its endpoint URL.

    moto answers as AWS does (`_AS_AWS`) only while a local AWS runs in this process: the
    first to start changes moto, and the last to stop puts it back as it was.
    """
    if port:
        _check_free(port)
    with _AS_AWS.applied():
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


class _Changes:
    """Changes to moto, made while at least one local AWS runs in this process, and undone after the last.

    They are process-wide (class attributes, moto's configuration, a logger's level), and
    several servers may run at once: nested, or one per thread. So they are counted, and the
    count is guarded.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._undo = ExitStack()

    @contextmanager
    def applied(self) -> Iterator[None]:
        with self._lock:
            if not self._users:
                self._undo = _apply()
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if not self._users:
                    self._undo.close()


def _apply() -> ExitStack:
    """Make each change; closing the stack undoes them all."""
    undo = ExitStack()
    # AWS has its managed policies (AWSLambdaBasicExecutionRole, ...) in every account; moto
    # creates them in each account it starts (on its first request, and after each reset) only
    # when asked to. Its own `mock_aws(config=...)` asks in this same way, without os.environ.
    undo.enter_context(patch.dict(default_user_config, {"iam": {"load_aws_managed_policies": True}}))
    undo.enter_context(
        patch.object(Policy, "principal_formatter", _answer_account_principals_as_aws(Policy.principal_formatter))
    )
    undo.enter_context(
        patch.object(IAMRequestBase, "check_action_permitted", _deny_as_aws(IAMRequestBase.check_action_permitted))
    )
    # The server's per-request log lines would bury the output of whatever uses it.
    werkzeug = logging.getLogger("werkzeug")
    undo.callback(werkzeug.setLevel, werkzeug.level)
    werkzeug.setLevel(logging.ERROR)
    return undo


def _answer_account_principals_as_aws(original: Callable[[Policy, Any], Any]) -> Callable[[Policy, Any], Any]:
    """Store an account grantee of a layer or function permission as AWS does.

    Real AWS stores `AddLayerVersionPermission(Principal="123456789012")` in the policy as
    `"Principal": {"AWS": "arn:aws:iam::123456789012:root"}`, and the AWS provider reads the
    account ID back out of that ARN. moto stores the bare ID, which the provider reads as
    `"*"`, so it would plan to replace every account permission on every run.
    """

    @functools.wraps(original)
    def principal_formatter(self: Policy, obj: Any) -> Any:  # noqa: ANN401 -- moto's own signature
        if isinstance(obj, str) and lambda_facts.ACCOUNT_ID.fullmatch(obj):
            return {"AWS": f"arn:aws:iam::{obj}:root"}
        return original(self, obj)

    return principal_formatter


def _deny_as_aws(original: Callable[[IAMRequestBase, str], None]) -> Callable[[IAMRequestBase, str], None]:
    """Name the resource in an access denial, as AWS does, once IAM enforcement is on.

    AWS says `User: <arn> is not authorized to perform: sts:AssumeRole on resource: <arn>`;
    moto leaves out the resource, which is what a person must add to the policy.
    """

    @functools.wraps(original)
    def check_action_permitted(self: IAMRequestBase, resource: str) -> None:
        try:
            original(self, resource)
        except AccessDeniedError:
            if resource == "*":
                raise
            action = f"{self._action} on resource: {resource}"
            raise AccessDeniedError(user_arn=self._access_key.arn, action=action) from None

    return check_action_permitted


_AS_AWS = _Changes()
"""What makes moto answer as AWS does where Terraform and `make invoke` rely on it."""
