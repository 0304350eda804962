"""The zip writer against the standard library's: the same bytes, and zipfile reads them back."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from layerkit.builder.deterministic_zip import COMPRESS_LEVEL, entry_names, zip_bytes
from layerkit.builder.layout import FileEntry, Tree

if TYPE_CHECKING:
    from pathlib import Path


def stdlib_zip(tree: Tree) -> bytes:
    """The same rules written with zipfile: the reference the fast writer must match byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in entry_names(tree):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o040755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (0o100755 if tree[name].executable else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, tree[name].read(), compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()


def sample_tree(tmp_path: Path) -> Tree:
    files = {
        "python/pkg/__init__.py": b"from pkg.mod import X\n" * 50,
        "python/pkg/mod.py": b"X = 1\n",
        "python/pkg/empty.txt": b"",
        "python/pkg/data/blob.bin": bytes(range(256)) * 4000,
        "python/pkg/\u00e9t\u00e9.py": b"# non-ASCII name\n",
        "python/tool.sh": b"#!/bin/sh\n",
    }
    tree: Tree = {}
    for name, data in files.items():
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(data)
        tree[name] = FileEntry(path, executable=name.endswith(".sh"))
    return tree


def test_same_bytes_as_zipfile(tmp_path: Path) -> None:
    tree = sample_tree(tmp_path)
    assert zip_bytes(tree) == stdlib_zip(tree)


def test_zipfile_reads_it_back(tmp_path: Path) -> None:
    tree = sample_tree(tmp_path)
    with zipfile.ZipFile(io.BytesIO(zip_bytes(tree))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == entry_names(tree)
        assert "python/pkg/data/" in archive.namelist()
        for name, entry in tree.items():
            assert archive.read(name) == entry.read()
        assert archive.getinfo("python/tool.sh").external_attr >> 16 == 0o100755
        assert archive.getinfo("python/pkg/mod.py").external_attr >> 16 == 0o100644


def test_input_order_does_not_matter(tmp_path: Path) -> None:
    tree = sample_tree(tmp_path)
    assert zip_bytes(dict(reversed(tree.items()))) == zip_bytes(tree)
