"""`make audit`: which layers ship a version an advisory names, which functions get it, what to bump.

Reads the manifest and the zips the last build wrote (every distribution's `*.dist-info`
folder on the import path of each runtime), matches them against an OSV database
(`advisories`), and follows `requires` and each function's layers to say who is exposed.
Each layer's `[audit] ignore` in layer.toml silences an advisory for that layer, with a reason.
"""

import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.config.function_config import CODE_DIR
from layerkit.config.layer_config import LAYER_FILE, LayerConfig
from layerkit.errors import LayerError
from layerkit.fsutil import write_json
from layerkit.inspect import advisories
from layerkit.inspect.advisories import Advisory
from layerkit.lambda_facts import ARCHITECTURES
from layerkit.records import Record
from layerkit.report import contents

FORMAT = 1


@dataclass(frozen=True)
class InLayer:
    """One version of the package in one layer: every artifact (architecture) of it that ships it."""

    layer: str
    version: str
    artifacts: tuple[str, ...]
    architectures: tuple[str, ...]
    requirements_in: str
    ignored: str | None
    """The reason in the layer's `[audit] ignore`, when it names the advisory."""


@dataclass(frozen=True)
class InCode:
    """The package in a function's own zip: its `src/` holds a copy."""

    function: str
    version: str
    source: str


@dataclass(frozen=True)
class Dependent:
    """A layer that ships no copy but relies on one through `requires`."""

    layer: str
    through: str
    requirements_in: str


@dataclass(frozen=True)
class Exposed:
    """A function that gets the package: from the layers it attaches, and the layers that require them."""

    function: str
    layers: tuple[str, ...]
    through: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    advisory: Advisory
    package: str
    layers: tuple[InLayer, ...]
    code: tuple[InCode, ...]
    dependents: tuple[Dependent, ...]
    functions: tuple[Exposed, ...]

    @property
    def ignored(self) -> bool:
        """Every copy is in a layer that ignores the advisory (a function's own copy cannot be ignored)."""
        return not self.code and all(copy.ignored for copy in self.layers)

    def ignored_in(self, layer: str) -> str | None:
        """The reason `layer` gives for ignoring this advisory, if it ships a copy and ignores it."""
        return next((c.ignored for c in self.layers if c.layer == layer and c.ignored), None)

    @property
    def to_change(self) -> tuple[str, ...]:
        """The requirements.in files (and functions' src folders) to change, for the copies not ignored."""
        return tuple(
            sorted(
                {c.requirements_in for c in self.layers if not c.ignored}
                | {c.source for c in self.code}
                | {d.requirements_in for d in self.dependents if not self.ignored_in(d.through)}
            )
        )

    def to_json(self) -> Record:
        advisory = self.advisory
        return {
            "id": advisory.id,
            "aliases": list(advisory.aliases),
            "summary": advisory.summary,
            "source": advisory.source,
            "package": self.package,
            "fixed": list(advisory.fixed(self.package)),
            "last_affected": list(advisory.last_affected(self.package)),
            "ignored": self.ignored,
            "layers": [
                {
                    "layer": c.layer,
                    "version": c.version,
                    "artifacts": list(c.artifacts),
                    "architectures": list(c.architectures),
                    "requirements_in": c.requirements_in,
                    "ignored": c.ignored,
                }
                for c in self.layers
            ],
            "code": [{"function": c.function, "version": c.version, "src": c.source} for c in self.code],
            "required_by": [
                {"layer": d.layer, "through": d.through, "requirements_in": d.requirements_in} for d in self.dependents
            ],
            "functions": [
                {"function": e.function, "layers": list(e.layers), "through": list(e.through)} for e in self.functions
            ],
            "change": list(self.to_change),
        }

    def text(self) -> str:
        """The finding's block for a person: what, where it ships, who gets it, what to change."""
        advisory = self.advisory
        aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
        lines = [f"{self.package} {advisory.id}{aliases}{': ignored' if self.ignored else ''}"]
        if advisory.summary:
            lines.append(f"  {advisory.summary}")
        fixed, last = advisory.fixed(self.package), advisory.last_affected(self.package)
        if fixed:
            lines.append(f"  fixed in: {', '.join(fixed)}")
        else:
            lines.append("  fixed in: none known" + (f"; last affected: {', '.join(last)}" if last else ""))
        for copy in self.layers:
            ships = f"  layer {copy.layer} ({', '.join(copy.architectures)}) ships {self.package} {copy.version}"
            if copy.ignored:
                lines.append(f"{ships}: ignored in its {LAYER_FILE} ({copy.ignored})")
            else:
                lines.append(f"{ships}: change {copy.requirements_in}")
        for dependent in self.dependents:
            gets = f"  layer {dependent.layer} gets it through {dependent.through}, which it requires"
            if self.ignored_in(dependent.through):
                lines.append(f"{gets}: ignored there")
            else:
                lines.append(f"{gets}: change {dependent.requirements_in}")
        for exposed in self.functions:
            through = f", through {_and(exposed.through)}" if exposed.through else ""
            lines.append(f"  function {exposed.function} attaches {_and(exposed.layers)}{through}")
        lines += [
            f"  function {c.function}'s own code ships {self.package} {c.version}: change {c.source}" for c in self.code
        ]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class StaleIgnore:
    layer: str
    advisory: str
    layer_toml: str

    def line(self) -> str:
        return (
            f"warning: layer {self.layer}: [audit] ignore {self.advisory!r} matches no finding; "
            f"remove it from {self.layer_toml}"
        )


@dataclass(frozen=True)
class Audit:
    database: str
    files: int
    findings: tuple[Finding, ...]
    stale: tuple[StaleIgnore, ...]
    warnings: tuple[str, ...]
    """One per advisory file that was skipped."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.ignored)

    def to_json(self) -> Record:
        return {
            "format": FORMAT,
            "advisories": self.database,
            "advisory_files": self.files,
            "findings": [f.to_json() for f in self.findings],
            "stale_ignores": [{"layer": s.layer, "id": s.advisory, "layer_toml": s.layer_toml} for s in self.stale],
            "warnings": list(self.warnings),
            "failed": bool(self.failing),
        }

    def text(self) -> str:
        """Every finding's block, failing ones first, each group sorted by package then advisory ID."""
        ordered = [*self.failing, *(f for f in self.findings if f.ignored)]
        return "\n".join(f.text() for f in ordered)


@dataclass(frozen=True)
class _Build:
    """What the last build wrote, and the declarations it came from."""

    artifacts: list[Record]
    functions: list[Record]
    configs: dict[str, LayerConfig]
    functions_dir: Path
    in_layers: dict[str, set[tuple[str, str]]]
    """Each artifact's distributions, (normalised name, version)."""
    in_code: dict[str, set[tuple[str, str]]]
    """Each function zip's own distributions."""


def audit(database: Path, build_dir: BuildDir, configs: list[LayerConfig], functions_dir: Path) -> Audit:
    """Cross what the manifest's zips ship with the advisories at `database` (a folder or an OSV zip)."""
    artifacts, functions = manifest.read(build_dir)
    known = {c.name: c for c in configs}
    missing = sorted({a["layer"] for a in artifacts} - set(known))
    if missing:
        raise LayerError(
            f"{build_dir.manifest}: names layer(s) {', '.join(missing)} that have no layer.toml any more; "
            "run 'make layers'"
        )
    build = _Build(
        artifacts=artifacts,
        functions=functions,
        configs=known,
        functions_dir=functions_dir,
        in_layers=_layer_dists(artifacts),
        in_code={f["name"]: _zip_dists(Path(f["zip"]), [contents.code_place]) for f in functions},
    )
    packages = {name for found in (*build.in_layers.values(), *build.in_code.values()) for name, _ in found}
    loaded = advisories.load(database, packages)

    findings = []
    for package in sorted(packages):
        for advisory in sorted(loaded.about(package), key=lambda a: a.id):
            finding = _finding(advisory, package, build)
            if finding is not None:
                findings.append(finding)
    return Audit(
        database=str(database),
        files=loaded.files,
        findings=tuple(findings),
        stale=_stale(findings, configs),
        warnings=tuple(loaded.warnings),
    )


def write(build_dir: BuildDir, result: Audit) -> Path:
    write_json(build_dir.audit, result.to_json())
    return build_dir.audit


def _finding(advisory: Advisory, package: str, build: _Build) -> Finding | None:
    """Where `advisory` meets `package`, or None when no shipped version of it is affected."""
    artifacts, configs = build.artifacts, build.configs
    hit = {
        a["key"]: version
        for a in artifacts
        for name, version in sorted(build.in_layers[a["key"]])
        if name == package and advisory.affects(package, version)
    }
    code = tuple(
        InCode(f["name"], version, str(build.functions_dir / f["name"] / CODE_DIR))
        for f in sorted(build.functions, key=lambda f: str(f["name"]))
        for name, version in sorted(build.in_code[f["name"]])
        if name == package and advisory.affects(package, version)
    )
    if not hit and not code:
        return None
    by_layer: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for artifact in artifacts:
        if artifact["key"] in hit:
            by_layer[(artifact["layer"], hit[artifact["key"]])].append(artifact)
    layers = []
    for (layer, version), shipping in sorted(by_layer.items()):
        config = configs[layer]
        shipping.sort(key=lambda a: ARCHITECTURES.index(a["architecture"]))
        layers.append(
            InLayer(
                layer=layer,
                version=version,
                artifacts=tuple(a["key"] for a in shipping),
                architectures=tuple(a["architecture"] for a in shipping),
                requirements_in=str(config.requirements_in),
                ignored=next((reason for name, reason in config.audit_ignore if name in advisory.names), None),
            )
        )
    return Finding(
        advisory=advisory,
        package=package,
        layers=tuple(layers),
        code=code,
        dependents=_dependents(artifacts, hit, configs),
        functions=_exposed(build.functions, artifacts, hit),
    )


def _dependents(artifacts: list[Record], hit: dict[str, str], configs: dict[str, LayerConfig]) -> tuple[Dependent, ...]:
    """Layers with no copy of their own that require, for some architecture, a layer that ships one."""
    shipping = {(a["layer"], a["architecture"]) for a in artifacts if a["key"] in hit}
    found = set()
    for artifact in artifacts:
        if artifact["key"] in hit:
            continue
        for required in artifact["requires"]:
            if (required, artifact["architecture"]) in shipping:
                found.add(Dependent(artifact["layer"], required, str(configs[required].requirements_in)))
                break
    return tuple(sorted(found, key=lambda d: (d.layer, d.through)))


def _exposed(functions: list[Record], artifacts: list[Record], hit: dict[str, str]) -> tuple[Exposed, ...]:
    """Each function that attaches a shipping artifact, and which of its other layers require that one."""
    requires = {a["key"]: a["requires"] for a in artifacts}
    exposed = []
    for function in sorted(functions, key=lambda f: str(f["name"])):
        attached = [entry for entry in function["layers"] if entry["artifact"]]
        direct = [e["layer"] for e in attached if e["artifact"] in hit]
        through = [
            e["layer"]
            for e in attached
            if e["artifact"] not in hit and any(r in direct for r in requires.get(e["artifact"], []))
        ]
        if direct:
            exposed.append(Exposed(function["name"], tuple(direct), tuple(through)))
    return tuple(exposed)


def _stale(findings: Sequence[Finding], configs: Iterable[LayerConfig]) -> tuple[StaleIgnore, ...]:
    used = {(c.layer, name) for f in findings for c in f.layers for name in f.advisory.names}
    return tuple(
        StaleIgnore(config.name, advisory, str(config.directory / LAYER_FILE))
        for config in sorted(configs, key=lambda c: c.name)
        for advisory, _ in config.audit_ignore
        if (config.name, advisory) not in used
    )


def _layer_dists(artifacts: list[Record]) -> dict[str, set[tuple[str, str]]]:
    """Each artifact's (name, version) pairs on any of its runtimes' import paths; each distinct zip read once."""
    by_zip: dict[tuple[str, tuple[str, ...]], set[tuple[str, str]]] = {}
    found = {}
    for artifact in artifacts:
        runtimes = tuple(artifact["runtimes"])
        key = (artifact["sha256"], runtimes)
        if key not in by_zip:
            by_zip[key] = _zip_dists(Path(artifact["zip"]), [contents.layer_place(r) for r in runtimes])
        found[artifact["key"]] = by_zip[key]
    return found


def _zip_dists(zip_file: Path, places: list[contents.Place]) -> set[tuple[str, str]]:
    """The (normalised name, version) of every `*.dist-info` folder at the top of an import folder in the zip."""
    try:
        with zipfile.ZipFile(zip_file) as archive:
            names = [n for n in archive.namelist() if ".dist-info/" in n]
    except contents.UNREADABLE_ZIP as exc:
        raise LayerError(f"{zip_file}: cannot read the zip ({exc}); run 'make layers'") from None
    found = set()
    for name in names:
        for place in places:
            where = place(name)
            named = contents.dist_info(where[1].split("/", 1)[0]) if where else None
            if named:
                found.add(named)
    return found


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
