"""Secrets in a layer's python/ or a function's src/: refused in one line, the previous build left byte-identical.

The keys below are fakes: AWS's documented example key pair, and a private key block cut
short. Each line that holds one is marked for detect-secrets, so a hook would let it through;
the files the tests write hold the same text without the mark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pytest
from conftest import HANDLER, without_progress
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.settings import get_settings
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline, secrets
from layerkit.cli import main
from layerkit.config import function_config, layer_config

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import LayerFactory

KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # pragma: allowlist secret
SIGNING_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # pragma: allowlist secret
AWS_PAIR = f'aws_access_key_id = "{KEY_ID}"\naws_secret_access_key = "{SIGNING_KEY}"\n'
PRIVATE_KEY = (
    'PEM = """\n'
    "-----BEGIN RSA PRIVATE KEY-----\n"  # pragma: allowlist secret
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"  # pragma: allowlist secret
    "-----END RSA PRIVATE KEY-----\n"
    '"""\n'
)
ADVICE = (
    "remove it, and load it at run time from Secrets Manager or SSM Parameter Store; "
    "if it is not a secret, end the line with '# pragma: allowlist secret'"
)
FUNCTION = 'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "x86_64"\nlayers = ["mine"]\n'


def project(tmp_path: Path, layers: LayerFactory) -> list[str]:
    """A layer `mine` (two architectures) and a function `api`; the CLI's arguments for them."""
    layers.make("mine", files={"python/mine/__init__.py": "VALUE = 1\n"}, architectures=("x86_64", "arm64"))
    code = tmp_path / "functions/api/src"
    code.mkdir(parents=True)
    (code / "app.py").write_text(HANDLER, encoding="utf-8")
    (code.parent / "function.toml").write_text(FUNCTION, encoding="utf-8")
    return ["--layers-dir", str(layers.layers_dir), "--functions-dir", str(tmp_path / "functions")]


def snapshot(build_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(build_dir.rglob("*")) if p.is_file() and p.name != ".lock"}


class Case(NamedTuple):
    where: str
    text: str
    line: int
    kind: str
    more: str


@pytest.mark.parametrize(
    "case",
    [
        Case("layers/mine/python/mine/settings.py", AWS_PAIR, 1, "AWS Access Key", ", and 1 more after it"),
        Case("layers/mine/python/mine/keys.py", PRIVATE_KEY, 2, "Private Key", ""),
        Case("functions/api/src/config.py", "X = 1\n" + AWS_PAIR, 2, "AWS Access Key", ", and 1 more after it"),
    ],
    ids=["aws-key-pair-in-layer", "private-key-in-layer", "aws-key-pair-in-function"],
)
def test_a_secret_is_refused_in_one_line_and_the_previous_build_stays_byte_identical(
    tmp_path: Path, layers: LayerFactory, build_dir: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    arguments = [*project(tmp_path, layers), "build", "--build-dir", str(build_dir)]
    assert main(arguments) == 0
    before = snapshot(build_dir)
    capsys.readouterr()

    path = tmp_path / case.where
    path.write_text(case.text, encoding="utf-8")
    assert main(arguments) == 1

    err = capsys.readouterr().err
    owner = "function api" if case.where.startswith("functions/") else "layer mine"
    # Once, for both of the layer's architectures.
    shipped_by = owner if owner.startswith("function") else f"{owner} (x86_64, arm64)"
    refusal = f"error: {shipped_by}: {path}: line {case.line} holds a credential ({case.kind}){case.more}; {ADVICE}"
    assert without_progress(err) == [refusal]
    assert KEY_ID not in err
    assert SIGNING_KEY not in err
    assert "MIIB" not in err
    assert snapshot(build_dir) == before


def test_an_allowlisted_line_passes(tmp_path: Path, layers: LayerFactory, build_dir: Path) -> None:
    arguments = project(tmp_path, layers)
    (layers.layers_dir / "mine/python/mine/docs.py").write_text(
        f'EXAMPLE_KEY_ID = "{KEY_ID}"  # pragma: allowlist secret\n', encoding="utf-8"
    )
    assert main([*arguments, "build", "--build-dir", str(build_dir)]) == 0


ORDINARY = '''"""Ordinary code: digests, encoded data, ids and names of secrets, none of them a credential."""
import os

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_SHA256_BASE64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
PNG_HEADER = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
SECRET_NAME = "prod/db/credentials"
PASSWORD_PARAMETER = "/app/db-password"
password = os.environ["DB_PASSWORD"]
ENDPOINT = "203.0.113.10"
AWS_ACCESS_KEY_ID_VARIABLE = "AWS_ACCESS_KEY_ID"
'''


def test_ordinary_code_with_long_hex_and_base64_strings_passes(
    tmp_path: Path, layers: LayerFactory, build_dir: Path
) -> None:
    """The entropy, keyword and IP address detectors are left out: this file trips each of them."""
    arguments = project(tmp_path, layers)
    (layers.layers_dir / "mine/python/mine/constants.py").write_text(ORDINARY, encoding="utf-8")
    (tmp_path / "functions/api/src/constants.py").write_text(ORDINARY, encoding="utf-8")
    assert main([*arguments, "build", "--build-dir", str(build_dir)]) == 0


def test_a_file_the_layer_excludes_is_not_scanned(layers: LayerFactory, build_dir: Path) -> None:
    layers.make(
        "mine",
        files={"python/mine/__init__.py": "VALUE = 1\n", "python/mine/tests/test_keys.py": AWS_PAIR},
        extra_toml='exclude = ["python/*/tests/*"]\n',
    )
    configs = layer_config.discover(layers.layers_dir)
    outcomes = pipeline.build_all(configs, [], BuildDir(build_dir), jobs=1).outcomes
    assert [o.error for o in outcomes] == [None]


def test_a_build_with_nothing_changed_scans_nothing(
    tmp_path: Path, layers: LayerFactory, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, layers)
    configs = layer_config.discover(layers.layers_dir)
    functions = function_config.discover(tmp_path / "functions", configs)
    assert all(o.record for o in pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=2).outcomes)

    scanned: list[str] = []
    monkeypatch.setattr(secrets, "check", lambda owner, _files: scanned.append(str(owner)))
    outcomes = pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=2).outcomes
    assert [o.rebuilt for o in outcomes] == [False, False, False]
    assert scanned == []

    (tmp_path / "functions/api/src/app.py").write_text(HANDLER + "# changed\n", encoding="utf-8")
    pipeline.build_all(configs, functions, BuildDir(build_dir), jobs=2)
    assert scanned == ["function api"]


def test_parallel_scans_each_see_their_own_files(layers: LayerFactory, build_dir: Path) -> None:
    """Eight artifacts at once, scanning through detect-secrets' one global settings object."""
    for index in range(4):
        text = AWS_PAIR if index % 2 else "VALUE = 1\n"
        layers.make(f"l{index}", files={f"python/l{index}.py": text}, architectures=("x86_64", "arm64"))
    before = get_settings().json()
    configs = layer_config.discover(layers.layers_dir)
    outcomes = pipeline.build_all(configs, [], BuildDir(build_dir), jobs=8).outcomes

    refused = sorted(o.key for o in outcomes if o.error)
    assert refused == ["l1-arm64", "l1-x86_64", "l3-arm64", "l3-x86_64"]
    assert all("holds a credential (AWS Access Key)" in str(o.error) for o in outcomes if o.error)
    assert get_settings().json() == before  # the scan's settings were put back


def test_the_detectors_are_the_librarys_credential_detectors() -> None:
    """Every detector named exists (a typo would scan with one fewer), and the ones left out are the noisy ones."""
    classes: dict[str, type] = get_mapping_from_secret_type_to_class()
    available = {cls.__name__ for cls in classes.values()}
    assert set(secrets.DETECTORS) <= available
    assert available - set(secrets.DETECTORS) == {
        "Base64HighEntropyString",
        "HexHighEntropyString",
        "KeywordDetector",
        "IPPublicDetector",
    }
