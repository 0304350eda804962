"""A checker for the part of JSON Schema (draft 2020-12) that `schemas/manifest.schema.json` uses.

Every command that reads the manifest (`make report`, `audit`, `invoke`, `plan`, ...) checks
it against its schema before trusting its types (`builder.manifest.read`). The jsonschema
library takes longer to import than a report takes to run, so this checks the few keywords
the schema uses, and a test holds the schema to `KEYWORDS` and compares this checker's
verdicts with jsonschema's own.
"""

import re
from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]

KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$ref",
        "title",
        "description",
        "type",
        "const",
        "enum",
        "minimum",
        "pattern",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
    }
)
"""Every keyword the checker knows; the annotations among them (title, description) check nothing."""

_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
    "number": (int, float),
}


def problem(instance: object, schema: Schema, root: Schema | None = None, at: str = "") -> str | None:
    """The first thing in `instance` that `schema` refuses, as `<where>: <what>`; None when it conforms.

    `root` holds the `$defs` that `$ref` names (default: `schema`); `at` is where `instance` sits.
    """
    root = schema if root is None else root
    if "$ref" in schema:
        schema = resolve(root, schema["$ref"])
    wrong = _any_of(instance, schema, root, at) or _value(instance, schema)
    if wrong:
        return f"{at or 'the top level'}: {wrong}"
    if isinstance(instance, dict):
        return _object(instance, schema, root, at)
    if isinstance(instance, list) and "items" in schema:
        return next(
            (found for n, item in enumerate(instance) if (found := problem(item, schema["items"], root, f"{at}[{n}]"))),
            None,
        )
    return None


def _any_of(instance: object, schema: Schema, root: Schema, at: str) -> str | None:
    if "anyOf" not in schema:
        return None
    refusals = [problem(instance, option, root, at) for option in schema["anyOf"]]
    return f"none of its {len(refusals)} forms: {'; or '.join(map(str, refusals))}" if all(refusals) else None


def _value(instance: object, schema: Schema) -> str | None:
    """What `type`, `const`, `enum`, `minimum` or `pattern` refuses in `instance` itself, if anything."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds is not None and not any(_is(instance, kind) for kind in kinds):
        return f"{_what(instance)}, not {' or '.join(kinds)}"
    if "const" in schema and not _same(instance, schema["const"]):
        return f"{instance!r:.40}, not {schema['const']!r}"
    if "enum" in schema and not any(_same(instance, choice) for choice in schema["enum"]):
        return f"{instance!r:.40}, not one of {', '.join(map(repr, schema['enum']))}"
    if "minimum" in schema and isinstance(instance, int | float) and instance < schema["minimum"]:
        return f"{instance}, less than {schema['minimum']}"
    if "pattern" in schema and isinstance(instance, str) and not re.search(schema["pattern"], instance):
        return f"{instance!r:.60} does not match {schema['pattern']}"
    return None


def resolve(root: Schema, reference: str) -> Schema:
    """The schema `#/$defs/<name>` names in `root`."""
    prefix = "#/$defs/"
    if not reference.startswith(prefix):
        raise ValueError(f"only {prefix}<name> references are supported, not {reference!r}")
    found: Schema = root["$defs"][reference.removeprefix(prefix)]
    return found


def _object(instance: dict[object, object], schema: Schema, root: Schema, at: str) -> str | None:
    missing = [key for key in schema.get("required", ()) if key not in instance]
    if missing:
        return f"{at or 'the top level'}: no {', '.join(missing)}"
    properties = schema.get("properties", {})
    for key, value in instance.items():
        own = properties.get(key, schema.get("additionalProperties", True))
        if own is False:
            return f"{at or 'the top level'}: unknown key {key!r}"
        if own is not True and (found := problem(value, own, root, f"{at}.{key}" if at else str(key))):
            return found
    return None


def _is(value: object, kind: str) -> bool:
    if isinstance(value, bool):  # a bool is an int to Python, never to JSON
        return kind == "boolean"
    return isinstance(value, _TYPES[kind])


def _same(value: object, wanted: object) -> bool:
    return value == wanted and isinstance(value, bool) == isinstance(wanted, bool)


def _what(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
