"""Tests of the aws_helpers layer against moto's STS over HTTP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import boto3
import pytest
from aws_helpers import create_spoke_account_session

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

SPOKE_ACCOUNT_ID = "210987654321"


@pytest.fixture
def sts_client(aws_env: str) -> STSClient:
    """Return an STS client of the hub (caller) pointed at moto."""
    return boto3.client("sts", endpoint_url=aws_env)


def test_session_is_in_spoke_account(sts_client: STSClient, aws_env: str) -> None:
    """The session holds new credentials that act as the default role."""
    hub_account_id = sts_client.get_caller_identity()["Account"]

    session = create_spoke_account_session(SPOKE_ACCOUNT_ID, sts_client)

    caller = boto3.session.Session().get_credentials()
    assumed = session.get_credentials()
    assert caller is not None
    assert assumed is not None
    assert assumed.access_key != caller.access_key
    assert assumed.secret_key != caller.secret_key
    assert assumed.token
    assert session.region_name == "us-east-1"
    identity = session.client("sts", endpoint_url=aws_env).get_caller_identity()
    assert identity["Account"] == SPOKE_ACCOUNT_ID != hub_account_id
    assert identity["Arn"] == (
        f"arn:aws:sts::{SPOKE_ACCOUNT_ID}:assumed-role/OrganizationAccountAccessRole/hub-function"
    )


def test_custom_role_and_session_names(sts_client: STSClient, aws_env: str) -> None:
    """A custom role name and session name end up in the assumed-role ARN."""
    session = create_spoke_account_session(
        SPOKE_ACCOUNT_ID,
        sts_client,
        role_name="ReadOnlyAuditor",
        session_name="nightly-audit",
    )

    identity = session.client("sts", endpoint_url=aws_env).get_caller_identity()
    assert identity["Arn"] == (f"arn:aws:sts::{SPOKE_ACCOUNT_ID}:assumed-role/ReadOnlyAuditor/nightly-audit")
    assert identity["UserId"].endswith(":nightly-audit")


@pytest.fixture
def unreachable_sts_client(aws_env: str) -> STSClient:
    """Return an STS client whose every call fails, to prove none is made."""
    del aws_env
    return boto3.client("sts", endpoint_url="http://127.0.0.1:9")


@pytest.mark.parametrize(
    "account_id",
    [
        "",
        "12345678901",
        "1234567890123",
        "12345678901a",
        "123456789012\n",
        "\u0661" * 12,  # Arabic-Indic digits match \d but are not an account id.
    ],
)
def test_invalid_account_id(unreachable_sts_client: STSClient, account_id: str) -> None:
    """An account id that is not 12 ASCII digits is rejected before any call."""
    with pytest.raises(ValueError, match=re.escape(repr(account_id))):
        create_spoke_account_session(account_id, unreachable_sts_client)
