"""A local stand-in for AWS: moto in server mode on 127.0.0.1, answering as AWS does where Terraform relies on it.

The server runs in this process, on a port the OS picks when it binds (or the one asked
for), and stops when the `running` block ends, by success, error or Ctrl-C, so it never
outlives the command that started it.
"""

import functools
import http.client
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.awslambda.policy import Policy
from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMRequestBase
from moto.server import ThreadedMotoServer

from layerkit import lambda_facts
from layerkit.errors import LayerError

HOST = "127.0.0.1"
REGION = "us-east-1"


@contextmanager
def running(port: int = 0) -> Iterator[str]:
    """Run the local AWS for the block, and yield its endpoint URL."""
    _answer_account_principals_as_aws()
    _deny_as_aws()
    # The server's per-request log lines would bury the output of whatever uses it.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # AWS has its managed policies (AWSLambdaBasicExecutionRole, ...) in every account;
    # moto creates them in each account it starts only when asked to.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    if port:
        _check_free(port)
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


def _answer_account_principals_as_aws() -> None:
    """Store an account grantee of a layer or function permission as AWS does.

    Real AWS stores `AddLayerVersionPermission(Principal="123456789012")` in the policy as
    `"Principal": {"AWS": "arn:aws:iam::123456789012:root"}`, and the AWS provider reads the
    account ID back out of that ARN. moto stores the bare ID, which the provider reads as
    `"*"`, so it would plan to replace every account permission on every run.
    """
    if getattr(Policy.principal_formatter, "answers_as_aws", False):
        return
    original: Callable[[Policy, Any], Any] = Policy.principal_formatter

    @functools.wraps(original)
    def principal_formatter(self: Policy, obj: Any) -> Any:  # noqa: ANN401 -- moto's own signature
        if isinstance(obj, str) and lambda_facts.ACCOUNT_ID.fullmatch(obj):
            return {"AWS": f"arn:aws:iam::{obj}:root"}
        return original(self, obj)

    principal_formatter.answers_as_aws = True  # type: ignore[attr-defined]
    Policy.principal_formatter = principal_formatter  # type: ignore[method-assign]


def _deny_as_aws() -> None:
    """Name the resource in an access denial, as AWS does, once IAM enforcement is on.

    AWS says `User: <arn> is not authorized to perform: sts:AssumeRole on resource: <arn>`;
    moto leaves out the resource, which is what a person must add to the policy.
    """
    if getattr(IAMRequestBase.check_action_permitted, "answers_as_aws", False):
        return
    original: Callable[[IAMRequestBase, str], None] = IAMRequestBase.check_action_permitted

    @functools.wraps(original)
    def check_action_permitted(self: IAMRequestBase, resource: str) -> None:
        try:
            original(self, resource)
        except AccessDeniedError:
            if resource == "*":
                raise
            action = f"{self._action} on resource: {resource}"
            raise AccessDeniedError(user_arn=self._access_key.arn, action=action) from None

    check_action_permitted.answers_as_aws = True  # type: ignore[attr-defined]
    IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
