"""Regions: declared once, built once, and each region published and planned in its own state.

The build's checks run the real CLI on layer and function folders. The rest runs the real CLI,
Terraform and provider against the local AWS, which serves every region at one endpoint.
"""

from __future__ import annotations

import fcntl
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from conftest import HANDLER, ROOT, reset, without_progress
from layerkit.build_dir import BuildDir
from layerkit.cli import main
from layerkit.deploy import local_aws, region_move, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli

if TYPE_CHECKING:
    from pathlib import Path

REGIONS = 'default = ["us-east-1", "eu-west-1"]\n'
FUNCTION = 'runtime = "python3.12"\nhandler = "handler.handle"\narchitecture = "x86_64"\nlayers = ["tools"]\n'
ACCOUNT = "123456789012"


def project(directory: Path, regions: str | None = REGIONS, layer_toml: str = "", function_toml: str = "") -> Path:
    """A project folder: one pure-Python layer `tools`, one function `api` attaching it, and regions.toml."""
    layer = directory / "layers" / "tools"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "tools.py").write_text("NAME = 'tools'\n", encoding="utf-8")
    (layer / "layer.toml").write_text(
        'description = "tools"\nlicense = "MIT"\nruntimes = ["python3.12", "python3.13"]\n'
        f'architectures = ["x86_64"]\n{layer_toml}',
        encoding="utf-8",
    )
    function = directory / "functions" / "api"
    (function / "src").mkdir(parents=True)
    (function / "src" / "handler.py").write_text(HANDLER, encoding="utf-8")
    (function / "function.toml").write_text(function_toml + FUNCTION, encoding="utf-8")
    if regions is not None:
        (directory / "regions.toml").write_text(regions, encoding="utf-8")
    return directory


def layerkit(directory: Path, *arguments: str) -> list[str]:
    dirs = ["--layers-dir", str(directory / "layers"), "--functions-dir", str(directory / "functions")]
    return [*dirs, *arguments]


def build(directory: Path) -> int:
    return main(layerkit(directory, "build", "--build-dir", str(directory / "build")))


def manifest(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "build" / "manifest.json").read_text(encoding="utf-8"))
    return data


def test_the_manifest_says_where_each_zip_goes_and_names_each_region_s_role(tmp_path: Path) -> None:
    directory = project(tmp_path, function_toml='regions = ["eu-west-1", "us-east-1"]\n')

    assert build(directory) == 0

    data = manifest(directory)
    assert data["regions"] == ["eu-west-1", "us-east-1"]
    (version,) = data["layer_versions"]
    assert version["regions"] == ["us-east-1", "eu-west-1"]
    (api,) = data["functions"]
    assert api["regions"] == ["eu-west-1", "us-east-1"]
    # Named as the function in its first region, apart in the other: IAM names are global.
    assert api["role_names"] == {"eu-west-1": "api", "us-east-1": "api-us-east-1"}


def test_a_project_without_regions_toml_has_none(tmp_path: Path) -> None:
    directory = project(tmp_path, regions=None)

    assert build(directory) == 0

    data = manifest(directory)
    assert data["regions"] is None
    assert [v["regions"] for v in data["layer_versions"]] == [None]
    assert [(f["regions"], f["role_names"]) for f in data["functions"]] == [(None, None)]


BAD = {
    "unknown-region": (
        'default = ["eu-west-9"]\n',
        "",
        "",
        "regions.toml: default: 'eu-west-9' is not an AWS region that has Lambda; did you mean eu-west-1?",
    ),
    "no-dash": (
        'default = ["us-east1"]\n',
        "",
        "",
        "regions.toml: default: 'us-east1' is not an AWS region that has Lambda; did you mean us-east-1?",
    ),
    "twice": (
        'default = ["us-east-1", "eu-west-1", "us-east-1"]\n',
        "",
        "",
        "regions.toml: default lists us-east-1 twice; list each region once",
    ),
    "regions-without-a-default": (
        None,
        'regions = ["eu-west-1"]\n',
        "",
        (
            "layer tools: {dir}/layers/tools/layer.toml: regions is set, but the project declares no regions; list "
            "the regions every layer and function uses in regions.toml beside the layers folder, e.g. "
            'default = ["us-east-1"], then override them here'
        ),
    ),
    "function-where-its-layer-is-not": (
        REGIONS,
        'regions = ["us-east-1"]\n',
        'regions = ["us-east-1", "eu-west-1"]\n',
        (
            "function api: {dir}/functions/api/function.toml: runs in eu-west-1, but its layer tools is not "
            "published there ({dir}/layers/tools/layer.toml has us-east-1); add eu-west-1 to that layer's regions, "
            "or take it out of the function's"
        ),
    ),
}


@pytest.mark.parametrize(("regions", "layer_toml", "function_toml", "expected"), BAD.values(), ids=list(BAD))
def test_each_bad_region_is_one_line_and_writes_nothing(  # noqa: PLR0913, PLR0917 -- fixtures and one case
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    regions: str | None,
    layer_toml: str,
    function_toml: str,
    expected: str,
) -> None:
    directory = project(tmp_path, regions, layer_toml, function_toml)

    code = build(directory)

    assert code == 1
    where = str(directory / "regions.toml")
    assert without_progress(capsys.readouterr().err) == [
        f"error: {expected.replace('regions.toml:', f'{where}:', 1).format(dir=directory)}"
    ]
    assert not (directory / "build" / "manifest.json").exists()


def test_a_layer_of_another_region_is_refused_for_a_function_in_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:vendor:3"
    directory = project(tmp_path)
    toml = directory / "functions" / "api" / "function.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('["tools"]', f'["tools", "{arn}"]'), encoding="utf-8")

    assert build(directory) == 1

    (line,) = without_progress(capsys.readouterr().err)
    assert line.endswith(
        f"runs in eu-west-1, but its layer {arn} is in us-east-1, and Lambda attaches only layers of the "
        'function\'s own region; list regions = ["us-east-1"] for it, or attach a layer built here'
    )


@dataclass(frozen=True)
class Applied:
    """A two-region project, applied to the local AWS by `make apply`'s CLI."""

    directory: Path
    endpoint: str
    cli: str

    def run(self, command: str, *arguments: str) -> int:
        build_dir = str(self.directory / "build")
        base = [command, "--build-dir", build_dir, "--tf", self.cli, "--endpoint", self.endpoint]
        return main(layerkit(self.directory, *base, *arguments))

    def terraform(self, region: str) -> TerraformCli:
        space = terraform_root.workspace(ROOT, self.cli, BuildDir(self.directory / "build"), self.endpoint)
        return TerraformCli(terraform_root.in_region(space, region))


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, tf_cli: str) -> Applied:
    reset(moto_endpoint)
    directory = project(tmp_path_factory.mktemp("regions"))
    assert build(directory) == 0
    done = Applied(directory, moto_endpoint, tf_cli)
    assert done.run("apply", "--auto-approve") == 0
    return done


def test_each_region_publishes_its_own_versions_and_attaches_them(applied: Applied) -> None:
    for region, role in (("us-east-1", "api"), ("eu-west-1", "api-eu-west-1")):
        outputs = applied.terraform(region).output()
        assert outputs["region"] == region
        assert outputs["layer_versions"]["tools"]["arn"] == f"arn:aws:lambda:{region}:{ACCOUNT}:layer:tools:1"
        assert outputs["functions"]["api"]["role"] == f"arn:aws:iam::{ACCOUNT}:role/{role}"
        aws = boto3.client("lambda", **{**local_aws.client_options(applied.endpoint), "region_name": region})
        layers = aws.get_function(FunctionName="api")["Configuration"]["Layers"]
        assert [layer["Arn"] for layer in layers] == [f"arn:aws:lambda:{region}:{ACCOUNT}:layer:tools:1"]


def test_a_second_plan_of_every_region_has_no_changes(applied: Applied, capsys: pytest.CaptureFixture[str]) -> None:
    assert applied.run("plan") == 0

    out = capsys.readouterr().out
    assert out.endswith("eu-west-1: unchanged\nus-east-1: unchanged\n")
    assert "--- eu-west-1 ---\n" in out
    assert "--- us-east-1 ---\n" in out


def test_a_held_lock_fails_its_region_alone(applied: Applied, capsys: pytest.CaptureFixture[str]) -> None:
    state = applied.directory / "build" / "local-aws" / "terraform.tfstate.d" / "us-east-1" / "terraform.tfstate"
    with state.open("r+") as held:
        fcntl.lockf(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another apply in that region would
        code = applied.run("apply", "--auto-approve")

    captured = capsys.readouterr()
    assert code == 1
    lines = captured.out.splitlines()
    assert lines[0] == "eu-west-1: unchanged"
    assert lines[1].startswith(f"us-east-1: failed ({applied.cli} apply failed: Error acquiring the state lock")
    assert without_progress(captured.err)[-1] == (
        "error: 1 of 2 regions failed (us-east-1); the others went on, and each failure's reason is above"
    )


def test_a_region_nothing_is_declared_for_is_refused(applied: Applied, capsys: pytest.CaptureFixture[str]) -> None:
    assert applied.run("plan", "--region", "eu-west-2") == 1

    assert without_progress(capsys.readouterr().err) == [
        (
            "error: --region eu-west-2: nothing is declared for it; did you mean eu-west-1? declared (regions.toml, "
            "layer.toml, function.toml): eu-west-1, us-east-1"
        )
    ]


def test_apply_asks_once_for_every_region_and_applies_the_plans_it_showed(
    applied: Applied, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = applied.directory / "layers" / "tools" / "python" / "tools.py"
    tools.write_text("NAME = 'tools, again'\n", encoding="utf-8")
    assert build(applied.directory) == 0
    capsys.readouterr()

    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    assert applied.run("apply") == 1
    declined = capsys.readouterr()
    assert "\nApply the plans above to 2 regions?\n" in declined.out
    assert without_progress(declined.err)[-1] == "error: apply cancelled: nothing was changed in any region"
    assert applied.terraform("eu-west-1").output()["layer_versions"]["tools"]["version"] == 1

    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert applied.run("apply") == 0
    out = capsys.readouterr().out
    assert out.count("Apply the plans above to 2 regions?") == 1
    assert out.endswith(
        "eu-west-1: applied (1 added, 2 changed, 1 destroyed)\nus-east-1: applied (1 added, 2 changed, 1 destroyed)\n"
    ), out
    for region in ("eu-west-1", "us-east-1"):
        assert applied.terraform(region).output()["layer_versions"]["tools"]["version"] == 2
    assert not list((applied.directory / "build" / "plans").iterdir())  # each saved plan, once applied, is gone


def test_prune_lists_each_region_s_versions_apart(applied: Applied, capsys: pytest.CaptureFixture[str]) -> None:
    assert applied.run("prune", "--keep", "0") == 0  # after the test above: two versions in each region

    out = capsys.readouterr().out
    sections = dict(zip(*[iter(re.split(r"^--- (\S+) ---$", out, flags=re.MULTILINE)[1:])] * 2, strict=True))
    assert sorted(sections) == ["eu-west-1", "us-east-1"]
    for listing in sections.values():
        # Each region's own versions, each kept by that region's function versions.
        assert re.search(r"^  tools +2 .* keep: attached to api:\$LATEST, api:2$", listing, flags=re.MULTILINE), listing
        assert re.search(r"^  tools +1 .* keep: attached to api:1$", listing, flags=re.MULTILINE), listing
        assert listing.endswith("0 of 2 layer versions are unused; YES=1 (--yes) deletes them\n")


def test_one_region_to_two_moves_the_state_and_keeps_the_first_as_it_was(
    tmp_path: Path, moto_endpoint: str, tf_cli: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # capfd: a project of one region streams the CLI's own output, as make apply does.
    reset(moto_endpoint)
    directory = project(tmp_path, regions=None)
    assert build(directory) == 0
    single = Applied(directory, moto_endpoint, tf_cli)
    assert single.run("apply", "--auto-approve") == 0
    capfd.readouterr()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TF_VAR_region", "eu-west-1")  # what a region changed in terraform.tfvars does
        assert single.run("plan") == 0
    assert capfd.readouterr().err.startswith(
        "warning: the state is in us-east-1, and region is now eu-west-1: this plan moves everything, so what is "
        "in us-east-1 is destroyed or left behind outside any state, and made again in eu-west-1; "
    )
    (directory / "regions.toml").write_text(REGIONS, encoding="utf-8")
    assert build(directory) == 0
    capfd.readouterr()

    assert single.run("plan") == 1
    (refusal,) = without_progress(capfd.readouterr().err)
    assert refusal.startswith("error: the default workspace still holds the state of the one region")
    assert "make move-state REGION=<that region>" in refusal

    assert single.run("move-state", "--region", "eu-west-1") == 1
    assert without_progress(capfd.readouterr().err) == [
        "error: --region eu-west-1: the default workspace's resources are in us-east-1; name that region"
    ]
    assert single.run("move-state", "--region", "us-east-1") == 0
    capfd.readouterr()

    assert single.run("plan") == 0
    out = capfd.readouterr().out
    assert out.endswith("eu-west-1: planned (7 to add, 0 to change, 0 to destroy)\nus-east-1: unchanged\n"), out


def test_the_configured_region_is_taken_as_terraform_takes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "variables.tf").write_text('variable "region" {\n  default = "us-east-1"\n}\n', encoding="utf-8")
    monkeypatch.delenv("TF_VAR_region", raising=False)
    assert region_move.configured_region(tmp_path) == "us-east-1"
    monkeypatch.setenv("TF_VAR_region", "us-west-2")
    assert region_move.configured_region(tmp_path) == "us-west-2"
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\n', encoding="utf-8")
    assert region_move.configured_region(tmp_path) == "eu-west-1"
    (tmp_path / "b.auto.tfvars.json").write_text('{"region": "ap-south-1"}', encoding="utf-8")
    (tmp_path / "a.auto.tfvars").write_text('region = "eu-central-1"\n', encoding="utf-8")
    assert region_move.configured_region(tmp_path) == "ap-south-1"
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1', encoding="utf-8")
    assert region_move.configured_region(tmp_path) is None  # Terraform refuses that file itself
