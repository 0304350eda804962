"""`[[triggers]]` in function.toml: what calls the function, each with exactly the permission it needs.

    [[triggers]]
    kind = "schedule"                    # an EventBridge rule on the `live` alias
    expression = "rate(1 hour)"
    event = { task = "sweep" }           # what the function is called with; {} when absent

    [[triggers]]
    kind = "sqs"                         # an event source mapping; the role may read this queue only
    queue = "arn:aws:sqs:us-east-1:123456789012:orders"
    batch_size = 10
    batching_window = 5                  # seconds to gather a batch
    partial_batch_responses = true       # the handler returns batchItemFailures

    [[triggers]]
    kind = "permission"                  # another service may invoke the function, from one source
    principal = "s3.amazonaws.com"
    source_arn = "arn:aws:s3:::uploads"  # and/or source_account

Each trigger has a `name`, unique in its function, that names what Terraform makes for it. It
defaults to the kind (a schedule, a permission) or the queue's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from layerkit import lambda_facts as facts
from layerkit import suggest
from layerkit.config import declaration, values
from layerkit.errors import LayerError
from layerkit.wording import twice

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

KEY = "triggers"


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str
    event: str
    """The JSON the function is called with."""


@dataclass(frozen=True)
class Queue:
    name: str
    arn: str
    batch_size: int
    batching_window: int
    partial_batch_responses: bool


@dataclass(frozen=True)
class Permission:
    name: str
    principal: str
    source_arn: str | None
    source_account: str | None


@dataclass(frozen=True)
class Triggers:
    schedules: tuple[Schedule, ...] = ()
    queues: tuple[Queue, ...] = ()
    permissions: tuple[Permission, ...] = ()


def parse(data: Mapping[str, object], where: str) -> Triggers:
    """Every `[[triggers]]` of function.toml's table `data` (at `where`), checked."""
    found = [_trigger(table, f"{where}: triggers[{n}]") for n, table in enumerate(values.tables(data, KEY, where), 1)]
    if repeated := twice([trigger.name for trigger in found]):
        raise LayerError(f"{where}: two triggers are named {', '.join(repeated)}; give each a name = of its own")
    return Triggers(
        schedules=tuple(t for t in found if isinstance(t, Schedule)),
        queues=tuple(t for t in found if isinstance(t, Queue)),
        permissions=tuple(t for t in found if isinstance(t, Permission)),
    )


def _trigger(table: Mapping[str, object], at: str) -> Schedule | Queue | Permission:
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        listed = suggest.hint([str(kind)], sorted(_KINDS), "kinds")
        raise LayerError(f"{at}: unknown kind {kind!r}{listed}")
    keys, read = _KINDS[kind]
    declaration.check_keys(table, keys | {"kind", "name"}, at)
    return read(table, at)


def _name(table: Mapping[str, object], at: str, default: str) -> str:
    return values.matching(table, "name", at, facts.NAME, "1 to 64 letters, digits, '-' or '_'") or default


def _schedule(table: Mapping[str, object], at: str) -> Schedule:
    expression = table.get("expression")
    if not isinstance(expression, str) or not facts.SCHEDULE.fullmatch(expression):
        raise LayerError(
            f"{at}: expression {expression!r} is not an EventBridge schedule; write rate(1 hour), rate(5 minutes) "
            "(the unit singular only for 1), or cron() with six fields: minutes hours day-of-month month "
            "day-of-week year, e.g. cron(0 12 * * ? *)"
        )
    if expression.startswith("cron(") and [field == "?" for field in expression[5:-1].split()][2:5:2].count(True) != 1:
        raise LayerError(
            f"{at}: {expression} needs ? in exactly one of day-of-month (3rd field) and day-of-week (5th), "
            "e.g. cron(0 12 * * ? *)"
        )
    event = table.get("event", {})
    if not isinstance(event, dict):
        raise LayerError(
            f'{at}: event must be a table, the event the function is called with, e.g. event = {{ task = "sweep" }}'
        )
    return Schedule(_name(table, at, "schedule"), expression, json.dumps(event, sort_keys=True, separators=(",", ":")))


def _queue(table: Mapping[str, object], at: str) -> Queue:
    arn = values.matching(
        table, "queue", at, facts.QUEUE_ARN, "an SQS queue ARN, arn:aws:sqs:<region>:<account>:<name>"
    )
    if arn is None:
        raise LayerError(f"{at}: an sqs trigger needs queue, the queue's ARN, arn:aws:sqs:<region>:<account>:<name>")
    fifo = arn.endswith(".fifo")
    largest = facts.MAX_SQS_FIFO_BATCH if fifo else facts.MAX_SQS_BATCH
    batch = values.whole(table, "batch_size", at, (1, largest), min(facts.DEFAULT_SQS_BATCH, largest))
    window = values.whole(table, "batching_window", at, (0, facts.MAX_SQS_BATCHING_WINDOW_S), 0)
    if batch > facts.MAX_SQS_BATCH_WITHOUT_WINDOW and window < 1:
        raise LayerError(f"{at}: batch_size {batch} needs batching_window of at least 1 second (Lambda's rule over 10)")
    return Queue(
        name=_name(table, at, arn.rsplit(":", 1)[1].replace(".", "-")),
        arn=arn,
        batch_size=batch,
        batching_window=window,
        partial_batch_responses=values.flag(table, "partial_batch_responses", at, default=False),
    )


def _permission(table: Mapping[str, object], at: str) -> Permission:
    principal = values.matching(
        table, "principal", at, facts.SERVICE_PRINCIPAL, 'a service principal such as "s3.amazonaws.com"'
    )
    if principal is None:
        raise LayerError(f'{at}: a permission trigger needs principal, the service that calls, e.g. "s3.amazonaws.com"')
    source_arn = values.matching(table, "source_arn", at, facts.ARN, "the ARN of the resource that calls")
    source_account = values.matching(table, "source_account", at, facts.ACCOUNT_ID, "a 12-digit account ID")
    if source_arn is None and source_account is None:
        raise LayerError(
            f"{at}: {principal} may not invoke the function from anywhere; name the caller with source_arn, "
            "source_account or both, so no one else's resource can call it"
        )
    return Permission(_name(table, at, principal.split(".", 1)[0]), principal, source_arn, source_account)


_KINDS: dict[str, tuple[frozenset[str], Callable[[Mapping[str, object], str], Schedule | Queue | Permission]]] = {
    "schedule": (frozenset({"expression", "event"}), _schedule),
    "sqs": (frozenset({"queue", "batch_size", "batching_window", "partial_batch_responses"}), _queue),
    "permission": (frozenset({"principal", "source_arn", "source_account"}), _permission),
}
