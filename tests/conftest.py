"""Shared fixtures: layer folders written as a user would, and a local moto server.

AWS calls go to moto on 127.0.0.1, never to a real account.
"""

from __future__ import annotations

import fcntl
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
HANDLER = "def handle(event, context):\n    return 1\n"
"""The smallest handler a test function needs."""


@dataclass(frozen=True)
class Run:
    """A CLI run as a test reads it: the exit code, stdout, and stderr's lines."""

    code: int
    out: str
    err: list[str]


PROVIDER_PROBE = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.46.0, < 7.0.0" }
  }
}
"""


NEEDS = {"terraform": {"tf_cli", "each_cli"}, "local_aws": {"moto_endpoint", "aws_env"}}
"""Each marker derived from the fixtures a test uses: those here, or any fixture that uses one."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with what its fixtures need, so that no test can forget a mark.

    A test that needs one of these without a fixture (a `make` run, a subprocess) is marked by hand.
    """
    for item in items:
        used = set(getattr(item, "fixturenames", ()))  # the whole closure, through other fixtures
        for marker, fixtures in NEEDS.items():
            if used & fixtures and not item.get_closest_marker(marker):
                item.add_marker(marker)


def without_progress(stderr: str) -> list[str]:
    """The lines of `stderr`, less those that say a lock or a build step is starting."""
    return [
        line
        for line in stderr.splitlines()
        if not (line.startswith(("building layer ", "locking ")) and line.endswith(" \u2026"))
    ]


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


PLUGIN_CACHE_ENV = ("TF_PLUGIN_CACHE_DIR", "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE")


@pytest.fixture(scope="session")
def plugin_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One provider plugin cache (TF_PLUGIN_CACHE_DIR) for every init of the run, in every xdist worker.

    Terraform's cache is not safe for concurrent writers, and it writes to it on every init that
    has no lock file entry yet, unless told it may trust the cache instead. So: each init may use
    the cache without a lock file entry, and a CLI's first init of the run (the provider probe,
    `_ready`) fills it while holding `cache.lock`; every later init only reads from it.
    """
    # Under xdist each worker has its own base temp folder; their parent is the run's.
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "plugin-cache"
    cache.mkdir(exist_ok=True)
    saved = {key: os.environ.get(key) for key in PLUGIN_CACHE_ENV}
    os.environ["TF_PLUGIN_CACHE_DIR"] = str(cache)
    os.environ["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true"
    yield cache
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _ready(cli: str | None, probe: Path, cache: Path) -> str:
    """`cli` (None: terraform, else tofu), once it has installed hashicorp/aws (5.46.0 or later) in `probe`."""
    (probe / "main.tf").write_text(PROVIDER_PROBE, encoding="utf-8")
    try:
        found = find_cli(cli)
        with (cache / "cache.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
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
def tf_cli(tmp_path_factory: pytest.TempPathFactory, plugin_cache: Path) -> str:
    """The CLI make uses (TF=, else terraform, else tofu), once proven to install hashicorp/aws."""
    return _ready(os.environ.get("TF"), tmp_path_factory.mktemp("provider-probe"), plugin_cache)


CLIS: list[str | None] = [cli for cli in ("terraform", "tofu") if shutil.which(cli)]


@pytest.fixture(scope="session", params=CLIS or [None])
def each_cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, plugin_cache: Path) -> str:
    """Terraform and OpenTofu in turn, each that this machine has: the code must work with both."""
    return _ready(request.param, tmp_path_factory.mktemp("provider-probe"), plugin_cache)


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
