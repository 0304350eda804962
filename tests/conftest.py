"""Shared fixtures: layer folders written as a user would, and a local moto server.

AWS calls go to moto on 127.0.0.1, never to a real account.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from layerkit.deploy import local_aws
from layerkit.deploy.terraform_cli import TerraformCli, Workspace, find_cli
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_PROBE = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.46.0, < 7.0.0" }
  }
}
"""


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The project's local AWS (moto in server mode) on a free port of 127.0.0.1, for the whole session."""
    with local_aws.running() as endpoint:
        yield endpoint


reset = local_aws.reset


def _unavailable(message: str) -> NoReturn:
    """A missing toolchain fails CI loudly, and skips elsewhere with how to install it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs the Terraform toolchain: {message}", pytrace=False)
    pytest.skip(message)


def _ready(cli: str | None, probe: Path) -> str:
    """`cli` (None: terraform, else tofu), once it has installed hashicorp/aws (5.46.0 or later) in `probe`."""
    (probe / "main.tf").write_text(PROVIDER_PROBE, encoding="utf-8")
    try:
        found = find_cli(cli)
        TerraformCli(Workspace(root=probe, cli=found, data_dir=probe / ".data")).init()
    except LayerError as exc:
        problem = (
            f"{exc}; tests marked terraform need the CLI and hashicorp/aws 5.46.0 or later "
            "(see docs/terraform.md, 'Versions')"
        )
    else:
        return found
    _unavailable(problem)


@pytest.fixture(scope="session")
def tf_cli(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The CLI make uses (TF=, else terraform, else tofu), once proven to install hashicorp/aws."""
    return _ready(os.environ.get("TF"), tmp_path_factory.mktemp("provider-probe"))


CLIS: list[str | None] = [cli for cli in ("terraform", "tofu") if shutil.which(cli)]


@pytest.fixture(scope="session", params=CLIS or [None])
def each_cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Terraform and OpenTofu in turn, each that this machine has: the code must work with both."""
    return _ready(request.param, tmp_path_factory.mktemp("provider-probe"))


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Use fake credentials, reset moto's state and return the endpoint URL."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    reset(moto_endpoint)
    return moto_endpoint


@dataclass(frozen=True)
class LayerFactory:
    """Writes layer folders under a temporary `layers/`, as a user would."""

    layers_dir: Path

    def make(  # noqa: PLR0913 -- one argument per part of a layer folder
        self,
        name: str,
        *,
        requirements: str | None = None,
        files: dict[str, str] | None = None,
        runtimes: tuple[str, ...] = ("python3.12",),
        architectures: tuple[str, ...] = ("x86_64",),
        extra_toml: str = "",
    ) -> Path:
        directory = self.layers_dir / name
        directory.mkdir(parents=True)
        (directory / "layer.toml").write_text(
            f'description = "test layer {name}"\nlicense = "MIT"\n'
            f"runtimes = {list(runtimes)!r}\narchitectures = {list(architectures)!r}\n{extra_toml}",
            encoding="utf-8",
        )
        if requirements is not None:
            (directory / "requirements.in").write_text(requirements, encoding="utf-8")
        for relative, text in (files or {}).items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return directory


@pytest.fixture
def layers(tmp_path: Path) -> LayerFactory:
    return LayerFactory(tmp_path / "layers")


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return tmp_path / "build"
