"""Reads an OSV advisory database offline, and says which PyPI versions each advisory affects.

The database is a folder of OSV `.json` or `.yaml` files, scanned recursively (a clone of
the PyPA advisory database: `vulns/<package>/<id>.yaml`), or an OSV export zip of flat JSON
files. Matching follows the OSV schema: `affected[]` entries whose ecosystem is `PyPI`,
names compared as PEP 503 normalises them, `ECOSYSTEM` ranges (`introduced`, `fixed`,
`last_affected`, `limit`) and explicit `versions`, compared as PEP 440 versions. Withdrawn
advisories are left out.

Parsing every file of a large database takes seconds, and an audit needs only the
advisories about packages that ship. So each file's text is first searched for the `name`
values it holds, and only a file naming a wanted package is parsed. A file that names no
package at all is parsed too, so a broken file is still reported rather than passed over.
"""

import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from types import MappingProxyType

import yaml
from packaging.utils import canonicalize_name
from packaging.version import Version

from layerkit.errors import LayerError, reading
from layerkit.inspect.osv import Advisory, Affected, Range
from layerkit.inspect.osv import version as parse_version

ECOSYSTEM = "PyPI"
_SUFFIXES = MappingProxyType({".json": "json", ".yaml": "yaml", ".yml": "yaml"})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it: several times faster than the pure-Python one."""
_NAME_VALUE = re.compile(rb"""name["']?\s*:\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)""")
"""A `name` key's value, in JSON or YAML: where a file says which packages it is about."""
UNREADABLE_MEMBER = (EOFError, ValueError, RuntimeError, NotImplementedError, zlib.error, zipfile.BadZipFile)
"""What reading one member of a zip raises when that member is corrupt (the zip as a whole opened)."""
_HEADLINE = 100
"""Characters of an advisory's summary or details shown under its ID."""


@dataclass
class Database:
    """The advisories about the wanted packages, by package, and a warning per file that could not be read."""

    advisories: dict[str, list[Advisory]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    """How many advisory files the database holds (parsed or not)."""

    def about(self, package: str) -> list[Advisory]:
        return self.advisories.get(package, [])


class _MalformedError(Exception):
    """Not an OSV advisory this reader can use; the message says why."""


def load(path: Path, packages: Collection[str]) -> Database:
    """The advisories in the folder or zip at `path` that concern any of `packages` (normalised names)."""
    wanted = frozenset(packages)
    database = Database()
    for source, kind, read in _files(path):
        database.files += 1
        try:
            data = read()
        except (OSError, *UNREADABLE_MEMBER) as exc:
            database.warnings.append(f"{source}: skipped, cannot be read ({exc})")
            continue
        if not _may_concern(data, wanted):
            continue
        try:
            with reading(source):
                advisory = _advisory(_parse(data, kind), source)
        except _MalformedError as exc:
            database.warnings.append(f"{source}: skipped, not a usable OSV advisory ({exc})")
            continue
        if advisory is None:
            continue
        for package in sorted({a.package for a in advisory.affected} & wanted):
            database.advisories.setdefault(package, []).append(advisory)
    if database.files == 0:
        raise LayerError(
            f"{path}: no OSV advisories (*.json, *.yaml) found; pass a clone of the advisory database "
            "or an OSV export zip"
        )
    return database


def _files(path: Path) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """(source, json or yaml, a reader of its bytes) for each candidate file, in a stable order."""
    if path.is_dir():
        yield from _folder_files(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        yield from _zip_files(path)
    elif path.exists():
        raise LayerError(
            f"{path}: not a folder or a zip; pass a folder of OSV .json or .yaml files, or an OSV export zip"
        )
    else:
        raise LayerError(f"{path}: no such file or folder; pass a clone of the advisory database or an OSV export zip")


def _folder_files(root: Path) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if not s.startswith(".")]  # .git, .github
        found += [Path(folder, n) for n in names if Path(n).suffix in _SUFFIXES]
    for file in sorted(found):
        yield str(file), _SUFFIXES[file.suffix], file.read_bytes


def _zip_files(path: Path) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and Path(info.filename).suffix in _SUFFIXES
            )
            for member in members:
                yield f"{path}:{member}", _SUFFIXES[Path(member).suffix], partial(archive.read, member)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LayerError(f"{path}: cannot read the zip ({exc}); download the OSV export again") from None


def _may_concern(data: bytes, wanted: frozenset[str]) -> bool:
    """Whether the file names a wanted package, or names none at all (so it is parsed, and checked)."""
    names = _NAME_VALUE.findall(data)
    return not names or any(_normalised(n) in wanted for n in names)


@cache
def _normalised(raw: bytes) -> str:
    return canonicalize_name(raw.decode("ascii"))


def _parse(data: bytes, kind: str) -> object:
    try:
        if kind == "json":
            return json.loads(data)
        return yaml.load(data, Loader=_LOADER)  # noqa: S506 -- a safe loader: SafeLoader or CSafeLoader
    except (ValueError, yaml.YAMLError) as exc:
        raise _MalformedError(f"not valid {kind.upper()}: {_first_line(exc)}") from None


def _advisory(data: object, source: str) -> Advisory | None:
    """The advisory's PyPI entries; None when it is withdrawn or concerns no PyPI package."""
    if not isinstance(data, dict):
        raise _MalformedError("the file holds no OSV object")
    identifier = data.get("id")
    if not isinstance(identifier, str) or not identifier:
        raise _MalformedError("no id")
    if data.get("withdrawn"):
        return None
    aliases = data.get("aliases") or []
    entries = data.get("affected") or []
    if not isinstance(aliases, list) or not isinstance(entries, list):
        raise _MalformedError("aliases and affected must be lists")
    affected = tuple(a for a in (_affected(e) for e in entries) if a is not None)
    if not affected:
        return None
    return Advisory(
        id=identifier,
        aliases=tuple(sorted(str(a) for a in aliases if a != identifier)),
        summary=_headline(data),
        source=source,
        affected=affected,
    )


def _headline(data: dict[str, object]) -> str:
    """The summary, or else the start of the details (PyPA's advisories have only details), on one line."""
    for key in ("summary", "details"):
        text = data.get(key)
        if isinstance(text, str) and text.strip():
            line = " ".join(text.split())
            return line if len(line) <= _HEADLINE else line[: _HEADLINE - 3].rsplit(" ", 1)[0] + "..."
    return ""


def _affected(entry: object) -> Affected | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("package"), dict):
        raise _MalformedError("an affected entry has no package")
    package = entry["package"]
    if package.get("ecosystem") != ECOSYSTEM:
        return None
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise _MalformedError("a PyPI package has no name")
    ranges, versions = entry.get("ranges") or [], entry.get("versions") or []
    if not isinstance(ranges, list) or not isinstance(versions, list):
        raise _MalformedError(f"{name}: ranges and versions must be lists")
    written = frozenset(str(v) for v in versions)
    events = [  # a GIT range's events are commits, not versions
        event
        for r in ranges
        if isinstance(r, dict) and r.get("type") == "ECOSYSTEM" and isinstance(r.get("events"), list)
        for event in r["events"]
        if isinstance(event, dict)
    ]
    return Affected(
        package=canonicalize_name(name),
        ranges=tuple(r for r in (_range(r, name) for r in ranges) if r is not None),
        versions=written,
        parsed_versions=frozenset(v for v in map(parse_version, written) if v is not None),
        fixed=tuple(str(e["fixed"]) for e in events if "fixed" in e),
        last_affected=tuple(str(e["last_affected"]) for e in events if "last_affected" in e),
    )


def _range(data: object, name: str) -> Range | None:
    """An ECOSYSTEM range; None for other types, and for a range with a bound PEP 440 cannot read."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise _MalformedError(f"{name}: a range has no events")
    if data.get("type") != "ECOSYSTEM":
        return None
    events = []
    for event in data["events"]:
        if not isinstance(event, dict) or len(event) != 1:
            raise _MalformedError(f"{name}: an event must hold one of introduced, fixed, last_affected, limit")
        ((kind, raw),) = event.items()
        if kind not in ("introduced", "fixed", "last_affected", "limit"):
            continue
        version = Version("0") if kind == "introduced" and str(raw) == "0" else parse_version(str(raw))
        if version is None:
            return None
        events.append((kind, version))
    # At one version, `introduced` opens before anything closes, as OSV's own evaluator does.
    return Range(tuple(sorted(events, key=lambda e: (e[1], e[0] != "introduced"))))


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
