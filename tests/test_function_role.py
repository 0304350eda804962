"""`make invoke` as the function's own role: created on the local AWS from the manifest, assumed, IAM enforced."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline
from layerkit.cli import main
from layerkit.config import function_config, layer_config
from layerkit.deploy import function_role, local_aws
from layerkit.inspect import invoke

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network

SPOKES = ("111111111111", "222222222222")
ROLE = "arn:aws:iam::{}:role/OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> BuildDir:
    """The shipped layers and hub function, built once for this module (zip paths are absolute)."""
    build_dir = BuildDir(tmp_path_factory.mktemp("shipped") / "build")
    layers = layer_config.discover(ROOT / "layers")
    functions = function_config.discover(ROOT / "functions", layers)
    assert all(o.record for o in pipeline.build_all(layers, functions, build_dir, jobs=2).outcomes)
    return build_dir


def without_permissions(shipped: BuildDir, tmp_path: Path) -> BuildDir:
    """The same build, but the hub's function.toml declares no [[permissions]]."""
    copy = BuildDir(tmp_path / "build")
    data = json.loads(shipped.manifest.read_text(encoding="utf-8"))
    data["functions"][0]["permissions"] = []
    copy.manifest.parent.mkdir(parents=True)
    copy.manifest.write_text(json.dumps(data), encoding="utf-8")
    return copy


def invoke_hub(
    build_dir: BuildDir, endpoint: str, capsys: pytest.CaptureFixture[str], *event: str
) -> tuple[int, str, str]:
    reset(endpoint)
    arguments = ["invoke", "hub", "--build-dir", str(build_dir), "--endpoint", endpoint, *event]
    code = main(["--functions-dir", str(ROOT / "functions"), *arguments])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_hub_with_its_statement_reaches_both_spokes(
    shipped: BuildDir, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = invoke_hub(shipped, moto_endpoint, capsys)
    assert code == 0, err
    assert json.loads(out) == {
        "spokes": [
            {"account": a, "arn": f"arn:aws:sts::{a}:assumed-role/OrganizationAccountAccessRole/hub-function"}
            for a in SPOKES
        ]
    }
    assert "denied" not in err
    assert "were not exercised" not in err


def test_the_hub_without_its_statement_is_denied_and_told_what_to_allow(
    shipped: BuildDir, tmp_path: Path, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = invoke_hub(without_permissions(shipped, tmp_path), moto_endpoint, capsys)
    assert code == 1
    payload = json.loads(out)
    assert payload["errorType"] == "ClientError"
    assert payload["errorMessage"].endswith(
        "User: arn:aws:sts::123456789012:assumed-role/invoke-hub/hub is not authorized to perform: "
        f"sts:AssumeRole on resource: {ROLE.format(SPOKES[0])}"
    )
    toml = ROOT / "functions/hub/function.toml"
    assert err.splitlines()[-1] == (
        f"denied: function hub's role may not sts:AssumeRole on {ROLE.format(SPOKES[0])}; "
        f"allow it under [[permissions]] in {toml}"
    )


def test_a_spoke_not_in_the_statement_is_denied(
    shipped: BuildDir, tmp_path: Path, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"accounts": ["333333333333"]}), encoding="utf-8")
    code, _, err = invoke_hub(shipped, moto_endpoint, capsys, "--event", str(event))
    assert code == 1
    assert f"denied: function hub's role may not sts:AssumeRole on {ROLE.format('333333333333')};" in err


def test_enforcement_and_the_role_are_gone_after_the_call(shipped: BuildDir, moto_endpoint: str) -> None:
    reset(moto_endpoint)
    function = invoke.function_record(shipped, "hub")
    iam = boto3.client("iam", **local_aws.client_options(moto_endpoint))
    with function_role.acting_as(moto_endpoint, function) as aws:
        assert set(aws) >= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"}
        assert aws["AWS_ACCESS_KEY_ID"] != "testing"
        with pytest.raises(iam.exceptions.ClientError, match=r"InvalidClientTokenId|not authorized|security token"):
            iam.list_roles()  # the caller's own keys are not a principal of the local AWS: enforced
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]  # enforcement is off again
    assert "invoke-hub" not in names


def test_the_role_gets_the_manifests_policies(shipped: BuildDir, moto_endpoint: str) -> None:
    reset(moto_endpoint)
    function = invoke.function_record(shipped, "hub")
    iam = boto3.client("iam", **local_aws.client_options(moto_endpoint))
    arn = function_role.create_role(iam, "invoke-hub", function)

    assert arn == "arn:aws:iam::123456789012:role/invoke-hub"
    attached = iam.list_attached_role_policies(RoleName="invoke-hub")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    inline = iam.get_role_policy(RoleName="invoke-hub", PolicyName="permissions")["PolicyDocument"]
    assert inline == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": [ROLE.format(a) for a in SPOKES]}],
    }
    trust = json.dumps(iam.get_role(RoleName="invoke-hub")["Role"]["AssumeRolePolicyDocument"])
    assert '"Principal": {"Service": "lambda.amazonaws.com"}' in trust


def test_without_a_local_aws_the_note_says_the_role_was_not_exercised(
    shipped: BuildDir, aws_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    assert main(["invoke", "hub", "--build-dir", str(shipped), "--python", sys.executable]) == 0
    err = capsys.readouterr().err
    assert (
        "note: function hub ran with your own AWS credentials, so its role's permissions were not exercised; "
        "--local-aws (LOCAL_AWS=1 under make) runs it as its own role on a local AWS, with IAM enforced"
    ) in err
