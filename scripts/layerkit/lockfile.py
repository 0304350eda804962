"""Lockfile names, headers and freshness: which lockfile serves a target, and is it current.

A layer's targets share one `requirements.txt` when `make lock` resolved them all to the
same file, and otherwise get one `requirements-<runtime>-<arch>.txt` each. The header's
`# targets:` line records which targets a lockfile was resolved for.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from layerkit.errors import LayerError
from layerkit.lambda_facts import Target
from layerkit.layer_config import REQUIREMENTS_IN, LayerConfig

SHARED_LOCKFILE = "requirements.txt"
TARGETS_PREFIX = "# targets:"
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
    direct: frozenset[str]


def read_requirements(config: LayerConfig) -> list[Requirement]:
    """The requirements in requirements.in; none when the file is absent."""
    path = config.requirements_in
    if not path.exists():
        return []
    requirements = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            raise LayerError(
                f"layer {config.name}: {path}:{number}: options such as {line.split()[0]} are not "
                "supported; list one requirement per line and set indexes through uv's environment"
            )
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement as exc:
            raise LayerError(f"layer {config.name}: {path}:{number}: invalid requirement ({exc})") from None
    return requirements


def read(path: Path) -> Lock:
    targets: frozenset[str] = frozenset()
    pins: dict[str, str] = {}
    direct: set[str] = set()
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(TARGETS_PREFIX):
            targets = frozenset(line.removeprefix(TARGETS_PREFIX).split())
        elif match := _PIN.match(line):
            current = str(canonicalize_name(match.group(1)))
            pins[current] = match.group(2)
        elif current and line.lstrip().startswith("#") and f"-r {REQUIREMENTS_IN}" in line:
            direct.add(current)
    return Lock(path=path, targets=targets, pins=pins, direct=frozenset(direct))


def find(config: LayerConfig, target: Target, requirements: list[Requirement]) -> Lock | None:
    """The current lockfile for `target` (None for a layer with no requirements), or an error."""
    candidates = [config.directory / target_lockfile_name(target), config.directory / SHARED_LOCKFILE]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        if not requirements:
            return None
        raise LayerError(f"layer {config.name}: {candidates[1]}: missing for {target.key}; run 'make lock'")
    lock = read(path)
    if target.key not in lock.targets:
        raise LayerError(f"layer {config.name}: {path}: not resolved for {target.key}; run 'make lock'")
    problem = _staleness(requirements, lock, target)
    if problem:
        raise LayerError(
            f"layer {config.name}: {path}: out of date with {REQUIREMENTS_IN} ({problem}); run 'make lock'"
        )
    return lock


def _staleness(requirements: list[Requirement], lock: Lock, target: Target) -> str:
    """Why the lock no longer matches requirements.in, or "" when it does."""
    wanted: set[str] = set()
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate(target.marker_environment):
            continue
        name = str(canonicalize_name(requirement.name))
        wanted.add(name)
        pinned = lock.pins.get(name)
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
