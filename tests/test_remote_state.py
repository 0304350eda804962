"""State in S3 with native locking (`make init BACKEND=...`), on the local AWS's S3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.cli import main
from layerkit.deploy import each_region, local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, TerraformError, Workspace
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_s3 import S3Client

BUCKET = "platform-terraform-state"
KEY = "lambda-layers/terraform.tfstate"
BACKEND = """bucket       = "{bucket}"
key          = "{key}"
region       = "us-east-1"
use_lockfile = true
encrypt      = true
# The local AWS only: its S3 serves buckets by path, and it has no account to look up.
use_path_style              = true
skip_credentials_validation = true
skip_requesting_account_id  = true
endpoints = {{
  s3 = "{endpoint}"
}}
"""
LAYER = 'description = "tools"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n'


def s3_client(endpoint: str) -> S3Client:
    return boto3.client("s3", **local_aws.client_options(endpoint))


def create_state_bucket(s3: S3Client) -> None:
    """docs/terraform.md's one-time setup: versioned, encrypted, and closed to the public."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def root_copy(tmp_path: Path) -> Path:
    """The root configuration in a folder of its own, so its backend file never touches this checkout."""
    root = tmp_path / "root"
    root.mkdir()
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "modules").symlink_to(ROOT / "modules")
    return root


def build(tmp_path: Path, version: int) -> None:
    (tmp_path / "layers/tools/python").mkdir(parents=True, exist_ok=True)
    (tmp_path / "layers/tools/python/tools.py").write_text(f"VERSION = {version}\n", encoding="utf-8")
    (tmp_path / "layers/tools/layer.toml").write_text(LAYER, encoding="utf-8")
    dirs = ["--layers-dir", str(tmp_path / "layers"), "--functions-dir", str(tmp_path / "functions")]
    assert main([*dirs, "build", "--build-dir", str(tmp_path / "build")]) == 0


def state_versions(s3: S3Client) -> list[dict[str, Any]]:
    """The state object's versions, newest first, each as the state it holds."""
    listed = s3.list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"]
    ordered = sorted((v for v in listed if v["Key"] == KEY), key=lambda v: v["LastModified"], reverse=True)
    return [json.loads(s3.get_object(Bucket=BUCKET, Key=KEY, VersionId=v["VersionId"])["Body"].read()) for v in ordered]


def layer_arns(state: dict[str, Any]) -> list[str]:
    return [
        instance["attributes"]["arn"]
        for resource in state["resources"]
        if resource["type"] == "aws_lambda_layer_version"
        for instance in resource["instances"]
    ]


def test_state_in_s3_with_a_lock_and_versions_to_go_back_to(tmp_path: Path, moto_endpoint: str, each_cli: str) -> None:
    tf_cli = each_cli
    reset(moto_endpoint)
    s3 = s3_client(moto_endpoint)
    create_state_bucket(s3)
    backend = tmp_path / "backend.hcl"
    backend.write_text(BACKEND.format(bucket=BUCKET, key=KEY, endpoint=moto_endpoint), encoding="utf-8")
    build(tmp_path, 1)
    space = Workspace(
        root=root_copy(tmp_path),
        cli=tf_cli,
        data_dir=tmp_path / "terraform-data",
        variables={
            "manifest_path": str(tmp_path / "build/manifest.json"),
            "endpoints": dict.fromkeys(terraform_root.SERVICES, moto_endpoint),
        },
        environment=terraform_root.LOCAL_CREDENTIALS,
    )

    terraform_root.init(space, backend)
    TerraformCli(space).apply(auto_approve=True)

    assert not list(space.root.glob("*.tfstate")), "no state is left on this machine"
    (state,) = state_versions(s3)
    assert layer_arns(state) == ["arn:aws:lambda:us-east-1:123456789012:layer:tools:1"]

    # A first apply holds the lock (paused inside it); a second one fails and changes nothing.
    build(tmp_path, 2)
    variables = tmp_path / "variables.tfvars.json"
    variables.write_text(json.dumps(dict(space.variables)), encoding="utf-8")
    environment = {**os.environ, "TF_DATA_DIR": str(space.data_dir), "AWS_ACCESS_KEY_ID": "testing"}
    environment |= {"AWS_SECRET_ACCESS_KEY": "testing", "TF_IN_AUTOMATION": "1"}
    command = [tf_cli, "apply", "-auto-approve", "-input=false", "-no-color", f"-var-file={variables}"]
    # python-terraform cannot start a command without waiting for it, so the holder is a plain subprocess.
    first = subprocess.Popen(command, cwd=space.root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{KEY}.tflock").get("KeyCount"):
        assert time.monotonic() < deadline, "the first apply never took the lock"
        assert first.poll() is None, first.stdout.read() if first.stdout else ""
        time.sleep(0.05)
    first.send_signal(signal.SIGSTOP)
    lambda_client = terraform_root.lambda_client(space, region="us-east-1")
    before = lambda_client.list_layer_versions(LayerName="tools")["LayerVersions"]
    try:
        with pytest.raises(TerraformError) as caught:
            TerraformCli(space).apply(auto_approve=True)
        assert str(caught.value).startswith(f"{tf_cli} apply failed: Error acquiring the state lock")
        assert lambda_client.list_layer_versions(LayerName="tools")["LayerVersions"] == before
    finally:
        first.send_signal(signal.SIGCONT)
    output, _ = first.communicate(timeout=120)
    assert first.returncode == 0, output

    newest, previous = state_versions(s3)
    assert layer_arns(newest) == ["arn:aws:lambda:us-east-1:123456789012:layer:tools:2"]
    assert layer_arns(previous) == ["arn:aws:lambda:us-east-1:123456789012:layer:tools:1"]
    assert previous["serial"] < newest["serial"]
    assert not s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{KEY}.tflock").get("KeyCount"), "the lock is released"


def test_local_aws_runs_refuse_a_checkout_that_keeps_its_state_in_s3(tmp_path: Path, moto_endpoint: str) -> None:
    root = root_copy(tmp_path)
    (root / terraform_root.BACKEND_OVERRIDE).write_text('terraform {\n  backend "s3" {}\n}\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"keeps its state in S3, but runs against a local AWS keep theirs"):
        terraform_root.workspace(root, "tofu", BuildDir(tmp_path / "build"), moto_endpoint)


def test_each_region_keeps_its_own_state_and_lock_in_s3(tmp_path: Path, moto_endpoint: str, tf_cli: str) -> None:
    reset(moto_endpoint)
    s3 = s3_client(moto_endpoint)
    create_state_bucket(s3)
    backend = tmp_path / "backend.hcl"
    backend.write_text(BACKEND.format(bucket=BUCKET, key=KEY, endpoint=moto_endpoint), encoding="utf-8")
    (tmp_path / "regions.toml").write_text('default = ["us-east-1", "eu-west-1"]\n', encoding="utf-8")
    build(tmp_path, 1)
    space = Workspace(
        root=root_copy(tmp_path),
        cli=tf_cli,
        data_dir=tmp_path / "terraform-data",
        variables={
            "manifest_path": str(tmp_path / "build/manifest.json"),
            "endpoints": dict.fromkeys(terraform_root.SERVICES, moto_endpoint),
        },
        environment=terraform_root.LOCAL_CREDENTIALS,
    )
    terraform_root.init(space, backend)

    outcomes = each_region.apply(terraform_root.in_regions(space, ["us-east-1", "eu-west-1"]), 2, lambda _: None)

    assert [(o.region, o.status) for o in outcomes] == [("us-east-1", "applied"), ("eu-west-1", "applied")]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [f"env:/eu-west-1/{KEY}", f"env:/us-east-1/{KEY}"]  # no lock left, and no default state
    for region in ("us-east-1", "eu-west-1"):
        state = json.loads(s3.get_object(Bucket=BUCKET, Key=f"env:/{region}/{KEY}")["Body"].read())
        assert layer_arns(state) == [f"arn:aws:lambda:{region}:123456789012:layer:tools:1"]


def test_a_backend_file_without_a_key_is_refused(tmp_path: Path) -> None:
    backend = tmp_path / "backend.hcl"
    backend.write_text('bucket = "platform-terraform-state"\nregion = "eu-west-1"\n', encoding="utf-8")
    space = Workspace(root=root_copy(tmp_path), cli="terraform")

    with pytest.raises(LayerError) as caught:
        terraform_root.init(space, backend)

    assert str(caught.value) == (
        f'{backend}: no key; give the state\'s key, e.g. key = "lambda-layers/terraform.tfstate": the S3 backend '
        "keeps each region's state and lock apart under env:/<region>/<key>"
    )
    assert not (space.root / terraform_root.BACKEND_OVERRIDE).exists()
