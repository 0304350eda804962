"""The wrapper of the Terraform CLI: each command gets its own environment, and this process's is left alone.

The CLI here is a probe, a small script standing in for it, so these tests need no Terraform.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from layerkit.deploy.terraform_cli import TerraformCli, Workspace

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

PROBE = """#!{python}
import json, os, pathlib, sys, time

# What the CLI was given, then wait until the test has looked at its own environment.
seen = pathlib.Path(os.environ["PROBE_SEEN"])
seen.with_suffix(".tmp").write_text(json.dumps(dict(os.environ)))
seen.with_suffix(".tmp").replace(seen)
while not os.path.exists(os.environ["PROBE_GO"]):
    time.sleep(0.01)
print(" ".join(sys.argv[1:]))
"""


def test_a_command_gets_its_environment_and_this_process_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone")
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    monkeypatch.delenv("TF_IN_AUTOMATION", raising=False)
    before = dict(os.environ)
    probe = tmp_path / "probe"
    probe.write_text(PROBE.format(python=sys.executable), encoding="utf-8")
    probe.chmod(0o755)
    seen, go = tmp_path / "seen.json", tmp_path / "go"
    space = Workspace(
        root=tmp_path,
        cli=str(probe),
        data_dir=tmp_path / "data",
        environment={"PROBE_SEEN": str(seen), "PROBE_GO": str(go), "AWS_PROFILE": None},
    )

    with ThreadPoolExecutor(1) as pool:
        command = pool.submit(TerraformCli(space).run, "version")
        deadline = time.monotonic() + 30
        while not seen.exists():
            assert not command.done(), command.result()
            assert time.monotonic() < deadline, "the probe never started"
            time.sleep(0.01)
        during = dict(os.environ)
        go.touch()
        printed = command.result(timeout=30)

    assert during == before
    assert dict(os.environ) == before
    given = json.loads(seen.read_text(encoding="utf-8"))
    assert given["TF_DATA_DIR"] == str(tmp_path / "data")
    assert given["TF_IN_AUTOMATION"] == "1"
    assert "AWS_PROFILE" not in given
    assert given["PATH"] == os.environ["PATH"]
    assert printed == "version -no-color\n"
