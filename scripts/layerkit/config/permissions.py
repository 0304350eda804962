"""`[[permissions]]` in function.toml: the IAM statements the function's own role needs.

    [[permissions]]
    actions = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::${SPOKE_ACCOUNT_IDS}:role/${SPOKE_ROLE_NAME}"]

`${NAME}` is the value of NAME in the function's own [environment], so a fact such as the
spoke account IDs is written once for the code and the policy both. A value with commas
stands for each of its items: the resource above becomes one role ARN per spoke account.
A `*` resource needs `any_resource = true` beside it, so least privilege is the default.
Statements only allow; Terraform gives them to the role as one inline policy.
"""

import itertools
import re
from dataclasses import dataclass

from layerkit import lambda_facts, records
from layerkit.config import declaration
from layerkit.errors import LayerError

KEY = "permissions"
_KEYS = frozenset({"actions", "resources", "conditions", "any_resource"})
_CONDITION_KEYS = frozenset({"test", "variable", "values"})
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_EXAMPLE = '[[permissions]] with actions = ["sts:AssumeRole"] and resources = ["arn:aws:iam::<account>:role/<name>"]'


@dataclass(frozen=True)
class Condition:
    """An IAM condition: `test` (e.g. StringEquals) of `variable` (e.g. aws:PrincipalOrgID) against `values`."""

    test: str
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One Allow statement, with every `${NAME}` in its resources already replaced."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()

    def to_json(self) -> records.Statement:
        return {
            "actions": list(self.actions),
            "resources": list(self.resources),
            "conditions": [{"test": c.test, "variable": c.variable, "values": list(c.values)} for c in self.conditions],
        }


def parse(data: object, where: str, environment: dict[str, str]) -> tuple[Statement, ...]:
    """The statements of function.toml's `[[permissions]]` (at `where`), checked and expanded."""
    if data is None:
        return ()
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise LayerError(f"{where}: permissions must be tables, one per statement: {_EXAMPLE}")
    return tuple(_statement(table, f"{where}: permissions[{n}]", environment) for n, table in enumerate(data, 1))


def _statement(table: dict[str, object], where: str, environment: dict[str, str]) -> Statement:
    declaration.check_keys(table, _KEYS, where)
    actions = _strings(table.get("actions"), f"{where}: actions", 'e.g. actions = ["sts:AssumeRole"]')
    for action in actions:
        if not lambda_facts.IAM_ACTION.fullmatch(action):
            raise LayerError(f'{where}: action {action!r} is not in service:Action form, e.g. "sts:AssumeRole"')
    written = _strings(
        table.get("resources"), f"{where}: resources", 'e.g. resources = ["arn:aws:iam::<account>:role/<name>"]'
    )
    any_resource = table.get("any_resource", False)
    if not isinstance(any_resource, bool):
        raise LayerError(f"{where}: any_resource must be true or false, not {any_resource!r}")
    resources = tuple(dict.fromkeys(r for text in written for r in _expand(text, where, environment)))
    for resource in resources:
        if resource == "*":
            if not any_resource:
                raise LayerError(
                    f'{where}: resource "*" allows {", ".join(actions)} on everything; name the ARNs, '
                    "or add any_resource = true to the statement if it really needs every resource"
                )
        elif not lambda_facts.ARN.fullmatch(resource):
            raise LayerError(
                f'{where}: resource {resource!r} is neither an ARN nor "*"; write arn:<partition>:<service>:'
                "<region>:<account>:<resource>, e.g. arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
            )
    return Statement(actions, resources, _conditions(table.get("conditions"), where))


def _expand(text: str, where: str, environment: dict[str, str]) -> list[str]:
    """`text` with each `${NAME}` replaced by each comma-separated item of environment value NAME."""
    names = _REFERENCE.findall(text)
    for name in names:
        if name not in environment:
            known = ", ".join(sorted(environment)) or "none"
            raise LayerError(
                f"{where}: resource {text!r} refers to ${{{name}}}, which is not in [environment] "
                f"(it has: {known}); add it there, or write the value itself"
            )
    choices = [[item.strip() for item in environment[name].split(",")] for name in names]
    pieces = _REFERENCE.split(text)[::2]
    expanded = []
    for values in itertools.product(*choices):
        parts = [pieces[0]]
        for value, piece in zip(values, pieces[1:], strict=True):
            parts += [value, piece]
        expanded.append("".join(parts))
    return expanded


def _conditions(data: object, where: str) -> tuple[Condition, ...]:
    if data is None:
        return ()
    example = 'e.g. conditions = [{ test = "StringEquals", variable = "aws:PrincipalOrgID", values = ["o-…"] }]'
    if not isinstance(data, list) or not all(isinstance(c, dict) and set(c) == _CONDITION_KEYS for c in data):
        raise LayerError(f"{where}: conditions must be tables of test, variable and values, {example}")
    conditions = []
    for condition in data:
        test, variable = condition["test"], condition["variable"]
        if not isinstance(test, str) or not isinstance(variable, str):
            raise LayerError(f"{where}: a condition's test and variable must be strings, {example}")
        values = _strings(condition["values"], f"{where}: a condition's values", example)
        conditions.append(Condition(test, variable, values))
    return tuple(conditions)


def _strings(value: object, where: str, example: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise LayerError(f"{where} must be a list of one or more strings, {example}")
    return tuple(value)
