"""examples/consumer as another team runs it: both modules from a git source pinned to a release tag.

The modules are committed to a git repository of their own and tagged as the example pins
them; the example's source points there instead of its placeholder host. The platform's
root configuration first publishes a layer in two regions, and the example, in eu-west-1,
attaches that region's version, which it reads from the platform's state for that region.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import boto3
from conftest import ROOT, reset
from layerkit.deploy import local_aws
from test_regions import Applied, build, project
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


def test_the_consumer_example_applies_from_a_pinned_tag_and_plans_no_changes(
    tmp_path: Path, moto_endpoint: str, tf_cli: str
) -> None:
    text = (EXAMPLE / "main.tf").read_text(encoding="utf-8")
    (tag,) = set(re.findall(r"\?ref=([^\"]+)\"", text))
    reset(moto_endpoint)
    platform = Applied(project(tmp_path / "platform"), moto_endpoint, tf_cli)
    assert build(platform.directory) == 0
    assert platform.run("apply", "--auto-approve") == 0
    states = platform.directory / "build" / "local-aws"
    consumer = tmp_path / "consumer"
    shutil.copytree(EXAMPLE, consumer)
    (consumer / "main.tf").write_text(text.replace(PLACEHOLDER, tagged_upstream(tmp_path, tag)), encoding="utf-8")
    variables = consumer / "shared.tfvars.json"
    platform_state = {
        "backend": "local",
        "config": {"path": str(states / "terraform.tfstate"), "workspace_dir": str(states / "terraform.tfstate.d")},
    }
    variables.write_text(
        json.dumps({"region": "eu-west-1", "shared_layer": "tools", "platform_state": platform_state}),
        encoding="utf-8",
    )

    cli = workspace(tf_cli, consumer, tmp_path, moto_endpoint, state=tmp_path / "terraform.tfstate")
    cli.apply(auto_approve=True, var_file=str(variables))

    # The platform's eu-west-1 version, read from its eu-west-1 state: chosen by region, not copied.
    shared = "arn:aws:lambda:eu-west-1:123456789012:layer:tools:1"
    own = "arn:aws:lambda:eu-west-1:123456789012:layer:greeting:1"
    assert cli.output()["layers"] == [shared, own]
    aws = boto3.client("lambda", **{**local_aws.client_options(moto_endpoint), "region_name": "eu-west-1"})
    greeter = aws.get_function(FunctionName="greeter")["Configuration"]
    assert [layer["Arn"] for layer in greeter["Layers"]] == [shared, own]
    assert greeter["Runtime"] == "python3.13"
    assert cli.output()["alias_arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:greeter:live"
    events = boto3.client("events", **{**local_aws.client_options(moto_endpoint), "region_name": "eu-west-1"})
    (target,) = events.list_targets_by_rule(Rule="greeter-hourly")["Targets"]
    assert target["Arn"] == cli.output()["alias_arn"]
    changes, output = cli.plan(var_file=str(variables))
    assert not changes, output
