"""Reads and checks `layers/<name>/layer.toml`, the single source of truth for a layer."""

from dataclasses import dataclass
from pathlib import Path

from layerkit import declaration, lambda_facts
from layerkit.errors import LayerError
from layerkit.lambda_facts import Target

LAYER_FILE = "layer.toml"
REQUIREMENTS_IN = "requirements.in"
SOURCES_DIR = "python"
DEFAULT_BYTECODE = False
"""Off: a layer opts in with `bytecode = true`. Shipped pycs made boto3's cold import about 2.2x
faster (about 0.5 s saved per cold start; `make bench-bytecode`, python3.11 x86_64) for +8% zipped
and +14% unzipped per runtime. But compiling for runtime python3.X needs python3.X on the build
machine's PATH, and this repository's layers target runtimes its build machines lack, so a default
of on would fail `make layers`. On only where an interpreter exists would make a zip depend on the
machine that built it."""

_KEYS = {"description", "license", "runtimes", "architectures", "exclude", "overrides", "bytecode"}


@dataclass(frozen=True)
class LayerConfig:
    """A layer as layer.toml declares it, with defaults filled in."""

    name: str
    directory: Path
    description: str
    license: str
    runtimes: tuple[str, ...]
    architectures: tuple[str, ...]
    exclude: tuple[str, ...]
    overrides: tuple[str, ...]
    """Distributions whose version here is meant to win over another attached layer's (see report.py)."""
    bytecode: bool
    """Ship .pyc files compiled for each runtime (bytecode.py); off by default: see DEFAULT_BYTECODE."""

    @property
    def requirements_in(self) -> Path:
        return self.directory / REQUIREMENTS_IN

    @property
    def sources_dir(self) -> Path:
        return self.directory / SOURCES_DIR

    def targets(self, architecture: str) -> list[Target]:
        return [Target(runtime, architecture) for runtime in self.runtimes]

    def all_targets(self) -> list[Target]:
        return sorted(Target(r, a) for r in self.runtimes for a in self.architectures)


def discover(layers_dir: Path) -> list[LayerConfig]:
    """Every layer under `layers_dir`, sorted by name: each folder is one layer."""
    if not layers_dir.is_dir():
        raise LayerError(f"{layers_dir}: no such folder; create it with one folder per layer")
    configs = [load(d) for d in sorted(layers_dir.iterdir()) if d.is_dir()]
    if not configs:
        raise LayerError(f"{layers_dir}: no layers found; add {layers_dir}/<name>/{LAYER_FILE}")
    return configs


def load(directory: Path) -> LayerConfig:
    """Parse one layer's layer.toml, rejecting anything Lambda or the build would refuse."""
    name = directory.name
    where, data = declaration.read("layer", directory, LAYER_FILE, _KEYS, "it becomes the Lambda layer name")
    description = _string(data, "description", where, lambda_facts.MAX_DESCRIPTION_CHARS)
    license_ = _string(data, "license", where, lambda_facts.MAX_LICENSE_CHARS)
    runtimes = _choices(data, "runtimes", where, lambda_facts.RUNTIMES)
    if len(runtimes) > lambda_facts.MAX_COMPATIBLE_RUNTIMES:
        raise LayerError(
            f"{where}: {len(runtimes)} runtimes, but a layer version allows at most "
            f"{lambda_facts.MAX_COMPATIBLE_RUNTIMES}"
        )
    architectures = _choices(data, "architectures", where, lambda_facts.ARCHITECTURES)
    exclude = _strings(data, "exclude", where, 'glob patterns, e.g. ["python/*/tests/*"]')
    overrides = _strings(data, "overrides", where, 'distribution names, e.g. ["boto3"]')
    bytecode = data.get("bytecode", DEFAULT_BYTECODE)
    if not isinstance(bytecode, bool):
        raise LayerError(f"{where}: bytecode must be true or false, e.g. bytecode = true")
    return LayerConfig(
        name=name,
        directory=directory,
        description=description,
        license=license_,
        runtimes=runtimes,
        architectures=architectures,
        exclude=tuple(exclude),
        overrides=tuple(overrides),
        bytecode=bytecode,
    )


def _string(data: dict[str, object], key: str, where: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LayerError(f'{where}: {key} must be a non-empty string, e.g. {key} = "..."')
    if len(value) > limit:
        raise LayerError(f"{where}: {key} has {len(value)} characters; Lambda allows at most {limit}")
    return value


def _strings(data: dict[str, object], key: str, where: str, what: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LayerError(f"{where}: {key} must be a list of {what}")
    return value


def _choices(data: dict[str, object], key: str, where: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise LayerError(f"{where}: {key} must be a non-empty list, e.g. {key} = [{allowed[-1]!r}]")
    for item in value:
        if item not in allowed:
            raise LayerError(f"{where}: unknown {key[:-1]} {item!r}; supported: {', '.join(allowed)}")
    if len(set(value)) != len(value):
        raise LayerError(f"{where}: {key} lists an entry twice")
    return tuple(sorted(value, key=allowed.index))
