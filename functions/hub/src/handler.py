"""Hub function: for each spoke account, assume a role there and report who it became.

boto3 and aws_helpers come from the function's layers, not from this zip.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_helpers import create_spoke_account_session

# Created once per execution environment, as Lambda recommends, and reused by every call.
STS = boto3.client("sts")


def handle(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    """Event `{"accounts": [...]}` overrides the SPOKE_ACCOUNT_IDS environment variable."""
    del context  # part of Lambda's calling convention; not needed here
    accounts = event.get("accounts") or os.environ["SPOKE_ACCOUNT_IDS"].split(",")
    spokes = []
    for account_id in accounts:
        session = create_spoke_account_session(account_id, STS, role_name=os.environ["SPOKE_ROLE_NAME"])
        identity = session.client("sts").get_caller_identity()
        spokes.append({"account": identity["Account"], "arn": identity["Arn"]})
    return {"spokes": spokes}
