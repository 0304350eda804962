"""layer.toml parsing: every mistake gets one clear error naming the layer and the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from layerkit.cli import main
from layerkit.config import layer_config
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import LayerFactory


def test_reads_all_keys(layers: LayerFactory) -> None:
    directory = layers.make(
        "tools",
        runtimes=("python3.13", "python3.12"),
        architectures=("arm64", "x86_64"),
        extra_toml='exclude = ["python/*/tests/*"]\n',
    )
    config = layer_config.load(directory)
    assert config.name == "tools"
    assert config.license == "MIT"
    assert config.runtimes == ("python3.12", "python3.13")
    assert config.architectures == ("x86_64", "arm64")
    assert config.exclude == ("python/*/tests/*",)
    assert [t.key for t in config.all_targets()] == [
        "python3.12-arm64",
        "python3.12-x86_64",
        "python3.13-arm64",
        "python3.13-x86_64",
    ]


VALID = 'description = "d"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("description = [", "not valid TOML"),
        ('license = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]', "description must be"),
        ('description = "d"\nlicense = "MIT"\nruntimes = ["python3.8"]\narchitectures = ["x86_64"]', "python3.8"),
        ('description = "d"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["aarch64"]', "'aarch64'"),
        ('description = "d"\nlicense = "MIT"\nruntimes = []\narchitectures = ["x86_64"]', "runtimes must be"),
        (f"{VALID}\nexlude = []", "exlude"),
        (VALID.replace('description = "d"', f'description = "{"d" * 257}"'), "at most 256"),
        (f'{VALID}\nshare = ["123456789012"]', "share must be a table"),
        (f'{VALID}\n[share]\naccount = ["123456789012"]', "unknown key(s) share.account"),
        (f'{VALID}\n[share]\naccounts = ["*"]', 'lists "*"; to share with every AWS account, set share.public = true'),
        (f'{VALID}\n[share]\naccounts = ["12345"]', "'12345' is not a 12-digit AWS account ID"),
        (f'{VALID}\n[share]\naccounts = ["123456789012", "123456789012"]', "lists an account twice"),
        (f'{VALID}\n[share]\norganization = "my-org"', "share.organization must be an organization ID"),
        (f'{VALID}\n[share]\npublic = "yes"', "share.public must be true or false"),
        (f"{VALID}\naudit = 1", "audit must be a table"),
        (f"{VALID}\n[audit]\nignores = {{}}", "unknown key(s) audit.ignores;"),
        (f'{VALID}\n[audit]\nignore = ["PYSEC-2024-1"]', "audit.ignore must be a table of advisory IDs and reasons"),
        (f'{VALID}\n[audit]\nignore = {{ "PYSEC-2024-1" = "" }}', "audit.ignore 'PYSEC-2024-1' has no reason"),
        (f'{VALID}\n[audit]\nignore = {{ "PYSEC-2024-1" = true }}', "audit.ignore 'PYSEC-2024-1' has no reason"),
    ],
)  # fmt: skip
def test_rejects_bad_layer_toml(tmp_path: Path, toml: str, message: str) -> None:
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "layer.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(LayerError, match=r"layer broken: .*layer.toml") as caught:
        layer_config.load(directory)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


KEYS = (
    "architectures, audit, bytecode, description, exclude, license, licenses, overrides, regions, requires, runtimes, "
    "share"
)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            VALID.replace("license", "licence"),
            f"unknown key(s) licence; did you mean license? allowed: {KEYS}",
        ),
        (
            f'{VALID}\nrequire = ["b"]\nbytcode = true\nzzz = 1',
            (
                f"unknown key(s) bytcode, require, zzz; did you mean bytecode for bytcode, requires for require? "
                f"allowed: {KEYS}"
            ),
        ),
        (f"{VALID}\nzzz = 1", f"unknown key(s) zzz; allowed: {KEYS}"),
        (
            f'{VALID}\n[share]\naccount = ["123456789012"]',
            "unknown key(s) share.account; did you mean share.accounts? allowed: accounts, organization, public",
        ),
        (
            f"{VALID}\n[audit]\nignores = {{}}",
            "unknown key(s) audit.ignores; did you mean audit.ignore? allowed: ignore",
        ),
        (
            f'{VALID}\n[licenses]\nalow = ["MIT"]',
            "unknown key(s) licenses.alow; did you mean licenses.allow? allowed: allow",
        ),
        (f'{VALID}\n[licenses]\ndeny = ["MIT"]', "unknown key(s) licenses.deny; allowed: allow"),
        (
            VALID.replace("python3.12", "python3.31"),
            (
                "unknown runtime 'python3.31'; did you mean python3.13? "
                "supported: python3.10, python3.11, python3.12, python3.13, python3.14"
            ),
        ),
        (
            VALID.replace('"x86_64"', '"aarch64"'),
            "unknown architecture 'aarch64'; did you mean arm64? supported: x86_64, arm64",
        ),
        (VALID.replace('"x86_64"', '"sparc"'), "unknown architecture 'sparc'; supported: x86_64, arm64"),
        (
            VALID.replace('"x86_64"', '"AMD64"'),
            "unknown architecture 'AMD64'; did you mean x86_64? supported: x86_64, arm64",
        ),
    ],
    ids=[
        "key",
        "keys",
        "far-key",
        "share",
        "audit",
        "licenses",
        "far-licenses",
        "runtime",
        "architecture",
        "far",
        "alias",
    ],
)
def test_a_mistyped_name_gets_the_nearest_known_one(tmp_path: Path, toml: str, message: str) -> None:
    directory = tmp_path / "http"
    directory.mkdir()
    (directory / "layer.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(LayerError) as caught:
        layer_config.load(directory)
    assert str(caught.value) == f"layer http: {directory}/layer.toml: {message}"


def test_sharing_defaults_to_nobody_and_reads_each_grantee(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    (directory / "layer.toml").write_text(VALID, encoding="utf-8")
    assert layer_config.load(directory).share == layer_config.Sharing()
    (directory / "layer.toml").write_text(
        f'{VALID}\n[share]\naccounts = ["222222222222", "111111111111"]\n'
        'organization = "o-a1b2c3d4e5"\npublic = true\n',
        encoding="utf-8",
    )
    assert layer_config.load(directory).share == layer_config.Sharing(
        accounts=("111111111111", "222222222222"), organization="o-a1b2c3d4e5", public=True
    )


def test_missing_layer_toml(tmp_path: Path) -> None:
    (tmp_path / "bare").mkdir()
    with pytest.raises(LayerError, match=r"layer bare: .*bare/layer.toml: missing"):
        layer_config.load(tmp_path / "bare")


def test_folder_name_must_be_a_layer_name(layers: LayerFactory) -> None:
    directory = layers.make("has.dot")
    with pytest.raises(LayerError, match="folder name must be"):
        layer_config.load(directory)


def test_discover_sorts_layers(layers: LayerFactory) -> None:
    for name in ("zeta", "alpha", "mid"):
        layers.make(name)
    assert [c.name for c in layer_config.discover(layers.layers_dir)] == ["alpha", "mid", "zeta"]


def test_discover_needs_layers(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="no such folder"):
        layer_config.discover(tmp_path / "nowhere")


def requiring(layers: LayerFactory, spec: dict[str, str]) -> Path:
    """Layers with no requirements, each with the `requires` line given."""
    for name, requires in spec.items():
        layers.make(name, files={f"python/{name}.py": "X = 1\n"}, extra_toml=requires)
    return layers.layers_dir


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"a": 'requires = ["nope"]\n'},
            "layer a: {dir}/a/layer.toml: requires 'nope', but there is no such layer; layers: a, base",
        ),
        (
            {"a": 'requires = ["bsae"]\n'},
            (
                "layer a: {dir}/a/layer.toml: requires 'bsae', but there is no such layer; did you mean base? "
                "layers: a, base"
            ),
        ),
        (
            {"a": 'requires = ["a"]\n'},
            "layers a -> a: each requires the next, in a cycle; remove one of these requires",
        ),
        (
            {"a": 'requires = ["b"]\n', "b": 'requires = ["c"]\n', "c": 'requires = ["a"]\n'},
            "layers a -> b -> c -> a: each requires the next, in a cycle; remove one of these requires",
        ),
        (
            {"a": 'requires = ["b"]\narchitectures = ["x86_64", "arm64"]\n', "b": ""},
            (
                "layer a: {dir}/a/layer.toml: requires layer b, which is not built for python3.12-arm64; add them to "
                "{dir}/b/layer.toml or drop them here"
            ),
        ),
        ({"a": 'requires = ["b", "b"]\n', "b": ""}, "layer a: {dir}/a/layer.toml: requires lists an entry twice"),
    ],
    ids=["unknown", "mistyped", "itself", "cycle", "targets", "twice"],
)
def test_requires_must_name_layers_that_can_carry_it(
    layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str], spec: dict[str, str], message: str
) -> None:
    layers_dir = requiring(layers, {"base": ""})
    dirs = ["--layers-dir", str(layers_dir), "--functions-dir", str(layers_dir.parent / "functions")]
    assert main([*dirs, "build", "--build-dir", str(build_dir)]) == 0
    manifest = (build_dir / "manifest.json").read_bytes()
    zips = {p: p.read_bytes() for p in build_dir.glob("layers/*.zip")}
    for name, requires in spec.items():
        (layers_dir / name).mkdir()
        arch = "" if "architectures" in requires else 'architectures = ["x86_64"]\n'
        (layers_dir / name / "layer.toml").write_text(
            f'description = "d"\nlicense = "MIT"\nruntimes = ["python3.12"]\n{arch}{requires}', encoding="utf-8"
        )
    capsys.readouterr()

    assert main([*dirs, "build", "--build-dir", str(build_dir)]) == 1

    assert capsys.readouterr().err == f"error: {message.format(dir=layers_dir)}\n"
    assert (build_dir / "manifest.json").read_bytes() == manifest
    assert {p: p.read_bytes() for p in build_dir.glob("layers/*.zip")} == zips


def test_required_layers_in_dependency_order(layers: LayerFactory) -> None:
    requiring(layers, {"app": 'requires = ["left", "right"]\n', "left": 'requires = ["common"]\n', "common": ""})
    requiring(layers, {"right": 'requires = ["common"]\n'})
    configs = layer_config.discover(layers.layers_dir)
    by_name = {c.name: c for c in configs}
    assert [c.name for c in layer_config.required(by_name["app"], by_name)] == ["left", "right", "common"]
    assert [c.name for c in layer_config.in_dependency_order(configs)] == ["common", "left", "right", "app"]


def test_audit_ignores_are_sorted_with_their_reasons(tmp_path: Path) -> None:
    directory = tmp_path / "ignoring"
    directory.mkdir()
    (directory / "layer.toml").write_text(
        f'{VALID}\n[audit.ignore]\n"PYSEC-2024-2" = "not reachable"\n"CVE-2024-1" = "test-only code"\n',
        encoding="utf-8",
    )
    assert layer_config.load(directory).audit_ignore == (
        ("CVE-2024-1", "test-only code"),
        ("PYSEC-2024-2", "not reachable"),
    )
