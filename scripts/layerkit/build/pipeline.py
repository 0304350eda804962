"""`make layers`: builds every layer artifact (one zip per layer and architecture) and function zip.

An artifact is rebuilt only when its inputs digest changed: layer.toml, its lockfiles,
its own sources, its target and this build tool; only then are its own files scanned for
credentials (`secrets`). Independent artifacts build in parallel. Each zip's SBOM (`sbom`)
is written with it, after its licenses pass layer.toml's `[licenses]`; a function's SBOM is
named by its inputs, so an unchanged one is not redone.
"""

import functools
import hashlib
import importlib.metadata
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from layerkit import licenses
from layerkit.build import (
    bytecode,
    deterministic_zip,
    install,
    layout,
    lockfile,
    manifest,
    sbom,
    secrets,
    state,
    uv_cli,
)
from layerkit.build_dir import BuildDir
from layerkit.config import layer_config
from layerkit.config.function_config import FunctionConfig
from layerkit.config.layer_config import LAYER_FILE, LayerConfig
from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write, exclusive
from layerkit.lambda_facts import ARCHITECTURES, MAX_UNZIPPED_BYTES, Target, runtime_span
from layerkit.records import Record
from layerkit.report import analyses, model
from layerkit.report.contents import Dist


@dataclass(frozen=True)
class Outcome:
    """One artifact's result: its manifest record, or the error that stopped it."""

    key: str
    record: Record | None
    rebuilt: bool
    error: LayerError | None
    owner: str = ""
    """`layer <name>` or `function <name>`: what the artifact is built from."""
    architecture: str | None = None
    """A layer artifact's architecture; None for a function's zip."""


@dataclass(frozen=True)
class Failure:
    """One error line, for every artifact that failed alike."""

    message: str
    owners: tuple[str, ...]
    """What did not build because of it: `layer <name>` or `function <name>`, each once."""


def failures(outcomes: Sequence[Outcome]) -> list[Failure]:
    """The errors of `outcomes`, each once: one that only differs by architecture names the architectures.

    A layer's artifacts fail alike when the cause is in its own folder (a stale lockfile, a
    credential in python/) or in a layer it requires; `layer aws_helpers (x86_64, arm64): ...`
    says so once instead of once per architecture.
    """
    alike: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.error:
            alike.setdefault(_without_architecture(str(outcome.error), outcome.architecture), []).append(outcome)
    found = []
    for generic, group in alike.items():
        architectures = sorted({o.architecture for o in group if o.architecture}, key=ARCHITECTURES.index)
        message = str(group[0].error)
        if len(architectures) > 1 and (owner := _OWNER.match(generic)):
            message = f"{owner[1]} ({', '.join(architectures)}): {generic[owner.end() :]}"
        found.append(Failure(message, tuple(dict.fromkeys(o.owner for o in group))))
    return found


_OWNER = re.compile(r"^(layer \S+): ")


def _without_architecture(message: str, architecture: str | None) -> str:
    """`message` with `architecture` taken out of its `layer <name> (<arch>):` and its targets' keys.

    Only a message that starts with `layer <name>:` once it is out can name the architectures
    again; any other is kept whole, so that only identical ones are printed once.
    """
    if architecture is None:
        return message
    generic = message.replace(f" ({architecture}): ", ": ", 1)
    # A target's key (python3.12-arm64) but not a per-target lockfile's name (requirements-python3.12-arm64.txt).
    generic = re.sub(rf"(?<![\w./-])(python\d+\.\d+)-{re.escape(architecture)}(?![\w.-])", r"\1", generic)
    return generic if _OWNER.match(generic) else message


@dataclass(frozen=True)
class Result:
    """Every artifact's outcome and, when all of them built, the report on the functions."""

    outcomes: list[Outcome]
    analysis: model.Report | None


def build_all(  # noqa: PLR0913 -- what to build, where, how many at once, and what to tell whom
    configs: list[LayerConfig],
    functions: list[FunctionConfig],
    build_dir: BuildDir,
    jobs: int,
    *,
    on_wait: Callable[[str], None] = lambda _: None,
    on_start: Callable[[str], None] = lambda _: None,
) -> Result:
    """Build every artifact; once all built, write build/report.json, then the manifest unless it has errors.

    The whole build holds `build_dir`'s lock: a second build into the same folder waits
    (`on_wait` says so), or its manifest could name zips the other deleted. `on_start` hears
    of each layer artifact that is not up to date, before its install and zip (from worker threads).
    """
    with exclusive(build_dir.lock, on_wait):
        return _build_all(configs, functions, build_dir, jobs, on_start)


def _build_all(
    configs: list[LayerConfig],
    functions: list[FunctionConfig],
    build_dir: BuildDir,
    jobs: int,
    on_start: Callable[[str], None],
) -> Result:
    by_name = {c.name: c for c in configs}
    work = [(c, a, layer_config.required(c, by_name)) for c in configs for a in c.architectures]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(lambda item: _attempt(item[0], item[1], item[2], build_dir, on_start), work))
    function_outcomes = [_attempt_function(f, build_dir) for f in functions]
    everything = outcomes + function_outcomes
    if not all(o.record for o in everything):
        return Result(everything, None)
    artifacts = [o.record for o in outcomes if o.record]
    function_zips = [o.record for o in function_outcomes if o.record]
    analysis = analyses.analyse(artifacts, function_zips, configs)
    model.write(build_dir, analysis)
    if not analysis.errors:
        by_key = {str(r["key"]): r for r in artifacts}
        function_zips = [_with_sbom(r, by_key, build_dir) for r in function_zips]
        manifest.write(build_dir, artifacts, function_zips)
        build_dir.keep_only(
            {Path(r["zip"]) for r in artifacts},
            {Path(r["zip"]) for r in function_zips},
            {build_dir.state(r["key"]) for r in artifacts},
            {Path(r["sbom"]) for r in artifacts + function_zips},
        )
    return Result(everything, analysis)


def _attempt(
    config: LayerConfig,
    architecture: str,
    required: list[LayerConfig],
    build_dir: BuildDir,
    on_start: Callable[[str], None],
) -> Outcome:
    key = manifest.artifact_key(config.name, architecture)
    try:
        record, rebuilt = build_artifact(config, architecture, build_dir, required, on_start)
    except LayerError as exc:
        return Outcome(key, None, rebuilt=False, error=exc, owner=f"layer {config.name}", architecture=architecture)
    return Outcome(key, record, rebuilt=rebuilt, error=None, owner=f"layer {config.name}", architecture=architecture)


def _attempt_function(config: FunctionConfig, build_dir: BuildDir) -> Outcome:
    owner = f"function {config.name}"
    try:
        record, rebuilt = build_function(config, build_dir)
    except LayerError as exc:
        return Outcome(owner, None, rebuilt=False, error=exc, owner=owner)
    return Outcome(owner, record, rebuilt=rebuilt, error=None, owner=owner)


def build_function(config: FunctionConfig, build_dir: BuildDir) -> tuple[Record, bool]:
    """The function's zip: its src/ folder, laid out and written as layer zips are."""
    tree = layout.owned_files("function", config.name, config.code_dir, prefix="")
    if not tree:
        raise LayerError(f"function {config.name}: {config.code_dir}: empty; put the handler's module there")
    data = deterministic_zip.zip_bytes(tree)
    record = manifest.function_record(config, build_dir, data, tree)
    path = Path(record["zip"])
    if path.is_file() and path.stat().st_size == len(data):
        return record, False
    # The zip is named after its sha256: any change to src/ gets here, and a no-op build never does.
    secrets.check(f"function {config.name}", (config.code_dir / p for p in tree))
    atomic_write(path, data)
    return record, True


def _with_sbom(record: Record, artifacts: dict[str, Record], build_dir: BuildDir) -> Record:
    """The function's record with its SBOM, written unless one from the same inputs is there already."""
    parts = [_tool_identity(), str(record["sha256"]).encode(), str(record["runtime"]).encode()]
    # A layer's SBOM is named by its content: its name stands for all the function's SBOM takes from the layer.
    parts += [str(a["arn"] or Path(artifacts[a["artifact"]]["sbom"]).name).encode() for a in record["layers"]]
    path = build_dir.sbom(str(record["key"]), _digest(parts))
    if not path.is_file():
        atomic_write(path, sbom.function_document(record, artifacts))
    return {**record, "sbom": path.as_posix()}


def build_artifact(
    config: LayerConfig,
    architecture: str,
    build_dir: BuildDir,
    required: Sequence[LayerConfig] = (),
    on_start: Callable[[str], None] = lambda _: None,
) -> tuple[Record, bool]:
    """The artifact's record, and whether it had to be built (False: reused as it was).

    `required` is every layer this one relies on: checked first, since a re-lock of one of
    them makes this layer's lockfile stale without changing a byte of it. `on_start` hears
    that the artifact is not up to date, before the work starts.
    """
    targets = config.targets(architecture)
    requirements = lockfile.read_requirements(config)
    locks = {t: lock for t in targets if (lock := lockfile.find(config, t, requirements))}
    for target, lock in locks.items():
        lockfile.check_provided(config, lock, target, required)
    sources = layout.source_tree(config)
    interpreters = bytecode.find_interpreters(config)
    digest = _digest(_inputs(config, architecture, locks, sources, interpreters))

    key = manifest.artifact_key(config.name, architecture)
    previous = state.read(build_dir, key)
    if previous and previous["inputs_sha256"] == digest and _intact(previous):
        return previous, False

    on_start(f"building layer {config.name} ({runtime_span(config.runtimes)}, {architecture}) \u2026")
    # Only the files the zip ships: a file that `exclude` leaves out may hold a test's fake key.
    secrets.check(f"layer {config.name}", (config.directory / p for p in sources if not layout.excluded(config, p)))
    data, unzipped, file_count = _zip(
        config, architecture=architecture, locks=locks, sources=sources, interpreters=interpreters, build_dir=build_dir
    )

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
        inputs_sha256=digest,
        requires=[r.name for r in required],
        sbom=build_dir.sbom(key, hashlib.sha256(document).hexdigest()),
    )
    atomic_write(Path(record["zip"]), data)
    atomic_write(Path(record["sbom"]), document)
    state.write(build_dir, record)
    return record, True


def _zip(  # noqa: PLR0913 -- each argument is one input of the artifact
    config: LayerConfig,
    *,
    architecture: str,
    locks: dict[Target, lockfile.Lock],
    sources: layout.Tree,
    interpreters: list[bytecode.Interpreter],
    build_dir: BuildDir,
) -> tuple[bytes, int, int]:
    """Install each target's lockfile, lay out the zip's files with the layer's own, and zip them.

    Returns the zip, its size unzipped and its file count, while the staged files still exist.
    """
    with build_dir.staging() as staging:
        installed: dict[str, layout.Tree] = {}
        for target, lock in locks.items():
            if not lock.pins:  # every dependency ships in a required layer: the lockfile's header
                installed[target.runtime] = {}
                continue
            site = Path(staging) / target.runtime
            install.install(config.name, lock, target, site)
            installed[target.runtime] = layout.installed_tree(site)
        tree = layout.assemble(config, installed, sources)
        tree = bytecode.add_pycs(config, tree, sources, interpreters, Path(staging) / "bytecode")
        unzipped = _check_limits(config, architecture, tree)
        return deterministic_zip.zip_bytes(tree), unzipped, len(tree)


def _check_limits(config: LayerConfig, architecture: str, tree: layout.Tree) -> int:
    """The tree's size unzipped; refuse a layer Lambda could never attach, or a zip that would need ZIP64."""
    unzipped = sum(entry.size() for entry in tree.values())
    if unzipped > MAX_UNZIPPED_BYTES:
        raise LayerError(
            f"layer {config.name} ({architecture}): {unzipped:,} bytes unzipped, over Lambda's "
            f"limit of {MAX_UNZIPPED_BYTES:,} for a function and all its layers; split the layer "
            "or exclude files"
        )
    entries = len(deterministic_zip.entry_names(tree))
    if entries > deterministic_zip.MAX_ENTRIES:
        raise LayerError(
            f"layer {config.name} ({architecture}): {entries:,} files and folders, over the "
            f"{deterministic_zip.MAX_ENTRIES:,} a zip holds without ZIP64; split the layer or exclude files"
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
    declared = f"under {first.license}" if first.license else "with an unknown license (its METADATA declares none)"
    more = f" (and {len(refused) - 1} more distribution(s))" if len(refused) > 1 else ""
    raise LayerError(
        f"layer {config.name} ({architecture}): ships {first.name} {first.version} {declared}, which "
        f"[licenses] allow in {config.directory / LAYER_FILE} does not permit{more}; remove it from "
        f"{config.requirements_in.name}, or allow its license ({', '.join(allow)} allowed now)"
    )


def _intact(record: Record) -> bool:
    path = Path(record["zip"])
    return (
        path.is_file()
        and path.stat().st_size == record["zip_size"]
        and "sbom" in record
        and Path(record["sbom"]).is_file()
    )


def _digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _inputs(
    config: LayerConfig,
    architecture: str,
    locks: dict[Target, lockfile.Lock],
    sources: layout.Tree,
    interpreters: list[bytecode.Interpreter],
) -> Iterator[bytes]:
    yield _tool_identity()
    yield architecture.encode()
    yield (config.directory / LAYER_FILE).read_bytes()
    for target, lock in sorted(locks.items()):
        yield target.key.encode()
        yield lock.path.read_bytes()
    for path, entry in sorted(sources.items()):
        yield f"{path}:{entry.executable}".encode()
        yield entry.read()
    for interpreter in interpreters:
        yield interpreter.identity


_SBOM_LIBRARIES = ("cyclonedx-python-lib", "license-expression", "packageurl-python")
"""Their versions shape the SBOMs, and through `[licenses]`, whether a layer builds at all."""
_OWN_SOURCES = tuple(sorted(Path(__file__).parents[1].rglob("*.py")))


@functools.cache
def _tool_identity() -> bytes:
    """Identify the build tool: its code, uv's version, the zlib and Python that write the zip, and its libraries.

    A new detect-secrets release may find what an old one missed, and a new SBOM library may
    write other bytes, so either rebuilds every artifact once.
    """
    parts = [p.read_bytes() for p in _OWN_SOURCES]
    parts += [uv_cli.version().encode(), zlib.ZLIB_RUNTIME_VERSION.encode(), sys.version.encode()]
    parts += [importlib.metadata.version(d).encode() for d in (*_SBOM_LIBRARIES, "detect-secrets")]
    return hashlib.sha256(b"\0".join(parts)).digest()
