"""`build/manifest.json`: every layer artifact and function zip, as Terraform reads it.

- `artifacts`: one per layer and architecture, as built.
- `layer_versions`: one per distinct zip of a layer, which Terraform publishes as one
  `aws_lambda_layer_version`. A pure-Python layer's arm64 and x86_64 zips are byte-identical,
  so it is published once, compatible with both architectures.
- `functions`: one per function, with its layers in merge order: a local layer's artifact
  key, or the version ARN of a layer published elsewhere.
- `regions`, and each layer version's and function's: where it is published (`config.regions`).

The manifest is replaced only when every artifact built, and zips carry their content
hash in their name (`build_dir`), so the manifest Terraform reads always names zips
that exist with exactly the recorded bytes.
"""

import base64
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from layerkit import json_schema
from layerkit.build_dir import BuildDir
from layerkit.builder.lockfile import Lock
from layerkit.config.layer_config import LAYER_FILE, LayerConfig
from layerkit.errors import LayerError
from layerkit.fsutil import write_json
from layerkit.lambda_facts import ARCHITECTURES, MAX_DIRECT_UPLOAD_BYTES, Target
from layerkit.records import Artifact, Function, LayerVersion, Manifest

FORMAT = 6
SCHEMA = Path(__file__).resolve().parents[3] / "schemas" / "manifest.schema.json"
"""The manifest's JSON Schema: what `read` checks, and what other teams' CI can check it against."""


def artifact_key(layer: str, architecture: str) -> str:
    return f"{layer}-{architecture}"


@dataclass(frozen=True)
class ZipDigest:
    """What a layer's and a function's record both say of their zip's bytes."""

    sha256: str
    sha256_base64: str
    """As Terraform's filebase64sha256() gives it."""
    size: int
    needs_s3: bool
    """Too large to upload directly, so Lambda takes it only through S3."""


def zip_digest(zip_data: bytes) -> ZipDigest:
    digest = hashlib.sha256(zip_data)
    return ZipDigest(
        sha256=digest.hexdigest(),
        sha256_base64=base64.b64encode(digest.digest()).decode(),
        size=len(zip_data),
        needs_s3=len(zip_data) > MAX_DIRECT_UPLOAD_BYTES,
    )


def record(  # noqa: PLR0913 -- one record gathers facts from every build step
    *,
    config: LayerConfig,
    architecture: str,
    build_dir: BuildDir,
    zip_data: bytes,
    unzipped_size: int,
    file_count: int,
    locks: dict[Target, Lock],
    inputs_sha256: str,
    requires: list[str],
    sbom: Path,
) -> Artifact:
    digest = zip_digest(zip_data)
    key = artifact_key(config.name, architecture)
    return {
        "key": key,
        "layer": config.name,
        "architecture": architecture,
        "runtimes": list(config.runtimes),
        "description": config.description,
        "license": config.license,
        "share": {
            "accounts": list(config.share.accounts),
            "organization": config.share.organization,
            "public": config.share.public,
        },
        "zip": build_dir.layer_zip(key, digest.sha256).as_posix(),
        "sha256": digest.sha256,
        "sha256_base64": digest.sha256_base64,
        "zip_size": digest.size,
        "unzipped_size": unzipped_size,
        "file_count": file_count,
        "needs_s3": digest.needs_s3,
        "lockfiles": {
            t.runtime: {"path": lock.path.as_posix(), "sha256": hashlib.sha256(lock.path.read_bytes()).hexdigest()}
            for t, lock in sorted(locks.items())
        },
        "inputs_sha256": inputs_sha256,
        "requires": requires,
        "sbom": sbom.as_posix(),
        "layer_toml": (config.directory / LAYER_FILE).as_posix(),
        "requirements_in": config.requirements_in.as_posix(),
        "overrides": list(config.overrides),
        "audit_ignore": dict(config.audit_ignore),
        "licenses_allow": None if config.allowed_licenses is None else list(config.allowed_licenses),
    }


def layer_versions(artifacts: list[Artifact], regions: Mapping[str, tuple[str, ...] | None]) -> list[LayerVersion]:
    """One record per distinct zip of each layer: what Terraform publishes, in each of its layer's `regions`.

    Its key is the layer's name when every architecture shares the zip, and
    `<layer>-<architecture>` for each zip when they differ (compiled wheels).
    """
    by_layer: dict[str, dict[str, list[Artifact]]] = defaultdict(lambda: defaultdict(list))
    for artifact in sorted(artifacts, key=lambda a: ARCHITECTURES.index(a["architecture"])):
        by_layer[artifact["layer"]][artifact["sha256"]].append(artifact)
    versions = []
    for layer, by_zip in by_layer.items():
        for same in by_zip.values():
            architectures = [a["architecture"] for a in same]
            key = layer if len(by_zip) == 1 else "-".join([layer, *architectures])
            versions.append(_version(key, same, regions.get(layer)))
    keys: dict[str, str] = {}
    for version in versions:
        if (other := keys.setdefault(version["key"], version["layer"])) != version["layer"]:
            raise LayerError(
                f"layers {other} and {version['layer']} would both be published as {version['key']}; rename one"
            )
    return sorted(versions, key=lambda v: v["key"])


def _version(key: str, same: list[Artifact], regions: tuple[str, ...] | None) -> LayerVersion:
    """The layer version of artifacts that share one zip (one per architecture)."""
    first = same[0]
    return {
        "key": key,
        "layer": first["layer"],
        "architectures": [a["architecture"] for a in same],
        "artifacts": [a["key"] for a in same],
        "regions": None if regions is None else list(regions),
        "runtimes": first["runtimes"],
        "description": first["description"],
        "license": first["license"],
        "share": first["share"],
        "zip": first["zip"],
        "sha256": first["sha256"],
        "sha256_base64": first["sha256_base64"],
        "zip_size": first["zip_size"],
        "unzipped_size": first["unzipped_size"],
        "needs_s3": first["needs_s3"],
        "requires": first["requires"],
    }


@functools.cache
def schema() -> dict[str, Any]:
    """The manifest's JSON Schema (`SCHEMA`), read once."""
    loaded: dict[str, Any] = json.loads(SCHEMA.read_bytes())
    return loaded


def problem(record: object, definition: str | None = None) -> str | None:
    """What the schema refuses in `record`: a whole manifest, or one of its `$defs` (e.g. "artifact"); None: nothing."""
    root = schema()
    return json_schema.problem(record, json_schema.resolve(root, f"#/$defs/{definition}") if definition else root, root)


def read(build_dir: BuildDir) -> tuple[list[Artifact], list[Function]]:
    """The layer artifacts and function zips of the manifest the last good build wrote, checked against its schema."""
    manifest = document(build_dir)
    return manifest["artifacts"], manifest["functions"]


def document(build_dir: BuildDir) -> Manifest:
    """The whole manifest the last good build wrote, checked against its schema."""
    path = build_dir.manifest
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise LayerError(f"{path}: missing; run 'make layers'") from None
    except OSError as exc:
        raise LayerError(f"{path}: cannot be read ({exc.strerror or exc}); run 'make layers'") from None
    except ValueError as exc:  # JSONDecodeError, and bytes that are not UTF-8
        raise LayerError(f"{path}: not valid JSON ({exc}); run 'make layers'") from None
    found = data.get("format") if isinstance(data, dict) else None
    if isinstance(found, int) and found > FORMAT:
        raise LayerError(
            f"{path}: manifest format {found} was written by a newer layerkit; this checkout reads format "
            f"{FORMAT}: update the checkout, or run 'make layers' to rebuild with this one"
        )
    if found != FORMAT:
        wrong: str | None = f"it is format {found}" if isinstance(found, int) else "it has no format number"
    else:
        wrong = problem(data)
    if wrong:
        raise LayerError(f"{path}: not a format {FORMAT} manifest ({wrong}); run 'make layers'")
    return cast("Manifest", data)  # just checked against the schema, which says what Manifest says


def write(
    build_dir: BuildDir,
    artifacts: list[Artifact],
    functions: list[Function],
    layer_regions: Mapping[str, tuple[str, ...] | None],
) -> Path:
    """Replace the manifest; `layer_regions` gives each layer's regions by name."""
    versions = layer_versions(artifacts, layer_regions)
    declared = [r for record in [*versions, *functions] for r in record["regions"] or ()]
    document: Manifest = {
        "format": FORMAT,
        "regions": sorted(set(declared)) or None,
        "artifacts": sorted(artifacts, key=lambda r: r["key"]),
        "layer_versions": versions,
        "functions": sorted(functions, key=lambda r: r["key"]),
    }
    write_json(build_dir.manifest, document)
    return build_dir.manifest
