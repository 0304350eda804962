"""The CLI boundary: one `error:` line on stderr and exit code 1, output only on success."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import without_progress
from layerkit.cli import main

if TYPE_CHECKING:
    from conftest import LayerFactory

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def test_build_error_is_one_line_and_exit_1(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    layers.make("broken", requirements="six==1.17.0\n")
    code = main(
        [
            "--layers-dir",
            str(layers.layers_dir),
            "--functions-dir",
            str(layers.layers_dir.parent / "functions"),
            "build",
            "--build-dir",
            str(build_dir),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    progress, *errors = captured.err.splitlines()
    assert progress == "building layer ok (python3.12, x86_64) \u2026"
    assert errors[0] == (
        f"error: layer broken: {layers.layers_dir}/broken/requirements.txt: missing for python3.12-x86_64; "
        "run 'make lock'"
    )
    assert len(errors) == 1  # one error is its own summary
    assert not (build_dir / "manifest.json").exists()


def test_build_success_reports_each_artifact(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    args = [
        "--layers-dir",
        str(layers.layers_dir),
        "--functions-dir",
        str(layers.layers_dir.parent / "functions"),
        "build",
        "--build-dir",
        str(build_dir),
    ]
    assert main(args) == 0
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "built"
    assert out[2].split()[:3] == ["up", "to", "date"]
    assert (build_dir / "manifest.json").is_file()


def layerkit(layers: LayerFactory, *command: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process of its own, as make runs it."""
    dirs = ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(layers.layers_dir.parent / "functions")]
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    return subprocess.run(
        [sys.executable, "-m", "layerkit", *dirs, *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=layers.layers_dir.parent,  # where the build folder goes, when the command names none
        check=False,
    )


@pytest.mark.network
def test_after_a_failed_lock_the_build_says_why_instead_of_asking_for_another_lock(layers: LayerFactory) -> None:
    """A lock that fails leaves no lockfile; `make layers` then names that failure, not 'run make lock' again."""
    directory = layers.make("native", requirements="docopt==0.6.2\n", architectures=("x86_64", "arm64"))
    locked = layerkit(layers, "lock")
    assert locked.returncode == 1
    cause = without_progress(locked.stderr)[0].removeprefix("error: layer native: ")
    assert cause.startswith(f"{directory}/requirements.in: docopt==0.6.2 publishes no wheel for python3.12")

    built = layerkit(layers, "build")
    assert built.returncode == 1
    assert without_progress(built.stderr) == [
        (
            "error: layer native (x86_64, arm64): its lockfile is not current because the last 'make lock' of it "
            f"failed: {cause}; then run 'make lock'"
        )
    ]

    (directory / "requirements.in").write_text("six==1.17.0\n", encoding="utf-8")
    assert layerkit(layers, "lock").returncode == 0
    assert layerkit(layers, "build").returncode == 0


def test_a_cold_build_says_what_it_builds_and_a_warm_one_says_nothing(layers: LayerFactory, build_dir: Path) -> None:
    layers.make(
        "mine",
        files={"python/mine.py": "A = 1\n"},
        runtimes=("python3.12", "python3.13", "python3.14"),
        architectures=("x86_64", "arm64"),
    )
    layers.make("other", files={"python/other.py": "B = 1\n"})
    cold = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert cold.returncode == 0, cold.stderr
    assert sorted(cold.stderr.splitlines()) == [
        "building layer mine (python3.12\u20133.14, arm64) \u2026",
        "building layer mine (python3.12\u20133.14, x86_64) \u2026",
        "building layer other (python3.12, x86_64) \u2026",
    ]
    assert [line.split()[0] for line in cold.stdout.splitlines()] == ["built", "built", "built", "wrote"]

    warm = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert warm.returncode == 0
    assert warm.stderr == ""
    assert [line.split()[0] for line in warm.stdout.splitlines()] == ["up", "up", "up", "wrote"]

    (layers.layers_dir / "other/python/other.py").write_text("B = 2\n", encoding="utf-8")
    changed = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert changed.stderr == "building layer other (python3.12, x86_64) \u2026\n"


SIX_LOCK = (Path(__file__).parent / "fixtures" / "six-lock.txt").read_text(encoding="utf-8")


def six_layer(layers: LayerFactory, name: str, extra_toml: str = "") -> Path:
    """A layer on both architectures that ships six 1.17.0, locked as `make lock` would (six is pure Python)."""
    directory = layers.make(
        name, requirements="six==1.17.0\n", architectures=("x86_64", "arm64"), extra_toml=extra_toml
    )
    lock = SIX_LOCK.replace("python3.12-x86_64", "python3.12-x86_64 python3.12-arm64").replace("layer six", name)
    (directory / "requirements.txt").write_text(lock, encoding="utf-8")
    return directory


def test_a_stale_lock_is_one_error_for_both_architectures(layers: LayerFactory, build_dir: Path) -> None:
    directory = six_layer(layers, "mine")
    (directory / "requirements.in").write_text("six==1.16.0\n", encoding="utf-8")
    result = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        (
            f"error: layer mine (x86_64, arm64): {directory}/requirements.txt: out of date with requirements.in "
            "(six==1.16.0 wanted, six==1.17.0 locked); run 'make lock'"
        ),
    ]
    assert result.stdout == ""


@pytest.mark.network  # base builds, with its six installed
def test_requires_added_without_a_relock_is_one_error_for_both_architectures(
    layers: LayerFactory, build_dir: Path
) -> None:
    six_layer(layers, "base")
    top = six_layer(layers, "top", extra_toml='requires = ["base"]\n')
    result = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert result.returncode == 1
    assert without_progress(result.stderr) == [
        (
            f"error: layer top (x86_64, arm64): {top}/requirements.txt: out of date: it ships six, which required "
            "layer base now ships; run 'make lock'"
        ),
    ]
    assert "Traceback" not in result.stderr


def test_errors_of_several_layers_and_a_function_are_counted_by_name(layers: LayerFactory, build_dir: Path) -> None:
    for name in ("one", "two"):
        (six_layer(layers, name) / "requirements.in").write_text("six\nidna\n", encoding="utf-8")
    code = layers.layers_dir.parent / "functions/api"
    (code / "src").mkdir(parents=True)
    (code / "function.toml").write_text(
        'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\nlayers = []\n', encoding="utf-8"
    )
    result = layerkit(layers, "build", "--build-dir", str(build_dir))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        (
            f"error: layer one (x86_64, arm64): {layers.layers_dir}/one/requirements.txt: out of date with "
            "requirements.in (idna is not locked); run 'make lock'"
        ),
        (
            f"error: layer two (x86_64, arm64): {layers.layers_dir}/two/requirements.txt: out of date with "
            "requirements.in (idna is not locked); run 'make lock'"
        ),
        f"error: function api: {code}/src: empty; put the handler's module there",
        f"error: 2 layers (one, two) and function api failed; {build_dir}/manifest.json was left as it was",
    ]


@pytest.mark.network
def test_lock_says_which_layer_and_targets_it_resolves(layers: LayerFactory) -> None:
    layers.make("six", requirements="six==1.17.0\n", runtimes=("python3.12", "python3.13"), architectures=("arm64",))
    layers.make("plain", files={"python/plain.py": "A = 1\n"})
    result = layerkit(layers, "lock")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "locking six for python3.12\u20133.13 on arm64 \u2026\n"
    assert result.stdout.splitlines() == [
        "locked plain: nothing to lock (no requirements)",
        f"locked six: {layers.layers_dir}/six/requirements.txt",
    ]


def test_lock_unknown_layer(layers: LayerFactory, capsys: pytest.CaptureFixture[str]) -> None:
    layers.make("ok", files={"python/ok.py": "A = 1\n"})
    assert (
        main(
            [
                "--layers-dir",
                str(layers.layers_dir),
                "--functions-dir",
                str(layers.layers_dir.parent / "functions"),
                "lock",
                "nope",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == "error: no layer named nope; layers: ok\n"


def test_lock_mistyped_layers_get_the_nearest_names(layers: LayerFactory, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("boto3", "http", "aws_helpers"):
        layers.make(name, files={f"python/{name}.py": "A = 1\n"})
    dirs = ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(layers.layers_dir.parent / "functions")]

    assert main([*dirs, "lock", "htp"]) == 1
    assert capsys.readouterr().err == "error: no layer named htp; did you mean http? layers: aws_helpers, boto3, http\n"

    assert main([*dirs, "lock", "boto", "http", "nope", "aws-helpers"]) == 1
    assert capsys.readouterr().err == (
        "error: no layer named aws-helpers, boto, nope; did you mean aws_helpers for aws-helpers, boto3 for boto? "
        "layers: aws_helpers, boto3, http\n"
    )


def test_a_missing_terraform_cli_is_one_line_that_says_what_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "apply", "demo"):
        assert main([command, "--tf", "no-such-terraform"]) == 1
        assert capsys.readouterr().err == (
            "error: no-such-terraform: not found on PATH; install Terraform >= 1.5 or OpenTofu >= 1.8 and put it "
            "on PATH (see docs/terraform.md, 'Versions')\n"
        )


def test_terraform_tests_fail_in_ci_and_skip_elsewhere_without_the_cli(tmp_path: Path) -> None:
    """The toolchain fixture, run in a pytest of its own with a CLI that does not exist."""
    test = tmp_path / "test_needs_terraform.py"
    test.write_text("def test_it(tf_cli):\n    pass\n", encoding="utf-8")
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(test)]
    for ci, outcome in (("true", "1 error"), ("", "1 skipped")):
        env = {**os.environ, "TF": "no-such-terraform", "CI": ci, "PYTHONPATH": str(SCRIPTS)}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
        assert outcome in result.stdout, result.stdout
        assert "no-such-terraform: not found on PATH; install Terraform >= 1.5 or OpenTofu >= 1.8" in result.stdout
