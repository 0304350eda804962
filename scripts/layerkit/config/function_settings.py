"""What function.toml says about running a function in production, beside its code and layers.

    description = "Reaches every spoke account"
    tracing = "Active"                   # X-Ray; the role gets xray:PutTraceSegments only then
    reserved_concurrency = 10            # 0 switches the function off
    ephemeral_storage = 1024             # MB of /tmp
    kms_key = "arn:aws:kms:..."          # for the environment variables

    [logs]                               # the log group, made before the function
    retention_days = 30
    format = "JSON"                      # application_level and system_level need JSON

    [versions]                           # a version per change, and the alias `live` on it
    live = 3                             # hold `live` on version 3: a rollback
    provisioned_concurrency = 2

    [vpc]
    subnets = ["subnet-0123456789abcdef0"]
    security_groups = ["sg-0123456789abcdef0"]

    [asynchronous]                       # events that arrive asynchronously and fail
    retries = 1
    max_event_age = 3600
    on_failure = "arn:aws:sqs:..."       # SQS, SNS, Lambda or EventBridge
    dead_letter = "arn:aws:sqs:..."      # SQS or SNS

The role's own controls are in `config.role`, and the triggers in `config.triggers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from layerkit import lambda_facts as facts
from layerkit.config import values
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from collections.abc import Mapping

KEYS = frozenset(
    {"description", "tracing", "reserved_concurrency", "ephemeral_storage", "kms_key", "logs", "versions", "vpc"}
    | {"asynchronous"}
)
_LOG_KEYS = frozenset({"retention_days", "kms_key", "format", "application_level", "system_level"})
_VERSION_KEYS = frozenset({"publish", "live", "provisioned_concurrency"})
_VPC_KEYS = frozenset({"subnets", "security_groups"})
_ASYNC_KEYS = frozenset({"retries", "max_event_age", "on_failure", "dead_letter"})
_KMS_FORM = "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>"
_MAX_VERSION = 2**31


@dataclass(frozen=True)
class Logs:
    retention_days: int
    kms_key: str | None
    format: str
    application_level: str | None
    system_level: str | None


@dataclass(frozen=True)
class Versions:
    publish: bool
    """Publish a version on each change, and point the alias `live` at it."""
    live: int | None
    """The version `live` is held on (a rollback); None: the latest."""
    provisioned_concurrency: int


@dataclass(frozen=True)
class Vpc:
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]


@dataclass(frozen=True)
class Asynchronous:
    retries: int | None
    max_event_age: int | None
    on_failure: str | None
    dead_letter: str | None


@dataclass(frozen=True)
class Settings:
    description: str
    tracing: str | None
    reserved_concurrency: int | None
    ephemeral_storage: int
    kms_key: str | None
    logs: Logs
    versions: Versions
    vpc: Vpc | None
    asynchronous: Asynchronous | None


def parse(data: Mapping[str, object], where: str) -> Settings:
    """The settings in function.toml's table `data` (at `where`), each checked as Lambda would."""
    return Settings(
        description=values.text(data, "description", where, facts.MAX_DESCRIPTION_CHARS) or "",
        tracing=values.choice(data, "tracing", where, facts.TRACING_MODES),
        reserved_concurrency=_reserved_concurrency(data, where),
        ephemeral_storage=values.whole(
            data,
            "ephemeral_storage",
            where,
            (facts.MIN_EPHEMERAL_STORAGE_MB, facts.MAX_EPHEMERAL_STORAGE_MB),
            facts.MIN_EPHEMERAL_STORAGE_MB,
        ),
        kms_key=values.matching(data, "kms_key", where, facts.KMS_KEY_ARN, _KMS_FORM),
        logs=_logs(values.table(data, "logs", where, _LOG_KEYS), f"{where}: [logs]"),
        versions=_versions(values.table(data, "versions", where, _VERSION_KEYS), f"{where}: [versions]"),
        vpc=_vpc(values.table(data, "vpc", where, _VPC_KEYS), f"{where}: [vpc]"),
        asynchronous=_asynchronous(values.table(data, "asynchronous", where, _ASYNC_KEYS), f"{where}: [asynchronous]"),
    )


def _reserved_concurrency(data: Mapping[str, object], where: str) -> int | None:
    value = data.get("reserved_concurrency")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise LayerError(
            f"{where}: reserved_concurrency must be a whole number of concurrent runs, 0 or more "
            f"(0 switches the function off; leave it out for no reservation), not {value!r}"
        )
    return value


def _logs(data: Mapping[str, object], where: str) -> Logs:
    retention = data.get("retention_days", facts.DEFAULT_LOG_RETENTION_DAYS)
    if retention not in facts.LOG_RETENTION_DAYS or isinstance(retention, bool):
        raise LayerError(
            f"{where}: retention_days {retention!r} is not one CloudWatch keeps logs for; {_nearest(retention)}"
        )
    log_format = values.choice(data, "format", where, facts.LOG_FORMATS, "Text")
    application = values.choice(data, "application_level", where, facts.LOG_LEVELS)
    system = values.choice(data, "system_level", where, facts.SYSTEM_LOG_LEVELS)
    if log_format != "JSON" and (application or system):
        raise LayerError(
            f'{where}: application_level and system_level need format = "JSON"; add it, or drop the levels'
        )
    return Logs(
        retention_days=int(str(retention)),
        kms_key=values.matching(data, "kms_key", where, facts.KMS_KEY_ARN, _KMS_FORM),
        format=log_format,
        application_level=application,
        system_level=system,
    )


def _nearest(value: object) -> str:
    """The allowed retentions next to `value`, or the whole list when it is not a number."""
    allowed = facts.LOG_RETENTION_DAYS
    listed = ", ".join(map(str, allowed))
    if not isinstance(value, int) or isinstance(value, bool):
        return f"write a number of days, one of {listed}"
    below = [days for days in allowed if days < value]
    above = [days for days in allowed if days > value]
    nearest = " or ".join(str(days) for days in (below[-1:] + above[:1]))
    return f"the nearest are {nearest} (allowed: {listed})"


def _versions(data: Mapping[str, object], where: str) -> Versions:
    publish = values.flag(data, "publish", where, default=True)
    live = values.whole(data, "live", where, (1, _MAX_VERSION))
    provisioned = values.whole(data, "provisioned_concurrency", where, (0, _MAX_VERSION), 0)
    if not publish and (live is not None or provisioned):
        raise LayerError(f"{where}: live and provisioned_concurrency need a published version; drop publish = false")
    return Versions(publish=publish, live=live, provisioned_concurrency=provisioned)


def _vpc(data: Mapping[str, object], where: str) -> Vpc | None:
    if not data:
        return None
    subnets = values.all_matching(data, "subnets", where, facts.SUBNET_ID, "subnet IDs, subnet-<hex>")
    groups = values.all_matching(
        data, "security_groups", where, facts.SECURITY_GROUP_ID, "security group IDs, sg-<hex>"
    )
    if not subnets or not groups:
        raise LayerError(
            f"{where}: a function in a VPC needs both subnets and security_groups, at least one of each; "
            "name the security groups that let it reach what it calls"
        )
    return Vpc(subnets, groups)


def _asynchronous(data: Mapping[str, object], where: str) -> Asynchronous | None:
    if not data:
        return None
    return Asynchronous(
        retries=values.whole(data, "retries", where, (0, facts.MAX_RETRY_ATTEMPTS)),
        max_event_age=values.whole(data, "max_event_age", where, (facts.MIN_EVENT_AGE_S, facts.MAX_EVENT_AGE_S)),
        on_failure=values.matching(
            data,
            "on_failure",
            where,
            facts.DESTINATION_ARN,
            "the ARN of an SQS queue, SNS topic, Lambda function or EventBridge bus",
        ),
        dead_letter=values.matching(data, "dead_letter", where, facts.DEAD_LETTER_ARN, "an SQS queue or SNS topic ARN"),
    )
