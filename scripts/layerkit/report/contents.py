"""What a zip puts on a function's import path, read from its central directory and RECORD files.

Only the folders the runtime imports from count: in a layer, `python/lib/<runtime>/site-packages/`
and then `python/` (that is their order on sys.path, whatever the merge order), and the zip
root for the function, which comes before every layer. Nothing is decompressed but the small
`*.dist-info/RECORD` and `METADATA` files (the latter for the license). What the report makes
of it: see `analyses`.

A RECORD or METADATA file is its publisher's data, not trusted to be well formed: bytes that
are not UTF-8, NUL bytes, odd rows and paths outside the folder are read as far as they make
sense and otherwise left out, never raised. Only a zip that cannot be read at all is an error.
"""

import contextlib
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from packaging.utils import canonicalize_name

from layerkit import licenses
from layerkit.errors import LayerError, reading

_ANY_SITE_PACKAGES = re.compile(r"python/lib/python3\.\d+/site-packages/")
_DIST_INFO = ".dist-info"
_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE | re.ASCII)
"""A distribution name, as PEP 508 allows it."""
_T = TypeVar("_T")
UNREADABLE_ZIP = (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zlib.error, zipfile.BadZipFile)
"""What zipfile raises on a zip that is truncated, corrupt, encrypted or compressed in a way it cannot read."""


@dataclass(frozen=True)
class Copy:
    """One file as its zip's central directory describes it: enough to tell two copies apart."""

    zip_path: str
    rank: int
    """Position on sys.path of the folder it is in: the lowest is imported first."""
    crc: int
    size: int


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    rank: int
    files: frozenset[str]
    """Import paths its RECORD lists that the zip ships, and its dist-info folder's own files."""
    license: licenses.License | None = None
    """As its METADATA declares it; None: it declares none, or ships no METADATA."""


@dataclass(frozen=True)
class Contents:
    """What one zip puts on the function's import path, by import path (relative to its folder)."""

    files: dict[str, Copy]
    dists: dict[str, Dist]

    def owner(self, path: str) -> str | None:
        return next((d.name for d in self.dists.values() if path in d.files), None)


Place = Callable[[str], tuple[int, str] | None]


def layer_place(runtime: str) -> Place:
    """Where a layer zip's entry lands on `runtime`'s sys.path: (rank, import path), or None if not imported."""
    own = f"python/lib/{runtime}/site-packages/"

    def place(name: str) -> tuple[int, str] | None:
        if name.startswith(own):
            return 0, name.removeprefix(own)
        if name.startswith("python/") and not _ANY_SITE_PACKAGES.match(name):
            return 1, name.removeprefix("python/")
        return None

    return place


def code_place(name: str) -> tuple[int, str]:
    return 0, name


def read_zip(zip_file: Path, place: Place, data: bytes | None = None) -> Contents:
    """What the zip at `zip_file` puts on the import path; `data`: its bytes, when not yet written there."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else zip_file) as archive:
            return read_archive(archive, place, zip_file)
    except UNREADABLE_ZIP as exc:
        raise LayerError(f"{zip_file}: cannot read the zip ({exc}); run 'make layers'") from None


def read_archive(archive: zipfile.ZipFile, place: Place, source: Path) -> Contents:
    """`read_zip` on a zip already open, so several places can share one read of its central directory.

    `source` is the zip's path, for messages (the archive may be open on its bytes).
    """
    files: dict[str, Copy] = {}
    for info in archive.infolist():
        where = None if info.is_dir() else place(info.filename)
        if where and (where[1] not in files or where[0] < files[where[1]].rank):
            files[where[1]] = Copy(info.filename, where[0], info.CRC, info.file_size)
    return Contents(files, _dists(archive, files, source))


def _dists(archive: zipfile.ZipFile, files: dict[str, Copy], source: Path) -> dict[str, Dist]:
    """The distributions whose `<name>-<version>.dist-info` folder sits at an import folder's top."""
    folders = {p.split("/", 1)[0] for p in files if "/" in p}
    dists: dict[str, Dist] = {}
    for folder in sorted(folders):
        named = dist_info(folder)
        if named is None:
            continue
        own = {p for p in files if p.startswith(f"{folder}/")}
        record = files.get(f"{folder}/RECORD")
        listed = _read(archive, record, source, _record_paths) if record else set()
        rank = min(files[p].rank for p in own)
        metadata = files.get(f"{folder}/METADATA")
        license_ = _read(archive, metadata, source, licenses.from_metadata) if metadata else None
        dist = Dist(named[0], named[1], rank, frozenset(own | (listed & files.keys())), license_)
        if dist.name not in dists or rank < dists[dist.name].rank:
            dists[dist.name] = dist
    return dists


def _read(archive: zipfile.ZipFile, member: Copy, source: Path, reader: Callable[[bytes], _T]) -> _T:
    with reading(f"{source}: {member.zip_path}"):
        return reader(archive.read(member.zip_path))


def dist_info(folder: str) -> tuple[str, str] | None:
    """The (normalised name, version) a `<name>-<version>.dist-info` folder name gives; None for other folders.

    None too for a folder whose name is not a distribution name (PEP 508) or whose version is empty,
    which no installer writes.
    """
    if not folder.endswith(_DIST_INFO):
        return None
    raw_name, sep, version = folder.removesuffix(_DIST_INFO).rpartition("-")
    if not (sep and _NAME.fullmatch(raw_name) and version.strip()):
        return None
    return canonicalize_name(raw_name), version


def _record_rows(data: bytes) -> list[list[str]]:
    """A RECORD file's CSV rows; undecodable bytes become U+FFFD, and a row the CSV reader chokes on ends the list."""
    rows: list[list[str]] = []
    # list.extend keeps the rows read before a bad one, which is all a RECORD can still say.
    with contextlib.suppress(csv.Error):
        rows.extend(row for row in csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))) if row)
    return rows


def _record_paths(data: bytes) -> set[str]:
    """The paths a RECORD lists, relative to its dist-info's folder; absolute paths and ones outside it dropped."""
    paths = (posixpath.normpath(row[0]) for row in _record_rows(data))
    return {p for p in paths if not p.startswith(("../", "/")) and p not in ("..", ".")}
