"""examples/consumer as another team runs it: both modules from a git source pinned to a release tag.

The modules are committed to a git repository of their own and tagged as the example pins
them; the example's source points there instead of its placeholder host. A layer the
platform team shares is published first, and the example attaches it by version ARN.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from typing import TYPE_CHECKING

import boto3
from conftest import ROOT, reset
from layerkit.deploy import local_aws
from test_terraform_modules import workspace

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLE = ROOT / "examples/consumer"
PLACEHOLDER = "git::https://example.com/platform/lambda-layers.git"


def tagged_upstream(tmp_path: Path, tag: str) -> str:
    """A git source's URL: the repository's modules in a git repository of their own, tagged `tag`."""
    upstream = tmp_path / "upstream"
    shutil.copytree(ROOT / "modules", upstream / "modules", ignore=shutil.ignore_patterns(".terraform*"))
    git = ["git", "-C", str(upstream), "-c", "user.name=test", "-c", "user.email=test@localhost"]
    for command in (["init", "--quiet"], ["add", "."], ["commit", "--quiet", "-m", "modules"], ["tag", tag]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return f"git::file://{upstream}"


def shared_layer(endpoint: str) -> str:
    """A stand-in for the platform team's shared layer: its version ARN."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("python/shared.py", "SHARED = True\n")
    aws = boto3.client("lambda", **local_aws.client_options(endpoint))
    published = aws.publish_layer_version(
        LayerName="boto3",
        Content={"ZipFile": data.getvalue()},
        CompatibleRuntimes=["python3.12", "python3.13"],
        CompatibleArchitectures=["x86_64"],
    )
    return published["LayerVersionArn"]


def test_the_consumer_example_applies_from_a_pinned_tag_and_plans_no_changes(
    tmp_path: Path, moto_endpoint: str, tf_cli: str
) -> None:
    text = (EXAMPLE / "main.tf").read_text(encoding="utf-8")
    (tag,) = set(re.findall(r"\?ref=([^\"]+)\"", text))
    reset(moto_endpoint)
    shared = shared_layer(moto_endpoint)
    consumer = tmp_path / "consumer"
    shutil.copytree(EXAMPLE, consumer)
    (consumer / "main.tf").write_text(text.replace(PLACEHOLDER, tagged_upstream(tmp_path, tag)), encoding="utf-8")
    variables = consumer / "shared.tfvars.json"
    variables.write_text(json.dumps({"shared_layer_arn": shared}), encoding="utf-8")

    cli = workspace(tf_cli, consumer, tmp_path, moto_endpoint, state=tmp_path / "terraform.tfstate")
    cli.apply(auto_approve=True, var_file=str(variables))

    own = "arn:aws:lambda:us-east-1:123456789012:layer:greeting:1"
    assert cli.output()["layers"] == [shared, own]
    aws = boto3.client("lambda", **local_aws.client_options(moto_endpoint))
    greeter = aws.get_function(FunctionName="greeter")["Configuration"]
    assert [layer["Arn"] for layer in greeter["Layers"]] == [shared, own]
    assert greeter["Runtime"] == "python3.13"
    assert cli.output()["alias_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:greeter:live"
    events = boto3.client("events", **local_aws.client_options(moto_endpoint))
    (target,) = events.list_targets_by_rule(Rule="greeter-hourly")["Targets"]
    assert target["Arn"] == cli.output()["alias_arn"]
    changes, output = cli.plan(var_file=str(variables))
    assert not changes, output
