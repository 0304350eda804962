"""`make audit`: which layers ship a version an advisory names, which functions get it, what to bump.

Reads the manifest and the zips the last build wrote (every distribution's `*.dist-info`
folder on the import path of each runtime), matches them against an OSV database
(`advisories`), and follows `requires` and each function's layers to say who is exposed.
Each layer's `[audit] ignore` in layer.toml, as the manifest recorded it, silences an
advisory for that layer, with a reason. Nothing is read from layers/ or functions/: the
manifest says what was built from what. `audit_model` holds the findings and renders them.
"""

import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.errors import LayerError
from layerkit.fsutil import write_json
from layerkit.inspect import advisories
from layerkit.inspect.audit_model import AdvisoryFinding, Audit, Dependent, Exposed, InCode, InLayer, StaleIgnore
from layerkit.inspect.osv import Advisory
from layerkit.lambda_facts import ARCHITECTURES
from layerkit.records import Artifact, Function
from layerkit.report import contents


@dataclass(frozen=True)
class _Build:
    """What the last build wrote."""

    artifacts: list[Artifact]
    functions: list[Function]
    layers: dict[str, Artifact]
    """One artifact of each layer, for what its layer.toml said (the same in all of them)."""
    in_layers: dict[str, set[tuple[str, str]]]
    """Each artifact's distributions, (normalised name, version)."""
    in_code: dict[str, set[tuple[str, str]]]
    """Each function zip's own distributions."""


def audit(database: Path, build_dir: BuildDir) -> Audit:
    """Cross what the manifest's zips ship with the advisories at `database` (a folder or an OSV zip)."""
    artifacts, functions = manifest.read(build_dir)
    build = _Build(
        artifacts=artifacts,
        functions=functions,
        layers={a["layer"]: a for a in artifacts},
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
        stale=_stale(findings, build.layers),
        warnings=tuple(loaded.warnings),
    )


def write(build_dir: BuildDir, result: Audit) -> Path:
    write_json(build_dir.audit, result.to_json())
    return build_dir.audit


def _finding(advisory: Advisory, package: str, build: _Build) -> AdvisoryFinding | None:
    """Where `advisory` meets `package`, or None when no shipped version of it is affected."""
    artifacts = build.artifacts
    hit = {
        a["key"]: version
        for a in artifacts
        for name, version in sorted(build.in_layers[a["key"]])
        if name == package and advisory.affects(package, version)
    }
    code = tuple(
        InCode(f["name"], version, f["src"])
        for f in sorted(build.functions, key=lambda f: f["name"])
        for name, version in sorted(build.in_code[f["name"]])
        if name == package and advisory.affects(package, version)
    )
    if not hit and not code:
        return None
    by_layer: dict[tuple[str, str], list[Artifact]] = defaultdict(list)
    for artifact in artifacts:
        if artifact["key"] in hit:
            by_layer[(artifact["layer"], hit[artifact["key"]])].append(artifact)
    layers = []
    for (layer, version), shipping in sorted(by_layer.items()):
        shipping.sort(key=lambda a: ARCHITECTURES.index(a["architecture"]))
        ignore = build.layers[layer]["audit_ignore"]
        layers.append(
            InLayer(
                layer=layer,
                version=version,
                artifacts=tuple(a["key"] for a in shipping),
                architectures=tuple(a["architecture"] for a in shipping),
                requirements_in=build.layers[layer]["requirements_in"],
                ignored=next((reason for name, reason in sorted(ignore.items()) if name in advisory.names), None),
            )
        )
    return AdvisoryFinding(
        advisory=advisory,
        package=package,
        layers=tuple(layers),
        code=code,
        dependents=_dependents(artifacts, hit, build.layers),
        functions=_exposed(build.functions, artifacts, hit),
    )


def _dependents(artifacts: list[Artifact], hit: dict[str, str], layers: dict[str, Artifact]) -> tuple[Dependent, ...]:
    """Layers with no copy of their own that require, for some architecture, a layer that ships one."""
    shipping = {(a["layer"], a["architecture"]) for a in artifacts if a["key"] in hit}
    found = set()
    for artifact in artifacts:
        if artifact["key"] in hit:
            continue
        for required in artifact["requires"]:
            if (required, artifact["architecture"]) in shipping:
                found.add(Dependent(artifact["layer"], required, layers[required]["requirements_in"]))
                break
    return tuple(sorted(found, key=lambda d: (d.layer, d.through)))


def _exposed(functions: list[Function], artifacts: list[Artifact], hit: dict[str, str]) -> tuple[Exposed, ...]:
    """Each function that attaches a shipping artifact, and which of its other layers require that one."""
    requires = {a["key"]: a["requires"] for a in artifacts}
    exposed = []
    for function in sorted(functions, key=lambda f: f["name"]):
        attached = [(e["layer"], e["artifact"]) for e in function["layers"] if e["arn"] is None]
        direct = [layer for layer, artifact in attached if artifact in hit]
        through = [
            layer
            for layer, artifact in attached
            if artifact not in hit and any(r in direct for r in requires.get(artifact, []))
        ]
        if direct:
            exposed.append(Exposed(function["name"], tuple(direct), tuple(through)))
    return tuple(exposed)


def _stale(findings: Sequence[AdvisoryFinding], layers: dict[str, Artifact]) -> tuple[StaleIgnore, ...]:
    used = {(c.layer, name) for f in findings for c in f.layers for name in f.advisory.names}
    return tuple(
        StaleIgnore(layer, advisory, artifact["layer_toml"])
        for layer, artifact in sorted(layers.items())
        for advisory in sorted(artifact["audit_ignore"])
        if (layer, advisory) not in used
    )


def _layer_dists(artifacts: list[Artifact]) -> dict[str, set[tuple[str, str]]]:
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
