"""The root configuration on the oldest provider release its range allows: hashicorp/aws 5.46.0.

The root allows `>= 5.46.0, < 7.0.0`, and the other tests run on whichever release `init`
picks. This one pins 5.46.0 with a `versions_override.tf` in a copy of the root, and shows
that a python3.12-only tree still plans there, while python3.13 fails with the error
docs/terraform.md ("Versions") quotes. Where 5.46.0 cannot be installed, it is skipped,
naming what is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.cli import main
from layerkit.deploy import terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, TerraformError

if TYPE_CHECKING:
    from pathlib import Path

PIN = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.46.0"
    }
  }
}
"""
LAYER = 'description = "tools"\nlicense = "MIT"\nruntimes = {runtimes}\narchitectures = ["x86_64"]\n'
FUNCTION = 'runtime = "{runtime}"\nhandler = "app.handle"\narchitecture = "x86_64"\nlayers = ["tools"]\n'


def pinned_root(tmp_path: Path) -> Path:
    """The root configuration in a folder of its own, with hashicorp/aws pinned to 5.46.0."""
    root = tmp_path / "root"
    root.mkdir()
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "versions_override.tf").write_text(PIN, encoding="utf-8")
    (root / "modules").symlink_to(ROOT / "modules")
    return root


def build(tmp_path: Path, runtimes: list[str], runtime: str) -> BuildDir:
    (tmp_path / "layers/tools/python").mkdir(parents=True, exist_ok=True)
    (tmp_path / "layers/tools/python/tools.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "layers/tools/layer.toml").write_text(
        LAYER.format(runtimes=runtimes).replace("'", '"'), encoding="utf-8"
    )
    (tmp_path / "functions/api/src").mkdir(parents=True, exist_ok=True)
    (tmp_path / "functions/api/src/app.py").write_text("def handle(event, context):\n    return 1\n", encoding="utf-8")
    (tmp_path / "functions/api/function.toml").write_text(FUNCTION.format(runtime=runtime), encoding="utf-8")
    dirs = ["--layers-dir", str(tmp_path / "layers"), "--functions-dir", str(tmp_path / "functions")]
    assert main([*dirs, "build", "--build-dir", str(tmp_path / "build")]) == 0
    return BuildDir(tmp_path / "build")


def test_python312_plans_on_5_46_0_and_python313_is_refused_there(
    tmp_path: Path, moto_endpoint: str, tf_cli: str
) -> None:
    reset(moto_endpoint)
    build_dir = build(tmp_path, ["python3.12"], "python3.12")
    cli = TerraformCli(terraform_root.workspace(pinned_root(tmp_path), tf_cli, build_dir, moto_endpoint))
    try:
        cli.init()
    except TerraformError as exc:
        pytest.skip(f"hashicorp/aws 5.46.0 cannot be installed on this machine, so it is not tested here: {exc}")

    changes, output = cli.plan()
    assert changes, output
    assert 'module.function["api"].aws_lambda_function.this will be created' in output

    build(tmp_path, ["python3.12", "python3.13"], "python3.13")
    with pytest.raises(TerraformError) as caught:
        cli.plan()
    assert "to be one of" in str(caught.value)
    assert "got python3.13" in str(caught.value)
