"""moto changed to answer as AWS does, where Terraform or `make invoke` relies on how AWS answers.

Each change is one function here, named for what AWS does, with what moto does instead.
They are made while a local AWS runs in this process (`AS_AWS.applied()`), and undone after.
"""

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

from moto.awslambda.models import EventSourceMapping, LambdaBackend, LambdaFunction
from moto.awslambda.policy import Policy
from moto.core.config import default_user_config
from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMRequestBase

from layerkit import lambda_facts


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
    for owner, name, as_aws in _PATCHES:
        undo.enter_context(patch.object(owner, name, as_aws(getattr(owner, name))))
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
    """Check an SQS call against its queue, and name the resource in an access denial, as AWS does.

    AWS says `User: <arn> is not authorized to perform: sts:AssumeRole on resource: <arn>`;
    moto leaves out the resource, which is what a person must add to the policy. moto also checks
    every SQS call against `*`, so a role allowed one queue could read them all.
    """

    @functools.wraps(original)
    def check_action_permitted(self: IAMRequestBase, resource: str) -> None:
        if resource == "*" and self._service == "sqs":
            resource = _queue_arn(self) or resource
        try:
            original(self, resource)
        except AccessDeniedError:
            if resource == "*":
                raise
            action = f"{self._action} on resource: {resource}"
            raise AccessDeniedError(user_arn=self._access_key.arn, action=action) from None

    return check_action_permitted


def _queue_arn(request: IAMRequestBase) -> str | None:
    """The ARN of the queue an SQS request names by its URL (`.../<account>/<name>`), if it names one."""
    url = request._data.get("QueueUrl")  # noqa: SLF001 -- moto's own request, as it parsed it
    if not isinstance(url, str):
        try:
            body = json.loads(request._body or b"{}")  # noqa: SLF001
        except ValueError:
            return None
        url = body.get("QueueUrl") if isinstance(body, dict) else None
    parts = url.rstrip("/").split("/") if isinstance(url, str) else []
    if len(parts) < 2 or not lambda_facts.ACCOUNT_ID.fullmatch(parts[-2]):
        return None
    return f"arn:aws:sqs:{request._region}:{parts[-2]}:{parts[-1]}"  # noqa: SLF001


_SETTINGS = MappingProxyType({"LoggingConfig": "_as_aws_logging", "DeadLetterConfig": "_as_aws_dead_letter"})
"""What moto accepts but never stores: the request key, and where it is kept on moto's function."""


def _keep_settings_on_create(original: Callable[..., None]) -> Callable[..., None]:
    """Keep LoggingConfig and DeadLetterConfig as AWS does; moto drops both."""

    @functools.wraps(original)
    def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:  # noqa: ANN401, N807
        original(self, account_id, spec, *args, **kwargs)
        for key, attribute in _SETTINGS.items():
            setattr(self, attribute, spec.get(key))

    return __init__


def _keep_settings_on_update(
    original: Callable[[LambdaFunction, dict[str, Any]], dict[str, Any]],
) -> Callable[..., Any]:
    """Apply what UpdateFunctionConfiguration changes that moto ignores: logging, dead letters, tracing, /tmp, KMS."""

    @functools.wraps(original)
    def update_configuration(self: LambdaFunction, updates: dict[str, Any]) -> dict[str, Any]:
        for key, attribute in _SETTINGS.items():
            if key in updates:
                setattr(self, attribute, updates[key])
        if "TracingConfig" in updates:
            self.tracing_config = updates["TracingConfig"]
        if "EphemeralStorage" in updates:
            self.ephemeral_storage = updates["EphemeralStorage"]["Size"]
        if "KMSKeyArn" in updates:
            self.kms_key_arn = updates["KMSKeyArn"] or None
        return original(self, updates)

    return update_configuration


def _answer_settings_as_aws(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Answer LoggingConfig as AWS does (its log group and format always, levels for JSON), and DeadLetterConfig."""

    @functools.wraps(original)
    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:  # noqa: ANN401
        config = original(self, *args, **kwargs)
        logging_config = dict(getattr(self, "_as_aws_logging", None) or {})
        answer = {"LogFormat": logging_config.get("LogFormat", "Text")}
        if answer["LogFormat"] == "JSON":
            answer["ApplicationLogLevel"] = logging_config.get("ApplicationLogLevel", "INFO")
            answer["SystemLogLevel"] = logging_config.get("SystemLogLevel", "INFO")
        answer["LogGroup"] = logging_config.get("LogGroup") or f"/aws/lambda/{self.function_name}"
        config["LoggingConfig"] = answer
        if dead_letter := getattr(self, "_as_aws_dead_letter", None):
            config["DeadLetterConfig"] = dead_letter
        return config

    return get_configuration


def _map_to_the_arn_given(original: Callable[..., None]) -> Callable[..., None]:
    """Answer an event source mapping's FunctionArn as it was given, an alias's ARN included, as AWS does.

    moto answers the ARN of the version the alias points at, so the provider would plan to set
    the alias back on every run.
    """

    @functools.wraps(original)
    def __init__(self: EventSourceMapping, spec: dict[str, Any]) -> None:  # noqa: N807
        original(self, spec)
        if str(spec["FunctionName"]).startswith("arn:"):
            self.function_arn = spec["FunctionName"]

    return __init__


def _remap_to_the_arn_given(original: Callable[..., EventSourceMapping | None]) -> Callable[..., Any]:
    """As `_map_to_the_arn_given`, when UpdateEventSourceMapping names another function or alias."""

    @functools.wraps(original)
    def update_event_source_mapping(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> EventSourceMapping | None:
        mapping = original(self, uuid, spec)
        if mapping is not None and str(spec.get("FunctionName", "")).startswith("arn:"):
            mapping.function_arn = spec["FunctionName"]
        return mapping

    return update_event_source_mapping


_PATCHES: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
    (Policy, "principal_formatter", _answer_account_principals_as_aws),
    (IAMRequestBase, "check_action_permitted", _deny_as_aws),
    (LambdaFunction, "__init__", _keep_settings_on_create),
    (LambdaFunction, "update_configuration", _keep_settings_on_update),
    (LambdaFunction, "get_configuration", _answer_settings_as_aws),
    (EventSourceMapping, "__init__", _map_to_the_arn_given),
    (LambdaBackend, "update_event_source_mapping", _remap_to_the_arn_given),
)
"""Each method changed: its class, its name, and what wraps moto's own to answer as AWS does."""

AS_AWS = _Changes()
"""What makes moto answer as AWS does where Terraform and `make invoke` rely on it."""
