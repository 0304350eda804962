"""Runs the uv binary that the `uv` package installed, and condenses its errors to one line."""

import subprocess
import sysconfig
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Report:
    """uv's error report, read apart: its `error:` line, each cause and each hint, one line apiece."""

    headline: str
    causes: list[str]
    hints: list[str]

    @property
    def unresolvable(self) -> bool:
        """The resolver proved the requirements cannot be met (not a network or file problem)."""
        return self.headline.startswith("No solution found")


def report(stderr: str) -> Report:
    """Read uv's report: `error:` then `cause:` lines (older uv releases draw them as tree marks), then `hint:`.

    A cause's lines that are indented under it are joined to it, whitespace collapsed.
    """
    headline = ""
    causes: list[list[str]] = []
    hints: list[list[str]] = []
    current: list[str] | None = None
    for raw in stderr.splitlines():
        line = raw.strip()
        marked = line.lstrip(_TREE_MARKS).strip()
        if not line:
            current = None
        elif line.startswith(("error:", "\u00d7")) and not headline:
            headline = marked.removeprefix("error:").strip().rstrip(":")
            current = None
        elif line.startswith(("cause:", "Caused by:", "\u2570", "\u251c")):
            current = [marked.partition(":")[2] if line[0].isalpha() else marked]
            causes.append(current)
        elif line.startswith("hint:"):
            current = [line.removeprefix("hint:")]
            hints.append(current)
        elif current is not None and raw[:1].isspace():
            current.append(marked)
        elif not headline and not line.startswith("warning:"):
            headline = marked
    return Report(headline=headline, causes=[_one_line(c) for c in causes], hints=[_one_line(h) for h in hints])


def failure(stderr: str) -> str:
    """The error uv reports, in one line without a trailing full stop: what the resolver proved, or what failed and why.

    For an unresolvable set of requirements, that is the first cause (the proof); for anything
    else (a network or file problem), the `error:` line, its first cause and its root cause.
    """
    return summary(report(stderr))


def summary(found: Report) -> str:
    """`failure`, from a report already read."""
    if found.unresolvable and found.causes:
        parts = [found.causes[0]]
    else:
        parts = [found.headline, *found.causes[:1], *found.causes[-1:]]
    line = ": ".join(dict.fromkeys(p.rstrip(".:") for p in parts if p))
    return line or "uv failed without a message"


_TREE_MARKS = "\u00d7\u2570\u251c\u2500\u25b6\u2502 "
"""The marks older uv releases draw their error tree with."""


def _one_line(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())
