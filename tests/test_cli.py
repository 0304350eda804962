"""The CLI boundary: one `error:` line on stderr and exit code 1, output only on success."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from layerkit.cli import main

if TYPE_CHECKING:
    import pytest
    from conftest import LayerFactory

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def test_build_error_is_one_line_and_exit_1(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    layers.make("broken", requirements="six==1.17.0\n")
    code = main(
        [
            "--layers-dir",
            str(layers.layers_dir),
            "--functions-dir",
            str(layers.layers_dir.parent / "functions"),
            "build",
            "--build-dir",
            str(build_dir),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    errors = captured.err.splitlines()
    assert errors[0] == (
        f"error: layer broken: {layers.layers_dir}/broken/requirements.txt: missing for python3.12-x86_64; "
        "run 'make lock'"
    )
    assert errors[1].startswith("error: 1 artifact(s) failed;")
    assert not (build_dir / "manifest.json").exists()


def test_build_success_reports_each_artifact(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    args = [
        "--layers-dir",
        str(layers.layers_dir),
        "--functions-dir",
        str(layers.layers_dir.parent / "functions"),
        "build",
        "--build-dir",
        str(build_dir),
    ]
    assert main(args) == 0
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "built"
    assert out[2].split()[:3] == ["up", "to", "date"]
    assert (build_dir / "manifest.json").is_file()


def test_lock_unknown_layer(layers: LayerFactory, capsys: pytest.CaptureFixture[str]) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    assert (
        main(
            [
                "--layers-dir",
                str(layers.layers_dir),
                "--functions-dir",
                str(layers.layers_dir.parent / "functions"),
                "lock",
                "nope",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == "error: no layer named nope; layers: ok\n"


def test_lock_mistyped_layers_get_the_nearest_names(layers: LayerFactory, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("boto3", "http", "aws_helpers"):
        layers.make(name, files={f"python/{name}.py": "A = 1\n"})
    dirs = ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(layers.layers_dir.parent / "functions")]

    assert main([*dirs, "lock", "htp"]) == 1
    assert capsys.readouterr().err == "error: no layer named htp; did you mean http? layers: aws_helpers, boto3, http\n"

    assert main([*dirs, "lock", "boto", "http", "nope", "aws-helpers"]) == 1
    assert capsys.readouterr().err == (
        "error: no layer named aws-helpers, boto, nope; did you mean aws_helpers for aws-helpers, boto3 for boto? "
        "layers: aws_helpers, boto3, http\n"
    )


def test_a_missing_terraform_cli_is_one_line_that_says_what_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "apply", "demo"):
        assert main([command, "--tf", "no-such-terraform"]) == 1
        assert capsys.readouterr().err == (
            "error: no-such-terraform: not found on PATH; install Terraform >= 1.5 or OpenTofu >= 1.8 and put it "
            "on PATH (see docs/terraform.md, 'Versions')\n"
        )


def test_terraform_tests_fail_in_ci_and_skip_elsewhere_without_the_cli(tmp_path: Path) -> None:
    """The toolchain fixture, run in a pytest of its own with a CLI that does not exist."""
    test = tmp_path / "test_needs_terraform.py"
    test.write_text("def test_it(tf_cli):\n    pass\n", encoding="utf-8")
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(test)]
    for ci, outcome in (("true", "1 error"), ("", "1 skipped")):
        env = {**os.environ, "TF": "no-such-terraform", "CI": ci, "PYTHONPATH": str(SCRIPTS)}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
        assert outcome in result.stdout, result.stdout
        assert "no-such-terraform: not found on PATH; install Terraform >= 1.5 or OpenTofu >= 1.8" in result.stdout
