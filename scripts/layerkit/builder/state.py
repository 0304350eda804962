"""Each artifact's state file (`state/<key>.json` in the build folder): its manifest record, kept for the next build.

Written as soon as the artifact's zip is, so a build that fails half-way still saves
what it finished; the next build reuses a record whose inputs digest is unchanged.
"""

import json

from layerkit.build_dir import BuildDir
from layerkit.fsutil import write_json
from layerkit.records import Record


def read(build_dir: BuildDir, key: str) -> Record | None:
    """The artifact's last record, or None when there is none or it is unreadable (then it is rebuilt)."""
    try:
        state = json.loads(build_dir.state(key).read_bytes())
    except (OSError, ValueError):
        return None
    fields = ("inputs_sha256", "zip", "zip_size", "sbom")
    return state if isinstance(state, dict) and all(field in state for field in fields) else None


def write(build_dir: BuildDir, entry: Record) -> None:
    write_json(build_dir.state(entry["key"]), entry)
