"""One layer artifact (a layer's zip for one architecture): checked, installed, laid out, zipped, recorded.

What every architecture of a layer shares is read and checked once, by `prepare`, before the
architectures are built apart: its requirements, its lockfiles against them and against the
layers it requires, its own sources and the interpreters that compile its bytecode. So an
error that cannot depend on the architecture (a stale lockfile, a credential in `python/`) is
raised once for the layer. `build` then rebuilds one architecture's zip only when its inputs
digest changed: layer.toml, its lockfiles, its own sources, its target and this build tool.
"""

import functools
import hashlib
import importlib.metadata
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from layerkit import licenses
from layerkit.build_dir import BuildDir
from layerkit.builder import (
    bytecode,
    deterministic_zip,
    install,
    layout,
    lockfile,
    manifest,
    secrets,
    state,
    uv_cli,
)
from layerkit.config.layer_config import LAYER_FILE, LayerConfig
from layerkit.errors import LayerError, Subject, of_layer
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES, Target, runtime_span
from layerkit.records import Artifact
from layerkit.report.contents import Dist


@dataclass(frozen=True)
class Layer:
    """What every architecture of one layer shares, read and checked once (`prepare`)."""

    config: LayerConfig
    required: tuple[LayerConfig, ...]
    """Every layer this one relies on (`layer_config.required`)."""
    locks: dict[Target, lockfile.Lock]
    sources: layout.Tree
    interpreters: tuple[bytecode.Interpreter, ...]
    stopped: dict[str, LayerError]
    """The architectures a problem with their own lockfiles stops, and its error (one object for all it stops)."""

    def locks_for(self, architecture: str) -> dict[Target, lockfile.Lock]:
        return {t: lock for t, lock in self.locks.items() if t.architecture == architecture}


def prepare(config: LayerConfig, required: Sequence[LayerConfig]) -> Layer:
    """The layer's shared inputs, or the one error that stops all its architectures.

    `required` is checked first, since a re-lock of one of them makes this layer's lockfile
    stale without changing a byte of it. A problem with some of the lockfiles stops only the
    architectures they serve (`Layer.stopped`).
    """
    requirements = lockfile.read_requirements(config)
    locks, problems = lockfile.find_all(config, config.all_targets(), requirements)
    stopped: dict[str, LayerError] = {}
    for error, architectures in problems:
        for architecture in sorted(architectures - stopped.keys()):
            stopped[architecture] = error
    provided: dict[tuple[Subject | None, str], list[Target]] = {}
    for target, lock in locks.items():
        try:
            lockfile.check_provided(config, lock, target, required)
        except LayerError as exc:
            provided.setdefault((exc.about, exc.message), []).append(target)
    for key, targets in provided.items():
        on = sorted({t.architecture for t in targets} - stopped.keys(), key=config.architectures.index)
        error = LayerError(key[1], about=key[0], architectures=on if len(on) > 1 else ())
        stopped |= dict.fromkeys(on, error)
    interpreters = tuple(bytecode.find_interpreters(config))
    return Layer(config, tuple(required), locks, layout.source_tree(config), interpreters, stopped)


def reusable(prepared: Layer, architecture: str, build_dir: BuildDir) -> Artifact | None:
    """The artifact's record from the last build, when its inputs are unchanged and its files intact."""
    previous = state.read(build_dir, manifest.artifact_key(prepared.config.name, architecture))
    if previous and previous["inputs_sha256"] == inputs_digest(prepared, architecture) and _intact(previous):
        return previous
    return None


def check_secrets(prepared: Layer) -> None:
    """Refuse a layer whose own files hold a credential: once for all its architectures."""
    config = prepared.config
    # Only the files the zip ships: a file that `exclude` leaves out may hold a test's fake key.
    shipped = (config.directory / p for p in prepared.sources if not layout.excluded(config, p))
    secrets.check(of_layer(config.name), shipped)


def build(
    prepared: Layer, architecture: str, build_dir: BuildDir, on_start: Callable[[str], None] = lambda _: None
) -> Artifact:
    """Install, lay out, zip, check and record the artifact; `on_start` hears of it before the work starts."""
    # cyclonedx takes a tenth of a second to import: only a build that writes an SBOM pays for it.
    from layerkit.builder import sbom  # noqa: PLC0415

    config = prepared.config
    on_start(f"building layer {config.name} ({runtime_span(config.runtimes)}, {architecture}) \u2026")
    locks = prepared.locks_for(architecture)
    data, unzipped, file_count = _zip(prepared, architecture, build_dir)
    key = manifest.artifact_key(config.name, architecture)
    zip_sha256 = hashlib.sha256(data).hexdigest()
    dists = sbom.layer_dists(config, build_dir.layer_zip(key, zip_sha256), data)
    _check_licenses(config, architecture, dists)
    document = sbom.layer_document(
        config=config, architecture=architecture, key=key, zip_sha256=zip_sha256, dists=dists, locks=locks
    )
    record = manifest.record(
        config=config,
        architecture=architecture,
        build_dir=build_dir,
        zip_data=data,
        unzipped_size=unzipped,
        file_count=file_count,
        locks=locks,
        inputs_sha256=inputs_digest(prepared, architecture),
        requires=[r.name for r in prepared.required],
        sbom=build_dir.sbom(key, hashlib.sha256(document).hexdigest()),
    )
    atomic_write(Path(record["zip"]), data)
    atomic_write(Path(record["sbom"]), document)
    state.write(build_dir, record)
    return record


def _zip(prepared: Layer, architecture: str, build_dir: BuildDir) -> tuple[bytes, int, int]:
    """Install each target's lockfile, lay out the zip's files with the layer's own, and zip them.

    Returns the zip, its size unzipped and its file count, while the staged files still exist.
    """
    config = prepared.config
    with build_dir.staging() as staging:
        installed: dict[str, layout.Tree] = {}
        for target, lock in prepared.locks_for(architecture).items():
            if not lock.pins:  # every dependency ships in a required layer: the lockfile's header
                installed[target.runtime] = {}
                continue
            site = Path(staging) / target.runtime
            install.install(config.name, lock, target, site)
            installed[target.runtime] = layout.installed_tree(site)
        tree = layout.assemble(config, installed, prepared.sources)
        tree = bytecode.add_pycs(
            config, tree, prepared.sources, list(prepared.interpreters), Path(staging) / "bytecode"
        )
        unzipped = _check_limits(config, architecture, tree)
        return deterministic_zip.zip_bytes(tree), unzipped, len(tree)


def _check_limits(config: LayerConfig, architecture: str, tree: layout.Tree) -> int:
    """The tree's size unzipped; refuse a layer Lambda could never attach, or a zip that would need ZIP64."""
    unzipped = sum(entry.size() for entry in tree.values())
    if unzipped > MAX_UNZIPPED_BYTES:
        raise LayerError(
            f"{unzipped:,} bytes unzipped, over Lambda's limit of {MAX_UNZIPPED_BYTES:,} for a function and all "
            "its layers; split the layer or exclude files",
            about=of_layer(config.name),
            architectures=[architecture],
        )
    entries = len(deterministic_zip.entry_names(tree))
    if entries > deterministic_zip.MAX_ENTRIES:
        raise LayerError(
            f"{entries:,} files and folders, over the {deterministic_zip.MAX_ENTRIES:,} a zip holds without ZIP64; "
            "split the layer or exclude files",
            about=of_layer(config.name),
            architectures=[architecture],
        )
    return unzipped


def _check_licenses(config: LayerConfig, architecture: str, dists: list[Dist]) -> None:
    """Refuse, before anything is written, a layer that ships a license its `[licenses] allow` does not list."""
    allow = config.allowed_licenses
    if allow is None:
        return
    refused = [d for d in dists if not licenses.permits(allow, d.license)]
    if not refused:
        return
    first = refused[0]
    if first.license is None:
        declared = "with an unknown license (its METADATA declares none)"
    elif first.license.expression is None:
        declared = f"under {first.license!s:.80}, which is not an SPDX expression and so counts as unknown"
    else:
        declared = f"under {first.license}"
    more = f" (and {len(refused) - 1} more distribution(s))" if len(refused) > 1 else ""
    raise LayerError(
        f"ships {first.name} {first.version} {declared}, which [licenses] allow in {config.directory / LAYER_FILE} "
        f"does not permit{more}; remove it from {config.requirements_in.name}, or allow its license "
        f"({', '.join(allow)} allowed now)",
        about=of_layer(config.name),
        architectures=[architecture],
    )


def _intact(record: Artifact) -> bool:
    path = Path(record["zip"])
    return path.is_file() and path.stat().st_size == record["zip_size"] and Path(record["sbom"]).is_file()


def digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def inputs_digest(prepared: Layer, architecture: str) -> str:
    return digest(_inputs(prepared, architecture))


def _inputs(prepared: Layer, architecture: str) -> Iterator[bytes]:
    config = prepared.config
    yield tool_identity()
    yield architecture.encode()
    yield (config.directory / LAYER_FILE).read_bytes()
    for target, lock in sorted(prepared.locks_for(architecture).items()):
        yield target.key.encode()
        yield lock.path.read_bytes()
    for path, entry in sorted(prepared.sources.items()):
        yield f"{path}:{entry.executable}".encode()
        yield entry.read()
    for interpreter in prepared.interpreters:
        yield interpreter.identity


_SBOM_LIBRARIES = ("cyclonedx-python-lib", "license-expression", "packageurl-python")
"""Their versions shape the SBOMs, and through `[licenses]`, whether a layer builds at all."""
_OWN_SOURCES = tuple(sorted(Path(__file__).parents[1].rglob("*.py")))


@functools.cache
def tool_identity() -> bytes:
    """Identify the build tool: its code, uv's version, the zlib and Python that write the zip, and its libraries.

    A new detect-secrets release may find what an old one missed, and a new SBOM library may
    write other bytes, so either rebuilds every artifact once.
    """
    parts = [p.read_bytes() for p in _OWN_SOURCES]
    parts += [uv_cli.version().encode(), zlib.ZLIB_RUNTIME_VERSION.encode(), sys.version.encode()]
    parts += [importlib.metadata.version(d).encode() for d in (*_SBOM_LIBRARIES, "detect-secrets")]
    return hashlib.sha256(b"\0".join(parts)).digest()
