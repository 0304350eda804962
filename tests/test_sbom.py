"""SBOMs and `[licenses]`: what `make layers` writes beside each zip, and what it refuses."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import LayerFactory
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from layerkit.builder import lockfile, resolve
from layerkit.builder.sbom import UNKNOWN_CONTENTS
from layerkit.config import layer_config
from layerkit.errors import LayerError
from test_report import add_function, append_toml, run

POWERTOOLS = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"


def dist(name: str, version: str, license_line: str = "", *paths: str, prefix: str = "python/") -> dict[str, str]:
    """A module and its dist-info folder, as an installer leaves them, with `license_line` in METADATA."""
    folder = f"{name}-{version}.dist-info"
    module = f"{name}.py"
    record = "".join(f"{p},,\n" for p in (module, *paths, f"{folder}/METADATA", f"{folder}/RECORD"))
    return {
        f"{prefix}{module}": f"VERSION = {version!r}\n",
        f"{prefix}{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{license_line}",
        f"{prefix}{folder}/RECORD": record,
    }


def sboms(build_dir: Path) -> dict[str, Any]:
    """Each artifact's and function's SBOM, by key, checked against CycloneDX 1.5's schema."""
    data = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    found = {}
    for record in data["artifacts"] + data["functions"]:
        text = Path(record["sbom"]).read_text(encoding="utf-8")
        assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(text) is None
        found[record["key"]] = json.loads(text)
    return found


def properties(component: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in component.get("properties", [])}


def snapshot(build_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(build_dir).as_posix(): p.read_bytes() for p in build_dir.rglob("*") if p.is_file()}


@pytest.mark.network
def test_layer_sbom_lists_each_distribution_in_the_zip_and_is_the_same_bytes_from_another_copy(
    layers: LayerFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = layers.make("mine", requirements="python-dateutil==2.9.0.post0\n", files={"python/own.py": "X = 1\n"})
    resolve.lock_layer(layer_config.load(directory), upgrade=False)
    add_function(layers, "api", ["mine"])
    copy = tmp_path / "copy"
    shutil.copytree(layers.layers_dir.parent, copy)

    assert run(layers, tmp_path / "build", capsys).code == 0
    built = sboms(tmp_path / "build")
    layer = built["mine-x86_64"]
    manifest = json.loads((tmp_path / "build/manifest.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(manifest["artifacts"][0]["zip"]) as archive:
        shipped = sorted(n.split("/")[1] for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    assert shipped == ["python_dateutil-2.9.0.post0.dist-info", "six-1.17.0.dist-info"]
    components = {c["name"]: c for c in layer["components"]}
    assert sorted(components) == ["python-dateutil", "six"]  # the layer's own code is its metadata component
    six = components["six"]
    assert six["purl"] == "pkg:pypi/six@1.17.0"
    assert [h["content"] for h in six["hashes"]] == list(lockfile.read(directory / "requirements.txt").hashes["six"])
    assert six["licenses"] == [{"license": {"id": "MIT"}}]
    assert components["python-dateutil"]["licenses"] == [{"license": {"name": "Dual License"}}]  # as declared
    assert layer["metadata"]["component"]["name"] == "mine"
    assert layer["metadata"]["component"]["hashes"][0]["content"] == manifest["artifacts"][0]["sha256"]
    assert "timestamp" not in layer["metadata"]

    # The same project in another folder, built into another build folder: the same SBOMs, byte for byte.
    code = run(LayerFactory(copy / "layers"), tmp_path / "copy-build", capsys).code
    assert code == 0
    first, second = snapshot(tmp_path / "build"), snapshot(tmp_path / "copy-build")
    assert {k: v for k, v in first.items() if k.startswith("sbom/")} == {
        k: v for k, v in second.items() if k.startswith("sbom/")
    }
    assert len([k for k in first if k.startswith("sbom/")]) == 2

    # Nothing changed: the SBOMs are not written again.
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "build/sbom").iterdir()}
    assert run(layers, tmp_path / "build", capsys).code == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "build/sbom").iterdir()} == before


def test_function_sbom_is_every_layer_in_merge_order_with_shadowed_copies_marked(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("old", files={**dist("six", "1.16.0", "License: MIT\n"), **dist("idna", "3.10", "")})
    new = layers.make("new", files=dist("six", "1.17.0", "License-Expression: MIT\n"))
    append_toml(new, 'overrides = ["six"]\n')
    add_function(layers, "api", ["old", POWERTOOLS, "new"], files=dist("tool", "1.0", "License: BSD\n", prefix=""))

    assert run(layers, build_dir, capsys).code == 0
    found = sboms(build_dir)
    api = found["api"]

    by_ref = {c["bom-ref"]: c for c in api["components"]}
    assert {ref: properties(c) for ref, c in by_ref.items()} == {
        "function:pkg:pypi/tool@1.0": {},
        "old:pkg:pypi/six@1.16.0": {
            "layerkit:layer": "old",
            "layerkit:merge-position": "1",
            "layerkit:shadowed-by": "new",
        },
        "old:pkg:pypi/idna@3.10": {"layerkit:layer": "old", "layerkit:merge-position": "1"},
        POWERTOOLS: {
            "layerkit:layer": POWERTOOLS,
            "layerkit:merge-position": "2",
            "layerkit:contents": UNKNOWN_CONTENTS,
        },
        "new:pkg:pypi/six@1.17.0": {"layerkit:layer": "new", "layerkit:merge-position": "3"},
    }
    assert by_ref[POWERTOOLS]["name"] == "AWSLambdaPowertoolsPythonV3-python312-x86_64"
    assert "purl" not in by_ref[POWERTOOLS]
    assert by_ref["function:pkg:pypi/tool@1.0"]["licenses"] == [{"license": {"name": "BSD"}}]
    assert "licenses" not in by_ref["old:pkg:pypi/idna@3.10"]  # declares none: unknown, not guessed
    assert api["metadata"]["component"]["name"] == "api"
    assert len(found["old-x86_64"]["components"]) == 2
    assert len(found["new-x86_64"]["components"]) == 1

    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    assert report["functions"][0]["distributions"] == [
        {"distribution": "idna", "version": "3.10", "layer": "old", "license": None},
        {"distribution": "six", "version": "1.17.0", "layer": "new", "license": "MIT"},
    ]
    table = run(layers, build_dir, capsys, command="report").out
    lines = [" ".join(line.split()) for line in table.splitlines()]
    assert "distribution version imported from layer license" in lines
    assert {"idna 3.10 old unknown", "six 1.17.0 new MIT"} <= set(lines)


def test_licenses_allow_builds_a_permitted_layer_and_refuses_another_leaving_the_last_build(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = layers.make("mine", files={**dist("six", "1.17.0", "License: MIT\n"), "python/own.py": "X = 1\n"})
    append_toml(mine, '[licenses]\nallow = ["MIT", "Apache-2.0"]\n')
    add_function(layers, "api", ["mine"])
    assert run(layers, build_dir, capsys).code == 0
    before = snapshot(build_dir)
    assert sorted(k for k in before if k.startswith("sbom/")) != []

    for relative, text in dist("idna", "3.10", "").items():
        (mine / relative).parent.mkdir(exist_ok=True)
        (mine / relative).write_text(text, encoding="utf-8")
    result = run(layers, build_dir, capsys)

    assert result.code == 1
    assert result.err[0] == (
        f"error: layer mine (x86_64): ships idna 3.10 with an unknown license (its METADATA declares none), which "
        f"[licenses] allow in {mine}/layer.toml does not permit; remove it from requirements.in, or allow its "
        "license (Apache-2.0, MIT allowed now)"
    )
    assert snapshot(build_dir) == before

    toml = mine / "layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"MIT", ', ""), encoding="utf-8")
    for relative in dist("idna", "3.10", ""):
        (mine / relative).unlink()
    result = run(layers, build_dir, capsys)
    assert result.code == 1
    assert "ships six 1.17.0 under MIT, which [licenses] allow" in result.err[0]
    assert "(Apache-2.0 allowed now)" in result.err[0]
    assert snapshot(build_dir) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('allow = ["MIT License"]', "licenses.allow: 'MIT License' is not an SPDX license identifier"),
        ('allow = ["MIT OR Apache-2.0"]', "licenses.allow: 'MIT OR Apache-2.0' is not an SPDX license identifier"),
        ('deny = ["GPL-3.0-only"]', "unknown key(s) licenses.deny; allowed: allow"),
        ('allow = "MIT"', "allow must be a list of SPDX license identifiers"),
    ],
)
def test_licenses_table_is_checked_when_read(layers: LayerFactory, value: str, message: str) -> None:
    directory = layers.make("mine", extra_toml=f"[licenses]\n{value}\n")
    with pytest.raises(LayerError, match=re.escape(message)):
        layer_config.load(directory)


def test_sboms_the_manifest_no_longer_names_are_deleted(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = layers.make("mine", files={"python/own.py": "X = 1\n", **dist("six", "1.17.0", "License: MIT\n")})
    add_function(layers, "api", ["mine"])
    assert run(layers, build_dir, capsys).code == 0
    first = set(sboms(build_dir))
    old = {p.name for p in (build_dir / "sbom").iterdir()}

    for relative in dist("six", "1.17.0"):
        (mine / relative).unlink()
    assert run(layers, build_dir, capsys).code == 0

    data = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    named = {Path(r["sbom"]).name for r in data["artifacts"] + data["functions"]}
    assert {p.name for p in (build_dir / "sbom").iterdir()} == named
    assert named.isdisjoint(old)
    assert set(sboms(build_dir)) == first
    assert sboms(build_dir)["mine-x86_64"].get("components", []) == []
