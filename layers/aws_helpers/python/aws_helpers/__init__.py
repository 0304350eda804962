"""In-house helpers shipped in the ``aws_helpers`` Lambda layer.

Functions in a hub account import this package to work across the accounts of
the organisation, for example to obtain a boto3 session in a spoke account by
assuming a role there.
"""

from aws_helpers.sts import create_spoke_account_session

__all__ = ["create_spoke_account_session"]
