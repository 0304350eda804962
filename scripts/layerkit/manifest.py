"""`build/manifest.json`: every layer artifact, as Terraform reads it.

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

from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import MAX_DIRECT_UPLOAD_BYTES, Target
from layerkit.layer_config import LayerConfig
from layerkit.lockfile import Lock

FORMAT = 1
Record = dict[str, Any]


def artifact_key(layer: str, architecture: str) -> str:
    return f"{layer}-{architecture}"


def zip_path(build_dir: Path, key: str, sha256: str) -> Path:
    return build_dir / "layers" / f"{key}-{sha256[:16]}.zip"


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


def read_state(build_dir: Path, key: str) -> Record | None:
    path = build_dir / "state" / f"{key}.json"
    try:
        state: Record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state


def write_state(build_dir: Path, entry: Record) -> None:
    atomic_write(build_dir / "state" / f"{entry['key']}.json", _json(entry))


def write(build_dir: Path, records: list[Record]) -> Path:
    """Replace the manifest, then delete zips and state files it no longer names."""
    path = build_dir / "manifest.json"
    ordered = sorted(records, key=lambda r: str(r["key"]))
    atomic_write(path, _json({"format": FORMAT, "artifacts": ordered}))
    keep_zips = {Path(r["zip"]).name for r in ordered}
    keep_states = {f"{r['key']}.json" for r in ordered}
    for folder, keep in ((build_dir / "layers", keep_zips), (build_dir / "state", keep_states)):
        for stale in folder.iterdir() if folder.is_dir() else ():
            if stale.name not in keep:
                stale.unlink()
    return path
