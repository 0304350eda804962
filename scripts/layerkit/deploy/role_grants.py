"""What a function's role is granted, as modules/lambda-function grants it, from the function's manifest record.

The module adds, after the function's own `[[permissions]]` and in this order: reading its
queues (SQS triggers), sending to its on-failure destination and its dead-letter target, and
writing traces (Active tracing only). A VPC adds AWSLambdaVPCAccessExecutionRole. `make invoke`
creates its role from this, and tests/test_production_functions.py holds it equal to the
policy Terraform applies.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from layerkit.records import Function, Statement

VPC_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"
_READ_QUEUE = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
_SEND = MappingProxyType(
    {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction", "events": "events:PutEvents"}
)
"""The action that sends to a destination, by the service in its ARN."""
_WRITE_TRACES = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")


def statements(function: Function) -> list[Statement]:
    """The role's inline policy statements, in the module's order."""
    added: list[Statement] = []
    queues = sorted(function["triggers"]["queues"], key=lambda queue: queue["name"])
    if queues:
        added.append(_allow(_READ_QUEUE, list(dict.fromkeys(queue["arn"] for queue in queues))))
    asynchronous = function["asynchronous"] or {"on_failure": None, "dead_letter": None}
    targets = [t for t in (asynchronous["on_failure"], asynchronous["dead_letter"]) if t is not None]
    added += [_allow([_SEND[target.split(":")[2]]], [target]) for target in targets]
    if function["tracing"] == "Active":
        added.append(_allow(_WRITE_TRACES, ["*"]))
    return [*function["permissions"], *added]


def managed_policies(function: Function) -> list[str]:
    """The AWS managed policies attached, by name under arn:aws:iam::aws:policy/."""
    return [*function["managed_policies"], *([VPC_POLICY] if function["vpc"] is not None else [])]


def _allow(actions: Sequence[str], resources: Sequence[str]) -> Statement:
    return {"actions": list(actions), "resources": list(resources), "conditions": []}
