"""Runs the uv binary that the `uv` package installed, and condenses its errors to one line."""

import subprocess
import sysconfig
from functools import cache
from pathlib import Path

from layerkit.errors import LayerError


@cache
def binary() -> str:
    # uv.find_uv_bin() breaks on interpreters whose sysconfig has no EXE (pyenv builds),
    # so look where pip put the binary: the running environment's scripts folder.
    path = Path(sysconfig.get_path("scripts")) / "uv"
    if not path.is_file():
        raise LayerError(f"{path}: uv is not installed in this environment; run 'make venv'")
    return str(path)


@cache
def version() -> str:
    return subprocess.run([binary(), "--version"], check=True, capture_output=True, text=True).stdout.strip()


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # --no-config: a developer's uv.toml must not change what a lockfile or a zip holds.
    # --no-python-downloads: resolving for python3.12 needs its version number, not an
    # interpreter; without it uv tries to download one, and waits on the network.
    return subprocess.run(
        [binary(), *args, "--no-config", "--no-python-downloads", "--quiet", "--color", "never"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def failure(stderr: str) -> str:
    """Condense uv's error report to one line: its `error:`, `Caused by:` and reason lines, joined."""
    kept = []
    for raw in stderr.splitlines():
        # Strip the marks uv draws its error tree with.
        line = raw.strip().lstrip("\u00d7\u2570\u2500\u25b6\u2502 ").strip()
        if not line or line.startswith(("help:", "hint:")):
            continue
        kept.append(line.removeprefix("error: ").removeprefix("Caused by: "))
    return "; ".join(dict.fromkeys(kept)) or "uv failed without a message"
