"""`build/manifest.json`: every layer artifact and function zip, as Terraform reads it.

Each artifact also has a state file (`build/state/<key>.json`, the same record) written
as soon as its zip is, so a later build can skip it. The manifest is replaced only when
every artifact built, and zips carry their content hash in their name, so the manifest
Terraform reads always names zips that exist with exactly the recorded bytes.
"""

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write
from layerkit.function_config import FunctionConfig
from layerkit.lambda_facts import MAX_DIRECT_UPLOAD_BYTES, Target
from layerkit.layer_config import LayerConfig
from layerkit.layout import Tree
from layerkit.lockfile import Lock

FORMAT = 1
Record = dict[str, Any]


def artifact_key(layer: str, architecture: str) -> str:
    return f"{layer}-{architecture}"


def zip_path(build_dir: Path, key: str, sha256: str, folder: str = "layers") -> Path:
    return build_dir / folder / f"{key}-{sha256[:16]}.zip"


def function_record(config: FunctionConfig, build_dir: Path, zip_data: bytes, tree: Tree) -> Record:
    """A function zip, with what Terraform needs to create the function and attach its layers."""
    digest = hashlib.sha256(zip_data)
    return {
        "key": config.name,
        "name": config.name,
        "runtime": config.runtime,
        "handler": config.handler,
        "architecture": config.architecture,
        "memory": config.memory,
        "timeout": config.timeout,
        "environment": dict(config.environment),
        "layers": [artifact_key(layer, config.architecture) for layer in config.layers],
        "zip": zip_path(build_dir, config.name, digest.hexdigest(), "functions").as_posix(),
        "sha256": digest.hexdigest(),
        "sha256_base64": base64.b64encode(digest.digest()).decode(),
        "zip_size": len(zip_data),
        "unzipped_size": sum(entry.size() for entry in tree.values()),
        "file_count": len(tree),
        "needs_s3": len(zip_data) > MAX_DIRECT_UPLOAD_BYTES,
    }


def record(  # noqa: PLR0913 -- one record gathers facts from every build step
    *,
    config: LayerConfig,
    architecture: str,
    build_dir: Path,
    zip_data: bytes,
    unzipped_size: int,
    file_count: int,
    locks: dict[Target, Lock],
    inputs_sha256: str,
) -> Record:
    digest = hashlib.sha256(zip_data)
    key = artifact_key(config.name, architecture)
    return {
        "key": key,
        "layer": config.name,
        "architecture": architecture,
        "runtimes": list(config.runtimes),
        "description": config.description,
        "license": config.license,
        "zip": zip_path(build_dir, key, digest.hexdigest()).as_posix(),
        "sha256": digest.hexdigest(),
        "sha256_base64": base64.b64encode(digest.digest()).decode(),
        "zip_size": len(zip_data),
        "unzipped_size": unzipped_size,
        "file_count": file_count,
        "needs_s3": len(zip_data) > MAX_DIRECT_UPLOAD_BYTES,
        "lockfiles": {
            t.runtime: {"path": lock.path.as_posix(), "sha256": hashlib.sha256(lock.path.read_bytes()).hexdigest()}
            for t, lock in sorted(locks.items())
        },
        "inputs_sha256": inputs_sha256,
    }


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def read(build_dir: Path) -> tuple[list[Record], list[Record]]:
    """The layer artifacts and function zips of the manifest the last good build wrote."""
    path = build_dir / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayerError(f"{path}: missing; run 'make layers'") from None
    except json.JSONDecodeError as exc:
        raise LayerError(f"{path}: not valid JSON ({exc}); run 'make layers'") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LayerError(f"{path}: not a format {FORMAT} manifest; run 'make layers'")
    return data["artifacts"], data["functions"]


def read_state(build_dir: Path, key: str) -> Record | None:
    path = build_dir / "state" / f"{key}.json"
    try:
        state: Record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state


def write_state(build_dir: Path, entry: Record) -> None:
    atomic_write(build_dir / "state" / f"{entry['key']}.json", _json(entry))


def write(build_dir: Path, artifacts: list[Record], functions: list[Record]) -> Path:
    """Replace the manifest, then delete zips and state files it no longer names."""
    path = build_dir / "manifest.json"
    artifacts = sorted(artifacts, key=lambda r: str(r["key"]))
    functions = sorted(functions, key=lambda r: str(r["key"]))
    atomic_write(path, _json({"format": FORMAT, "artifacts": artifacts, "functions": functions}))
    keep = {
        build_dir / "layers": {Path(r["zip"]).name for r in artifacts},
        build_dir / "functions": {Path(r["zip"]).name for r in functions},
        build_dir / "state": {f"{r['key']}.json" for r in artifacts},
    }
    for folder, names in keep.items():
        for stale in folder.iterdir() if folder.is_dir() else ():
            if stale.name not in names:
                stale.unlink()
    return path
