"""`make lock`: resolves requirements.in for each of a layer's targets with uv.

pip-compile resolves for the interpreter that runs it and has no --platform, so it
cannot lock for a Lambda runtime on another Python version, architecture or glibc.
uv can (`--python-version`, `--python-platform`), and writes the same pip-tools format.

A layer that requires others is resolved with their pins as constraints, so the versions
agree, and the pins they ship move from the lockfile's body to its header.
"""

import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from layerkit.builder import lockfile, uv_cli
from layerkit.config.layer_config import REQUIREMENTS_IN, LayerConfig
from layerkit.errors import LayerError, of_layer
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import ARCHITECTURES, Target, describe


def lock_layer(
    config: LayerConfig,
    *,
    upgrade: bool,
    required: Sequence[LayerConfig] = (),
    on_start: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Write the layer's lockfiles and remove ones it no longer needs; returns those written.

    `required` is every layer this one relies on (`layer_config.required`); their lockfiles
    must be current. `on_start` hears which layer and targets are being resolved, before uv runs.
    A failure names its cause once, with every target it stops.
    """
    existing = sorted(config.directory.glob("requirements*.txt"))
    if not lockfile.read_requirements(config):
        for path in existing:
            path.unlink()
        return []
    targets = config.all_targets()
    on_start(f"locking {config.name} for {describe(targets)} \u2026")
    with ThreadPoolExecutor() as pool:
        results = list(pool.map(lambda t: _compile(config, t, upgrade=upgrade, required=required), targets))
    failed: dict[_Cause, list[Target]] = {}
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, uv_cli.Report):
            failed.setdefault(_cause(config, result), []).append(target)
    if failed:
        cause, stopped = next(iter(failed.items()))
        raise LayerError(f"{config.requirements_in}: {_explain(cause, stopped)}", about=of_layer(config.name))
    bodies = [r for r in results if isinstance(r, str)]

    if len(set(bodies)) == 1:
        outputs = {config.directory / lockfile.SHARED_LOCKFILE: (targets, bodies[0])}
    else:
        outputs = {
            config.directory / lockfile.target_lockfile_name(t): ([t], body)
            for t, body in zip(targets, bodies, strict=True)
        }
    for path, (covered, body) in outputs.items():
        atomic_write(path, (lockfile.header(config.name, covered) + body).encode())
    for path in existing:
        if path not in outputs:
            path.unlink()
    return sorted(outputs)


def _compile(
    config: LayerConfig, target: Target, *, upgrade: bool, required: Sequence[LayerConfig]
) -> str | uv_cli.Report:
    """The lockfile's body for `target`, or uv's report of why it cannot be resolved."""
    provided = lockfile.shipped_by(required, target)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "requirements.txt"
        previous = _previous_lockfile(config, target)
        if previous and not upgrade:
            # uv keeps the pins it finds in the output file, as pip-compile does.
            shutil.copyfile(previous, output)
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, (_, v) in sorted(provided.items())), encoding="utf-8")
        args = [
            "pip", "compile", REQUIREMENTS_IN,
            "--output-file", str(output),
            "--generate-hashes",
            "--no-header",
            "--only-binary", ":all:",
            "--python-version", target.python_version,
            "--python-platform", target.uv_platform,
            "--constraint", str(constraints),
        ]  # fmt: skip
        if upgrade:
            args.append("--upgrade")
        result = uv_cli.run(args, cwd=config.directory)
        if result.returncode != 0:
            return uv_cli.report(result.stderr)
        return _split_provided(output.read_text(encoding="utf-8"), provided)


# What uv's resolver says first, for the causes a person fixes in requirements.in.
_NOT_FOUND = re.compile(r"Because (\S+) was not found in the package registry and you require ")
_NO_VERSION = re.compile(r"Because there is no version of ((\S+?)==\S+) and you require ")
_ONLY = re.compile(r"Because only ((\S+?)(?:[<>=!~]=?|===)\S+) is available and you require ")
_NO_WHEEL_FOR = re.compile(r"Because ((\S+?)==\S+) has no (?:usable wheels|wheels with a matching)")
_WHEELS_REQUIRED = re.compile(r"Wheels are required for `([^`]+)`")


@dataclass(frozen=True)
class _Cause:
    """Why uv could not lock a target: the same value for every target it stops alike."""

    kind: str
    """`unknown`, `no-version` or `no-wheel` (a package requirements.in names), `conflict` or `failed`."""
    project: str = ""
    """The package, as requirements.in spells it."""
    text: str = ""
    """The requirement uv could not meet, or uv's own line for `conflict` and `failed`."""


def _cause(config: LayerConfig, report: uv_cli.Report) -> _Cause:
    """Why uv could not lock, from the first cause it reports.

    A package requirements.in names but the index lacks, a version the index lacks, or a
    version without a wheel for the target; else uv's own line.
    """
    named = {canonicalize_name(r.name): r.name for r in lockfile.read_requirements(config)}
    first = report.causes[0] if report.unresolvable and report.causes else ""
    if (found := _NOT_FOUND.match(first)) and (project := named.get(canonicalize_name(found[1]))):
        return _Cause("unknown", project)
    if (found := _NO_VERSION.match(first)) and (project := named.get(canonicalize_name(found[2]))):
        return _Cause("no-version", project, f"{_requirement_of(config, project)}, a version the package index lacks")
    if (found := _ONLY.match(first)) and (project := named.get(canonicalize_name(found[2]))):
        available = f"the package index has only {found[1]}"
        return _Cause("no-version", project, f"{_requirement_of(config, project)}, but {available}")
    if report.unresolvable and any("no usable wheels" in c or "no wheels with a matching" in c for c in report.causes):
        if (found := _NO_WHEEL_FOR.match(first)) and (project := named.get(canonicalize_name(found[2]))):
            return _Cause("no-wheel", project, found[1])
        hinted = {canonicalize_name(m[1]) for h in report.hints if (m := _WHEELS_REQUIRED.match(h))}
        if len(hinted) == 1 and (project := named.get(hinted.pop())):
            return _Cause("no-wheel", project, _requirement_of(config, project))
    return _Cause("conflict" if report.unresolvable else "failed", text=uv_cli.summary(report))


def _requirement_of(config: LayerConfig, project: str) -> str:
    """The requirement as requirements.in writes it, less its marker."""
    requirement = next(r for r in lockfile.read_requirements(config) if r.name == project)
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


def _explain(cause: _Cause, targets: list[Target]) -> str:
    """What is wrong and what to do, for a cause that stops `targets` (the file is named before it)."""
    if cause.kind == "unknown":
        return (
            f"names {cause.project}, which the package index does not have; check the spelling "
            "(a private package needs its index set in uv's environment, e.g. UV_INDEX)"
        )
    if cause.kind == "no-version":
        return (
            f"asks for {cause.text}; pin a released version of {cause.project}, "
            "or leave the version out to take the newest"
        )
    if cause.kind == "no-wheel":
        pinned = re.fullmatch(r"[^<>=!~]+==[^,]+", cause.text)
        which = f"{cause.text} publishes no wheel" if pinned else f"no version of {cause.text} publishes a wheel"
        return (
            f"{which} for {describe(targets)}, and the lock takes binary wheels only; "
            f"pin a version that publishes a wheel for {_wheel_tags(targets)}, or drop {cause.project}"
        )
    fix = (
        f"change {REQUIREMENTS_IN} until its requirements can all be met"
        if cause.kind == "conflict"
        else "run 'make lock' again once that is fixed"
    )
    return f"cannot lock for {describe(targets)}: {cause.text}; {fix}"


def _wheel_tags(targets: list[Target]) -> str:
    """`Python 3.12 on aarch64-manylinux_2_34`: the wheels `targets` take, in uv's platform names."""
    versions: dict[str, list[str]] = {}
    for target in sorted(targets, key=lambda t: (ARCHITECTURES.index(t.architecture), t.runtime)):
        versions.setdefault(target.uv_platform, []).append(target.python_version)
    phrases = {f"Python {' and '.join(v)}" for v in versions.values()}
    if len(phrases) == 1:
        return f"{phrases.pop()} on {' and '.join(versions)}"
    return ", ".join(f"Python {' and '.join(v)} on {platform}" for platform, v in versions.items())


def _split_provided(body: str, provided: dict[str, tuple[str, str]]) -> str:
    """The `# provided by` header lines for the pins required layers ship, then the body without them."""
    relied_on = {}
    shipped = []
    for block in re.split(r"(?m)^(?=\S)", body):
        pin = lockfile.pin(block)
        if pin and pin[0] in provided:
            relied_on[pin[0]] = provided[pin[0]]
        elif block:
            shipped.append(block)
    return lockfile.provided_lines(relied_on) + "".join(shipped)


def _previous_lockfile(config: LayerConfig, target: Target) -> Path | None:
    for name in (lockfile.target_lockfile_name(target), lockfile.SHARED_LOCKFILE):
        if (config.directory / name).exists():
            return config.directory / name
    return None
