"""Writes a zip whose bytes depend only on the files' paths, bytes and executable bits.

Entry order, timestamps, modes and extra fields all change a zip's bytes, and so its
`source_code_hash`, and so whether Terraform publishes a new layer version. Here
entries are sorted, dated 1980-01-01, 0644 or 0755 (directories 0755), and carry no
extra fields.

The standard library's zipfile compresses one entry after another, which made the
zip step alone as slow as `uv pip install` plus `zip -r` together. This writer
compresses entries on every core (zlib releases the GIL) and then lays out the
plain PKZIP structure: local headers, central directory, end record. Lambda's
limits keep every layer far below what needs ZIP64 (4 GiB, 65,535 entries).
"""

import os
import posixpath
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from layerkit.builder.layout import FileEntry, Tree

COMPRESS_LEVEL = 6
"""zlib's default, and `zip`'s: the size/speed balance people expect."""
MAX_ENTRIES = 0xFFFF
"""Entries a zip holds without ZIP64 extensions."""

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIGNATURE, _CENTRAL_SIGNATURE, _END_SIGNATURE = 0x04034B50, 0x02014B50, 0x06054B50
_VERSION = 20  # 2.0: deflate and folders
_MADE_BY_UNIX = (3 << 8) | _VERSION
_DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
_DOS_TIME_MIDNIGHT = 0
_UTF8_NAME = 0x800
_STORED, _DEFLATED = 0, 8
_FILE, _EXECUTABLE, _DIRECTORY = 0o100644, 0o100755, 0o040755
_MSDOS_DIRECTORY = 0x10


@dataclass(frozen=True)
class _Member:
    name: bytes
    flags: int
    method: int
    crc: int
    data: bytes
    size: int
    attributes: int


def entry_names(tree: Tree) -> list[str]:
    """Every entry the zip of `tree` holds, sorted: its files and each folder on their way."""
    folders = set()
    for path in tree:
        parent = posixpath.dirname(path)
        while parent:
            folders.add(f"{parent}/")
            parent = posixpath.dirname(parent)
    return sorted([*folders, *tree])


def zip_bytes(tree: Tree) -> bytes:
    """The zip of `tree`; callers check MAX_ENTRIES first (struct.error past it)."""
    names = entry_names(tree)
    # One slice of the names per core: a task per entry costs more than small entries save.
    jobs = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        slices = list(
            pool.map(lambda part: [_member(n, tree.get(n)) for n in part], [names[i::jobs] for i in range(jobs)])
        )
    members = [slices[i % jobs][i // jobs] for i in range(len(names))]

    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for m in members:
        fields = (m.flags, m.method, _DOS_TIME_MIDNIGHT, _DOS_DATE_1980_01_01, m.crc, len(m.data), m.size, len(m.name))
        local = _LOCAL.pack(_LOCAL_SIGNATURE, _VERSION, *fields, 0)
        directory += [
            _CENTRAL.pack(_CENTRAL_SIGNATURE, _MADE_BY_UNIX, _VERSION, *fields, 0, 0, 0, 0, m.attributes, offset)
        ]
        directory += [m.name]
        parts += [local, m.name, m.data]
        offset += len(local) + len(m.name) + len(m.data)
    central = b"".join(directory)
    end = _END.pack(_END_SIGNATURE, 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join([*parts, central, end])


def _member(name: str, entry: FileEntry | None) -> _Member:
    encoded = name.encode("utf-8")
    flags = 0 if name.isascii() else _UTF8_NAME
    if entry is None:
        return _Member(encoded, flags, _STORED, 0, b"", 0, (_DIRECTORY << 16) | _MSDOS_DIRECTORY)
    raw = entry.read()
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(raw) + compressor.flush()
    mode = _EXECUTABLE if entry.executable else _FILE
    return _Member(encoded, flags, _DEFLATED, zlib.crc32(raw), data, len(raw), mode << 16)
