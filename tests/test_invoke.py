"""`make invoke`: real zips extracted as Lambda would, the handler run in a clean interpreter."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline
from layerkit.builder.manifest import FORMAT
from layerkit.cli import main
from layerkit.config import function_config, layer_config
from layerkit.errors import LayerError
from layerkit.inspect import invoke

if TYPE_CHECKING:
    from conftest import LayerFactory

ROOT = Path(__file__).resolve().parent.parent

APP = """
import os
import stat
import sys
import time

def handle(event, context):
    if event.get("raise"):
        raise ValueError("boom: " + event["raise"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    import which
    return {
        "which": which.NAME,
        "sys_path": sys.path[:3],
        "task_mode": oct(stat.S_IMODE(os.stat(os.environ["LAMBDA_TASK_ROOT"]).st_mode)),
        "env": {k: os.environ[k] for k in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "GREETING")},
        "context": [context.function_name, context.memory_limit_in_mb, context.invoked_function_arn],
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
"""


def make_project(layers: LayerFactory, functions: dict[str, str], build_dir: Path) -> Path:
    layers.make("first", files={"python/which.py": 'NAME = "first"\n', "python/only_first.py": ""})
    layers.make("second", files={"python/which.py": 'NAME = "second"\n'})
    functions_dir = layers.layers_dir.parent / "functions"
    for name, code in functions.items():
        (functions_dir / name / "src").mkdir(parents=True)
        (functions_dir / name / "src/app.py").write_text(code, encoding="utf-8")
        (functions_dir / name / "function.toml").write_text(
            'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\nmemory = 256\ntimeout = 2\n'
            'layers = ["first", "second"]\n[environment]\nGREETING = "hi"\n',
            encoding="utf-8",
        )
    configs = layer_config.discover(layers.layers_dir)
    outcomes = pipeline.build_all(
        configs, function_config.discover(functions_dir, configs), BuildDir(build_dir), jobs=2
    ).outcomes
    assert all(o.record for o in outcomes)
    return build_dir / "manifest.json"


def test_runs_with_lambda_paths_environment_context_and_merge_order(layers: LayerFactory, build_dir: Path) -> None:
    manifest = make_project(layers, {"api": APP}, build_dir)
    result = invoke.invoke(BuildDir(manifest.parent), "api", {}, sys.executable)
    assert not result.failed, result.payload
    payload = result.payload
    assert payload["which"] == "second", "the later layer wins"
    task, site, opt_python = payload["sys_path"]
    assert task.endswith("/task")
    assert site.endswith("/opt/python/lib/python3.12/site-packages")
    assert opt_python.endswith("/opt/python")
    assert payload["task_mode"] == "0o555"
    assert payload["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "api",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "GREETING": "hi",
    }
    assert payload["context"] == ["api", "256", "arn:aws:lambda:us-east-1:123456789012:function:api"]
    assert 0 < payload["remaining_ms"] <= 2000
    assert any("python3.12" in note for note in result.notes), "a host Python other than the runtime's is named"


def test_handler_error_is_reported_as_lambda_does(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = make_project(layers, {"api": APP}, build_dir)
    event = build_dir.parent / "event.json"
    event.write_text(json.dumps({"raise": "bad input"}), encoding="utf-8")
    code = main(["invoke", "api", "--event", str(event), "--build-dir", str(manifest.parent)])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "boom: bad input"
    assert "app.py" in payload["stackTrace"][0]
    assert "lambda_bootstrap" not in "".join(payload["stackTrace"])


def test_timeout_is_enforced(layers: LayerFactory, build_dir: Path) -> None:
    manifest = make_project(layers, {"api": APP}, build_dir)
    result = invoke.invoke(BuildDir(manifest.parent), "api", {"sleep": 30}, sys.executable)
    assert result.failed
    assert result.payload == {"errorMessage": "Task timed out after 2.00 seconds", "errorType": "Sandbox.Timedout"}


def test_import_that_only_the_build_venv_has_fails_as_on_lambda(layers: LayerFactory, build_dir: Path) -> None:
    # moto is installed in the build's virtualenv, but in none of the function's layers.
    manifest = make_project(layers, {"api": "import moto\n\ndef handle(event, context):\n    return 1\n"}, build_dir)
    result = invoke.invoke(BuildDir(manifest.parent), "api", {}, sys.executable)
    assert result.failed
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    assert result.payload["errorMessage"] == "Unable to import module 'app': No module named 'moto'"


def test_unknown_function_and_missing_manifest(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = make_project(layers, {"api": APP, "report": APP}, build_dir)
    with pytest.raises(LayerError) as caught:
        invoke.invoke(BuildDir(manifest.parent), "nope", {}, sys.executable)
    assert str(caught.value) == f"{manifest}: no function named 'nope'; functions: api, report"
    functions_dir = layers.layers_dir.parent / "functions"
    command = ["--functions-dir", str(functions_dir), "invoke", "reprot", "--build-dir", str(manifest.parent)]
    assert main(command) == 1
    assert capsys.readouterr().err == (
        f"error: {manifest}: no function named 'reprot'; did you mean report? functions: api, report\n"
    )
    with pytest.raises(LayerError, match=r"manifest\.json: missing; run 'make layers'"):
        invoke.invoke(BuildDir(build_dir / "absent"), "api", {}, sys.executable)


def test_manifest_from_a_newer_layerkit_is_refused(layers: LayerFactory, build_dir: Path) -> None:
    manifest = make_project(layers, {"api": APP}, build_dir)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "format": data["format"] + 1}), encoding="utf-8")
    newer = rf"manifest format {FORMAT + 1} was written by a newer layerkit; .* update the checkout"
    with pytest.raises(LayerError, match=newer):
        invoke.invoke(BuildDir(manifest.parent), "api", {}, sys.executable)


@pytest.mark.network
def test_hub_function_assumes_a_role_in_each_spoke_through_the_layer(
    aws_env: str, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layers = layer_config.discover(ROOT / "layers")
    functions = function_config.discover(ROOT / "functions", layers)
    monkeypatch.chdir(ROOT)  # the manifest names lockfiles relative to the repository
    assert all(o.record for o in pipeline.build_all(layers, functions, BuildDir(build_dir), jobs=2).outcomes)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)

    result = invoke.invoke(BuildDir(build_dir), "hub", {}, sys.executable)

    assert not result.failed, result.payload
    assert result.payload == {
        "spokes": [
            {"account": a, "arn": f"arn:aws:sts::{a}:assumed-role/OrganizationAccountAccessRole/hub-function"}
            for a in ("111111111111", "222222222222")
        ]
    }


def test_a_layer_with_extensions_for_another_python_gets_a_note(layers: LayerFactory, build_dir: Path) -> None:
    other = "3.13" if sys.version_info[:2] != (3, 13) else "3.12"
    so = f"python/fast.cpython-{other.replace('.', '')}-x86_64-linux-gnu.so"
    layers.make("native", files={so: "compiled elsewhere", "python/plain.py": ""})
    functions_dir = layers.layers_dir.parent / "functions"
    (functions_dir / "api/src").mkdir(parents=True)
    (functions_dir / "api/src/app.py").write_text("def handle(event, context):\n    return 1\n", encoding="utf-8")
    (functions_dir / "api/function.toml").write_text(
        'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\nlayers = ["native"]\n',
        encoding="utf-8",
    )
    configs = layer_config.discover(layers.layers_dir)
    functions = function_config.discover(functions_dir, configs)
    assert all(o.record for o in pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=1).outcomes)
    native = next(BuildDir(build_dir).layers_dir.glob("native-*.zip")).name
    here = f"python{sys.version_info[0]}.{sys.version_info[1]}"

    result = invoke.invoke(BuildDir(build_dir), "api", {}, sys.executable)

    assert not result.failed, result.payload
    assert (
        f"{native} ships 1 compiled extension(s) for python{other}, e.g. {so}; importing them fails on {here} here "
        "(an extension module loads only in the Python it was built for), though it works on Lambda; "
        "name a matching interpreter with PYTHON=..."
    ) in result.notes
