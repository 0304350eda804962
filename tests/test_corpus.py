"""The corpus: real, popular PyPI packages of many shapes, locked, built, reported and invoked (issue 21).

`tests/corpus/layers/<name>` is one layer per package, with its committed lockfiles, and
`tests/corpus/functions/<name>` a python3.11 x86_64 function that imports it. The shapes are
what third-party metadata and wheels really look like: C and Rust extensions with bundled
shared libraries, pure-Python packages of every age, licenses pasted whole into METADATA or
missing from it, namespace packages, console scripts and data files. numpy 1.26.4 is here
because its pasted license text once crashed `make layers`.

The lockfiles are committed, so nothing is resolved: a copy of the corpus is built once
(every layer and function, `--jobs 2`), and the build refuses a lockfile out of date with its
requirements.in. Then `report`, every SBOM against CycloneDX 1.5, and each function invoked
with the host's python3.11. Every step must succeed, and a failure must be layerkit's
`error:` lines, never a traceback. `make test-corpus` runs this file; `make test` leaves it out.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, without_progress
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from layerkit.cli import main

pytestmark = pytest.mark.network

CORPUS = ROOT / "tests" / "corpus"
FUNCTIONS = sorted(p.name for p in (CORPUS / "functions").iterdir() if (p / "function.toml").is_file())

NUMPY_LICENSE = "Copyright (c) 2005-2023, NumPy Developers."
"""The first line of the license text numpy 1.26.4 pastes into METADATA's `License` field."""

EXPECTED: dict[str, dict[str, Any]] = {
    "aiohttp": {"version": "3.14.5", "query": "1", "ci": "1"},
    "attrs": {"version": "26.1.0", "classic": True, "as_dict": {"x": 1}},
    "awscli": {"version": "1.46.3", "botocore": "1.43.62", "vendored": True},
    "backports-tarfile": {"version": "1.2.0", "names": ["corpus.txt"]},
    "certifi": {"version": "2026.10.19", "certificates": True},
    "charset-normalizer": {"version": "3.5.3", "encoding": "utf_8"},
    "click": {"version": "8.5.1", "output": "hello corpus\n"},
    "cryptography": {
        "version": "50.0.2",
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    },
    "docutils": {"version": "0.23.1", "fragment": "<p><em>hi</em></p>\n"},
    "grpcio": {"version": "1.85.3", "ok": 0},
    "idna": {"version": "3.20", "encoded": "xn--bcher-kva.example"},
    "jinja2": {"version": "3.1.6", "rendered": "Hello corpus!"},
    "lxml": {"version": "6.2.0", "text": "x"},
    "markupsafe": {"version": "3.0.4", "escaped": "&lt;b&gt;"},
    "numpy": {"version": "1.26.4", "sum": 45, "dot": 11.0},
    "orjson": {"version": "3.13.0", "dumped": '{"a":[1,2]}'},
    "packaging": {"version": "26.4", "contains": True},
    "pandas": {"version": "2.3.2", "sum": 6},
    "pillow": {"version": "12.2.0", "format": "JPEG", "size": [4, 4]},
    "protobuf": {"version": "7.36.2", "implementation": "upb", "json": {"a": 1.0}},
    "psycopg2-binary": {"version": "2.9.13", "libpq": True},
    "ptyprocess": {"version": "0.7.0", "unicode": True},
    "pydantic": {"version": "2.14.4", "core": "2.50.5", "x": 3},
    "pymysql": {"version": "1.2.4", "escaped": "it\\'s"},
    "python-dateutil": {"version": "4.0.0", "moved": "2024-02-29T12:00:00"},
    "pytz": {"version": "2026.6", "offset": 7200.0},
    "pyyaml": {"version": "6.0.4", "libyaml": True, "loaded": {"a": [1, 2]}},
    "requests": {"version": "2.34.2", "url": "https://corpus.invalid/search?q=a+b"},
    "scipy": {"version": "1.16.3", "comb": 10.0},
    "setuptools": {"version": "84.2.1", "name": "corpus"},
    "six": {"version": "1.17.0", "text": "corpus"},
    "typing-extensions": {"version": "4.16.0", "override": True},
    "tzdata": {"iana": "2026f", "magic": "TZif"},
    "uritemplate": {"version": "4.2.0", "expanded": "https://corpus.invalid/a%20b"},
    "urllib3": {"version": "2.8.0", "port": 8443},
    "webencodings": {"version": "0.6.1", "latin1": "windows-1252"},
    "zope-interface": {"version": "8.7", "provided": True},
}
"""What each corpus function's handler returns on python3.11 x86_64, from the versions its lockfile pins."""


@dataclass(frozen=True)
class Step:
    """One CLI run: its exit code, stdout, stderr less progress lines, and the traceback if main() raised."""

    code: int
    out: str
    err: list[str]
    crash: str | None = None


def cli(*argv: str) -> Step:
    """`layerkit.cli.main(argv)` with its output captured; an exception out of main() is kept as `crash`."""
    out, err = io.StringIO(), io.StringIO()
    crash = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except Exception:  # noqa: BLE001 -- a crash is what this test reports, not what stops it
            code, crash = -1, traceback.format_exc()
    return Step(code, out.getvalue(), without_progress(err.getvalue()), crash)


def succeeded(step: Step, what: str) -> None:
    """Fails, naming `what`, unless `step` exited 0; a failure must be `error:` lines, never a traceback."""
    text = "\n".join(step.err)
    if step.crash or "Traceback (most recent call last)" in text + step.out:
        tail = "\n".join((step.crash or text).strip().splitlines()[-6:])
        pytest.fail(f"{what} crashed with a traceback:\n{tail}", pytrace=False)
    errors = [line for line in step.err if line.startswith("error:")]
    if step.code != 0:
        assert errors, f"{what} exited {step.code} without an error: line:\n{text}\n{step.out[-2000:]}"
        pytest.fail(f"{what} failed (exit {step.code}):\n" + "\n".join(errors), pytrace=False)
    assert not errors, f"{what} exited 0 but printed:\n" + "\n".join(errors)


def tree(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob(pattern))}


def copy_corpus(to: Path) -> tuple[Path, Path]:
    shutil.copytree(CORPUS, to, ignore=shutil.ignore_patterns("__pycache__"))
    return to / "layers", to / "functions"


@dataclass(frozen=True)
class Corpus:
    """A copy of the corpus, built and reported."""

    built: Step
    reported: Step
    build_dir: Path
    layers_dir: Path
    functions_dir: Path

    def manifest(self) -> dict[str, Any]:
        return dict(json.loads((self.build_dir / "manifest.json").read_text(encoding="utf-8")))

    def report(self) -> dict[str, Any]:
        return dict(json.loads((self.build_dir / "report.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("corpus")
    layers_dir, functions_dir = copy_corpus(base / "tree")
    build_dir = base / "build"
    dirs = ("--layers-dir", str(layers_dir), "--functions-dir", str(functions_dir))
    built = cli(*dirs, "build", "--build-dir", str(build_dir), "--jobs", "2")
    reported = cli(*dirs, "report", "--build-dir", str(build_dir))
    return Corpus(built, reported, build_dir, layers_dir, functions_dir)


def test_every_corpus_function_has_a_layer_of_its_name_and_an_expected_payload() -> None:
    layers = sorted(p.name for p in (CORPUS / "layers").iterdir() if (p / "layer.toml").is_file())
    assert layers == FUNCTIONS
    assert sorted(EXPECTED) == FUNCTIONS
    assert len(FUNCTIONS) >= 30


def test_the_committed_lockfiles_are_current_and_each_is_built_from(corpus: Corpus) -> None:
    # The build refuses a lockfile out of date with requirements.in, naming it; none may be left over.
    succeeded(corpus.built, "build (the lock command in docs/development.md, 'Tests', re-locks a layer)")
    used = {
        Path(lock["path"]).resolve().relative_to(corpus.layers_dir.resolve()).as_posix()
        for artifact in corpus.manifest()["artifacts"]
        for lock in artifact["lockfiles"].values()
    }
    committed = tree(CORPUS / "layers", "requirements*.txt")
    assert sorted(used) == sorted(committed)
    for path, text in committed.items():
        layer = path.split("/")[0]
        assert text.startswith(f"# Lockfile of layer {layer}, written by `make lock`".encode()), path


def test_every_layer_and_function_builds(corpus: Corpus) -> None:
    succeeded(corpus.built, "build")
    manifest = corpus.manifest()
    expected = set()
    for layer in (CORPUS / "layers").iterdir():
        text = (layer / "layer.toml").read_text(encoding="utf-8")
        expected |= {f"{layer.name}-{arch}" for arch in ("x86_64", "arm64") if f'"{arch}"' in text}
    assert {a["key"] for a in manifest["artifacts"]} == expected
    assert sorted(f["name"] for f in manifest["functions"]) == FUNCTIONS


def test_large_and_trimmed_layers(corpus: Corpus) -> None:
    succeeded(corpus.built, "build")
    artifacts = {a["key"]: a for a in corpus.manifest()["artifacts"]}
    assert artifacts["pandas-x86_64"]["needs_s3"], "pandas and numpy zip to more than 50 MB: upload through S3"
    assert not artifacts["numpy-x86_64"]["needs_s3"]
    for arch in ("x86_64", "arm64"):
        with zipfile.ZipFile(artifacts[f"awscli-{arch}"]["zip"]) as archive:
            names = archive.namelist()
        assert any(n.endswith("/site-packages/awscli/botocore/__init__.py") for n in names)
        assert not [n for n in names if "/awscli/examples/" in n], "layer.toml's exclude leaves the examples out"


def test_report_names_every_distribution_and_its_license(corpus: Corpus) -> None:
    succeeded(corpus.reported, "report")
    functions = {f["function"]: f for f in corpus.report()["functions"]}
    assert sorted(functions) == FUNCTIONS
    unlicensed = sorted(
        f"{d['distribution']}=={d['version']} in {name}"
        for name, found in functions.items()
        for d in found["distributions"]
        if not d["license"]
    )
    assert not unlicensed, "every corpus distribution declares a license somewhere in METADATA"
    for name, found in functions.items():
        versions = {d["distribution"]: d["version"] for d in found["distributions"]}
        assert versions[name].startswith(EXPECTED[name].get("version", "")), name  # certifi's lacks .post1


def test_numpy_license_is_its_named_text_in_the_report_and_sbom(corpus: Corpus) -> None:
    succeeded(corpus.built, "build")
    succeeded(corpus.reported, "report")
    (numpy,) = [f for f in corpus.report()["functions"] if f["function"] == "numpy"]
    assert numpy["distributions"] == [
        {"distribution": "numpy", "layer": "numpy", "license": NUMPY_LICENSE, "version": "1.26.4"}
    ]
    for record in corpus.manifest()["artifacts"]:
        if record["layer"] == "numpy":
            sbom = json.loads(Path(record["sbom"]).read_text(encoding="utf-8"))
            (component,) = [c for c in sbom["components"] if c["name"] == "numpy"]
            assert component["version"] == "1.26.4"
            assert component["licenses"] == [{"license": {"name": NUMPY_LICENSE}}]


def test_every_sbom_in_the_manifest_validates(corpus: Corpus) -> None:
    succeeded(corpus.built, "build")
    manifest = corpus.manifest()
    validator = JsonStrictValidator(SchemaVersion.V1_5)
    invalid = {}
    for record in manifest["artifacts"] + manifest["functions"]:
        problem = validator.validate_str(Path(record["sbom"]).read_text(encoding="utf-8"))
        if problem is not None:
            invalid[record["key"]] = str(problem)[:300]
    assert not invalid


@pytest.fixture(scope="module")
def python311() -> str:
    found = shutil.which("python3.11")
    if found is None:
        message = "the corpus functions run on python3.11: put python3.11 on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@pytest.mark.parametrize("function", FUNCTIONS)
def test_invoke_returns_the_expected_payload(corpus: Corpus, python311: str, function: str) -> None:
    succeeded(corpus.built, "build")
    step = cli(
        "--layers-dir",
        str(corpus.layers_dir),
        "--functions-dir",
        str(corpus.functions_dir),
        "invoke",
        function,
        "--build-dir",
        str(corpus.build_dir),
        "--python",
        python311,
    )
    succeeded(step, f"invoke {function}")
    assert json.loads(step.out) == EXPECTED[function]


def test_numpy_1_26_4_on_python3_13_is_one_error_line_naming_the_missing_wheel(tmp_path: Path) -> None:
    # Why numpy's layer.toml leaves python3.13 out: numpy 1.26.4 publishes wheels for 3.9 to 3.12.
    layers_dir, functions_dir = copy_corpus(tmp_path / "corpus")
    toml = layers_dir / "numpy" / "layer.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('runtimes = ["python3.11"]', 'runtimes = ["python3.11", "python3.13"]'), "utf-8")
    step = cli("--layers-dir", str(layers_dir), "--functions-dir", str(functions_dir), "lock", "numpy")
    assert step.crash is None
    assert step.code == 1
    (line,) = step.err
    assert line.startswith("error: layer numpy: ")
    assert "numpy==1.26.4 publishes no wheel for python3.13 on x86_64 and arm64" in line
