"""Reads the TOML file that declares a layer or a function, with the checks both share."""

import tomllib
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

from layerkit import lambda_facts, suggest
from layerkit.errors import LayerError
from layerkit.fsutil import read_text


def read(
    kind: str, directory: Path, file_name: str, keys: AbstractSet[str], name_use: str
) -> tuple[str, dict[str, object]]:
    """The declaration's `where` prefix for errors (`<kind> <name>: <path>`) and its table.

    The folder name is the layer's or function's name, so it must be a valid AWS name;
    `name_use` says what it becomes. Unknown keys are refused, with the nearest known one, so a typo
    never passes.
    """
    path = directory / file_name
    where = f"{kind} {directory.name}: {path}"
    if not lambda_facts.NAME.fullmatch(directory.name):
        longest = lambda_facts.MAX_NAME_CHARS
        raise LayerError(f"{where}: the folder name must be 1-{longest} letters, digits, '-' or '_' ({name_use})")
    try:
        data = tomllib.loads(read_text(path, where, "save it as UTF-8 TOML"))
    except FileNotFoundError:
        raise LayerError(f"{where}: missing; every {kind} folder needs one") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayerError(f"{where}: not valid TOML ({exc})") from None
    check_keys(data, keys, where)
    return where, data


def check_keys(data: Mapping[str, object], keys: Iterable[str], where: str, table: str = "") -> None:
    """Refuse keys not in `keys`, naming the nearest known one; a table's keys read `<table>.<key>`."""
    unknown = sorted(set(data) - set(keys))
    if unknown:
        prefix = f"{table}." if table else ""
        named = ", ".join(f"{prefix}{key}" for key in unknown)
        listed = suggest.hint(unknown, sorted(keys), "allowed", prefix=prefix)
        raise LayerError(f"{where}: unknown key(s) {named}{listed}")
