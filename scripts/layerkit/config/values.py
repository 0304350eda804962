"""Typed reads of one value from a declaration's table, each refusing a wrong one in one line.

`where` is the file and table the value is in (`function hub: functions/hub/function.toml: [logs]`),
so each message names the key, what it must be, and what was written.
"""

import re
from collections.abc import Mapping, Sequence
from typing import overload

from layerkit import lambda_facts, suggest
from layerkit.config import declaration
from layerkit.errors import LayerError


def table(data: Mapping[str, object], key: str, where: str, keys: frozenset[str]) -> dict[str, object]:
    """The table `[key]`, or an empty one when absent; its keys are checked against `keys`."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise LayerError(f"{where}: {key} must be a table, [{key}], not {value!r}")
    declaration.check_keys(value, keys, where, key)
    return value


def tables(data: Mapping[str, object], key: str, where: str) -> list[dict[str, object]]:
    """The array of tables `[[key]]`, or none when absent."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise LayerError(f"{where}: {key} must be tables, one [[{key}]] each")
    return value


@overload
def whole(data: Mapping[str, object], key: str, where: str, bounds: tuple[int, int], default: int) -> int: ...
@overload
def whole(data: Mapping[str, object], key: str, where: str, bounds: tuple[int, int]) -> int | None: ...
def whole(
    data: Mapping[str, object], key: str, where: str, bounds: tuple[int, int], default: int | None = None
) -> int | None:
    """A whole number within `bounds`, both included; `default` when absent."""
    value = data.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not bounds[0] <= value <= bounds[1]:
        raise LayerError(f"{where}: {key} must be a whole number from {bounds[0]} to {bounds[1]}, not {value!r}")
    return value


@overload
def choice(data: Mapping[str, object], key: str, where: str, allowed: Sequence[str], default: str) -> str: ...
@overload
def choice(data: Mapping[str, object], key: str, where: str, allowed: Sequence[str]) -> str | None: ...
def choice(
    data: Mapping[str, object], key: str, where: str, allowed: Sequence[str], default: str | None = None
) -> str | None:
    """One of `allowed`, with the nearest one suggested for a typo; `default` when absent."""
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, str) and value not in allowed:
        listed = suggest.hint([value], allowed, "supported", aliases=lambda_facts.ALIASES)
        raise LayerError(f"{where}: unknown {key} {value!r}{listed}")
    if value not in allowed:
        raise LayerError(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def matching(data: Mapping[str, object], key: str, where: str, pattern: re.Pattern[str], form: str) -> str | None:
    """A string that `pattern` matches whole, or None when absent; `form` says what to write."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise LayerError(f"{where}: {key} must be {form}, not {value!r}")
    return value


def all_matching(
    data: Mapping[str, object], key: str, where: str, pattern: re.Pattern[str], form: str
) -> tuple[str, ...]:
    """A list of strings, each matched whole by `pattern`; empty when absent."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LayerError(f"{where}: {key} must be a list of {form}, not {value!r}")
    for item in value:
        if not pattern.fullmatch(item):
            raise LayerError(f"{where}: {key} must be a list of {form}; {item!r} is not one")
    return tuple(value)


def flag(data: Mapping[str, object], key: str, where: str, default: bool) -> bool:  # noqa: FBT001 -- a TOML boolean's default
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise LayerError(f"{where}: {key} must be true or false, not {value!r}")
    return value


def text(data: Mapping[str, object], key: str, where: str, longest: int) -> str | None:
    """A string of at most `longest` characters, or None when absent."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > longest:
        raise LayerError(f"{where}: {key} must be a string of at most {longest} characters, not {value!r}")
    return value
