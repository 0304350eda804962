"""A layer zip over 50 MB, which Lambda takes only through S3: refused without a bucket, published through one.

Its own module, so that xdist can run it beside the applied project of test_terraform_apply.py.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.deploy import local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, TerraformError
from test_terraform_apply import build, lambda_client


def test_a_zip_over_50_mb_is_published_through_s3(tmp_path: Path, moto_endpoint: str, tf_cli: str) -> None:
    reset(moto_endpoint)
    blob = tmp_path / "layers/big/python/blob.bin"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(random.Random(0).randbytes(51 * 1024 * 1024))  # noqa: S311 -- incompressible bytes, not secrets
    (tmp_path / "layers/big/layer.toml").write_text(
        'description = "big"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n',
        encoding="utf-8",
    )
    build(tmp_path)
    space = terraform_root.workspace(
        ROOT, tf_cli, BuildDir(tmp_path / "build"), moto_endpoint, local_dir=tmp_path / "terraform"
    )
    terraform = TerraformCli(space)
    terraform.init()
    with pytest.raises(
        TerraformError, match="over 50 MB zipped, so Lambda takes it only through S3; set artifact_bucket"
    ):
        terraform.plan()

    s3 = boto3.client("s3", **local_aws.client_options(moto_endpoint))
    s3.create_bucket(Bucket="artifacts")
    terraform = TerraformCli(replace(space, variables={**space.variables, "artifact_bucket": "artifacts"}))
    terraform.apply(auto_approve=True)

    (artifact,) = json.loads((tmp_path / "build/manifest.json").read_text(encoding="utf-8"))["layer_versions"]
    key = f"lambda-layers/big/{Path(artifact['zip']).name}"
    assert s3.head_object(Bucket="artifacts", Key=key)["ContentLength"] == artifact["zip_size"]
    published = lambda_client(moto_endpoint).get_layer_version(LayerName="big", VersionNumber=1)
    assert published["Content"]["CodeSha256"] == artifact["sha256_base64"]
    assert not terraform.plan()[0]
