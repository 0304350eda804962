"""The project's local AWS: where it answers as AWS does, and that it starts and stops cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

import boto3
from conftest import ROOT
from layerkit.cli import main

if TYPE_CHECKING:
    import pytest


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
