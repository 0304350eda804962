"""Decides what goes into a layer zip and under which path.

Installed packages land in `python/`, or, when a layer's runtimes need different files
(compiled extensions), in `python/lib/python3.X/site-packages/` per runtime. The layer's
own sources from `layers/<name>/python/` go into `python/`. Left out: `__pycache__` and
`.pyc` files (built for the host), installer state, console scripts in `bin/` (their
shebang names the build host's interpreter, and Lambda never puts them on PATH), files
the layer's `exclude` globs match, and the RECORD lines of every file left out.
"""

import csv
import fnmatch
import hashlib
import io
import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path

from layerkit.config.layer_config import SOURCES_DIR, LayerConfig
from layerkit.errors import LayerError, Subject, of_layer, reading

_INSTALLER_LEFTOVERS = frozenset({"bin", ".lock"})


@dataclass(frozen=True)
class FileEntry:
    """A file for the zip: its bytes come from `path`, or from `data` when rewritten."""

    path: Path
    executable: bool
    data: bytes | None = None

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size


Tree = dict[str, FileEntry]
"""Zip path (or a path relative to a staging folder) -> file."""


def installed_tree(site: Path) -> Tree:
    """The files uv installed into `site`, minus host-specific leftovers."""
    tree: Tree = {}
    if not site.is_dir():
        raise LayerError(f"{site}: the installer left no folder here")
    for root, dirs, files in os.walk(site):
        rel_root = Path(root).relative_to(site)
        at_top = rel_root == Path()
        dirs[:] = [d for d in dirs if d != "__pycache__" and not (at_top and d in _INSTALLER_LEFTOVERS)]
        for name in files:
            if not name.endswith(".pyc") and not (at_top and name in _INSTALLER_LEFTOVERS):
                tree[(rel_root / name).as_posix()] = _entry(Path(root) / name)
    return tree


def source_tree(config: LayerConfig) -> Tree:
    """The layer's own files under `python/`, refusing links that leave the layer folder."""
    return owned_files(of_layer(config.name), config.sources_dir, prefix=f"{SOURCES_DIR}/")


def owned_files(owner: Subject, top: Path, prefix: str) -> Tree:
    """Files under `top` (a layer's python/ or a function's src/), as `prefix` + their path.

    Symlinks are followed, but none may lead outside `top`'s parent: the layer or
    function folder is all that a build may ship.
    """
    if not top.exists():
        return {}
    kind = owner.kind
    boundary = top.parent.resolve()
    tree: Tree = {}
    seen: set[Path] = set()
    for root, dirs, files in os.walk(top, followlinks=True):
        real = Path(root).resolve()
        if not real.is_relative_to(boundary):
            raise LayerError(
                f"{root}: links outside the {kind} folder ({real}); copy the files in instead", about=owner
            )
        if real in seen:
            raise LayerError(f"{root}: a symlink loop; remove the link", about=owner)
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for file_name in files:
            path = Path(root) / file_name
            target = path.resolve()
            if not target.is_relative_to(boundary):
                raise LayerError(
                    f"{path}: links outside the {kind} folder ({target}); copy the file in instead", about=owner
                )
            if not file_name.endswith(".pyc"):
                tree[prefix + path.relative_to(top).as_posix()] = _entry(target)
    return tree


def same_files(trees: list[Tree]) -> bool:
    """True when every tree has the same paths with the same bytes."""
    digests = [{p: hashlib.sha256(e.read()).digest() for p, e in t.items()} for t in trees]
    return all(d == digests[0] for d in digests[1:])


def assemble(config: LayerConfig, installed: dict[str, Tree], sources: Tree) -> Tree:
    """The zip's files: installed trees per runtime (shared when identical) plus sources."""
    zip_tree: Tree = {}
    runtimes = sorted(installed)
    if len(runtimes) > 1 and not same_files([installed[r] for r in runtimes]):
        prefixes = {r: f"{SOURCES_DIR}/lib/{r}/site-packages" for r in runtimes}
    else:
        prefixes = dict.fromkeys(runtimes[:1], SOURCES_DIR)
    for runtime, prefix in prefixes.items():
        zip_tree.update({f"{prefix}/{p}": e for p, e in installed[runtime].items()})
    for path, entry in sources.items():
        if path in zip_tree:
            raise LayerError(
                f"{config.directory / path}: a package from requirements installs the same file; "
                "rename the module or drop the requirement",
                about=of_layer(config.name),
            )
        zip_tree[path] = entry
    kept = {p: e for p, e in zip_tree.items() if not excluded(config, p)}
    if not kept:
        raise LayerError(
            f"{config.directory}: the layer is empty; add requirements.in or sources under python/ (or loosen exclude)",
            about=of_layer(config.name),
        )
    return _prune_records(kept)


def excluded(config: LayerConfig, zip_path: str) -> bool:
    """True when one of the layer's `exclude` globs leaves this zip path out."""
    return any(fnmatch.fnmatchcase(zip_path, glob) for glob in config.exclude)


def _prune_records(tree: Tree) -> Tree:
    """Rewrite each RECORD to list only files the zip ships, so none names a host path.

    A RECORD is the wheel's publisher's data: bytes that are not UTF-8 are kept as they are
    (surrogateescape), and one the CSV reader cannot read ships unchanged.
    """
    pruned = dict(tree)
    for path, entry in tree.items():
        if not path.endswith(".dist-info/RECORD"):
            continue
        site = posixpath.dirname(posixpath.dirname(path))
        try:
            with reading(entry.path):
                rows = list(csv.reader(io.StringIO(entry.read().decode("utf-8", errors="surrogateescape"))))
        except csv.Error:
            continue
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            if row and posixpath.normpath(posixpath.join(site, row[0])) in tree:
                writer.writerow(row)
        pruned[path] = FileEntry(entry.path, entry.executable, out.getvalue().encode("utf-8", errors="surrogateescape"))
    return pruned


def _entry(path: Path) -> FileEntry:
    return FileEntry(path, bool(path.stat().st_mode & stat.S_IXUSR))
