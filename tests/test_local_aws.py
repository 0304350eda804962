"""The project's local AWS: where it answers as AWS does, and that it starts and stops cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys

import boto3
import pytest
from conftest import ROOT
from layerkit.cli import main


def test_an_account_grantee_is_stored_as_its_root_arn_as_aws_does(aws_env: str) -> None:
    aws = boto3.client("lambda", endpoint_url=aws_env)
    aws.publish_layer_version(LayerName="tools", Content={"ZipFile": b"PK\x05\x06" + bytes(18)})
    for sid, principal in (("account", "111111111111"), ("everyone", "*")):
        aws.add_layer_version_permission(
            LayerName="tools", VersionNumber=1, StatementId=sid, Action="lambda:GetLayerVersion", Principal=principal
        )
    policy = json.loads(aws.get_layer_version_policy(LayerName="tools", VersionNumber=1)["Policy"])
    assert {s["Sid"]: s["Principal"] for s in policy["Statement"]} == {
        "account": {"AWS": "arn:aws:iam::111111111111:root"},
        "everyone": "*",
    }


def test_aws_managed_policies_exist(aws_env: str) -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert boto3.client("iam", endpoint_url=aws_env).get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == (
        "AWSLambdaBasicExecutionRole"
    )


@pytest.mark.local_aws
def test_make_local_aws_serves_until_ctrl_c() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "layerkit", "local-aws", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout
    first = server.stdout.readline()
    listening = re.fullmatch(r"local AWS \(moto\) listening at http://127\.0\.0\.1:(\d+); Ctrl-C stops it\n", first)
    assert listening, first
    port = int(listening.group(1))
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass

    server.send_signal(signal.SIGINT)

    out, err = server.communicate(timeout=30)
    assert server.returncode == 0, out + err
    assert err == "local AWS stopped\n"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_taken_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["local-aws", "--port", str(port)]) == 1
    assert capsys.readouterr().err == (
        f"error: local AWS: cannot listen on 127.0.0.1:{port} (Address already in use); choose another PORT\n"
    )


MOTO_WHILE_RUNNING = """
import json, os
import boto3
from moto.awslambda.policy import Policy
from moto.core.config import default_user_config
from moto.iam.access_control import IAMRequestBase
from layerkit.deploy import local_aws

SHIPPED = (Policy.principal_formatter, IAMRequestBase.check_action_permitted)
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def has_managed_policies(endpoint):
    local_aws.reset(endpoint)  # moto creates them, or not, as it recreates each account
    iam = boto3.client("iam", **local_aws.client_options(endpoint))
    return bool(iam.list_policies(Scope="AWS", MaxItems=1)["Policies"])


def moto(phase, *endpoints):
    print(json.dumps({
        "phase": phase,
        "as shipped": (Policy.principal_formatter, IAMRequestBase.check_action_permitted) == SHIPPED,
        "config": default_user_config["iam"],
        "variable": os.environ.get("MOTO_IAM_LOAD_MANAGED_POLICIES"),
        "managed policies": [has_managed_policies(endpoint) for endpoint in endpoints],
    }))


moto("before")
with local_aws.running() as outer:
    moto("outer", outer)
    with local_aws.running() as inner:
        moto("nested", outer, inner)
    moto("outer again", outer)
moto("after")
"""


@pytest.mark.local_aws
def test_moto_is_changed_only_while_a_local_aws_runs() -> None:
    # A process of its own: in this one, other tests' local AWS may be running.
    run = subprocess.run(
        [sys.executable, "-c", MOTO_WHILE_RUNNING],
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "MOTO_IAM_LOAD_MANAGED_POLICIES": "no"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    phases = [json.loads(line) for line in run.stdout.splitlines()]

    def moto(phase: str, *, running: int) -> dict[str, object]:
        return {
            "phase": phase,
            "as shipped": not running,
            "config": {"load_aws_managed_policies": bool(running)},
            "variable": "no",
            "managed policies": [True] * running,
        }

    assert phases == [
        moto("before", running=0),
        moto("outer", running=1),
        moto("nested", running=2),
        moto("outer again", running=1),
        moto("after", running=0),
    ]
