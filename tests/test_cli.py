"""The CLI boundary: one `error:` line on stderr and exit code 1, output only on success."""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerkit.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from conftest import LayerFactory


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
    errors = captured.err.splitlines()
    assert errors[0] == (
        f"error: layer broken: {layers.layers_dir}/broken/requirements.txt: missing for python3.12-x86_64; "
        "run 'make lock'"
    )
    assert errors[1].startswith("error: 1 artifact(s) failed;")
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
