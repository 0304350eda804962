"""Each artifact's state file (`state/<key>.json` in the build folder): its manifest record, kept for the next build.

Written as soon as the artifact's zip is, so a build that fails half-way still saves
what it finished; the next build reuses a record whose inputs digest is unchanged.
"""

import json
from typing import cast

from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.fsutil import write_json
from layerkit.records import Artifact


def read(build_dir: BuildDir, key: str) -> Artifact | None:
    """The artifact's last record; None when there is none, or it is unreadable or misshapen (then it is rebuilt)."""
    try:
        state = json.loads(build_dir.state(key).read_bytes())
    except (OSError, ValueError):
        return None
    return None if manifest.problem(state, "artifact") else cast("Artifact", state)


def write(build_dir: BuildDir, entry: Artifact) -> None:
    write_json(build_dir.state(entry["key"]), entry)
