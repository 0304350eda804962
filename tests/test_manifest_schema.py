"""`schemas/manifest.schema.json`, held to what the build writes, to the types, and to what main.tf reads.

A small tree is built for real and offline (layers with only `python/` sources), and the
shipped tree from the package index; jsonschema itself checks their manifests. layerkit's own
checker (`json_schema`) must agree with jsonschema on the small tree's manifest and on broken
copies of it, and `make report` refuses those in one line. Every field main.tf reads must be
`required` where it reads it.
"""

from __future__ import annotations

import copy
import json
import re
import typing
from typing import TYPE_CHECKING, Any

import jsonschema  # type: ignore[import-untyped]  # cyclonedx-python-lib[json-validation]'s; no stubs pinned
import pytest
from conftest import HANDLER, ROOT, LayerFactory
from layerkit import json_schema, records
from layerkit.builder.manifest import FORMAT
from layerkit.cli import main
from layerkit.records import Manifest

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


SCHEMA_FILE = ROOT / "schemas" / "manifest.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
ARN = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree with every kind of record, built offline.

    A layer on two architectures with overrides and an ignore, one that requires it under a
    license policy, and a function that attaches both and a layer published elsewhere.
    """
    root = tmp_path_factory.mktemp("schema")
    layers = LayerFactory(root / "layers")
    layers.make(
        "base",
        files={"python/base.py": "X = 1\n"},
        architectures=("x86_64", "arm64"),
        extra_toml='overrides = ["six"]\n[audit]\nignore = { "PYSEC-2099-7" = "no redirects" }\n',
    )
    layers.make(
        "app", files={"python/app.py": "Y = 1\n"}, extra_toml='requires = ["base"]\n[licenses]\nallow = ["MIT"]\n'
    )
    function = root / "functions" / "api"
    (function / "src").mkdir(parents=True)
    (function / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    (function / "function.toml").write_text(
        'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\n'
        f'layers = ["base", "app", "{ARN}"]\n[environment]\nBUCKET = "reports"\n'
        '[[permissions]]\nactions = ["s3:GetObject"]\nresources = ["arn:aws:s3:::${BUCKET}/*"]\n'
        'conditions = [{ test = "StringEquals", variable = "aws:PrincipalOrgID", values = ["o-a1b2c3d4e5"] }]\n',
        encoding="utf-8",
    )
    arguments = ["--layers-dir", str(root / "layers"), "--functions-dir", str(root / "functions")]
    assert main([*arguments, "build", "--build-dir", str(root / "build"), "--jobs", "2"]) == 0
    return root


@pytest.fixture
def manifest(built: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((built / "build" / "manifest.json").read_text(encoding="utf-8"))
    return data


def test_the_schema_is_a_draft_2020_12_schema_and_uses_only_what_the_checker_knows() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    used: set[str] = set()

    def walk(node: object, *, keywords: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if keywords:
                    used.add(key)
                # The names under properties and $defs are fields and definitions, not keywords.
                walk(value, keywords=not keywords or key not in ("properties", "$defs"))
        elif isinstance(node, list):
            for item in node:
                walk(item, keywords=keywords)

    walk(SCHEMA, keywords=True)
    assert used - json_schema.KEYWORDS == set()


def test_a_real_build_s_manifest_conforms(manifest: dict[str, Any], built: Path) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(manifest)
    assert json_schema.problem(manifest, SCHEMA) is None
    (base,) = [a for a in manifest["artifacts"] if a["key"] == "base-x86_64"]
    layers = built / "layers"
    assert (base["layer_toml"], base["requirements_in"]) == (
        f"{layers}/base/layer.toml",
        f"{layers}/base/requirements.in",
    )
    assert (base["overrides"], base["audit_ignore"], base["licenses_allow"]) == (
        ["six"],
        {"PYSEC-2099-7": "no redirects"},
        None,
    )
    (app,) = [a for a in manifest["artifacts"] if a["layer"] == "app"]
    assert (app["requires"], app["licenses_allow"]) == (["base"], ["MIT"])
    (api,) = manifest["functions"]
    assert api["src"] == f"{built}/functions/api/src"
    for state in (built / "build" / "state").glob("*.json"):
        jsonschema.Draft202012Validator(SCHEMA["$defs"]["artifact"] | {"$defs": SCHEMA["$defs"]}).validate(
            json.loads(state.read_text(encoding="utf-8"))
        )


@pytest.mark.network
def test_the_shipped_tree_s_manifest_conforms(tmp_path: Path) -> None:
    """The real layers and function, installed from the package index: boto3's lockfiles, requires, permissions."""
    build = tmp_path / "build"
    arguments = ["--layers-dir", str(ROOT / "layers"), "--functions-dir", str(ROOT / "functions")]
    assert main([*arguments, "build", "--build-dir", str(build), "--jobs", "2"]) == 0
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(manifest)
    assert json_schema.problem(manifest, SCHEMA) is None
    assert {a["layer"]: a["requires"] for a in manifest["artifacts"]}["aws_helpers"] == ["boto3"]


def _set(path: str, value: object) -> typing.Callable[[dict[str, Any]], None]:
    """An edit that sets `path` (dots and [n]) to `value`, or deletes it when `value` is `_DELETE`."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in re.split(r"\.|\[|\]\.?", path) if p]
        node: Any = data
        for part in parents:
            node = node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return edit


_DELETE = object()
BROKEN = {
    "an artifact without its zip_size": _set("artifacts[0].zip_size", _DELETE),
    "a size that is a string": _set("artifacts[0].unzipped_size", "12"),
    "a size that is a boolean": _set("functions[0].zip_size", value=True),
    "an unknown architecture": _set("artifacts[0].architecture", "aarch64"),
    "a misspelt key": _set("functions[0].permisions", []),
    "a sha256 that is not hex": _set("layer_versions[0].sha256", "not hex"),
    "a layer that is neither local nor an ARN": _set("functions[0].layers[0].layer", None),
    "an ARN beside an artifact": _set("functions[0].layers[2].artifact", "base-x86_64"),
    "share.public as text": _set("artifacts[0].share.public", "false"),
    "an ignore without a reason as text": _set("artifacts[0].audit_ignore.PYSEC-2099-7", 1),
    "a lockfile without its sha256": _set("artifacts[0].lockfiles", {"python3.12": {"path": "x"}}),
    "a condition's values as one string": _set("functions[0].permissions[0].conditions[0].values", "o-a"),
    "functions as an object": _set("functions", {}),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_manifest_fails_the_schema_the_checker_and_the_report(
    case: str, manifest: dict[str, Any], built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(manifest)
    BROKEN[case](broken)

    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(broken)
    assert json_schema.problem(broken, SCHEMA) is not None
    build = tmp_path / "build"
    build.mkdir()
    (build / "manifest.json").write_text(json.dumps(broken), encoding="utf-8")
    assert main(["--layers-dir", str(built / "layers"), "report", "--build-dir", str(build)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"error: {build / 'manifest.json'}: not a format {FORMAT} manifest (")
    assert err[0].endswith("); run 'make layers'")


def test_the_report_names_what_is_wrong(
    manifest: dict[str, Any], built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    BROKEN["a size that is a string"](manifest)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert main(["--layers-dir", str(built / "layers"), "report", "--build-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}/manifest.json: not a format {FORMAT} manifest (artifacts[0].unzipped_size: a string, "
        "not integer); run 'make layers'\n"
    )


@pytest.mark.parametrize("command", ["report", "audit"])
def test_report_and_audit_refuse_an_older_format_s_manifest(
    command: str, manifest: dict[str, Any], built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "format": FORMAT - 1}), encoding="utf-8")
    extra = ["--advisories", str(ROOT / "tests" / "fixtures" / "osv")] if command == "audit" else []

    assert main(["--layers-dir", str(built / "layers"), command, "--build-dir", str(tmp_path), *extra]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}/manifest.json: not a format {FORMAT} manifest (it is format {FORMAT - 1}); "
        "run 'make layers'\n"
    )


DEFINITIONS: dict[str, tuple[type, dict[str, Any]]] = {
    "Manifest": (Manifest, SCHEMA),
    "Artifact": (records.Artifact, SCHEMA["$defs"]["artifact"]),
    "LayerVersion": (records.LayerVersion, SCHEMA["$defs"]["layer_version"]),
    "Function": (records.Function, SCHEMA["$defs"]["function"]),
    "LocalLayer": (records.LocalLayer, SCHEMA["$defs"]["attached_layer"]["anyOf"][0]),
    "ExternalLayer": (records.ExternalLayer, SCHEMA["$defs"]["attached_layer"]["anyOf"][1]),
    "Statement": (records.Statement, SCHEMA["$defs"]["statement"]),
    "Condition": (records.Condition, SCHEMA["$defs"]["condition"]),
    "Share": (records.Share, SCHEMA["$defs"]["share"]),
    "Lockfile": (records.Lockfile, SCHEMA["$defs"]["lockfile"]),
    "Logs": (records.Logs, SCHEMA["$defs"]["logs"]),
    "Versions": (records.Versions, SCHEMA["$defs"]["versions"]),
    "Vpc": (records.Vpc, SCHEMA["$defs"]["vpc"]),
    "Asynchronous": (records.Asynchronous, SCHEMA["$defs"]["asynchronous"]),
    "Role": (records.Role, SCHEMA["$defs"]["role"]),
    "Schedule": (records.Schedule, SCHEMA["$defs"]["schedule"]),
    "Queue": (records.Queue, SCHEMA["$defs"]["queue"]),
    "InvokePermission": (records.InvokePermission, SCHEMA["$defs"]["invoke_permission"]),
    "Triggers": (records.Triggers, SCHEMA["$defs"]["triggers"]),
}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_each_record_type_has_exactly_the_schema_s_fields(name: str) -> None:
    record, schema = DEFINITIONS[name]
    hints = typing.get_type_hints(record)
    assert set(hints) == set(schema["properties"]) == set(schema["required"])
    assert schema["additionalProperties"] is False


def _reads(main_tf: str) -> set[tuple[str, str]]:
    """(record, field path) for every field of a manifest record that main.tf reads.

    A `for x in <collection>` binds x inside the brackets that open just before it; `each.value`
    is a record of what its block's `for_each` iterates.
    """
    collections = {
        "local.manifest.artifacts": "artifact",
        "local.manifest.layer_versions": "layer_version",
        "values(local.layer_versions)": "layer_version",
        "local.manifest.functions": "function",
        "values(local.functions)": "function",
        "f.layers": "attached_layer",
        "each.value.layers": "attached_layer",
        "each.value.triggers.schedules": "schedule",
        "each.value.triggers.queues": "queue",
        "each.value.triggers.permissions": "invoke_permission",
        "concat(values(local.layer_versions), values(local.functions))": "layer_version+function",
        "v.artifacts": "string",
    }
    scopes: list[tuple[int, int, str, str]] = []
    for match in re.finditer(r"[\[{]\s*for (\w+) in (.+?) :", main_tf):
        collection = re.sub(r"^try\((.*), \[\]\)$", r"\1", match[2])
        scopes.append((match.start(), _closing(main_tf, match.start()), match[1], collections[collection]))
    blocks = re.compile(r'^(?:module|resource|data) "[^"]+"(?: "[^"]+")? \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
    for block in blocks.finditer(main_tf):
        each = re.search(r"for_each\s*=\s*local\.(\w+)", block[1])
        kind = {"layer_versions": "layer_version", "functions": "function"}.get(each[1]) if each else None
        if kind:
            scopes.append((block.start(), block.end(), "each.value", kind))
    found = set()
    for start, end, name, kind in scopes:
        for access in re.finditer(rf"(?<![\w.]){re.escape(name)}((?:\.\w+)+)", main_tf[start:end]):
            position = start + access.start()
            inner = min((s for s in scopes if s[2] == name and s[0] <= position < s[1]), key=lambda s: s[1] - s[0])
            if inner[0] == start and kind != "string":
                found |= {(k, access[1][1:]) for k in kind.split("+")}
    return found


def _closing(text: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(text)):
        depth += {"[": 1, "{": 1, "(": 1, "]": -1, "}": -1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise AssertionError(f"no closing bracket for {text[opening : opening + 40]!r}")


def _unrequired(reads: set[tuple[str, str]], schema: dict[str, Any]) -> list[str]:
    """The fields read that `schema` does not require, in every form of the record, at every step of the path."""
    missing = []
    for kind, path in sorted(reads):
        for form in schema["$defs"][kind].get("anyOf", [schema["$defs"][kind]]):
            node = form
            for field in path.split("."):
                if field not in node.get("required", []):
                    missing.append(f"{kind}.{path}")
                    break
                node = _object_form(schema, node["properties"][field])
    return missing


def _object_form(schema: dict[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object a field holds: its $ref resolved, and of `anyOf [object, null]` the object (main.tf checks null)."""
    objects = [option for option in node.get("anyOf", [node]) if option.get("type") != "null"]
    form: Mapping[str, Any] = objects[0] if len(objects) == 1 else node
    return json_schema.resolve(schema, form["$ref"]) if "$ref" in form else form


def test_every_field_main_tf_reads_is_required_where_it_reads_it() -> None:
    main_tf = (ROOT / "main.tf").read_text(encoding="utf-8")
    reads = _reads(main_tf)
    assert {("function", "permissions"), ("layer_version", "share.accounts"), ("attached_layer", "arn")} <= reads
    assert ("artifact", "requires") in reads
    assert _unrequired(reads, SCHEMA) == []
    assert set(re.findall(r"local\.manifest\.(\w+)", main_tf)) <= set(SCHEMA["required"])


def test_the_rule_sees_a_field_that_is_not_required() -> None:
    loose = copy.deepcopy(SCHEMA)
    loose["$defs"]["share"]["required"].remove("public")
    loose["$defs"]["attached_layer"]["anyOf"][1]["required"].remove("arn")
    reads = {("layer_version", "share.public"), ("attached_layer", "arn"), ("function", "name")}
    assert _unrequired(reads, loose) == ["attached_layer.arn", "layer_version.share.public"]


def test_a_function_s_permissions_are_what_the_function_module_takes() -> None:
    """main.tf hands `permissions` on whole as `policy_statements`: its object type names the same fields."""
    variables = (ROOT / "modules" / "lambda-function" / "variables.tf").read_text(encoding="utf-8")
    declared = re.search(r'variable "policy_statements" \{\n\s*type = (.*?)\n\s*description', variables, re.DOTALL)
    assert declared
    names = re.findall(r"(\w+)\s*=", declared[1])
    statement, condition = SCHEMA["$defs"]["statement"], SCHEMA["$defs"]["condition"]
    # In the module's order: actions, resources, conditions, then each condition's test, variable and values.
    assert names == [*statement["required"], *condition["required"]]
