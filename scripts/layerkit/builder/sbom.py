"""CycloneDX 1.5 SBOMs (the version Amazon Inspector's ScanSbom takes) of layer zips and functions.

A layer artifact's SBOM describes exactly its zip: one component per distribution whose
`*.dist-info` sits in a folder the runtime imports from (`report.contents`), with its
version, its purl (`pkg:pypi/<name>@<version>`), the `--hash=sha256:` values its
lockfile allows for that pin, and its license as its METADATA declares it (`licenses`).
The layer itself is the metadata component, with the zip's sha256: its own code in
`python/` is not a distribution from an index, so it has no purl and no component of its own.

A function's SBOM is its own zip's distributions, then every attached layer's, each with
`layerkit:layer` and `layerkit:merge-position` (1 is merged first). A distribution that
another copy shadows on the import path (the function's own code comes first, then a
later layer's copy wins, as `report.overlaps.imported` decides) carries
`layerkit:shadowed-by`. A layer attached by ARN is one component whose contents are unknown.

The same inputs give the same bytes: no timestamp, sorted components, and a serial number
derived from the document itself.
"""

import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import fixup_id, is_supported_id
from packageurl import PackageURL

from layerkit import licenses
from layerkit.builder import lockfile
from layerkit.builder.lockfile import Lock
from layerkit.config.layer_config import LayerConfig
from layerkit.errors import LayerError, of_layer
from layerkit.lambda_facts import Target
from layerkit.records import Artifact, FunctionZip
from layerkit.report.contents import UNREADABLE_ZIP, Dist, code_place, layer_place, read_archive, read_zip
from layerkit.report.overlaps import imported

SCHEMA = SchemaVersion.V1_5
LAYER = "layerkit:layer"
MERGE_POSITION = "layerkit:merge-position"
SHADOWED_BY = "layerkit:shadowed-by"
CONTENTS = "layerkit:contents"
FUNCTION_CODE = "function code"
"""What `layerkit:shadowed-by` names when the function's own copy is the one imported."""
UNKNOWN_CONTENTS = "unknown: published elsewhere, so this build cannot see inside it"
_SERIAL_NAMESPACE = uuid.UUID("6f1d3c52-5b0e-4b8e-9a47-2c1f0d7b9e31")
"""Fixed, so a serial number depends on the document alone."""

_Shadow = tuple[int, Dist]
"""(merge position, distribution): position 0 is the function's own code."""


def layer_dists(config: LayerConfig, zip_path: Path, zip_data: bytes) -> list[Dist]:
    """Every distribution the zip puts on any of the layer's runtimes' import path, once per version, sorted."""
    try:
        with zipfile.ZipFile(io.BytesIO(zip_data)) as archive:
            folders = {n.split("/site-packages/", 1)[0] for n in archive.namelist() if "/site-packages/" in n}
            # Runtimes with no site-packages folder of their own see the same `python/`: read it once for them.
            own = [r for r in config.runtimes if f"python/lib/{r}" in folders]
            shared = [r for r in config.runtimes if r not in own][:1]
            found: dict[tuple[str, str], Dist] = {}
            for runtime in own + shared:
                for dist in read_archive(archive, layer_place(runtime), zip_path).dists.values():
                    found.setdefault((dist.name, dist.version), dist)
    except UNREADABLE_ZIP as exc:
        raise LayerError(f"{zip_path}: cannot read the zip just built ({exc})", about=of_layer(config.name)) from None
    return [found[key] for key in sorted(found)]


def layer_document(  # noqa: PLR0913 -- the SBOM gathers facts from the zip, its lockfiles and layer.toml
    *,
    config: LayerConfig,
    architecture: str,
    key: str,
    zip_sha256: str,
    dists: Sequence[Dist],
    locks: dict[Target, Lock],
) -> bytes:
    """The layer artifact's SBOM, from the distributions its zip ships (`layer_dists`)."""
    layer = Component(
        type=ComponentType.LIBRARY,
        name=config.name,
        bom_ref=f"layer:{key}",
        description=config.description,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=zip_sha256)],
        licenses=_licenses(_declared(config.license)),
        properties=[
            Property(name="layerkit:architecture", value=architecture),
            Property(name="layerkit:runtimes", value=" ".join(config.runtimes)),
        ],
    )
    components = [_component(d, _hashes(d, locks.values()), _purl(d).to_string()) for d in dists]
    return _document(layer, components)


def function_document(record: FunctionZip, artifacts: dict[str, Artifact]) -> bytes:
    """The function's SBOM: its code's distributions and every attached layer's, in merge order.

    `record` is the function's manifest record and `artifacts` the layer artifacts' by key.
    """
    runtime = record["runtime"]
    code = list(read_zip(Path(record["zip"]), code_place).dists.values())
    shipped: list[tuple[int, str, Dist, Lock | None]] = [(0, FUNCTION_CODE, d, None) for d in code]
    components: list[Component] = []
    for position, attached in enumerate(record["layers"], start=1):
        if attached["arn"] is not None:
            components.append(_external(attached["arn"], position))
            continue
        artifact = artifacts[attached["artifact"]]
        lock_file = artifact["lockfiles"].get(runtime)
        lock = lockfile.read(Path(lock_file["path"])) if lock_file else None
        dists = read_zip(Path(artifact["zip"]), layer_place(runtime)).dists.values()
        shipped += [(position, artifact["layer"], d, lock) for d in dists]
    winners = _winners([(position, dist) for position, _, dist, _ in shipped])
    names = {position: layer for position, layer, _, _ in shipped}
    for position, layer, dist, lock in shipped:
        properties = []
        if position:  # the function's own code is not merged: it comes before every layer
            properties = [Property(name=LAYER, value=layer), Property(name=MERGE_POSITION, value=str(position))]
        if (winner := winners[dist.name]) != position:
            properties.append(Property(name=SHADOWED_BY, value=names[winner]))
        ref = f"{layer if position else 'function'}:{_purl(dist).to_string()}"
        components.append(_component(dist, _hashes(dist, [lock] if lock else []), ref, properties))
    function = Component(
        type=ComponentType.APPLICATION,
        name=record["name"],
        bom_ref=f"function:{record['name']}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=record["sha256"])],
        properties=[
            Property(name="layerkit:architecture", value=record["architecture"]),
            Property(name="layerkit:runtime", value=runtime),
        ],
    )
    return _document(function, components)


def _winners(copies: Sequence[_Shadow]) -> dict[str, int]:
    """For each distribution, the merge position of the copy imported: the function's own, else by sys.path."""
    by_name: dict[str, list[_Shadow]] = {}
    for position, dist in copies:
        by_name.setdefault(dist.name, []).append((position, dist))
    return {
        name: 0 if any(p == 0 for p, _ in found) else imported([(p, d.rank) for p, d in found])
        for name, found in by_name.items()
    }


def _external(arn: str, position: int) -> Component:
    """A layer attached by version ARN: named, placed, and marked unknown inside."""
    name, _, version = arn.rpartition(":")
    return Component(
        type=ComponentType.LIBRARY,
        name=name.rpartition(":")[2],
        version=version,
        bom_ref=arn,
        properties=[
            Property(name=LAYER, value=arn),
            Property(name=MERGE_POSITION, value=str(position)),
            Property(name=CONTENTS, value=UNKNOWN_CONTENTS),
        ],
    )


def _purl(dist: Dist) -> PackageURL:
    return PackageURL(type="pypi", name=dist.name, version=dist.version)


def _hashes(dist: Dist, locks: Iterable[Lock]) -> list[str]:
    """The sha256 values the lockfiles allow for this exact pin; none when the zip's copy is not the pinned one."""
    return sorted({h for lock in locks if lock.pins.get(dist.name) == dist.version for h in lock.hashes[dist.name]})


def _component(dist: Dist, hashes: list[str], ref: str, properties: Sequence[Property] = ()) -> Component:
    return Component(
        type=ComponentType.LIBRARY,
        name=dist.name,
        version=dist.version,
        bom_ref=ref,
        purl=_purl(dist),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=h) for h in hashes],
        licenses=_licenses(dist.license),
        properties=properties,
    )


def _declared(text: str) -> licenses.License:
    expression = licenses.spdx(text)
    return licenses.License(expression=expression) if expression else licenses.License(names=(text,))


def _licenses(license_: licenses.License | None) -> list[LicenseExpression | DisjunctiveLicense]:
    """CycloneDX's form: an SPDX id as `id` when its schema knows it, else an expression; a named license by name."""
    if license_ is None:
        return []
    if license_.expression is None:
        return [DisjunctiveLicense(name=name) for name in license_.names]
    if is_supported_id(license_.expression):
        return [DisjunctiveLicense(id=fixup_id(license_.expression))]
    return [LicenseExpression(license_.expression)]


def _document(subject: Component, components: list[Component]) -> bytes:
    """The BOM as JSON; its serial number is a UUID of the same document with the nil serial number."""
    bom = Bom(components=components)
    bom.metadata.component = subject
    bom.register_dependency(subject, components)  # it ships them all; their own dependencies are not recorded
    # A build's time would make every SBOM differ; typed as datetime, but None leaves the field out.
    bom.metadata.timestamp = None  # type: ignore[assignment]
    nil = uuid.UUID(int=0)
    bom.serial_number = nil
    draft = (make_outputter(bom, OutputFormat.JSON, SCHEMA).output_as_string(indent=2) + "\n").encode()
    serial = uuid.uuid5(_SERIAL_NAMESPACE, hashlib.sha256(draft).hexdigest())
    return draft.replace(f'"serialNumber": "{nil.urn}"'.encode(), f'"serialNumber": "{serial.urn}"'.encode(), 1)
