"""Cross-account sessions obtained through STS."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import boto3.session

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def create_spoke_account_session(
    account_id: str,
    sts_client: STSClient,
    role_name: str = "OrganizationAccountAccessRole",
    session_name: str = "hub-function",
) -> boto3.session.Session:
    """Assume ``role_name`` in the spoke account and return a session using it.

    The STS client is passed in rather than created here so that callers can
    reuse one client across calls and tests can point it at a local endpoint.
    The returned session uses the client's region, and the role ARN uses the
    client's partition.

    Raises:
        ValueError: if ``account_id`` is not exactly 12 digits.

    """
    if not _ACCOUNT_ID.fullmatch(account_id):
        msg = f"account_id must be exactly 12 digits, got {account_id!r}"
        raise ValueError(msg)
    role_arn = f"arn:{sts_client.meta.partition}:iam::{account_id}:role/{role_name}"
    credentials = sts_client.assume_role(
        RoleArn=role_arn,
        RoleSessionName=session_name,
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=sts_client.meta.region_name,
    )
