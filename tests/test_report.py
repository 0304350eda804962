"""`make report`: layers that collide on purpose, built for real, and what the build says about them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import HANDLER, ROOT, Run, without_progress
from layerkit.builder import resolve
from layerkit.cli import main
from layerkit.config import layer_config
from layerkit.errors import LayerError
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES

if TYPE_CHECKING:
    from conftest import LayerFactory


def add_function(layers: LayerFactory, name: str, attached: list[str], files: dict[str, str] | None = None) -> Path:
    directory = layers.layers_dir.parent / "functions" / name
    (directory / "src").mkdir(parents=True)
    (directory / "function.toml").write_text(
        f'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\nlayers = {attached!r}\n',
        encoding="utf-8",
    )
    for relative, text in {"app.py": HANDLER, **(files or {})}.items():
        (directory / "src" / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / "src" / relative).write_text(text, encoding="utf-8")
    return directory


def run(layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str], command: str = "build") -> Run:
    code = main(
        [
            "--layers-dir",
            str(layers.layers_dir),
            "--functions-dir",
            str(layers.layers_dir.parent / "functions"),
            command,
            "--build-dir",
            str(build_dir),
        ]
    )
    captured = capsys.readouterr()
    return Run(code, captured.out, without_progress(captured.err))


def function_report(build_dir: Path, name: str = "api") -> dict[str, Any]:
    data = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    (found,) = [f for f in data["functions"] if f["function"] == name]
    return dict(found)


def dist_info(name: str, version: str, *paths: str, prefix: str = "python/") -> dict[str, str]:
    """A dist-info folder as an installer leaves it: METADATA, and a RECORD listing `paths` and itself."""
    folder = f"{name}-{version}.dist-info"
    record = "".join(f"{p},,\n" for p in (*paths, f"{folder}/METADATA", f"{folder}/RECORD"))
    return {
        f"{prefix}{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{prefix}{folder}/RECORD": record,
    }


def append_toml(directory: Path, text: str) -> None:
    toml = directory / "layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_same_path_in_two_layers_later_one_wins(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):
        layers.make(
            name,
            files={
                "python/shared/__init__.py": "",
                "python/shared/util.py": f"VALUE = {name!r}\n",
                "python/common.py": "X = 1\n",
            },
        )
    add_function(layers, "api", ["a", "b"])
    add_function(layers, "rev", ["b", "a"])

    result = run(layers, build_dir, capsys)

    assert result.code == 0, result.err
    assert result.err == [
        (
            "warning: function api: layers a and b ship shared/ (1 of 2 files differ: shared/util.py); "
            "b's copies are imported"
        ),
        (
            "note: function api: layers a and b ship the same file (common.py); the copies never imported add "
            "6 bytes to the unzipped size"
        ),
        (
            "warning: function rev: layers b and a ship shared/ (1 of 2 files differ: shared/util.py); "
            "a's copies are imported"
        ),
        (
            "note: function rev: layers b and a ship the same file (common.py); the copies never imported add "
            "6 bytes to the unzipped size"
        ),
    ]
    assert (build_dir / "manifest.json").is_file()
    api = function_report(build_dir)
    assert [(o["path"], o["imported_from"], o["identical"]) for o in api["overlaps"]] == [
        ("common.py", "b", True),
        ("shared/__init__.py", "b", True),
        ("shared/util.py", "b", False),
    ]
    assert api["overlaps"][2] == {
        "path": "shared/util.py",
        "layers": ["a", "b"],
        "zip_paths": ["python/shared/util.py", "python/shared/util.py"],
        "imported_from": "b",
        "identical": False,
        "distribution": None,
        "unused_size": len("VALUE = 'a'\n"),
    }


def test_the_same_distribution_from_python_folders_is_not_told_to_use_requires(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`requires` leaves a layer's own python/ files alone, so it would not help here."""
    files = {"python/six.py": "# six\n", **dist_info("six", "1.17.0", "six.py")}
    for name in ("a", "b"):
        layers.make(name, files=files)
    add_function(layers, "api", ["a", "b"])

    result = run(layers, build_dir, capsys)

    assert result.code == 0
    assert result.err == [
        (
            "note: function api: layers a and b ship the same 3 files (six); the copies never imported add "
            f"{sum(len(text) for text in files.values())} bytes to the unzipped size"
        )
    ]


@pytest.mark.network
def test_a_layer_that_installs_what_an_earlier_one_ships_is_told_to_require_it(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """boto3's layer and an http layer with requests both install urllib3; `requires`, as told, ends that."""
    layers.make("boto3", requirements="boto3==1.44.8\n")
    http = layers.make("http", requirements="requests\n")
    add_function(layers, "api", ["boto3", "http"])
    dirs = ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(layers.layers_dir.parent / "functions")]
    assert main([*dirs, "lock"]) == 0
    configs = {name: layer_config.load(layers.layers_dir / name) for name in ("boto3", "http")}
    urllib3 = {name: _pin(config, "urllib3") for name, config in configs.items()}
    assert urllib3["boto3"] == urllib3["http"], "locked at once, both layers pin the same urllib3"

    result = run(layers, build_dir, capsys)

    assert result.code == 0, result.err
    overlaps = function_report(build_dir)["overlaps"]
    assert {o["distribution"] for o in overlaps} == {"urllib3"}
    assert all(o["identical"] and o["imported_from"] == "http" for o in overlaps)
    unused = sum(o["unused_size"] for o in overlaps)
    sdk = [
        f"note: function api: {dist} 1.44.8 from layer boto3 shadows the runtime's own {dist}; "
        "right when the layer pins the SDK on purpose"
        for dist in ("boto3", "botocore")
    ]
    assert result.err == [
        (
            f"note: function api: layers boto3 and http ship the same {len(overlaps):,} files (urllib3); the copies "
            f'never imported add {unused:,} bytes to the unzipped size; declare requires = ["boto3"] in '
            f"{http}/layer.toml and run 'make lock', so http ships only what boto3 lacks"
        ),
        *sdk,
    ]

    append_toml(http, 'requires = ["boto3"]\n')
    assert main([*dirs, "lock"]) == 0
    result = run(layers, build_dir, capsys)

    assert result.code == 0, result.err
    assert result.err == sdk
    assert function_report(build_dir)["overlaps"] == []
    provided = {d["distribution"]: d["layer"] for d in function_report(build_dir)["distributions"]}
    assert (provided["urllib3"], provided["requests"]) == ("boto3", "http")


def _pin(config: layer_config.LayerConfig, name: str) -> str:
    (lock,) = config.directory.glob("requirements*.txt")
    (line,) = [line for line in lock.read_text(encoding="utf-8").splitlines() if line.startswith(f"{name}==")]
    return line.split("==")[1].split()[0]


def test_report_prints_the_table_and_rewrites_the_same_json(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):
        layers.make(name, files={"python/shared/util.py": f"VALUE = {name!r}\n", "python/common.py": "X = 1\n"})
    add_function(layers, "api", ["a", "b"])
    assert run(layers, build_dir, capsys).code == 0
    built = (build_dir / "report.json").read_bytes()

    result = run(layers, build_dir, capsys, "report")

    assert result.code == 0
    assert (build_dir / "report.json").read_bytes() == built
    assert result.out == TABLE.format(report=build_dir / "report.json")


TABLE = """\
function api (python3.12, x86_64)
  merge order  layer          unzipped bytes
            1  a                          18
            2  b                          18
               function code              41
               total                      77
  0.0% of Lambda's 262,144,000-byte limit (262,143,923 left)

  shipped by 2+ layers  files  differ  unused bytes  layers in merge order  imported
  common.py                 1       0             6  a, b                   b
  shared/                   1       1            12  a, b                   b

  no distribution comes from a layer

  warning: layers a and b ship different bytes at shared/util.py; b's copy is imported
  note: layers a and b ship the same file (common.py); the copies never imported add 6 bytes to the unzipped size
wrote {report}
"""


def test_two_versions_of_a_distribution_are_an_error_unless_the_winner_overrides(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = layers.make(
        "old", files={"python/foo_bar/__init__.py": "V = 1\n", **dist_info("Foo_Bar", "1.0", "foo_bar/__init__.py")}
    )
    new = layers.make(
        "new", files={"python/foo_bar/__init__.py": "V = 2\n", **dist_info("foo_bar", "2.0", "foo_bar/__init__.py")}
    )
    add_function(layers, "api", ["old", "new"])
    append_toml(old, 'overrides = ["foo-bar"]\n')  # the losing layer cannot declare it

    result = run(layers, build_dir, capsys)

    assert result.code == 1
    assert result.err == [
        (
            "error: function api: layers old (foo-bar 1.0) and new (foo-bar 2.0) ship different versions of foo-bar, "
            "and new's is imported; pin one version in every layer, or add "
            f'"foo-bar" to overrides in {new}/layer.toml if it is meant to win'
        ),
    ]
    assert not (build_dir / "manifest.json").exists()
    assert [o["path"] for o in function_report(build_dir)["overlaps"]] == ["foo_bar/__init__.py"]

    append_toml(new, 'overrides = ["Foo.Bar"]\n')  # any spelling of the name
    result = run(layers, build_dir, capsys)

    assert result.code == 0
    assert result.err == [
        (
            "warning: function api: layer new overrides foo-bar 1.0 from layer old with foo-bar 2.0, "
            "as its overrides declare"
        )
    ]
    assert (build_dir / "manifest.json").is_file()


@pytest.mark.network
def test_real_installs_of_two_six_versions(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = layers.make("old", requirements="six==1.16.0\n")
    resolve.lock_layer(layer_config.load(old), upgrade=False)
    new = layers.make("new", requirements="six==1.17.0\n")
    shutil.copyfile(Path(__file__).parent / "fixtures" / "six-lock.txt", new / "requirements.txt")
    add_function(layers, "api", ["old", "new"])

    result = run(layers, build_dir, capsys)

    assert result.code == 1
    assert result.err[0] == (
        "error: function api: layers old (six 1.16.0) and new (six 1.17.0) ship different versions of six, "
        f'and new\'s is imported; pin one version in every layer, or add "six" to overrides in {new}/layer.toml '
        "if it is meant to win"
    )
    assert len(result.err) == 1  # one error is its own summary
    (overlap,) = function_report(build_dir)["overlaps"]
    assert (overlap["path"], overlap["distribution"], overlap["identical"]) == ("six.py", "six", False)

    append_toml(new, 'overrides = ["six"]\n')
    result = run(layers, build_dir, capsys)
    assert result.code == 0
    assert result.err == [
        "warning: function api: layer new overrides six 1.16.0 from layer old with six 1.17.0, as its overrides declare"
    ]


def test_function_that_bundles_what_a_layer_provides(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("compat", files={"python/six.py": "# six\n", **dist_info("six", "1.17.0", "six.py")})
    bundled = {
        "six.py": "# the function's own copy of six\n",
        **dist_info("six", "1.17.0", "six.py", "../../bin/six-tool", prefix=""),
    }
    add_function(layers, "api", ["compat"], bundled)
    size = sum(len(text) for text in bundled.values())

    result = run(layers, build_dir, capsys)

    assert result.code == 0
    assert result.err == [
        (
            f"warning: function api: bundles six 1.17.0 ({size:,} bytes in 3 files, by its RECORD) although "
            "layer compat (six 1.17.0) already provides it; the function's copy is imported first, "
            "so remove it from the function's code"
        )
    ]


def test_layer_shipping_boto3_is_a_note(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("sdk", files={"python/boto3/__init__.py": "", **dist_info("boto3", "1.40.0", "boto3/__init__.py")})
    add_function(layers, "api", ["sdk"])

    result = run(layers, build_dir, capsys)

    assert result.code == 0
    assert result.err == [
        (
            "note: function api: boto3 1.40.0 from layer sdk shadows the runtime's own boto3; "
            "right when the layer pins the SDK on purpose"
        )
    ]
    assert [(f["level"], f["kind"], f["subject"]) for f in function_report(build_dir)["findings"]] == [
        ("note", "runtime-sdk", "boto3")
    ]


def test_function_and_layers_over_250_mb_unzipped(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    half = MAX_UNZIPPED_BYTES // 2
    for name in ("big1", "big2"):
        directory = layers.make(name)
        (directory / "python").mkdir()
        with (directory / f"python/{name}.bin").open("wb") as sparse:
            sparse.truncate(half)
    add_function(layers, "api", ["big1", "big2"])
    add_function(layers, "small", ["big1"])
    code = len(HANDLER)

    result = run(layers, build_dir, capsys)

    assert result.code == 1
    assert result.err[0] == (
        f"error: function api: {MAX_UNZIPPED_BYTES + code:,} bytes unzipped (function code {code} + layer big1 "
        "131,072,000 + layer big2 131,072,000), over Lambda's limit of 262,144,000 for a function and all its layers; "
        "detach a layer or make one smaller"
    )
    assert len(result.err) == 1  # one error is its own summary
    assert not (build_dir / "manifest.json").exists()
    assert function_report(build_dir, "small")["findings"] == []


def test_layer_published_elsewhere_counts_as_unknown_not_zero(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    powertools = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"
    layers.make("mine", files={"python/mine.py": "X = 1\n"})
    add_function(layers, "api", [powertools, "mine"])

    assert run(layers, build_dir, capsys).code == 0
    result = run(layers, build_dir, capsys, command="report")

    assert result.code == 0
    api = function_report(build_dir)
    assert [(layer["layer"], layer["unzipped_size"]) for layer in api["layers"]] == [
        (powertools, None),
        ("mine", len("X = 1\n")),
    ]
    assert api["total_is_lower_bound"] is True
    assert api["total_unzipped_size"] == len("X = 1\n") + len(HANDLER)
    assert [f["kind"] for f in api["findings"]] == ["published-elsewhere"]
    table = " ".join(result.out.split())
    assert f"1 {powertools} unknown" in table
    assert f"total at least {len('X = 1') + 1 + len(HANDLER)}" in table
    assert "is published elsewhere: its size counts as unknown, not zero" in table


def test_only_the_runtimes_import_folders_count(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make(
        "native",
        files={
            "python/lib/python3.12/site-packages/mod.py": "A = 12\n",
            "python/lib/python3.13/site-packages/other.py": "A = 13\n",
        },
        runtimes=("python3.12", "python3.13"),
    )
    layers.make("plain", files={"python/mod.py": "A = 0\n", "python/other.py": "B = 0\n"})
    add_function(layers, "api", ["native", "plain"])

    result = run(layers, build_dir, capsys)

    assert result.code == 0
    # site-packages comes before python/ on sys.path, so the earlier layer's copy is the one imported.
    assert result.err == [
        "warning: function api: layers native and plain ship different bytes at mod.py; native's copy is imported"
    ]
    (overlap,) = function_report(build_dir)["overlaps"]
    assert overlap["zip_paths"] == ["python/lib/python3.12/site-packages/mod.py", "python/mod.py"]


@pytest.mark.parametrize("value", ['"six"', '[""]', "[1]"])
def test_overrides_must_be_a_list_of_names(layers: LayerFactory, value: str) -> None:
    directory = layers.make("mine", extra_toml=f"overrides = {value}\n")
    with pytest.raises(LayerError, match=r"layer mine: .*layer.toml: overrides must be a list of distribution names"):
        layer_config.load(directory)


def test_make_report(layers: LayerFactory, build_dir: Path) -> None:
    layers.make("one", files={"python/one.py": "A = 1\n"})
    add_function(layers, "api", ["one"])
    result = subprocess.run(
        [
            shutil.which("make") or "make",
            "-C",
            str(ROOT),
            "report",
            f"LAYERS_DIR={layers.layers_dir}",
            f"FUNCTIONS_DIR={layers.layers_dir.parent / 'functions'}",
            f"BUILD_DIR={build_dir}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "function api (python3.12, x86_64)" in result.stdout
    assert "no path is shipped by more than one layer" in result.stdout
    assert (build_dir / "manifest.json").is_file()


@pytest.mark.network
def test_shipped_hub_function_gets_each_file_once_and_boto3_from_its_layer(
    build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--layers-dir",
            str(ROOT / "layers"),
            "--functions-dir",
            str(ROOT / "functions"),
            "build",
            "--build-dir",
            str(build_dir),
        ]
    )
    assert code == 0, capsys.readouterr().err
    hub = function_report(build_dir, "hub")
    assert [(f["level"], f["kind"], f["subject"]) for f in hub["findings"]] == [
        ("note", "runtime-sdk", "boto3"),
        ("note", "runtime-sdk", "botocore"),
    ]
    assert hub["overlaps"] == []
    sizes = {layer["layer"]: layer["unzipped_size"] for layer in hub["layers"]}
    assert sizes["aws_helpers"] < 10_000, "aws_helpers ships only its own library"
    assert hub["total_unzipped_size"] == hub["code_unzipped_size"] + sizes["boto3"] + sizes["aws_helpers"]
    provided = {d["distribution"]: d["layer"] for d in hub["distributions"]}
    assert provided["boto3"] == provided["botocore"] == "boto3"
    assert set(provided.values()) == {"boto3"}
