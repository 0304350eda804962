"""A newcomer's ordinary mistakes and missing prerequisites, through the real Makefile.

Each ends in exactly one `error:` line that says what is wrong and what to do, a non-zero
exit, and no Python traceback. Missing credentials are real: every `AWS_*` variable is
removed, the shared files point at nothing, and instance metadata is off (a CI machine
may have a role there), so botocore's own resolution finds nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MAKE = shutil.which("make") or "make"
NO_ACCOUNT = "or try it on a local AWS with 'make local-aws' and ENDPOINT=http://127.0.0.1:5000, or run 'make demo'"


def needs_credentials(command: str) -> str:
    return (
        f"error: {command} needs AWS credentials, and none were found; set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
        f"AWS_SECRET_ACCESS_KEY), {NO_ACCOUNT} (no account needed)"
    )


CASES = {
    "plan without credentials": (["plan"], {}, needs_credentials("make plan")),
    "apply without credentials": (["apply"], {}, needs_credentials("make apply")),
    "prune without credentials": (["prune"], {}, needs_credentials("make prune")),
    "a profile that does not exist": (
        ["plan"],
        {"AWS_PROFILE": "nope"},
        (
            "error: AWS_PROFILE names profile nope, which is not in your AWS config; run 'aws configure list-profiles' "
            f"for the ones there are, {NO_ACCOUNT} (no account needed)"
        ),
    ),
    "invoke a function that calls AWS, without credentials": (
        ["invoke", "FUNCTION=hub"],
        {},
        (
            "error: function hub calls AWS, but no AWS credentials were found; run it on a local AWS as its own role "
            "with 'make invoke FUNCTION=hub LOCAL_AWS=1' (no account needed), or set AWS_PROFILE"
        ),
    ),
    "invoke without a function": (["invoke"], {}, "error: name the function: make invoke FUNCTION=<name>"),
    "an event file that does not exist": (
        ["invoke", "FUNCTION=hub", "EVENT=no-such-event.json"],
        {},
        (
            "error: no-such-event.json: not a readable JSON event (No such file or directory); "
            "pass a file that holds JSON"
        ),
    ),
    "audit without a database": (
        ["audit"],
        {},
        "error: name the advisory database: make audit ADVISORIES=<folder of OSV files, or an OSV export zip>",
    ),
    "a local AWS that is not running": (
        ["plan", "ENDPOINT=http://127.0.0.1:1"],
        {},
        (
            "error: endpoint http://127.0.0.1:1: nothing is listening (Connection refused); start the local AWS with "
            "'make local-aws', or leave the endpoint out to use AWS itself"
        ),
    ),
    "a backend file that does not exist": (
        ["init", "BACKEND=no-such-backend.hcl"],
        {},
        (
            "error: no-such-backend.hcl: no such backend configuration; see docs/terraform.md, 'Remote state' for "
            "what it holds"
        ),
    ),
    "no Terraform CLI": (
        ["demo", "TF=no-such-terraform"],
        {},
        (
            "error: no-such-terraform: not found on PATH; install Terraform >= 1.5 or OpenTofu >= 1.8 and put it on "
            "PATH (see docs/terraform.md, 'Versions')"
        ),
    ),
    "a port out of range": (
        ["local-aws", "PORT=99999"],
        {},
        "error: PORT=99999: not a TCP port; choose one from 1 to 65535, or 0 for any free one",
    ),
    "a KEEP that is not a number": (
        ["prune", "KEEP=some"],
        {},
        "error: KEEP=some: not a number of versions to keep; set KEEP=0 or more",
    ),
}


@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped tree built once, so each case starts from an up-to-date manifest."""
    build_dir = tmp_path_factory.mktemp("build")
    subprocess.run([MAKE, "-C", str(ROOT), "layers", f"BUILD_DIR={build_dir}"], capture_output=True, check=True)
    return build_dir


def failing_make(arguments: list[str], env: dict[str, str]) -> list[str]:
    """The `error:` lines of a make run that must fail without a traceback."""
    result = subprocess.run(
        [MAKE, "--no-print-directory", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def without_credentials(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return {
        **env,
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "MAKEFLAGS": "",
    }


@pytest.mark.network  # shipped_build installs the shipped layers
@pytest.mark.parametrize(("arguments", "extra_env", "expected"), CASES.values(), ids=CASES.keys())
def test_one_line_with_its_fix_and_no_traceback(
    arguments: list[str], extra_env: dict[str, str], expected: str, shipped_build: Path, tmp_path: Path
) -> None:
    errors = failing_make([*arguments, f"BUILD_DIR={shipped_build}"], {**without_credentials(tmp_path), **extra_env})

    assert errors == [expected]


def misspelt_package(tree: Path) -> None:
    http = tree / "layers/http"
    http.mkdir()
    (http / "layer.toml").write_text(
        'description = "requests"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n',
        encoding="utf-8",
    )
    (http / "requirements.in").write_text("reqeusts\n", encoding="utf-8")


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(tree: Path) -> None:
        path = tree / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new), encoding="utf-8")

    return change


BOTO3 = "{tree}/layers/boto3"
TREE_CASES = {
    "a package the index does not have": (
        misspelt_package,
        ["lock"],
        (
            "error: layer http: {tree}/layers/http/requirements.in: names reqeusts, which the package index does not "
            "have; check the spelling (a private package needs its index set in uv's environment, e.g. UV_INDEX)"
        ),
    ),
    "a lock older than requirements.in, on both architectures": (
        edit("layers/boto3/requirements.in", "boto3==1.44.8", "boto3==1.44.7"),
        ["layers"],
        (
            f"error: layer boto3 (x86_64, arm64): {BOTO3}/requirements.txt: out of date with requirements.in "
            "(boto3==1.44.7 wanted, boto3==1.44.8 locked); run 'make lock'"
        ),
    ),
    "a misspelt key": (
        edit("layers/boto3/layer.toml", "license =", "licence ="),
        ["layers"],
        (
            f"error: layer boto3: {BOTO3}/layer.toml: unknown key(s) licence; did you mean license? allowed: "
            "architectures, audit, bytecode, description, exclude, license, licenses, overrides, regions, requires, "
            "runtimes, share"
        ),
    ),
    "a misspelt layer name": (
        edit("functions/hub/function.toml", '"boto3", "aws_helpers"', '"boto", "aws_helpers"'),
        ["layers"],
        (
            "error: function hub: {tree}/functions/hub/function.toml: no layer named 'boto'; did you mean boto3? "
            "layers: aws_helpers, boto3"
        ),
    ),
    "a function on a runtime its layers lack": (
        edit("functions/hub/function.toml", 'runtime = "python3.13"', 'runtime = "python3.11"'),
        ["layers"],
        (
            "error: function hub: {tree}/functions/hub/function.toml: layer boto3 is built for python3.12, python3.13, "
            f"python3.14 on x86_64, arm64, not python3.11 on x86_64; add python3.11 to runtimes in {BOTO3}/layer.toml, "
            "or set the function's runtime to one of python3.12, python3.13, python3.14"
        ),
    ),
    "a misspelt function": (
        lambda _: None,
        ["invoke", "FUNCTION=hbu"],
        "error: {tree}/build/manifest.json: no function named 'hbu'; did you mean hub? functions: hub",
    ),
}


@pytest.mark.network
@pytest.mark.parametrize(("mistake", "arguments", "expected"), TREE_CASES.values(), ids=TREE_CASES.keys())
def test_a_mistake_in_a_layer_or_function_is_one_line_with_its_fix(
    mistake: Callable[[Path], None], arguments: list[str], expected: str, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "layers", tree / "layers")
    shutil.copytree(ROOT / "functions", tree / "functions")
    mistake(tree)
    folders = [f"LAYERS_DIR={tree}/layers", f"FUNCTIONS_DIR={tree}/functions", f"BUILD_DIR={tree}/build"]

    errors = failing_make([*arguments, *folders], {**os.environ, "MAKEFLAGS": ""})

    assert errors == [expected.format(tree=tree)]


@pytest.mark.parametrize("target", ["invoke", "audit"])
def test_a_missing_variable_is_named_before_anything_builds(target: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("FUNCTION", "ADVISORIES")}
    errors = failing_make([target, f"BUILD_DIR={tmp_path}/build"], {**env, "MAKEFLAGS": ""})

    assert len(errors) == 1
    assert not (tmp_path / "build").exists()
