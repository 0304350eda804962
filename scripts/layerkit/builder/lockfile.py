"""Lockfile names, headers and freshness: which lockfile serves a target, and is it current.

A layer's targets share one `requirements.txt` when `make lock` resolved them all to the
same file, and otherwise get one `requirements-<runtime>-<arch>.txt` each. The header's
`# targets:` line records which targets a lockfile was resolved for.

A layer that `requires` others is resolved with their pins as constraints. Its lockfile
pins (and the layer ships) only what they do not; a `# provided by layer <name>:` line
records each pin that a required layer ships instead.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from layerkit.config.layer_config import REQUIREMENTS_IN, LayerConfig
from layerkit.errors import LayerError, of_layer
from layerkit.fsutil import read_text
from layerkit.lambda_facts import ARCHITECTURES, Target

SHARED_LOCKFILE = "requirements.txt"


TARGETS_PREFIX = "# targets:"
PROVIDED_PREFIX = "# provided by layer "
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def target_lockfile_name(target: Target) -> str:
    return f"requirements-{target.key}.txt"


def header(layer: str, targets: list[Target]) -> str:
    keys = " ".join(t.key for t in targets)
    return (
        f"# Lockfile of layer {layer}, written by `make lock` (uv pip compile); do not edit.\n{TARGETS_PREFIX} {keys}\n"
    )


@dataclass(frozen=True)
class Lock:
    """What a lockfile pins, and which pins are there because requirements.in names them."""

    path: Path
    targets: frozenset[str]
    pins: dict[str, str]
    """What the layer installs and ships: name -> version."""
    direct: frozenset[str]
    provided: dict[str, tuple[str, str]] = field(default_factory=dict)
    """What required layers ship instead: name -> (layer, version)."""
    hashes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Each pin's `--hash=sha256:` values, sorted: the files uv may install for it."""


def provided_lines(provided: dict[str, tuple[str, str]]) -> str:
    """The header lines that record which required layer ships which pin, one line per layer."""
    by_layer: dict[str, list[str]] = {}
    for name, (layer, version) in sorted(provided.items()):
        by_layer.setdefault(layer, []).append(f"{name}=={version}")
    return "".join(f"{PROVIDED_PREFIX}{layer}: {' '.join(pins)}\n" for layer, pins in sorted(by_layer.items()))


def shipped_by(required: Sequence[LayerConfig], target: Target) -> dict[str, tuple[str, str]]:
    """What the required layers ship for `target`: name -> (layer, version); two of them disagreeing is an error."""
    shipped: dict[str, tuple[str, str]] = {}
    for config in required:
        lock = find(config, target, read_requirements(config))
        for name, version in sorted(lock.pins.items()) if lock else ():
            other = shipped.setdefault(name, (config.name, version))
            if other[1] != version:
                raise LayerError(
                    f"layers {other[0]} and {config.name} ship {name} at {other[1]} and {version} for {target.key}; "
                    "a layer cannot require both until they agree"
                )
    return shipped


def check_provided(config: LayerConfig, lock: Lock, target: Target, required: Sequence[LayerConfig]) -> None:
    """The lockfile still agrees with the pins of the layers it requires, or an error naming both layers."""
    now = shipped_by(required, target)
    for name, (layer, version) in sorted(lock.provided.items()):
        current = now.get(name)
        if current is None:
            problem = f"it relies on layer {layer} for {name}=={version}, which no required layer ships any more"
        elif current[1] != version:
            problem = f"it relies on layer {layer} for {name}=={version}, but layer {current[0]} now pins {current[1]}"
        else:
            continue
        raise LayerError(f"{lock.path}: out of date: {problem}; run 'make lock'", about=of_layer(config.name))
    twice = sorted(lock.pins.keys() & now.keys())
    if twice:
        raise LayerError(
            f"{lock.path}: out of date: it ships {twice[0]}, which required layer {now[twice[0]][0]} now ships; "
            "run 'make lock'",
            about=of_layer(config.name),
        )


def read_requirements(config: LayerConfig) -> list[Requirement]:
    """The requirements in requirements.in; none when the file is absent."""
    path = config.requirements_in
    if not path.exists():
        return []
    requirements = []
    text = read_text(path, f"layer {config.name}: {path}", "save it as UTF-8 text, one requirement per line")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            raise LayerError(
                f"{path}:{number}: options such as {line.split()[0]} are not "
                "supported; list one requirement per line and set indexes through uv's environment",
                about=of_layer(config.name),
            )
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement as exc:
            raise LayerError(f"{path}:{number}: invalid requirement ({exc})", about=of_layer(config.name)) from None
    return requirements


def pin(line: str) -> tuple[str, str] | None:
    """The (canonical name, version) a `name==version` line pins, if it is one."""
    match = _PIN.match(line)
    return (str(canonicalize_name(match.group(1))), match.group(2)) if match else None


def read(path: Path) -> Lock:
    targets: frozenset[str] = frozenset()
    pins: dict[str, str] = {}
    provided: dict[str, tuple[str, str]] = {}
    direct: set[str] = set()
    hashes: dict[str, set[str]] = {}
    current = ""
    text = read_text(path, str(path), "run 'make lock' to write it again")
    for line in text.splitlines():
        if line.startswith(TARGETS_PREFIX):
            targets = frozenset(line.removeprefix(TARGETS_PREFIX).split())
        elif line.startswith(PROVIDED_PREFIX):
            layer, _, listed = line.removeprefix(PROVIDED_PREFIX).partition(":")
            for entry in listed.split():
                name, _, version = entry.partition("==")
                provided[name] = (layer, version)
        elif pinned := pin(line):
            current, version = pinned
            pins[current] = version
        elif current and line.lstrip().startswith("#") and f"-r {REQUIREMENTS_IN}" in line:
            direct.add(current)
        if current and (found := _HASH.findall(line)):  # on the pin's line or the continuation lines after it
            hashes.setdefault(current, set()).update(found)
    return Lock(
        path=path,
        targets=targets,
        pins=pins,
        direct=frozenset(direct),
        provided=provided,
        hashes={name: tuple(sorted(values)) for name, values in sorted(hashes.items())},
    )


def find(config: LayerConfig, target: Target, requirements: list[Requirement]) -> Lock | None:
    """The current lockfile for `target` (None for a layer with no requirements), or an error."""
    locks, problems = find_all(config, [target], requirements)
    if problems:
        raise problems[0][0]
    return locks.get(target)


def find_all(
    config: LayerConfig, targets: Sequence[Target], requirements: list[Requirement]
) -> tuple[dict[Target, Lock], list[tuple[LayerError, frozenset[str]]]]:
    """The current lockfile of each target (none for a layer with no requirements), and each problem.

    A problem that stops several targets alike (a shared lockfile that is missing or stale) is
    one error, with the architectures it stops: on every architecture of a layer with several,
    it names them as its architectures and the runtimes alone; else it names each target.
    """
    found: dict[Target, Lock] = {}
    stopped: dict[tuple[Path, str, str], list[Target]] = {}
    for target in targets:
        lock, problem = _lookup(config, target, requirements)
        if problem:
            stopped.setdefault(problem, []).append(target)
        elif lock:
            found[target] = lock
    return found, [_problem(config, *problem, group) for problem, group in stopped.items()]


def _problem(
    config: LayerConfig, path: Path, kind: str, detail: str, stopped: list[Target]
) -> tuple[LayerError, frozenset[str]]:
    architectures = sorted({t.architecture for t in stopped}, key=ARCHITECTURES.index)
    on_all = len(architectures) > 1 and set(architectures) == set(config.architectures)
    named = ", ".join(dict.fromkeys(t.runtime if on_all else t.key for t in stopped))
    message = {
        "missing": f"{path}: missing for {named}; run 'make lock'",
        "unresolved": f"{path}: not resolved for {named}; run 'make lock'",
        "stale": f"{path}: out of date with {REQUIREMENTS_IN} ({detail}); run 'make lock'",
    }[kind]
    error = LayerError(message, about=of_layer(config.name), architectures=architectures if on_all else ())
    return error, frozenset(architectures)


def _lookup(
    config: LayerConfig, target: Target, requirements: list[Requirement]
) -> tuple[Lock | None, tuple[Path, str, str] | None]:
    """The target's current lockfile, or its problem: (path, missing, unresolved or stale, detail)."""
    candidates = [config.directory / target_lockfile_name(target), config.directory / SHARED_LOCKFILE]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        return None, ((candidates[1], "missing", "") if requirements else None)
    lock = read(path)
    if target.key not in lock.targets:
        return None, (path, "unresolved", "")
    problem = _staleness(requirements, lock, target)
    return (None, (path, "stale", problem)) if problem else (lock, None)


def _staleness(requirements: list[Requirement], lock: Lock, target: Target) -> str:
    """Why the lock no longer matches requirements.in, or "" when it does."""
    wanted: set[str] = set()
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate(target.marker_environment):
            continue
        name = str(canonicalize_name(requirement.name))
        wanted.add(name)
        pinned = lock.pins.get(name)
        if pinned is None and name in lock.provided:
            pinned = lock.provided[name][1]
        if pinned is None:
            return f"{requirement} is not locked"
        try:
            version = Version(pinned)
        except InvalidVersion:
            return f"{name}=={pinned} is not a valid version"
        if not requirement.specifier.contains(version, prereleases=True):
            return f"{requirement} wanted, {name}=={pinned} locked"
    removed = sorted(lock.direct - wanted)
    if removed:
        return f"{', '.join(removed)} no longer in {REQUIREMENTS_IN}"
    return ""
