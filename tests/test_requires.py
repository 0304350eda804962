"""`requires`: a layer built on top of others ships only what they do not, with real locks, installs and zips."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, without_progress
from layerkit.builder import lockfile
from layerkit.cli import main
from layerkit.config import layer_config
from layerkit.lambda_facts import Target

if TYPE_CHECKING:
    from conftest import LayerFactory

pytestmark = pytest.mark.network

TARGET = Target("python3.12", "x86_64")


def cli(layers_dir: Path, build_dir: Path, *command: str) -> int:
    dirs = ["--layers-dir", str(layers_dir), "--functions-dir", str(layers_dir.parent / "functions")]
    if command[0] == "build":
        return main([*dirs, *command, "--build-dir", str(build_dir)])
    return main([*dirs, *command])


def lock_of(directory: Path) -> lockfile.Lock:
    config = layer_config.load(directory)
    found = lockfile.find(config, TARGET, lockfile.read_requirements(config))
    assert found
    return found


def zip_names(build_dir: Path, key: str) -> list[str]:
    artifacts = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["artifacts"]
    (artifact,) = [a for a in artifacts if a["key"] == key]
    with zipfile.ZipFile(artifact["zip"]) as archive:
        return archive.namelist()


def fingerprint(build_dir: Path) -> dict[str, str]:
    """The manifest and every zip it names, with their sha256: what a failed build must leave as it was."""
    manifest = build_dir / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    paths = [manifest, *(Path(r["zip"]) for r in data["artifacts"] + data["functions"])]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_aws_helpers_on_the_boto3_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers_dir, build_dir = tmp_path / "layers", tmp_path / "build"
    shutil.copytree(ROOT / "layers", layers_dir)
    assert cli(layers_dir, build_dir, "lock") == 0
    assert cli(layers_dir, build_dir, "build") == 0

    helpers, boto3 = lock_of(layers_dir / "aws_helpers"), lock_of(layers_dir / "boto3")
    assert helpers.pins == {}, "aws_helpers pins nothing of its own"
    assert helpers.provided == {name: ("boto3", version) for name, version in boto3.pins.items()}
    names = zip_names(build_dir, "aws_helpers-x86_64")
    assert "python/aws_helpers/sts.py" in names
    assert not [n for n in names if n.startswith(("python/boto3", "python/botocore"))]
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {a["key"]: a["requires"] for a in manifest["artifacts"]}["aws_helpers-arm64"] == ["boto3"]

    # Re-lock only boto3, to another version: aws_helpers is now out of date.
    (layers_dir / "boto3/requirements.in").write_text("boto3==1.44.7\n", encoding="utf-8")
    assert cli(layers_dir, build_dir, "lock", "boto3") == 0
    before = fingerprint(build_dir)
    capsys.readouterr()
    assert cli(layers_dir, build_dir, "build") == 1
    assert without_progress(capsys.readouterr().err) == [  # once, for both architectures
        (
            f"error: layer aws_helpers (x86_64, arm64): {layers_dir}/aws_helpers/requirements.txt: out of date: it "
            "relies on layer boto3 for boto3==1.44.8, but layer boto3 now pins 1.44.7; run 'make lock'"
        ),
    ]
    assert fingerprint(build_dir) == before

    assert cli(layers_dir, build_dir, "lock") == 0
    assert cli(layers_dir, build_dir, "build") == 0
    assert lock_of(layers_dir / "aws_helpers").provided["boto3"] == ("boto3", "1.44.7")


def write_layer(layers: LayerFactory, name: str, requirements: str, requires: list[str]) -> Path:
    return layers.make(
        name,
        requirements=requirements,
        files={f"python/{name}_code.py": f"NAME = {name!r}\n"},
        extra_toml=f"requires = {requires!r}\n",
    )


def test_a_chain_of_three_layers(layers: LayerFactory, build_dir: Path) -> None:
    write_layer(layers, "base", "six==1.17.0\n", [])
    write_layer(layers, "middle", "six\nidna==3.10\n", ["base"])
    write_layer(layers, "top", "six\nidna\ncertifi\n", ["middle"])
    assert cli(layers.layers_dir, build_dir, "lock") == 0
    assert cli(layers.layers_dir, build_dir, "build") == 0

    top = lock_of(layers.layers_dir / "top")
    assert set(top.pins) == {"certifi"}
    assert top.provided == {"six": ("base", "1.17.0"), "idna": ("middle", "3.10")}
    names = zip_names(build_dir, "top-x86_64")
    assert [n for n in names if n.endswith(".dist-info/METADATA")] == [
        f"python/certifi-{top.pins['certifi']}.dist-info/METADATA"
    ]
    assert "python/top_code.py" in names
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {a["key"]: a["requires"] for a in manifest["artifacts"]}["top-x86_64"] == ["middle", "base"]


def test_a_diamond_of_layers(layers: LayerFactory, build_dir: Path) -> None:
    write_layer(layers, "common", "six==1.17.0\n", [])
    write_layer(layers, "left", "six\nidna==3.10\n", ["common"])
    write_layer(layers, "right", "six\ncertifi\n", ["common"])
    write_layer(layers, "app", "six\nidna\ncertifi\nattrs\n", ["left", "right"])
    assert cli(layers.layers_dir, build_dir, "lock") == 0
    assert cli(layers.layers_dir, build_dir, "build") == 0

    app, right = lock_of(layers.layers_dir / "app"), lock_of(layers.layers_dir / "right")
    assert set(app.pins) == {"attrs"}
    assert app.provided == {
        "six": ("common", "1.17.0"),
        "idna": ("left", "3.10"),
        "certifi": ("right", right.pins["certifi"]),
    }
    assert not [n for n in zip_names(build_dir, "app-x86_64") if n.startswith(("python/six", "python/idna"))]


def test_two_builds_into_one_folder_take_turns(layers: LayerFactory, tmp_path: Path) -> None:
    """Two real builds of different layers at once: the second waits, and the manifest names zips that exist.

    The first is paused (SIGSTOP) while it holds the lock, so the two overlap on any machine.
    """
    first_layer = layers.make("first", files={"python/first.py": "A = 1\n"})
    # Incompressible bytes keep the first build holding the lock long enough to be paused in it.
    (first_layer / "python/blob.bin").write_bytes(random.Random(0).randbytes(20 * 1024 * 1024))  # noqa: S311
    other = tmp_path / "other-layers"
    (other / "second/python").mkdir(parents=True)
    (other / "second/python/second.py").write_text("B = 1\n", encoding="utf-8")
    (other / "second/layer.toml").write_text(
        'description = "b"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n', encoding="utf-8"
    )
    build_dir = tmp_path / "build"

    def start(layers_dir: Path) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "layerkit", "--layers-dir", str(layers_dir), "--functions-dir"]
        command += [str(tmp_path / "functions"), "build", "--build-dir", str(build_dir)]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    first = start(layers.layers_dir)
    lock = build_dir / ".lock"
    deadline = time.monotonic() + 30
    while not (lock.is_file() and lock.read_text(encoding="utf-8").strip() == str(first.pid)):
        assert time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.001)
    first.send_signal(signal.SIGSTOP)
    second = start(other)
    assert second.stderr
    waiting = second.stderr.readline()
    first.send_signal(signal.SIGCONT)
    first_out, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)

    assert waiting == f"waiting for the build that holds {lock} (process {first.pid}) to finish\n"
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert "first-x86_64" in first_out
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [a["key"] for a in manifest["artifacts"]] == ["second-x86_64"]
    assert all(Path(a["zip"]).is_file() for a in manifest["artifacts"])
