"""The root configuration, applied for real: real builds, the real CLI and provider, the local AWS over HTTP.

One project (a copy of the shipped layers and functions, with sharing and a second
function added) is applied once and then changed step by step, in file order.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import zipfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.builder.manifest import FORMAT
from layerkit.cli import main
from layerkit.deploy import local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, TerraformError
from python_terraform import IsFlagged

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from mypy_boto3_lambda import LambdaClient

pytestmark = pytest.mark.network

GRANTEES = {
    "account-111111111111": {"AWS": "arn:aws:iam::111111111111:root"},
    "account-222222222222": {"AWS": "arn:aws:iam::222222222222:root"},
    "organization-o-a1b2c3d4e5": "*",
}
SHARE = '\n[share]\naccounts = ["111111111111", "222222222222"]\norganization = "o-a1b2c3d4e5"\n'
SOLO = 'runtime = "python3.12"\nhandler = "handler.handle"\narchitecture = "x86_64"\nlayers = ["boto3"]\n'


@dataclass
class Project:
    """A copy of the shipped layers and functions, built and applied to the local AWS."""

    directory: Path
    endpoint: str
    terraform: TerraformCli
    aws: LambdaClient

    @property
    def build_dir(self) -> Path:
        return self.directory / "build"

    def build(self) -> None:
        build(self.directory)

    def changes(self) -> dict[str, list[str]]:
        """The next plan's changed resources and their actions (no-ops left out)."""
        plan_file = self.directory / "tfplan"
        self.terraform.plan(out=str(plan_file))
        shown = json.loads(self.terraform.run("show", str(plan_file), json=IsFlagged))
        return {
            change["address"]: change["change"]["actions"]
            for change in shown.get("resource_changes", [])
            if change["change"]["actions"] not in (["no-op"], ["read"])
        }

    def policy(self, layer: str, version: int) -> dict[str, Any]:
        statements = json.loads(self.aws.get_layer_version_policy(LayerName=layer, VersionNumber=version)["Policy"])
        return {s["Sid"]: s["Principal"] for s in statements["Statement"]}


def build(directory: Path) -> None:
    """`make layers` for a project folder holding layers/ and functions/, into its build/."""
    dirs = ["--layers-dir", str(directory / "layers"), "--functions-dir", str(directory / "functions")]
    assert main([*dirs, "build", "--build-dir", str(directory / "build")]) == 0


def lambda_client(endpoint: str) -> LambdaClient:
    return boto3.client("lambda", **local_aws.client_options(endpoint))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, tf_cli: str) -> Iterator[Project]:
    reset(moto_endpoint)
    directory = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "layers", directory / "layers")
    shutil.copytree(ROOT / "functions", directory / "functions")
    with (directory / "layers/aws_helpers/layer.toml").open("a", encoding="utf-8") as toml:
        toml.write(SHARE)
    solo = directory / "functions/solo"
    shutil.copytree(ROOT / "functions/hub/src", solo / "src")
    (solo / "function.toml").write_text(SOLO, encoding="utf-8")
    build(directory)
    space = terraform_root.workspace(
        ROOT, tf_cli, BuildDir(directory / "build"), moto_endpoint, local_dir=directory / "terraform"
    )
    terraform = TerraformCli(space)
    terraform.init()
    terraform.apply(auto_approve=True)
    yield Project(directory, moto_endpoint, terraform, lambda_client(moto_endpoint))
    reset(moto_endpoint)


def test_each_distinct_zip_is_one_version_and_functions_attach_them_in_merge_order(project: Project) -> None:
    outputs = project.terraform.output()
    versions = outputs["layer_versions"]
    assert sorted(versions) == ["aws_helpers", "boto3"]
    for key, version in versions.items():
        assert version["arn"] == f"arn:aws:lambda:us-east-1:123456789012:layer:{key}:1"
        assert sorted(version["architectures"]) == ["arm64", "x86_64"]
    hub = project.aws.get_function(FunctionName="hub")["Configuration"]
    assert [layer["Arn"] for layer in hub["Layers"]] == [versions["boto3"]["arn"], versions["aws_helpers"]["arn"]]
    assert outputs["functions"]["hub"]["layers"] == [versions["boto3"]["arn"], versions["aws_helpers"]["arn"]]
    assert hub["Runtime"] == "python3.13"
    assert hub["Environment"]["Variables"]["SPOKE_ACCOUNT_IDS"] == "111111111111,222222222222"


def test_a_second_plan_has_no_changes(project: Project) -> None:
    changes, output = project.terraform.plan()
    assert not changes, output


def test_each_role_has_exactly_its_function_toml_statements(project: Project) -> None:
    iam = boto3.client("iam", **local_aws.client_options(project.endpoint))
    document = cast("dict[str, Any]", iam.get_role_policy(RoleName="hub", PolicyName="permissions")["PolicyDocument"])
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] in ("sts:AssumeRole", ["sts:AssumeRole"])  # one action renders as a string
    assert sorted(statement["Resource"]) == [
        f"arn:aws:iam::{spoke}:role/OrganizationAccountAccessRole" for spoke in ("111111111111", "222222222222")
    ]
    assert "Condition" not in statement
    assert iam.list_role_policies(RoleName="solo")["PolicyNames"] == [], "solo declares no [[permissions]]"
    for role in ("hub", "solo"):
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert [a["PolicyName"] for a in attached] == ["AWSLambdaBasicExecutionRole"]


def test_the_policy_names_exactly_the_declared_grantees(project: Project) -> None:
    assert project.policy("aws_helpers", 1) == GRANTEES
    with pytest.raises(project.aws.exceptions.ResourceNotFoundException):
        project.aws.get_layer_version_policy(LayerName="boto3", VersionNumber=1)


def test_a_changed_layer_gets_a_new_version_and_only_its_functions_change(project: Project) -> None:
    source = project.directory / "layers/aws_helpers/python/aws_helpers/__init__.py"
    source.write_text(source.read_text(encoding="utf-8") + "\nRELEASE = 2\n", encoding="utf-8")
    project.build()
    solo_before = project.aws.get_function(FunctionName="solo")["Configuration"]

    changes = project.changes()

    layer = 'module.layer["aws_helpers"]'
    assert changes == {
        f"{layer}.aws_lambda_layer_version.this": ["delete", "create"],
        **{f'{layer}.aws_lambda_layer_version_permission.this["{sid}"]': ["delete", "create"] for sid in GRANTEES},
        'module.function["hub"].aws_lambda_function.this': ["update"],
        # The update publishes the hub's version 2, and its alias live moves to it.
        'module.function["hub"].aws_lambda_alias.live[0]': ["update"],
    }
    project.terraform.apply(auto_approve=True)
    listed = project.aws.list_layer_versions(LayerName="aws_helpers")["LayerVersions"]
    assert sorted(v["Version"] for v in listed) == [1, 2], "the old version must still exist"
    hub = project.aws.get_function(FunctionName="hub")["Configuration"]
    assert hub["Layers"][1]["Arn"].endswith(":layer:aws_helpers:2")
    assert project.aws.get_function(FunctionName="solo")["Configuration"] == solo_before
    assert project.policy("aws_helpers", 2) == GRANTEES
    assert not project.terraform.plan()[0]


def test_revoking_a_grantee_publishes_a_version_without_it(project: Project) -> None:
    toml = project.directory / "layers/aws_helpers/layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(', "222222222222"', ""), encoding="utf-8")
    project.build()

    project.terraform.apply(auto_approve=True)

    kept = {sid: p for sid, p in GRANTEES.items() if sid != "account-222222222222"}
    assert project.policy("aws_helpers", 3) == kept
    assert project.policy("aws_helpers", 2) == GRANTEES, "an older version keeps the grants it was published with"
    assert not project.terraform.plan()[0]


def test_a_grant_removed_outside_terraform_fails_the_plan_until_replaced(project: Project) -> None:
    org = "organization-o-a1b2c3d4e5"
    project.aws.remove_layer_version_permission(LayerName="aws_helpers", VersionNumber=3, StatementId=org)

    with pytest.raises(TerraformError) as caught:
        project.terraform.plan()
    assert f"Layer aws_helpers version 3: its policy has no statement {org} for o-a1b2c3d4e5" in str(caught.value)

    address = f'module.layer["aws_helpers"].aws_lambda_layer_version_permission.this["{org}"]'
    project.terraform.apply(auto_approve=True, replace=address)
    assert org in project.policy("aws_helpers", 3)
    assert not project.terraform.plan()[0]


def snapshot(aws: LambdaClient) -> dict[str, Any]:
    """Everything the local AWS holds for layers and functions."""
    layers = {
        layer["LayerName"]: [
            v["Version"] for v in aws.list_layer_versions(LayerName=layer["LayerName"])["LayerVersions"]
        ]
        for layer in aws.list_layers()["Layers"]
    }
    functions = {f["FunctionName"]: f for f in aws.list_functions()["Functions"]}
    return {"layers": layers, "functions": functions}


def edited_build(project: Project, tmp_path: Path, edit: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Path:
    """A copy of the project's build folder with its manifest edited (None: no manifest at all)."""
    copy = tmp_path / "build"
    shutil.copytree(project.build_dir, copy)
    path = copy / "manifest.json"
    edited = edit(json.loads(path.read_text(encoding="utf-8")))
    if edited is None:
        path.unlink()
    else:
        path.write_text(json.dumps(edited), encoding="utf-8")
    return copy


def no_manifest(_: dict[str, Any]) -> None:
    return None


def newer_format(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "format": data["format"] + 1}


def unknown_layer(data: dict[str, Any]) -> dict[str, Any]:
    for function in data["functions"]:
        function["layers"].append({"artifact": "ghost-x86_64", "layer": "ghost", "arn": None})
    return data


def without_boto3(data: dict[str, Any]) -> dict[str, Any]:
    (hub,) = [f for f in data["functions"] if f["name"] == "hub"]
    hub["layers"] = [layer for layer in hub["layers"] if layer["layer"] != "boto3"]
    return data


@pytest.mark.parametrize(
    ("edit", "cli_error", "terraform_error"),
    [
        (no_manifest, "manifest.json: missing; run 'make layers'", "manifest.json is missing; run 'make layers'"),
        (
            newer_format,
            (
                f"manifest format {FORMAT + 1} was written by a newer layerkit; this checkout reads format {FORMAT}: "
                "update the checkout"
            ),
            (
                f"is in manifest format {FORMAT + 1}, but this configuration reads format {FORMAT}; a newer layerkit "
                "wrote it: update this"
            ),
        ),
        (
            unknown_layer,
            None,
            (
                "function hub attaches ghost-x86_64; function solo attaches ghost-x86_64, which the manifest "
                "does not publish; run 'make layers'"
            ),
        ),
        (
            without_boto3,
            None,
            "function hub attaches aws_helpers without boto3, which it requires; attach them too",
        ),
    ],
    ids=["no-manifest", "newer-format", "unknown-layer", "required-layer-missing"],
)
def test_bad_manifest_is_one_line_and_changes_nothing(  # noqa: PLR0913, PLR0917 -- fixtures and one case
    project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, Any]], dict[str, Any] | None],
    cli_error: str | None,
    terraform_error: str,
) -> None:
    before = snapshot(project.aws)
    build_dir = edited_build(project, tmp_path, edit)

    if cli_error:
        assert main(["plan", "--build-dir", str(build_dir), "--endpoint", project.endpoint]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1
        assert err[0].startswith("error: ")
        assert cli_error in err[0]

    # Terraform run directly, without the CLI's checks, refuses the same manifest at plan time.
    space = project.terraform.workspace
    variables = {**space.variables, "manifest_path": str(build_dir / "manifest.json")}
    with pytest.raises(TerraformError) as caught:
        TerraformCli(replace(space, variables=variables)).apply(auto_approve=True)
    assert terraform_error in str(caught.value)
    assert "\n" not in str(caught.value)
    assert snapshot(project.aws) == before


def test_an_endpoint_that_is_not_listening_is_one_line(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code = main(
        ["apply", "--auto-approve", "--build-dir", str(project.build_dir), "--endpoint", f"http://127.0.0.1:{port}"]
    )
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: endpoint http://127.0.0.1:{port}: nothing is listening (Connection refused); start the local AWS "
        "with 'make local-aws', or leave the endpoint out to use AWS itself\n"
    )


def vendor_layer(aws: LambdaClient, name: str) -> str:
    """A layer another team published (not built here): its version ARN."""
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("python/vendor_tools.py", "VERSION = 1\n")
    return aws.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": content.getvalue()},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=["x86_64"],
    )["LayerVersionArn"]


def add_function(project: Project, name: str, layers: list[str], architecture: str = "x86_64") -> None:
    directory = project.directory / "functions" / name
    shutil.copytree(ROOT / "functions/hub/src", directory / "src", dirs_exist_ok=True)
    (directory / "function.toml").write_text(
        f'runtime = "python3.12"\nhandler = "handler.handle"\narchitecture = "{architecture}"\nlayers = {layers!r}\n',
        encoding="utf-8",
    )
    project.build()


def test_a_layer_published_elsewhere_is_checked_at_plan_time_and_attached(project: Project) -> None:
    arn = vendor_layer(project.aws, "vendor-tools")
    add_function(project, "vendor", ["boto3", arn])

    project.terraform.apply(auto_approve=True)

    attached = project.aws.get_function(FunctionName="vendor")["Configuration"]["Layers"]
    assert [layer["Arn"] for layer in attached] == ["arn:aws:lambda:us-east-1:123456789012:layer:boto3:1", arn]
    assert not project.terraform.plan()[0]


def test_a_layer_published_elsewhere_must_exist_and_suit_the_function(project: Project) -> None:
    arn = vendor_layer(project.aws, "vendor-x86-only")
    add_function(project, "vendor", ["boto3", arn], architecture="arm64")
    with pytest.raises(TerraformError) as caught:
        project.terraform.plan()
    assert (
        "Function vendor runs python3.12 on arm64, but these layers do not declare both: layer 2 (vendor-x86-only); "
        "attach a version built for them, or change the function's runtime or architecture."
    ) in str(caught.value)

    missing = f"{arn.rsplit(':', 1)[0]}:99"
    add_function(project, "vendor", ["boto3", missing])
    with pytest.raises(TerraformError) as caught:
        project.terraform.plan()
    assert "vendor-x86-only" in str(caught.value)
