"""`make layers`: builds every layer artifact (one zip per layer and architecture) and function zip.

Each layer is read and checked once (`artifact.prepare`); then each of its architectures is
rebuilt only when its inputs digest changed (`artifact`), and only then are its own files
scanned for credentials (`secrets`), once for the layer. Independent artifacts build in
parallel. Each zip's SBOM (`sbom`) is written with it, after its licenses pass layer.toml's
`[licenses]`; a function's SBOM is named by its inputs, so an unchanged one is not redone.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from layerkit.build_dir import BuildDir
from layerkit.builder import artifact, deterministic_zip, layout, manifest, secrets
from layerkit.builder.function_record import function_record
from layerkit.config import layer_config
from layerkit.config.function_config import FunctionConfig
from layerkit.config.layer_config import LayerConfig
from layerkit.errors import LayerError, Subject, of_function, of_layer, render
from layerkit.fsutil import atomic_write, exclusive
from layerkit.lambda_facts import ARCHITECTURES
from layerkit.records import Artifact, Function, FunctionZip
from layerkit.report import analyses, model

_Record = TypeVar("_Record", Artifact, FunctionZip)


@dataclass(frozen=True)
class Outcome(Generic[_Record]):
    """One artifact's result: its manifest record, or the error that stopped it."""

    key: str
    record: _Record | None
    rebuilt: bool
    error: LayerError | None
    subject: Subject
    """The layer or function the artifact is built from."""
    architecture: str | None = None
    """A layer artifact's architecture; None for a function's zip."""


@dataclass(frozen=True)
class Failure:
    """One error line, for every artifact that failed alike."""

    message: str
    subjects: tuple[Subject, ...]
    """What did not build because of it, each once."""


def failures(outcomes: Sequence[Outcome[Any]]) -> list[Failure]:
    """The errors of `outcomes`, each once, grouped by what they are about and say (their fields, not their lines).

    Artifacts of a layer fail alike when the cause is in its own folder or in a layer it
    requires: one line names the architectures it stopped, unless the error names its own.
    """
    alike: dict[tuple[Subject | None, str], list[tuple[Outcome[Any], LayerError]]] = {}
    for outcome in outcomes:
        if outcome.error:
            alike.setdefault((outcome.error.about, outcome.error.message), []).append((outcome, outcome.error))
    found = []
    for (about, message), group in alike.items():
        named = [a for _, error in group for a in (error.architectures or ())]
        if all(error.architectures is None for _, error in group):
            stopped = [o.architecture for o, _ in group if o.architecture]
            named = stopped if len(set(stopped)) > 1 else []
        architectures = tuple(sorted(set(named), key=ARCHITECTURES.index))
        subjects = tuple(dict.fromkeys(o.subject for o, _ in group))
        found.append(Failure(render(message, about, architectures), subjects))
    return found


@dataclass(frozen=True)
class Result:
    """Every artifact's outcome and, when all of them built, the report on the functions."""

    outcomes: list[Outcome[Artifact] | Outcome[FunctionZip]]
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
    done: list[Outcome[Artifact]] = []
    work: list[tuple[artifact.Layer, str]] = []
    for config in configs:
        ready, stale = _prepared(config, layer_config.required(config, by_name), build_dir)
        done += ready
        work += stale
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done += pool.map(lambda item: _attempt(item[0], item[1], build_dir, on_start), work)
    keys = [manifest.artifact_key(c.name, a) for c in configs for a in c.architectures]
    order = {key: n for n, key in enumerate(keys)}
    outcomes = sorted(done, key=lambda o: order[o.key])
    function_outcomes = [_attempt_function(f, build_dir) for f in functions]
    everything: list[Outcome[Artifact] | Outcome[FunctionZip]] = [*outcomes, *function_outcomes]
    if not all(o.record for o in everything):
        return Result(everything, None)
    artifacts = [o.record for o in outcomes if o.record]
    function_zips = [o.record for o in function_outcomes if o.record]
    analysis = analyses.analyse(artifacts, function_zips)
    model.write(build_dir, analysis)
    if not analysis.errors:
        by_key = {r["key"]: r for r in artifacts}
        functions_built = [_with_sbom(r, by_key, build_dir) for r in function_zips]
        manifest.write(build_dir, artifacts, functions_built, {c.name: c.regions for c in configs})
        build_dir.keep_only(
            {Path(r["zip"]) for r in artifacts},
            {Path(r["zip"]) for r in functions_built},
            {build_dir.state(r["key"]) for r in artifacts},
            {Path(r["sbom"]) for r in [*artifacts, *functions_built]},
        )
    return Result(everything, analysis)


def _prepared(
    config: LayerConfig, required: list[LayerConfig], build_dir: BuildDir
) -> tuple[list[Outcome[Artifact]], list[tuple[artifact.Layer, str]]]:
    """The layer's artifacts that are done (reused, or stopped by an error about the layer), and those to build."""
    subject = of_layer(config.name)
    keys = {a: manifest.artifact_key(config.name, a) for a in config.architectures}
    try:
        prepared = artifact.prepare(config, required)
        building = [a for a in config.architectures if a not in prepared.stopped]
        previous = {a: artifact.reusable(prepared, a, build_dir) for a in building}
        if not all(previous.values()):
            artifact.check_secrets(prepared)
    except LayerError as exc:
        return [Outcome(keys[a], None, rebuilt=False, error=exc, subject=subject, architecture=a) for a in keys], []
    last_lock = _failed_lock(config, build_dir)
    done = [
        Outcome(keys[a], None, rebuilt=False, error=last_lock or error, subject=subject, architecture=a)
        for a, error in prepared.stopped.items()
    ]
    done += [
        Outcome(keys[a], record, rebuilt=False, error=None, subject=subject, architecture=a)
        for a, record in previous.items()
        if record
    ]
    return done, [(prepared, a) for a, record in previous.items() if not record]


def _failed_lock(config: LayerConfig, build_dir: BuildDir) -> LayerError | None:
    """Why the last `make lock` of the layer failed, when it did: the reason its lockfile is not current."""
    try:
        why = build_dir.lock_failure(config.name).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return LayerError(
        f"its lockfile is not current because the last 'make lock' of it failed: {why}; then run 'make lock'",
        about=of_layer(config.name),
    )


def _attempt(
    prepared: artifact.Layer, architecture: str, build_dir: BuildDir, on_start: Callable[[str], None]
) -> Outcome[Artifact]:
    config = prepared.config
    key, subject = manifest.artifact_key(config.name, architecture), of_layer(config.name)
    try:
        record = artifact.build(prepared, architecture, build_dir, on_start)
    except LayerError as exc:
        return Outcome(key, None, rebuilt=False, error=exc, subject=subject, architecture=architecture)
    return Outcome(key, record, rebuilt=True, error=None, subject=subject, architecture=architecture)


def _attempt_function(config: FunctionConfig, build_dir: BuildDir) -> Outcome[FunctionZip]:
    subject = of_function(config.name)
    try:
        record, rebuilt = build_function(config, build_dir)
    except LayerError as exc:
        return Outcome(str(subject), None, rebuilt=False, error=exc, subject=subject)
    return Outcome(str(subject), record, rebuilt=rebuilt, error=None, subject=subject)


def build_function(config: FunctionConfig, build_dir: BuildDir) -> tuple[FunctionZip, bool]:
    """The function's zip: its src/ folder, laid out and written as layer zips are."""
    tree = layout.owned_files(of_function(config.name), config.code_dir, prefix="")
    if not tree:
        raise LayerError(f"{config.code_dir}: empty; put the handler's module there", about=of_function(config.name))
    data = deterministic_zip.zip_bytes(tree)
    record = function_record(config, build_dir, data, tree)
    path = Path(record["zip"])
    if path.is_file() and path.stat().st_size == len(data):
        return record, False
    # The zip is named after its sha256: any change to src/ gets here, and a no-op build never does.
    secrets.check(of_function(config.name), (config.code_dir / p for p in tree))
    atomic_write(path, data)
    return record, True


def _with_sbom(record: FunctionZip, artifacts: dict[str, Artifact], build_dir: BuildDir) -> Function:
    """The function's record with its SBOM, written unless one from the same inputs is there already."""
    parts = [artifact.tool_identity(), record["sha256"].encode(), record["runtime"].encode()]
    # A layer's SBOM is named by its content: its name stands for all the function's SBOM takes from the layer.
    parts += [
        (a["arn"] if a["arn"] is not None else Path(artifacts[a["artifact"]]["sbom"]).name).encode()
        for a in record["layers"]
    ]
    path = build_dir.sbom(record["key"], artifact.digest(parts))
    if not path.is_file():
        from layerkit.builder import sbom  # noqa: PLC0415 -- see artifact.build

        atomic_write(path, sbom.function_document(record, artifacts))
    return {**record, "sbom": path.as_posix()}
