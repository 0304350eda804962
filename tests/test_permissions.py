"""`[[permissions]]` in function.toml: checked at build time, `${NAME}` expanded, carried by the manifest."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline
from layerkit.cli import main
from layerkit.config import function_config, layer_config
from layerkit.errors import LayerError
from test_functions import TOML, write_function

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import LayerFactory

ENVIRONMENT = '[environment]\nSPOKES = "111111111111, 222222222222"\nROLE = "Spoke"\n'
HUB = """[[permissions]]
actions = ["sts:AssumeRole"]
resources = ["arn:aws:iam::${SPOKES}:role/${ROLE}"]
"""


def project(tmp_path: Path, layers: LayerFactory, permissions: str) -> tuple[list[layer_config.LayerConfig], Path]:
    layers.make("a", files={"python/a.py": "X = 1\n"})
    configs = layer_config.discover(layers.layers_dir)
    write_function(tmp_path / "functions", "hub", TOML.format(layers='["a"]') + ENVIRONMENT + permissions)
    return configs, tmp_path / "functions"


def test_references_expand_to_one_arn_per_item_and_reach_the_manifest(
    tmp_path: Path, layers: LayerFactory, build_dir: Path
) -> None:
    configs, functions_dir = project(tmp_path, layers, HUB)
    functions = function_config.discover(functions_dir, configs)
    assert all(o.record for o in pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=1).outcomes)

    (hub,) = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["functions"]
    assert hub["permissions"] == [
        {
            "actions": ["sts:AssumeRole"],
            "resources": ["arn:aws:iam::111111111111:role/Spoke", "arn:aws:iam::222222222222:role/Spoke"],
            "conditions": [],
        }
    ]
    assert hub["managed_policies"] == ["service-role/AWSLambdaBasicExecutionRole"]
    assert hub["environment"]["SPOKES"] == "111111111111, 222222222222"


def test_conditions_and_an_opted_in_star_are_kept(tmp_path: Path, layers: LayerFactory) -> None:
    statement = """[[permissions]]
actions = ["logs:PutLogEvents"]
resources = ["*"]
any_resource = true
conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = ["us-east-1"] }]
"""
    configs, functions_dir = project(tmp_path, layers, statement)
    (hub,) = function_config.discover(functions_dir, configs)
    (only,) = hub.permissions
    assert only.to_json() == {
        "actions": ["logs:PutLogEvents"],
        "resources": ["*"],
        "conditions": [{"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["us-east-1"]}],
    }


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            HUB.replace("sts:AssumeRole", "sts.AssumeRole"),
            "permissions[1]: action 'sts.AssumeRole' is not in service:Action form, e.g. \"sts:AssumeRole\"",
        ),
        (
            HUB.replace("arn:aws:iam::${SPOKES}:role/${ROLE}", "Spoke"),
            "permissions[1]: resource 'Spoke' is neither an ARN nor \"*\"; write arn:<partition>:<service>:",
        ),
        (
            HUB.replace("arn:aws:iam::${SPOKES}:role/${ROLE}", "*"),
            (
                'permissions[1]: resource "*" allows sts:AssumeRole on everything; name the ARNs, or add '
                "any_resource = true to the statement if it really needs every resource"
            ),
        ),
        (
            HUB.replace("${ROLE}", "${ROLES}"),
            "refers to ${ROLES}, which is not in [environment] (it has: ROLE, SPOKES); add it there",
        ),
        (
            HUB.replace("actions", "action"),
            (
                "permissions[1]: unknown key(s) action; did you mean actions? "
                "allowed: actions, any_resource, conditions, resources"
            ),
        ),
        (
            HUB + 'anyresource = true\neffect = "Deny"\n',
            (
                "permissions[1]: unknown key(s) anyresource, effect; did you mean any_resource for anyresource? "
                "allowed: actions, any_resource, conditions, resources"
            ),
        ),
        (HUB + HUB.replace("resources = [", "resources = [1, "), "permissions[2]: resources must be a list of"),
        ('permissions = "sts:AssumeRole"\n', "permissions must be tables, one per statement"),
    ],
    ids=[
        "action-form",
        "not-an-arn",
        "star-without-opt-in",
        "unknown-reference",
        "unknown-key",
        "unknown-keys",
        "second",
        "not-tables",
    ],
)
def test_a_bad_statement_is_one_line_naming_the_function_and_the_statement(
    tmp_path: Path, layers: LayerFactory, statement: str, message: str
) -> None:
    # A top-level key must come before [environment]; a table array may follow it.
    layers.make("a", files={"python/a.py": "X = 1\n"})
    configs = layer_config.discover(layers.layers_dir)
    body = TOML.format(layers='["a"]')
    body = body + statement + ENVIRONMENT if statement.startswith("permissions =") else body + ENVIRONMENT + statement
    write_function(tmp_path / "functions", "hub", body)
    with pytest.raises(LayerError) as caught:
        function_config.discover(tmp_path / "functions", configs)
    text = str(caught.value)
    assert text.startswith(f"function hub: {tmp_path / 'functions/hub/function.toml'}: ")
    assert "\n" not in text
    assert message in text


def test_a_refused_statement_leaves_the_previous_build_byte_identical(
    tmp_path: Path, layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configs, functions_dir = project(tmp_path, layers, HUB)
    functions = function_config.discover(functions_dir, configs)
    assert all(o.record for o in pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=1).outcomes)
    before = {p: p.read_bytes() for p in sorted(build_dir.rglob("*")) if p.is_file() and p.name != ".lock"}

    toml = functions_dir / "hub" / "function.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("arn:aws:iam::${SPOKES}", "iam::${SPOKES}"), encoding="utf-8"
    )
    arguments = ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(functions_dir)]
    assert main([*arguments, "build", "--build-dir", str(build_dir)]) == 1
    assert "is neither an ARN" in capsys.readouterr().err

    after = {p: p.read_bytes() for p in sorted(build_dir.rglob("*")) if p.is_file() and p.name != ".lock"}
    assert after == before
