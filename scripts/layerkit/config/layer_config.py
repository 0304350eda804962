"""Reads and checks `layers/<name>/layer.toml`, the single source of truth for a layer."""

from dataclasses import dataclass, field
from pathlib import Path

from layerkit import lambda_facts, licenses, suggest
from layerkit.config import declaration, regions
from layerkit.errors import LayerError
from layerkit.lambda_facts import Target
from layerkit.wording import twice

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

_KEYS = frozenset(
    {
        "description",
        "license",
        "runtimes",
        "architectures",
        "exclude",
        "overrides",
        "bytecode",
        "share",
        "requires",
        "audit",
        "licenses",
        regions.KEY,
    }
)
_LICENSES_KEYS = frozenset({"allow"})
_SHARE_KEYS = frozenset({"accounts", "organization", "public"})
_AUDIT_KEYS = frozenset({"ignore"})
_AUDIT_EXAMPLE = '[audit] ignore = { "PYSEC-2024-1" = "why it does not apply here" }'


@dataclass(frozen=True)
class Sharing:
    """Who else may use the layer's versions (`[share]` in layer.toml); nobody by default."""

    accounts: tuple[str, ...] = ()
    organization: str | None = None
    public: bool = False
    """Every AWS account: only when layer.toml says `public = true`."""


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
    """Distributions whose version here is meant to win over another attached layer's (see report.analyses)."""
    bytecode: bool
    """Ship .pyc files compiled for each runtime (bytecode.py); off by default: see DEFAULT_BYTECODE."""
    share: Sharing = field(default_factory=Sharing)
    requires: tuple[str, ...] = ()
    """Layers this one is attached together with, and relies on for some of its dependencies."""
    audit_ignore: tuple[tuple[str, str], ...] = ()
    """Advisory IDs (or aliases) `make audit` does not fail on for this layer, each with its reason; sorted."""
    allowed_licenses: tuple[str, ...] | None = None
    """`[licenses] allow`: the only SPDX licenses the layer may ship; None: no such rule."""
    regions: tuple[str, ...] | None = None
    """Where it is published: its own `regions`, else the project's; None: only the root's `var.region`."""

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

    @property
    def file(self) -> Path:
        return self.directory / LAYER_FILE

    @property
    def where(self) -> str:
        return f"layer {self.name}: {self.file}"


def discover(layers_dir: Path, default_regions: tuple[str, ...] | None = None) -> list[LayerConfig]:
    """Every layer under `layers_dir`, sorted by name: each folder is one layer.

    `default_regions`: the project's (`regions.project_default`), for a layer that lists none.
    """
    if not layers_dir.is_dir():
        raise LayerError(f"{layers_dir}: no such folder; create it with one folder per layer")
    configs = [load(d, default_regions) for d in sorted(layers_dir.iterdir()) if d.is_dir()]
    if not configs:
        raise LayerError(f"{layers_dir}: no layers found; add {layers_dir}/<name>/{LAYER_FILE}")
    _check_requires({c.name: c for c in configs})
    return configs


def required(config: LayerConfig, layers: dict[str, LayerConfig]) -> list[LayerConfig]:
    """Every layer `config` relies on, directly or through another, in a stable order (nearest first)."""
    found: dict[str, LayerConfig] = {}
    pending = list(config.requires)
    while pending:
        name = pending.pop(0)
        if name not in found:
            found[name] = layers[name]
            pending += layers[name].requires
    return list(found.values())


def in_dependency_order(configs: list[LayerConfig]) -> list[LayerConfig]:
    """The layers with each one after every layer it requires, and otherwise in the order given."""
    by_name = {c.name: c for c in configs}
    ordered: dict[str, LayerConfig] = {}

    def visit(config: LayerConfig) -> None:
        for name in config.requires:
            if name not in ordered:
                visit(by_name[name])
        ordered.setdefault(config.name, config)

    for config in configs:
        visit(config)
    return list(ordered.values())


def _check_requires(layers: dict[str, LayerConfig]) -> None:
    """Each required layer exists, covers the dependent's targets, and no layer requires itself through others."""
    for config in layers.values():
        for name in config.requires:
            other = layers.get(name)
            if other is None:
                listed = suggest.hint([name], list(layers), "layers")
                raise LayerError(f"{config.where}: requires {name!r}, but there is no such layer{listed}")
            missing = [t.key for t in config.all_targets() if t not in other.all_targets()]
            if missing:
                raise LayerError(
                    f"{config.where}: requires layer {name}, which is not built for {', '.join(missing)}; "
                    f"add them to {other.directory / LAYER_FILE} or drop them here"
                )
    for config in layers.values():
        _check_cycle(config, layers, [config.name])


def _check_cycle(config: LayerConfig, layers: dict[str, LayerConfig], path: list[str]) -> None:
    for name in config.requires:
        if name in path:
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise LayerError(f"layers {cycle}: each requires the next, in a cycle; remove one of these requires")
        _check_cycle(layers[name], layers, [*path, name])


def load(directory: Path, default_regions: tuple[str, ...] | None = None) -> LayerConfig:
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
        share=_sharing(data.get("share", {}), where),
        requires=tuple(_unique(_strings(data, "requires", where, 'layer names, e.g. ["boto3"]'), "requires", where)),
        audit_ignore=_audit_ignore(data.get("audit", {}), where),
        allowed_licenses=_allowed_licenses(data.get("licenses"), where),
        regions=regions.declared(data, where, default_regions),
    )


def _allowed_licenses(value: object, where: str) -> tuple[str, ...] | None:
    """The `[licenses]` table's `allow`: SPDX license identifiers, each checked against the SPDX list."""
    if value is None:
        return None
    example = '[licenses] allow = ["MIT", "Apache-2.0"]'
    if not isinstance(value, dict):
        raise LayerError(f"{where}: licenses must be a table, e.g. {example}")
    declaration.check_keys(value, _LICENSES_KEYS, where, table="licenses")
    if "allow" not in value:
        raise LayerError(f"{where}: licenses needs allow, e.g. {example}")
    allow = _unique(
        _strings(value, "allow", where, f"SPDX license identifiers, e.g. {example}"), "licenses.allow", where
    )
    for entry in allow:
        if not licenses.is_spdx_id(entry):
            raise LayerError(
                f"{where}: licenses.allow: {entry!r} is not an SPDX license identifier; use one from "
                'the SPDX license list, such as "MIT" or "Apache-2.0"'
            )
    return tuple(sorted(allow))


def _unique(values: list[str], key: str, where: str, entry: str = "an entry") -> list[str]:
    if twice(values):
        raise LayerError(f"{where}: {key} lists {entry} twice")
    return values


def _sharing(value: object, where: str) -> Sharing:
    """The `[share]` table: 12-digit account IDs, an organization ID, and `public` only on purpose."""
    if not isinstance(value, dict):
        raise LayerError(f'{where}: share must be a table, e.g. [share] accounts = ["123456789012"]')
    declaration.check_keys(value, _SHARE_KEYS, where, table="share")
    accounts = _strings(value, "accounts", where, '12-digit account IDs, e.g. ["123456789012"]')
    for account in accounts:
        if account == "*":
            raise LayerError(
                f'{where}: share.accounts lists "*"; to share with every AWS account, set share.public = true'
            )
        if not lambda_facts.ACCOUNT_ID.fullmatch(account):
            raise LayerError(f"{where}: share.accounts: {account!r} is not a 12-digit AWS account ID")
    _unique(accounts, "share.accounts", where, "an account")
    organization = value.get("organization")
    is_id = isinstance(organization, str) and lambda_facts.ORGANIZATION_ID.fullmatch(organization)
    if organization is not None and not is_id:
        raise LayerError(
            f'{where}: share.organization must be an organization ID such as "o-a1b2c3d4e5", not {organization!r}'
        )
    public = value.get("public", False)
    if not isinstance(public, bool):
        raise LayerError(f"{where}: share.public must be true or false")
    return Sharing(accounts=tuple(sorted(accounts)), organization=organization, public=public)


def _audit_ignore(value: object, where: str) -> tuple[tuple[str, str], ...]:
    """The `[audit]` table: advisories `make audit` does not fail on here, each with a reason someone wrote."""
    if not isinstance(value, dict):
        raise LayerError(f"{where}: audit must be a table, e.g. {_AUDIT_EXAMPLE}")
    declaration.check_keys(value, _AUDIT_KEYS, where, table="audit")
    ignore = value.get("ignore", {})
    if not isinstance(ignore, dict):
        raise LayerError(f"{where}: audit.ignore must be a table of advisory IDs and reasons, e.g. {_AUDIT_EXAMPLE}")
    for advisory, reason in ignore.items():
        if not isinstance(reason, str) or not reason.strip():
            raise LayerError(
                f"{where}: audit.ignore {advisory!r} has no reason; write why it does not apply to this layer, "
                f'e.g. "{advisory}" = "the affected function is never called"'
            )
    return tuple(sorted(ignore.items()))


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
            listed = suggest.hint([item], allowed, "supported", aliases=lambda_facts.ALIASES)
            raise LayerError(f"{where}: unknown {key[:-1]} {item!r}{listed}")
    return tuple(sorted(_unique(value, key, where), key=allowed.index))
