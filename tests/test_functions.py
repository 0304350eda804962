"""Function declarations (function.toml) and function zips in the manifest."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline
from layerkit.config import function_config, layer_config
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from conftest import LayerFactory

TOML = """runtime = "python3.12"
handler = "app.handle"
architecture = "x86_64"
layers = {layers}
"""


def write_function(root: Path, name: str, toml: str, code: str = "def handle(e, c):\n    return 1\n") -> Path:
    directory = root / name
    (directory / "src").mkdir(parents=True)
    (directory / "src/app.py").write_text(code, encoding="utf-8")
    (directory / "function.toml").write_text(toml, encoding="utf-8")
    return directory


POWERTOOLS = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"


@pytest.fixture
def six_layers(layers: LayerFactory) -> list[layer_config.LayerConfig]:
    for name in ("a", "b", "c", "d", "e", "f"):
        layers.make(name, files={f"python/{name}.py": "X = 1\n"}, architectures=("x86_64", "arm64"))
    return layer_config.discover(layers.layers_dir)


def test_function_zip_and_layers_in_merge_order(
    tmp_path: Path, build_dir: Path, six_layers: list[layer_config.LayerConfig]
) -> None:
    write_function(
        tmp_path / "functions", "api", TOML.format(layers='["c", "a"]') + 'memory = 512\n[environment]\nK = "v"\n'
    )
    functions = function_config.discover(tmp_path / "functions", six_layers)
    outcomes = pipeline.build_all(six_layers, functions, BuildDir(build_dir), jobs=2).outcomes
    assert all(o.record for o in outcomes)

    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    (api,) = manifest["functions"]
    assert api["layers"] == [
        {"artifact": "c-x86_64", "layer": "c", "arn": None},
        {"artifact": "a-x86_64", "layer": "a", "arn": None},
    ]
    assert (api["runtime"], api["handler"], api["memory"], api["timeout"]) == ("python3.12", "app.handle", 512, 3)
    assert api["environment"] == {"K": "v"}
    with zipfile.ZipFile(api["zip"]) as archive:
        assert archive.namelist() == ["app.py"]
    again = pipeline.build_all(six_layers, functions, BuildDir(build_dir), jobs=2).outcomes
    assert not [o for o in again if o.rebuilt]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (TOML.format(layers='["a", "b", "c", "d", "e", "f"]'), "6 layers, but Lambda attaches at most 5"),
        (TOML.format(layers='["a", "nope"]'), "no layer named 'nope'"),
        (TOML.format(layers='["a", "a"]'), "layers lists a twice; a layer is attached once, so drop the second one"),
        (TOML.format(layers='["a"]').replace("python3.12", "python3.13"), "layer a is built for python3.12"),
        (TOML.format(layers='["a"]').replace("app.handle", "app"), 'handler must be "module.function"'),
        (TOML.format(layers="[]") + "timeout = 901\n", "timeout must be a whole number from 1 to 900"),
        (TOML.format(layers="[]") + "memroy = 1\n", "unknown key(s) memroy"),
        (
            TOML.format(layers='["a", "arn:aws:lambda:us-east-1:123456789012:layer:tools"]'),
            "'arn:aws:lambda:us-east-1:123456789012:layer:tools' is not a layer version ARN",
        ),
        (TOML.format(layers='["arn:aws:lambda:us-east-1:1234:layer:tools:3"]'), "is not a layer version ARN"),
        (TOML.format(layers=f'["a", "b", "c", "d", "e", "{POWERTOOLS}"]'), "6 layers, but Lambda attaches at most 5"),
    ],
)
def test_bad_function_toml(tmp_path: Path, six_layers: list[layer_config.LayerConfig], toml: str, message: str) -> None:
    write_function(tmp_path / "functions", "api", toml)
    with pytest.raises(LayerError) as caught:
        function_config.discover(tmp_path / "functions", six_layers)
    assert str(caught.value).startswith("function api: ")
    assert "function.toml" in str(caught.value)
    assert message in str(caught.value)


RUNTIMES = "python3.10, python3.11, python3.12, python3.13, python3.14"
KEYS = (
    "architecture, asynchronous, description, environment, ephemeral_storage, handler, kms_key, layers, logs, "
    "memory, permissions, regions, reserved_concurrency, role, runtime, timeout, tracing, triggers, versions, vpc"
)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (TOML.format(layers="[]") + "memroy = 1\n", f"unknown key(s) memroy; did you mean memory? allowed: {KEYS}"),
        (
            TOML.format(layers="[]").replace("layers =", "layer ="),
            f"unknown key(s) layer; did you mean layers? allowed: {KEYS}",
        ),
        (TOML.format(layers="[]") + "signing = 1\n", f"unknown key(s) signing; allowed: {KEYS}"),
        (TOML.format(layers='["a", "bb"]'), "no layer named 'bb'; did you mean b? layers: a, b, c, d, e, f"),
        (TOML.format(layers='["a", "nope"]'), "no layer named 'nope'; layers: a, b, c, d, e, f"),
        (
            TOML.format(layers="[]").replace("python3.12", "python3.31"),
            f"unknown runtime 'python3.31'; did you mean python3.13? supported: {RUNTIMES}",
        ),
        (
            TOML.format(layers="[]").replace("python3.12", "Python3.12"),
            f"unknown runtime 'Python3.12'; did you mean python3.12? supported: {RUNTIMES}",
        ),
        (
            TOML.format(layers="[]").replace('"x86_64"', '"amd64"'),
            "unknown architecture 'amd64'; did you mean x86_64? supported: x86_64, arm64",
        ),
        (
            TOML.format(layers="[]").replace('"x86_64"', '"sparc"'),
            "unknown architecture 'sparc'; supported: x86_64, arm64",
        ),
        (
            TOML.format(layers="[]").replace('runtime = "python3.12"\n', ""),
            f"runtime must be one of {RUNTIMES}, not None",
        ),
    ],
    ids=[
        "key",
        "layers-key",
        "far-key",
        "layer",
        "far-layer",
        "runtime",
        "runtime-case",
        "architecture-alias",
        "far-architecture",
        "missing",
    ],
)
def test_a_mistyped_name_in_function_toml_gets_the_nearest_known_one(
    tmp_path: Path, six_layers: list[layer_config.LayerConfig], toml: str, message: str
) -> None:
    write_function(tmp_path / "functions", "api", toml)
    with pytest.raises(LayerError) as caught:
        function_config.discover(tmp_path / "functions", six_layers)
    assert str(caught.value) == f"function api: {tmp_path}/functions/api/function.toml: {message}"


def test_too_many_layers_says_what_to_do(tmp_path: Path, six_layers: list[layer_config.LayerConfig]) -> None:
    for attached in ('["a", "b", "c", "d", "e", "f"]', f'["a", "b", "c", "d", "e", "{POWERTOOLS}"]'):
        write_function(tmp_path / "functions", "api", TOML.format(layers=attached))
        with pytest.raises(LayerError) as caught:
            function_config.discover(tmp_path / "functions", six_layers)
        assert str(caught.value) == (
            f"function api: {tmp_path}/functions/api/function.toml: 6 layers, but Lambda attaches at most 5; "
            "drop one from layers, or merge two into one layer"
        )
        shutil.rmtree(tmp_path / "functions")


@pytest.mark.parametrize(
    ("target", "attached", "message"),
    [
        (
            ("python3.11", "x86_64"),
            '["boto3"]',
            (
                "python3.11 on x86_64; add python3.11 to runtimes in {layers}/boto3/layer.toml, "
                "or set the function's runtime to one of python3.12, python3.13"
            ),
        ),
        (
            ("python3.11", "x86_64"),
            '["boto3", "http"]',
            (
                "python3.11 on x86_64; add python3.11 to runtimes in {layers}/boto3/layer.toml, "
                "or set the function's runtime to python3.13"
            ),
        ),
        (
            ("python3.11", "x86_64"),
            '["boto3", "old"]',
            "python3.11 on x86_64; add python3.11 to runtimes in {layers}/boto3/layer.toml",
        ),
        (
            ("python3.13", "arm64"),
            '["boto3"]',
            (
                "python3.13 on arm64; add arm64 to architectures in {layers}/boto3/layer.toml, "
                "or set the function's architecture to x86_64"
            ),
        ),
        (
            ("python3.11", "arm64"),
            '["boto3"]',
            (
                "python3.11 on arm64; add python3.11 to runtimes and arm64 to architectures in "
                "{layers}/boto3/layer.toml, or set the function's runtime to one of python3.12, python3.13 "
                "and its architecture to x86_64"
            ),
        ),
    ],
    ids=["runtime", "runtime-every-layer-has", "no-runtime-every-layer-has", "architecture", "both"],
)
def test_a_layer_not_built_for_the_function_offers_both_fixes(
    tmp_path: Path, layers: LayerFactory, target: tuple[str, str], attached: str, message: str
) -> None:
    layers.make("boto3", files={"python/b.py": "X = 1\n"}, runtimes=("python3.13", "python3.12"))
    layers.make("http", files={"python/h.py": "X = 1\n"}, runtimes=("python3.13", "python3.11"))
    layers.make("old", files={"python/o.py": "X = 1\n"}, runtimes=("python3.11", "python3.10"))
    configs = layer_config.discover(layers.layers_dir)
    runtime, architecture = target
    toml = TOML.format(layers=attached).replace("python3.12", runtime).replace("x86_64", architecture)
    write_function(tmp_path / "functions", "api", toml)
    with pytest.raises(LayerError) as caught:
        function_config.discover(tmp_path / "functions", configs)
    where = f"function api: {tmp_path}/functions/api/function.toml: "
    built = "layer boto3 is built for python3.12, python3.13 on x86_64, not "
    assert str(caught.value) == where + built + message.format(layers=layers.layers_dir)


def test_function_without_code_folder(tmp_path: Path, six_layers: list[layer_config.LayerConfig]) -> None:
    directory = tmp_path / "functions" / "api"
    directory.mkdir(parents=True)
    (directory / "function.toml").write_text(TOML.format(layers="[]"), encoding="utf-8")
    with pytest.raises(LayerError, match="no src/ folder"):
        function_config.discover(tmp_path / "functions", six_layers)


def test_shipped_hub_function_declares_article_layers() -> None:
    root = Path(__file__).resolve().parent.parent
    layers = layer_config.discover(root / "layers")
    (hub,) = function_config.discover(root / "functions", layers)
    assert hub.layers == ("boto3", "aws_helpers")
    assert hub.handler == "handler.handle"


def test_layer_published_elsewhere_is_attached_by_arn_in_merge_order(
    tmp_path: Path, build_dir: Path, six_layers: list[layer_config.LayerConfig]
) -> None:
    write_function(tmp_path / "functions", "api", TOML.format(layers=f'["a", "{POWERTOOLS}", "b"]'))
    functions = function_config.discover(tmp_path / "functions", six_layers)
    assert functions[0].layers == ("a", POWERTOOLS, "b")
    assert all(o.record for o in pipeline.build_all(six_layers, functions, BuildDir(build_dir), jobs=2).outcomes)

    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["functions"][0]["layers"] == [
        {"artifact": "a-x86_64", "layer": "a", "arn": None},
        {"artifact": None, "layer": None, "arn": POWERTOOLS},
        {"artifact": "b-x86_64", "layer": "b", "arn": None},
    ]


def test_a_layer_is_attached_with_every_layer_it_requires(tmp_path: Path, layers: LayerFactory) -> None:
    layers.make("sdk", files={"python/sdk.py": "X = 1\n"})
    layers.make("base", files={"python/base.py": "X = 1\n"}, extra_toml='requires = ["sdk"]\n')
    layers.make("helpers", files={"python/helpers.py": "X = 1\n"}, extra_toml='requires = ["base"]\n')
    configs = layer_config.discover(layers.layers_dir)
    write_function(tmp_path / "functions", "api", TOML.format(layers='["helpers", "base"]'))
    with pytest.raises(LayerError) as caught:
        function_config.discover(tmp_path / "functions", configs)
    assert str(caught.value) == (
        f"function api: {tmp_path}/functions/api/function.toml: layer helpers requires sdk, which the function "
        "does not attach; add them to layers, in the merge order you want"
    )
    (tmp_path / "functions/api/function.toml").write_text(TOML.format(layers='["helpers", "sdk", "base"]'))
    (api,) = function_config.discover(tmp_path / "functions", configs)
    assert api.layers == ("helpers", "sdk", "base"), "merge order stays the function's to choose"
