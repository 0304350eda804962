"""Writes a zip whose bytes depend only on the files' paths, bytes and executable bits.

Entry order, timestamps, modes and extra fields all change a zip's bytes, and so its
`source_code_hash`, and so whether Terraform publishes a new layer version. Here
entries are sorted, dated 1980-01-01, 0644 or 0755 (directories 0755), and carry no
extra fields.
"""

import io
import posixpath
import zipfile

from layerkit.layout import Tree

_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_FILE = 0o100644
_EXECUTABLE = 0o100755
_DIRECTORY = 0o040755
_MSDOS_DIRECTORY = 0x10
COMPRESS_LEVEL = 6
"""zlib's default, and `zip`'s: the size/speed balance people expect."""


def zip_bytes(tree: Tree) -> bytes:
    """The zip of `tree`, with an entry for every directory on the way to each file."""
    directories = set()
    for path in tree:
        parent = posixpath.dirname(path)
        while parent:
            directories.add(parent)
            parent = posixpath.dirname(parent)
    names = sorted([*(f"{d}/" for d in directories), *tree])

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.create_system = _UNIX
            if name.endswith("/"):
                info.external_attr = (_DIRECTORY << 16) | _MSDOS_DIRECTORY
                archive.writestr(info, b"")
            else:
                entry = tree[name]
                info.external_attr = (_EXECUTABLE if entry.executable else _FILE) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entry.read(), compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()
