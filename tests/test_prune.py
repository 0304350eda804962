"""`make prune` on the local AWS: it deletes exactly the versions nothing uses, and only when told to."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.cli import main
from layerkit.deploy import local_aws, prune, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import FunctionCodeTypeDef

LAYER = 'description = "tools"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n'
TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'  # noqa: E501


@dataclass(frozen=True)
class Account:
    """The local AWS after the scenario: 6 versions of `tools`, 2 attached, 1 shared, 1 in Terraform's state."""

    endpoint: str
    build_dir: Path
    aws: LambdaClient
    tf_cli: str

    def versions(self) -> list[int]:
        return sorted(int(v["Version"]) for v in self.aws.list_layer_versions(LayerName="tools")["LayerVersions"])

    def prune(self, *args: str) -> int:
        command = ["prune", "--build-dir", str(self.build_dir), "--endpoint", self.endpoint, "--tf", self.tf_cli]
        return main([*command, *args])


def zip_bytes(text: str) -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("python/tools.py", text)
    return content.getvalue()


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, tf_cli: str) -> Account:
    """One scenario for the whole module: each test but the last deletes nothing, and checks that it did not."""
    tmp_path = tmp_path_factory.mktemp("prune")
    reset(moto_endpoint)
    aws = terraform_root.lambda_client(
        terraform_root.workspace(ROOT, tf_cli, BuildDir(tmp_path / "build"), moto_endpoint), region="us-east-1"
    )
    for n in range(1, 6):  # versions 1 to 5: the layer's history, published before this state existed
        aws.publish_layer_version(LayerName="tools", Content={"ZipFile": zip_bytes(f"V = {n}\n")})
    (tmp_path / "layers/tools/python").mkdir(parents=True)
    (tmp_path / "layers/tools/python/tools.py").write_text("V = 6\n", encoding="utf-8")
    (tmp_path / "layers/tools/layer.toml").write_text(LAYER, encoding="utf-8")
    dirs = ["--layers-dir", str(tmp_path / "layers"), "--functions-dir", str(tmp_path / "functions")]
    assert main([*dirs, "build", "--build-dir", str(tmp_path / "build")]) == 0
    apply = ["apply", "--auto-approve", "--build-dir", str(tmp_path / "build"), "--endpoint", moto_endpoint]
    assert main([*apply, "--tf", tf_cli]) == 0

    role = boto3.client("iam", **local_aws.client_options(moto_endpoint)).create_role(
        RoleName="fn", AssumeRolePolicyDocument=TRUST
    )["Role"]["Arn"]
    code: FunctionCodeTypeDef = {"ZipFile": zip_bytes("")}
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:tools:{}"
    aws.create_function(
        FunctionName="a", Runtime="python3.12", Role=role, Handler="h.h", Code=code, Layers=[arn.format(1)]
    )
    aws.create_function(
        FunctionName="b", Runtime="python3.12", Role=role, Handler="h.h", Code=code, Layers=[arn.format(2)]
    )
    aws.publish_version(FunctionName="b")  # b:1 keeps version 2 ...
    aws.update_function_configuration(FunctionName="b", Layers=[])  # ... after b's $LATEST dropped it
    aws.add_layer_version_permission(
        LayerName="tools",
        VersionNumber=3,
        StatementId="partner",
        Action="lambda:GetLayerVersion",
        Principal="111111111111",
    )
    return Account(moto_endpoint, tmp_path / "build", aws, tf_cli)


def verdicts(out: str) -> dict[int, str]:
    rows = [line.split(None, 4) for line in out.splitlines()[1:] if line.startswith("  tools")]
    return {int(row[1]): row[4] for row in rows}


def test_a_dry_run_lists_why_each_version_is_kept_and_deletes_nothing(
    account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    assert account.prune("--keep", "1") == 0
    out = capsys.readouterr().out
    assert verdicts(out) == {
        6: "keep: current in Terraform's state",
        5: "unused: deletable",
        4: "unused: deletable",
        3: "keep: shared with account 111111111111: their functions cannot be seen from here (--include-shared)",
        2: "keep: attached to b:1",
        1: "keep: attached to a:$LATEST",
    }
    assert "2 of 6 layer versions are unused; YES=1 (--yes) deletes them" in out
    assert "versions shared with other accounts are kept" in out
    assert account.versions() == [1, 2, 3, 4, 5, 6]


def test_bad_input_is_one_line_and_deletes_nothing(account: Account, capsys: pytest.CaptureFixture[str]) -> None:
    assert account.prune("--layer", "nope", "--yes") == 1
    assert capsys.readouterr().err == "error: no layer named nope in Terraform's state; layers: tools\n"
    assert account.prune("--layer", "tool", "--yes") == 1
    assert capsys.readouterr().err == (
        "error: no layer named tool in Terraform's state; did you mean tools? layers: tools\n"
    )

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}"
    command = ["prune", "--yes", "--build-dir", str(account.build_dir), "--endpoint", down, "--tf", account.tf_cli]
    assert main(command) == 1
    assert capsys.readouterr().err.startswith(f"error: endpoint {down}: nothing is listening")
    assert account.versions() == [1, 2, 3, 4, 5, 6]


def test_missing_credentials_or_a_vanished_endpoint_delete_nothing(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in [v for v in os.environ if v.startswith("AWS_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # A session of its own: boto3's default one may hold credentials an earlier test resolved.
    anonymous = boto3.session.Session().client("lambda", endpoint_url=account.endpoint, region_name="us-east-1")
    with pytest.raises(LayerError, match=r"no AWS credentials found; .*nothing was deleted$"):
        prune.survey(anonymous, ["tools"], set(), 0, include_shared=True)

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}"
    gone = boto3.client("lambda", **local_aws.client_options(down))
    with pytest.raises(LayerError, match=r"Could not connect to the endpoint URL.*nothing was deleted$"):
        prune.survey(gone, ["tools"], set(), 0, include_shared=True)
    assert account.versions() == [1, 2, 3, 4, 5, 6]


def test_the_state_is_read_through_the_cli(account: Account) -> None:
    space = terraform_root.workspace(ROOT, account.tf_cli, BuildDir(account.build_dir), account.endpoint)
    assert prune.published_in_state(TerraformCli(space).show()) == {
        "tools": "arn:aws:lambda:us-east-1:123456789012:layer:tools:6"
    }


def test_yes_deletes_exactly_the_unused_versions(account: Account, capsys: pytest.CaptureFixture[str]) -> None:
    """Last in the module: the only test that deletes from the shared scenario."""
    assert account.prune("--keep", "1", "--yes") == 0
    assert verdicts(capsys.readouterr().out)[5] == "deleted"
    assert account.versions() == [1, 2, 3, 6]

    assert account.prune("--keep", "1", "--yes", "--include-shared") == 0
    assert account.versions() == [1, 2, 6]

    assert account.prune("--yes") == 0
    assert account.versions() == [1, 2, 6], "the newest 3 are kept by default"
