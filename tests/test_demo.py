"""`make demo`, the README's main job: the real Makefile, build, local AWS, CLI and provider.

Each run's local AWS must be gone when it ends: by success, by failure, or by Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

# `make demo` starts a local AWS of its own (terraform comes from the tf_cli fixture).
pytestmark = [pytest.mark.network, pytest.mark.local_aws]

MAKE = shutil.which("make") or "make"
LISTENING = re.compile(r"local AWS \(moto\) listening at http://127\.0\.0\.1:(\d+)")
ARN = "arn:aws:lambda:us-east-1:123456789012"


def closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def group_is_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def test_make_demo_publishes_attaches_and_plans_no_changes(build_dir: Path, tf_cli: str) -> None:
    result = subprocess.run(
        [MAKE, "-C", str(ROOT), "demo", f"BUILD_DIR={build_dir}", f"TF={tf_cli}"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    platforms = "arm64, x86_64, python3.12, python3.13, python3.14"
    # regions.toml declares two regions: each has its own versions, and a hub attached to them.
    for region, role in (("us-east-1", "hub"), ("eu-west-1", "hub-eu-west-1")):
        arn = f"arn:aws:lambda:{region}:123456789012"
        assert f"layer versions in {region}:\n  aws_helpers  {arn}:layer:aws_helpers:1  ({platforms})\n" in out
        assert f"  boto3        {arn}:layer:boto3:1  ({platforms})" in out
        assert (
            f"functions in {region}, with their layers in merge order:\n"
            f"  hub  {arn}:function:hub  (python3.13, live: version 1)\n"
            f"    1. {arn}:layer:boto3:1\n    2. {arn}:layer:aws_helpers:1\n" in out
        )
        assert re.search(
            rf"\ninvoke hub in {region} as arn:aws:iam::123456789012:role/{role}, IAM enforced: ok \(", out
        )
    assert re.search(rf"{tf_cli} apply in eu-west-1 and us-east-1: done \(", out)
    assert re.search(rf"{tf_cli} plan, again: no changes in eu-west-1 and us-east-1 \(", out)
    for spoke in ("111111111111", "222222222222"):
        assert out.count(f'"arn": "arn:aws:sts::{spoke}:assumed-role/OrganizationAccountAccessRole/hub-function"') == 2
        assert f'"arn": "arn:aws:sts::{spoke}:assumed-role/OrganizationAccountAccessRole/hub-function"' in out
    assert "\nlocal AWS stopped\nnext:\n  make report  " in out
    assert "\n  make invoke FUNCTION=hub LOCAL_AWS=1  run it here as its own role" in out
    last = [line for line in out.splitlines() if not line.startswith("make")][-1]
    assert last.endswith('"Adding a layer": layers/<name>/, then make lock and make layers')
    port = LISTENING.search(out)
    assert port, out
    assert closed(int(port.group(1)))


def demo_process(build_dir: Path, tf_cli: str) -> subprocess.Popen[str]:
    """The demo in its own process group, as a terminal runs it, so Ctrl-C reaches the CLI too."""
    return subprocess.Popen(
        [sys.executable, "-m", "layerkit", "demo", "--build-dir", str(build_dir), "--tf", tf_cli],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def built(build_dir: Path) -> Path:
    subprocess.run([MAKE, "-C", str(ROOT), "layers", f"BUILD_DIR={build_dir}"], capture_output=True, check=True)
    return build_dir


def test_ctrl_c_during_apply_stops_the_local_aws_and_leaves_no_process(build_dir: Path, tf_cli: str) -> None:
    demo = demo_process(built(build_dir), tf_cli)
    assert demo.stdout
    port = None
    for line in demo.stdout:
        port = port or (found.group(1) if (found := LISTENING.search(line)) else None)
        if "init: done" in line:
            break
    assert port, "the demo never said where its local AWS listens"
    time.sleep(2)  # into the apply: the zips are on their way to the local AWS

    os.killpg(demo.pid, signal.SIGINT)
    code = demo.wait(timeout=120)

    assert code == 130
    assert "interrupted; the local AWS is stopped" in (demo.stderr.read() if demo.stderr else "")
    assert closed(int(port))
    assert group_is_gone(demo.pid), "a process of the demo outlived it"


def test_a_failing_apply_stops_the_local_aws(build_dir: Path, tf_cli: str) -> None:
    manifest = built(build_dir) / "manifest.json"
    # A layer published elsewhere that does not exist: the plan fails after the local AWS started.
    data = json.loads(manifest.read_text(encoding="utf-8"))
    (hub,) = data["functions"]
    hub["layers"][1] = {"artifact": None, "layer": None, "arn": f"{ARN}:layer:nobody-published-this:1"}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    demo = demo_process(build_dir, tf_cli)
    out, err = demo.communicate(timeout=300)

    assert demo.returncode == 1
    assert err.count("\n") == 1
    assert err.startswith(f"error: {tf_cli} apply failed: ")
    assert "nobody-published-this" in err
    port = LISTENING.search(out)
    assert port, out
    assert closed(int(port.group(1)))
    assert group_is_gone(demo.pid)
