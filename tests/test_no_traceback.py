"""No traceback, anywhere: every command, run as a person runs it, against broken inputs.

Each broken input is made from a good build of a small tree (a layer that ships a
distribution's dist-info of its own, and a function). Every command that reads it ends with
exactly one `error:` line and a non-zero exit, or succeeds; none prints a Python traceback.
An exception that is not a `LayerError` is a bug, and the CLI says so in one line, naming
the file it was reading; `--debug` (or LAYERKIT_DEBUG=1) adds the traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, LayerFactory
from layerkit import cli, licenses
from layerkit.builder.manifest import FORMAT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

NUMPY_LICENSE = (
    "Copyright (c) 2005-2024, NumPy Developers.\n        All rights reserved.\n\n"
    "        Redistribution and use in source and binary forms, with or without\n"
)
"""How numpy 1.26 fills METADATA's License field (a whole license text): license-expression 30.4.4 raises on it."""

METADATA = f"Metadata-Version: 2.1\nName: pasted\nVersion: 1.0\nLicense: {NUMPY_LICENSE}\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good tree, built once: layer `pasted` (numpy's way of declaring a license) and function `fn` attaching it."""
    root = tmp_path_factory.mktemp("built")
    LayerFactory(root / "layers").make(
        "pasted",
        files={
            "python/pasted/__init__.py": "VALUE = 1\n",
            "python/pasted-1.0.dist-info/METADATA": METADATA,
            "python/pasted-1.0.dist-info/RECORD": "pasted/__init__.py,,\npasted-1.0.dist-info/METADATA,,\n",
        },
    )
    function = root / "functions" / "fn"
    (function / "src").mkdir(parents=True)
    (function / "function.toml").write_text(
        'runtime = "python3.12"\nhandler = "handler.handle"\narchitecture = "x86_64"\nlayers = ["pasted"]\n',
        encoding="utf-8",
    )
    (function / "src" / "handler.py").write_text("def handle(event, context):\n    return 1\n", encoding="utf-8")
    done = layerkit(root, "build", "--build-dir", "build")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def tree(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built tree, the current folder, with no AWS credentials to be found."""
    copy = tmp_path / "tree"
    shutil.copytree(built, copy, symlinks=True)
    monkeypatch.chdir(copy)
    for name in [n for n in os.environ if n.startswith(("AWS_", "LAYERKIT_"))]:
        monkeypatch.delenv(name)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, str(copy / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return copy


def layerkit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m layerkit` in `cwd`, as the Makefile runs it, with no AWS credentials to be found."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAYERKIT_"))}
    environment |= {"PYTHONPATH": str(ROOT / "scripts"), "AWS_EC2_METADATA_DISABLED": "true"}
    environment |= {"AWS_CONFIG_FILE": str(cwd / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(cwd / "none")}
    return subprocess.run(
        [sys.executable, "-m", "layerkit", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI's `main`, in this process: its exit code, stdout and stderr."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def listening() -> Iterator[str]:
    """An endpoint that accepts connections, so plan and apply get as far as reading the manifest."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def corrupt_zip(tree: Path) -> None:
    for path in (tree / "build" / "layers").glob("*.zip"):
        path.write_bytes(path.read_bytes()[:100] + b"\0garbage")


def truncated_manifest(tree: Path) -> None:
    manifest = tree / "build" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[: manifest.stat().st_size // 2])


def manifest_not_a_manifest(tree: Path) -> None:
    wrong = json.dumps({"format": FORMAT, "artifacts": {}, "functions": 7})
    (tree / "build" / "manifest.json").write_text(wrong, encoding="utf-8")


def metadata_with_nul(tree: Path) -> None:
    path = tree / "layers" / "pasted" / "python" / "pasted-1.0.dist-info" / "METADATA"
    path.write_bytes(b"Metadata-Version: 2.1\nName: pasted\nVersion: 1.0\nLicense: MIT\x00\xff\xfe GPL\n")


def unreadable_layer_toml(tree: Path) -> None:
    """A folder where layer.toml should be: reading it fails even as root, whom file modes do not stop."""
    path = tree / "layers" / "pasted" / "layer.toml"
    path.unlink()
    path.mkdir()


def unreadable_source(tree: Path) -> None:
    path = tree / "layers" / "pasted" / "python" / "pasted" / "__init__.py"
    path.write_bytes(b"\xff\xfe\x00 not text")


def unreadable_state(tree: Path) -> None:
    for path in (tree / "build" / "state").glob("*.json"):
        path.write_text('["not", "a", "record"]', encoding="utf-8")


BROKEN: dict[str, Callable[[Path], None]] = {
    "a corrupt zip in build/": corrupt_zip,
    "a truncated manifest": truncated_manifest,
    "a manifest of the wrong shape": manifest_not_a_manifest,
    "a METADATA with a NUL byte and bytes that are not UTF-8": metadata_with_nul,
    "an unreadable layer.toml": unreadable_layer_toml,
    "a source file that is not text": unreadable_source,
    "a state file of the wrong shape": unreadable_state,
}
COMMANDS = {
    "report": ["report", "--build-dir", "build"],
    "audit": ["audit", "--build-dir", "build", "--advisories", str(ROOT / "tests" / "fixtures" / "osv")],
    "invoke": ["invoke", "fn", "--build-dir", "build"],
    "plan": ["plan", "--build-dir", "build", "--endpoint", "{endpoint}"],
    "apply": ["apply", "--build-dir", "build", "--endpoint", "{endpoint}", "--auto-approve"],
    "demo": ["demo", "--build-dir", "build"],
    "lock": ["lock"],
    "build": ["build", "--build-dir", "build"],
}
"""In this order: build last, since it repairs what it can (a zip of the wrong size is built again)."""
_BAD_MANIFESTS = ("a truncated manifest", "a manifest of the wrong shape")
MUST_FAIL = {
    ("a corrupt zip in build/", "report"),
    ("a corrupt zip in build/", "audit"),
    ("a corrupt zip in build/", "invoke"),
    *((case, command) for case in _BAD_MANIFESTS for command in COMMANDS),
    *(("an unreadable layer.toml", command) for command in ("build", "lock")),  # report and audit read only build/
}
"""What each broken input must stop; every other pair may also succeed (build rewrites what it reads)."""
MUST_FAIL -= {(case, c) for case in _BAD_MANIFESTS for c in ("build", "lock")}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_every_command_ends_in_one_error_line_or_succeeds_never_a_traceback(
    tree: Path, case: str, listening: str, capsys: pytest.CaptureFixture[str]
) -> None:
    BROKEN[case](tree)
    for command, args in COMMANDS.items():
        if command in ("demo", "plan", "apply") and (case, command) not in MUST_FAIL:
            continue  # against a good manifest these would run Terraform: the Terraform tests cover them
        code, out, err = run(capsys, *(a.format(endpoint=listening) for a in args))
        what = f"{command} with {case}: exit {code}\n{err}"
        assert "Traceback" not in err + out, what
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        if (case, command) in MUST_FAIL:
            assert code != 0, what
        if code != 0:
            assert len(errors) == 1, what
            assert "bug" not in errors[0], what


def test_a_broken_input_is_one_line_from_a_real_process_too(tree: Path) -> None:
    truncated_manifest(tree)
    done = layerkit(tree, "report", "--build-dir", "build")
    assert done.returncode == 1
    assert done.stderr.startswith("error: build/manifest.json: not valid JSON (")
    assert len(done.stderr.splitlines()) == 1


def test_a_source_that_is_not_text_still_builds_but_a_bad_layer_toml_names_its_file(tree: Path) -> None:
    """Bytes in python/ ship as they are; a layer.toml that cannot be read is named, with what to do."""
    unreadable_source(tree)
    done = layerkit(tree, "build", "--build-dir", "build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("     built  build/layers/pasted-x86_64-")
    unreadable_layer_toml(tree)
    done = layerkit(tree, "build", "--build-dir", "build")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: layer pasted: layers/pasted/layer.toml: cannot be read (Is a directory); save it as UTF-8 TOML"
    ]


@pytest.mark.usefixtures("tree")
def test_numpy_s_pasted_license_text_is_a_named_license(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", "--build-dir", "build")
    assert code == 0, err
    assert "pasted        1.0      pasted               Copyright (c) 2005-2024, NumPy Developers." in out
    assert licenses.from_metadata(METADATA.encode()) == licenses.License(
        names=("Copyright (c) 2005-2024, NumPy Developers.",)
    )


def test_a_bug_is_one_line_naming_the_file_and_where_to_report_it(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader that raises what no one expected (here, made to) is caught at the CLI, once."""

    def broken(_: bytes) -> licenses.License | None:
        raise AttributeError("'ExpressionError' object has no attribute 'token_string'")

    monkeypatch.setattr(licenses, "from_metadata", broken)
    zip_path = next(iter((tree / "build" / "layers").glob("*.zip"))).relative_to(tree)

    assert cli.main(["report", "--build-dir", "build"]) == cli.BUG
    err = capsys.readouterr().err
    assert err.splitlines() == [
        (
            "error: layerkit hit a bug, not a problem with your files (AttributeError: 'ExpressionError' object has "
            f"no attribute 'token_string') while reading {zip_path}: python/pasted-1.0.dist-info/METADATA; please "
            "report it with this line and the output of the same command with --debug (LAYERKIT_DEBUG=1 under "
            "make): see 'Reporting a bug' in docs/development.md"
        )
    ]

    assert cli.main(["--debug", "report", "--build-dir", "build"]) == cli.BUG
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert err.splitlines()[-1].startswith("error: layerkit hit a bug")


def test_the_report_of_a_bug_points_at_a_section_that_exists() -> None:
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert "\n## Reporting a bug\n" in text
