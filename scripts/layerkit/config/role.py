"""`[role]` in function.toml: controls on the function's execution role, or a role made elsewhere.

    [role]
    permissions_boundary = "arn:aws:iam::123456789012:policy/WorkloadBoundary"
    path = "/workloads/"
    policies = ["arn:aws:iam::123456789012:policy/ReadConfig"]

or, for a team whose roles are made outside this repository:

    [role]
    arn = "arn:aws:iam::123456789012:role/hub"

A role made elsewhere is that team's to shape, so it comes without the other keys, and without
[[permissions]]: nothing here could add to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from layerkit import lambda_facts as facts
from layerkit.config import values
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from collections.abc import Mapping

KEY = "role"
_KEYS = frozenset({"arn", "path", "permissions_boundary", "policies"})
_POLICY_FORM = "an IAM policy ARN, arn:aws:iam::<account or aws>:policy/<name>"


@dataclass(frozen=True)
class Role:
    arn: str | None
    """A role made elsewhere; None: the module makes the function's own."""
    path: str
    permissions_boundary: str | None
    policies: tuple[str, ...]
    """Policy ARNs to attach beside the AWS managed ones (customer managed, or AWS managed by ARN)."""


def parse(data: Mapping[str, object], where: str, *, has_permissions: bool) -> Role:
    """`[role]` of function.toml's table `data` (at `where`)."""
    table = values.table(data, KEY, where, _KEYS)
    where = f"{where}: [role]"
    role = Role(
        arn=values.matching(table, "arn", where, facts.ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>"),
        path=values.matching(table, "path", where, facts.ROLE_PATH, 'an IAM path such as "/" or "/workloads/"') or "/",
        permissions_boundary=values.matching(table, "permissions_boundary", where, facts.POLICY_ARN, _POLICY_FORM),
        policies=values.all_matching(table, "policies", where, facts.POLICY_ARN, "IAM policy ARNs"),
    )
    if role.arn is not None:
        ignored = sorted(set(table) - {"arn"}) + (["[[permissions]]"] if has_permissions else [])
        if ignored:
            raise LayerError(
                f"{where}: arn names a role made elsewhere, which nothing here changes, so {', '.join(ignored)} "
                "would be ignored; give those to the role where it is made, or drop arn"
            )
    return role
