"""The Makefile for real: `make layers` tracks files, a warm run does nothing, help lists targets."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import LayerFactory

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "make"


def make(*args: str) -> str:
    result = subprocess.run([MAKE, "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_help_lists_the_main_targets() -> None:
    out = make("help")
    for target in ("lock", "layers", "test", "bench", "venv"):
        assert f" {target} " in out


@pytest.mark.parametrize(
    ("target", "variable", "requirements", "made_for"),
    [
        ("venv", "VENV", "requirements-dev.txt", ""),
        ("checkov", "CHECKOV_VENV", "requirements-checkov.txt", " for checkov"),
    ],
)
def test_a_first_run_says_it_creates_the_virtualenv_before_the_quiet_install(
    tmp_path: Path, target: str, variable: str, requirements: str, made_for: str
) -> None:
    """The real recipe, stopped at its second step: VENV_PYTHON=false cannot create the virtualenv."""
    venv = tmp_path / "venv"
    result = subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), target, f"{variable}={venv}", "VENV_PYTHON=false"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"creating {venv} from {requirements}{made_for} (on the first run, and when that file changes; about a minute)",
        f"rm -rf {venv}",
        f"false -m venv {venv}",
    ]


def test_warm_layers_does_nothing_and_a_change_rebuilds(layers: LayerFactory, build_dir: Path) -> None:
    layers.make("one", files={"python/one.py": "A = 1\n"})
    layers.make("two", files={"python/two.py": "B = 1\n"})
    dirs = (
        f"LAYERS_DIR={layers.layers_dir}",
        f"FUNCTIONS_DIR={layers.layers_dir.parent / 'functions'}",
        f"BUILD_DIR={build_dir}",
    )
    assert "built" in make("layers", *dirs)
    assert "Nothing to be done" in make("layers", *dirs)

    (layers.layers_dir / "two/python/extra.py").write_text("C = 1\n", encoding="utf-8")
    out = make("layers", *dirs)
    assert "up to date" in out
    assert "built" in out.replace("up to date", "")
    (layers.layers_dir / "two/python/extra.py").unlink()
    assert "layerkit" in make("layers", *dirs), "deleting a file must rebuild too"


@pytest.mark.network
def test_shipped_layers_are_locked_and_build(build_dir: Path) -> None:
    make("layers", f"BUILD_DIR={build_dir}")
    artifacts = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["artifacts"]
    keys = [a["key"] for a in artifacts]
    assert keys == ["aws_helpers-arm64", "aws_helpers-x86_64", "boto3-arm64", "boto3-x86_64"]
    assert all(a["runtimes"] == ["python3.12", "python3.13", "python3.14"] for a in artifacts)
