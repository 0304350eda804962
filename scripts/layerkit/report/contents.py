"""What a zip puts on a function's import path, read from its central directory and RECORD files.

Only the folders the runtime imports from count: in a layer, `python/lib/<runtime>/site-packages/`
and then `python/` (that is their order on sys.path, whatever the merge order), and the zip
root for the function, which comes before every layer. Nothing is decompressed but the small
`*.dist-info/RECORD` and `METADATA` files (the latter for the license). What the report makes
of it: see `analyses`.
"""

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from layerkit import licenses
from layerkit.errors import LayerError

_ANY_SITE_PACKAGES = re.compile(r"python/lib/python3\.\d+/site-packages/")
_DIST_INFO = ".dist-info"


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
            return read_archive(archive, place)
    except (OSError, ValueError, csv.Error, zipfile.BadZipFile) as exc:
        raise LayerError(f"{zip_file}: cannot read the zip ({exc}); run 'make layers'") from None


def read_archive(archive: zipfile.ZipFile, place: Place) -> Contents:
    """`read_zip` on a zip already open, so several places can share one read of its central directory."""
    files: dict[str, Copy] = {}
    for info in archive.infolist():
        where = None if info.is_dir() else place(info.filename)
        if where and (where[1] not in files or where[0] < files[where[1]].rank):
            files[where[1]] = Copy(info.filename, where[0], info.CRC, info.file_size)
    return Contents(files, _dists(archive, files))


def _dists(archive: zipfile.ZipFile, files: dict[str, Copy]) -> dict[str, Dist]:
    """The distributions whose `<name>-<version>.dist-info` folder sits at an import folder's top."""
    folders = {p.split("/", 1)[0] for p in files if "/" in p}
    dists: dict[str, Dist] = {}
    for folder in sorted(folders):
        named = dist_info(folder)
        if named is None:
            continue
        own = {p for p in files if p.startswith(f"{folder}/")}
        record = files.get(f"{folder}/RECORD")
        listed = _record_paths(archive.read(record.zip_path)) if record else set()
        rank = min(files[p].rank for p in own)
        metadata = files.get(f"{folder}/METADATA")
        license_ = licenses.from_metadata(archive.read(metadata.zip_path)) if metadata else None
        dist = Dist(named[0], named[1], rank, frozenset(own | (listed & files.keys())), license_)
        if dist.name not in dists or rank < dists[dist.name].rank:
            dists[dist.name] = dist
    return dists


def dist_info(folder: str) -> tuple[str, str] | None:
    """The (normalised name, version) a `<name>-<version>.dist-info` folder name gives; None for other folders."""
    if not folder.endswith(_DIST_INFO):
        return None
    raw_name, sep, version = folder.removesuffix(_DIST_INFO).rpartition("-")
    return (canonicalize_name(raw_name), version) if sep else None


def _record_paths(data: bytes) -> set[str]:
    """The paths a RECORD lists, relative to the folder its dist-info is in (paths outside it dropped)."""
    paths = (posixpath.normpath(row[0]) for row in csv.reader(io.StringIO(data.decode("utf-8"))) if row)
    return {p for p in paths if not p.startswith("../")}
