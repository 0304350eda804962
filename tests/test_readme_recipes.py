"""The README's "Adding a layer" and "Adding a function" recipes, run as written in a copy of the repository.

Each `sh` block of those sections runs in one shell, in a copy of the committed files, with
the real Makefile, uv and PyPI, then `make layers` and `make plan` against the local AWS.
The copy uses this checkout's virtualenv (`VENV=`), so it installs nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

MAKE = shutil.which("make") or "make"
GIT = shutil.which("git") or "git"
BASH = shutil.which("bash") or "bash"
SECTIONS = ("Adding a layer", "Adding a function")


def shell_blocks(markdown: str, section: str) -> list[str]:
    """The ```sh blocks under `## section`, up to the next `## ` heading."""
    start = markdown.index(f"\n## {section}\n")
    end = markdown.find("\n## ", start + 1)
    body = markdown[start : end if end != -1 else None]
    return re.findall(r"^```sh\n(.*?)^```$", body, flags=re.MULTILINE | re.DOTALL)


def committed_copy(destination: Path) -> Path:
    """The repository's committed files, as a fresh clone has them."""
    listed = subprocess.run([GIT, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    # Older than this checkout's virtualenv stamp, so Make reuses VENV instead of rebuilding it.
    os.utime(destination / "requirements-dev.txt", (0, 0))
    return destination


def test_both_recipes_have_shell_blocks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert any("make layers" in block for block in shell_blocks(readme, section)), section


@pytest.mark.network
def test_readme_recipes_run_as_written_then_build_and_plan(tmp_path: Path, moto_endpoint: str, tf_cli: str) -> None:
    copy = committed_copy(tmp_path / "repo")
    readme = (copy / "README.md").read_text(encoding="utf-8")
    script = "\n".join(block for section in SECTIONS for block in shell_blocks(readme, section))
    env = {**os.environ, "VENV": str(ROOT / ".venv"), "TF": tf_cli, "MAKEFLAGS": ""}

    recipes = subprocess.run(
        [BASH, "-euo", "pipefail", "-c", script], cwd=copy, env=env, capture_output=True, text=True, check=False
    )

    output = recipes.stdout + recipes.stderr
    assert recipes.returncode == 0, output
    assert "Traceback" not in output
    assert (copy / "layers/http/requirements.txt").is_file()
    assert any((copy / "build/layers").glob("http-x86_64-*.zip"))
    assert any((copy / "build/layers").glob("http-arm64-*.zip"))
    assert '"greeting": "hello"' in recipes.stdout  # make invoke FUNCTION=whoami
    assert "whoami" in recipes.stdout  # make report's table

    plan = subprocess.run(
        [MAKE, "plan", f"ENDPOINT={moto_endpoint}"], cwd=copy, env=env, capture_output=True, text=True, check=False
    )

    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert 'module.layer["http' in plan.stdout
    assert 'module.function["whoami"]' in plan.stdout
    assert "Traceback" not in plan.stdout + plan.stderr
