"""`make audit`: small layers built for real, matched against the OSV fixtures in tests/fixtures/osv/.

The layers ship hand-written `*.dist-info` folders (METADATA and RECORD) in their own `python/`
folder: the build zips them as they are, and they read as installed distributions, so no
test here needs the package index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import HANDLER, ROOT, LayerFactory, Run
from layerkit.cli import main
from layerkit.inspect import advisories
from layerkit.report import contents

OSV = ROOT / "tests" / "fixtures" / "osv"


@dataclass(frozen=True)
class Project:
    layers: LayerFactory
    build_dir: Path

    @property
    def functions_dir(self) -> Path:
        return self.layers.layers_dir.parent / "functions"

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> Run:
        code = main(["--layers-dir", str(self.layers.layers_dir), "--functions-dir", str(self.functions_dir), *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err.splitlines())

    def build(self, capsys: pytest.CaptureFixture[str]) -> None:
        result = self.cli(capsys, "build", "--build-dir", str(self.build_dir), "--jobs", "2")
        assert result.code == 0, result.err

    def audit(self, capsys: pytest.CaptureFixture[str], advisories: Path) -> Run:
        return self.cli(capsys, "audit", "--advisories", str(advisories), "--build-dir", str(self.build_dir))

    def add_function(
        self, name: str, attached: list[str], architecture: str = "x86_64", files: dict[str, str] | None = None
    ) -> None:
        directory = self.functions_dir / name
        (directory / "src").mkdir(parents=True)
        (directory / "function.toml").write_text(
            f'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "{architecture}"\nlayers = {attached!r}\n',
            encoding="utf-8",
        )
        for relative, text in {"app.py": HANDLER, **(files or {})}.items():
            (directory / "src" / relative).parent.mkdir(parents=True, exist_ok=True)
            (directory / "src" / relative).write_text(text, encoding="utf-8")


def dist_info(name: str, version: str, prefix: str = "python/") -> dict[str, str]:
    """A dist-info folder as an installer leaves it: METADATA, and a RECORD listing itself."""
    folder = f"{name}-{version}.dist-info"
    return {
        f"{prefix}{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{prefix}{folder}/RECORD": f"{folder}/METADATA,,\n{folder}/RECORD,,\n",
    }


def shipped_project(tmp: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """Layer base (both architectures) ships the audited versions; app requires base; three functions."""
    project = Project(LayerFactory(tmp / "layers"), tmp / "build")
    project.layers.make(
        "base",
        architectures=("x86_64", "arm64"),
        files={
            "python/base_lib.py": "X = 1\n",
            **dist_info("PyJWT", "2.3.0"),
            **dist_info("urllib3", "1.26.5"),
            **dist_info("requests", "2.31.0"),
            **dist_info("jinja2", "3.0.0rc1"),
        },
    )
    project.layers.make(
        "app", files={"python/app_lib.py": "Y = 1\n", **dist_info("six", "1.16.0")}, extra_toml='requires = ["base"]\n'
    )
    project.add_function("api", ["base"])
    project.add_function("edge", ["base"], architecture="arm64")
    project.add_function("web", ["base", "app"], files=dist_info("idna", "2.0", prefix=""))
    project.build(capsys)
    return project


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    return shipped_project(tmp_path, capsys)


def audit_json(project: Project) -> dict[str, object]:
    data = json.loads((project.build_dir / "audit.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def found(project: Project) -> list[tuple[str, str]]:
    data = audit_json(project)
    findings = data["findings"]
    assert isinstance(findings, list)
    return [(f["package"], f["id"]) for f in findings]


def test_a_hand_written_dist_info_is_a_distribution_in_the_zip(project: Project) -> None:
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    (base,) = [a for a in manifest["artifacts"] if a["key"] == "base-x86_64"]
    dists = contents.read_zip(Path(base["zip"]), contents.layer_place("python3.12")).dists
    assert {(d.name, d.version) for d in dists.values()} == {
        ("pyjwt", "2.3.0"),
        ("urllib3", "1.26.5"),
        ("requests", "2.31.0"),
        ("jinja2", "3.0.0rc1"),
    }


def test_audit_names_each_advisory_its_layers_functions_and_what_to_change(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    result = project.audit(capsys, OSV)

    base_in = project.layers.layers_dir / "base" / "requirements.in"
    web_src = project.functions_dir / "web" / "src"
    assert result.code == 1
    base = "  layer base (x86_64, arm64) ships"
    app = f"  layer app gets it through base, which it requires: change {base_in}"
    functions = (
        "  function api attaches base\n  function edge attaches base\n  function web attaches base, through app\n"
    )
    assert result.out == (
        "idna PYSEC-2099-9 (CVE-2099-1009)\n"
        "  A crafted argument to idna.encode() takes quadratic time. Long inputs are now rejected before...\n"
        "  fixed in: 3.7\n"
        f"  function web's own code ships idna 2.0: change {web_src}\n"
        "\n"
        "jinja2 PYSEC-2099-4 (CVE-2099-1004)\n"
        "  fixed in: 3.0.0\n"
        f"{base} jinja2 3.0.0rc1: change {base_in}\n{app}\n{functions}"
        "\n"
        "pyjwt GHSA-jwt2-jwt2-jwt2 (CVE-2099-1010)\n"
        "  fixed in: 1.7.2, 2.3.1\n"
        f"{base} pyjwt 2.3.0: change {base_in}\n{app}\n{functions}"
        "\n"
        "pyjwt PYSEC-2099-1 (CVE-2099-1001, GHSA-jwt1-jwt1-jwt1)\n"
        "  Algorithm confusion when verifying a token\n"
        "  fixed in: 2.4.0\n"
        f"{base} pyjwt 2.3.0: change {base_in}\n{app}\n{functions}"
        "\n"
        "requests PYSEC-2099-7 (CVE-2099-1007)\n"
        "  Credentials sent on a redirect\n"
        "  fixed in: none known\n"
        f"{base} requests 2.31.0: change {base_in}\n{app}\n{functions}"
        "\n"
        "urllib3 GHSA-u3u3-u3u3-u3u3 (CVE-2099-1008, PYSEC-2099-8)\n"
        "  Proxy headers leak\n"
        "  fixed in: none known; last affected: 1.26.5\n"
        f"{base} urllib3 1.26.5: change {base_in}\n{app}\n{functions}"
        "\n"
        f"6 finding(s), 0 ignored, from 12 advisory files; wrote {project.build_dir / 'audit.json'}\n"
    )
    assert result.err == [
        (
            "error: 6 advisory finding(s) not ignored; change the files named above, or add the ID under "
            "[audit] ignore, with a reason, in the layer's layer.toml"
        )
    ]


def test_what_does_not_match_is_left_out(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """No finding for what OSV says is not affected.

    Withdrawn; fixed in the version shipped; introduced after a pre-release; a bound PEP 440 cannot
    read; last_affected before the version shipped; another ecosystem's package of the same name.
    """
    project.audit(capsys, OSV)

    ids = {advisory for _, advisory in found(project)}
    assert not ids & {
        "PYSEC-2099-2",
        "PYSEC-2099-3",
        "PYSEC-2099-5",
        "PYSEC-2099-6",
        "GHSA-u3u4-u3u4-u3u4",
        "GHSA-npm0-npm0-npm0",
    }


def test_audit_json_is_sorted_and_the_same_each_run(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.audit(capsys, OSV)
    first = (project.build_dir / "audit.json").read_bytes()
    project.audit(capsys, OSV)
    assert (project.build_dir / "audit.json").read_bytes() == first

    data = audit_json(project)
    assert found(project) == [
        ("idna", "PYSEC-2099-9"),
        ("jinja2", "PYSEC-2099-4"),
        ("pyjwt", "GHSA-jwt2-jwt2-jwt2"),
        ("pyjwt", "PYSEC-2099-1"),
        ("requests", "PYSEC-2099-7"),
        ("urllib3", "GHSA-u3u3-u3u3-u3u3"),
    ]
    findings = data["findings"]
    assert isinstance(findings, list)
    pyjwt = findings[3]
    base_in = str(project.layers.layers_dir / "base" / "requirements.in")
    assert pyjwt == {
        "id": "PYSEC-2099-1",
        "aliases": ["CVE-2099-1001", "GHSA-jwt1-jwt1-jwt1"],
        "summary": "Algorithm confusion when verifying a token",
        "source": str(OSV / "vulns" / "pyjwt" / "PYSEC-2099-1.yaml"),
        "package": "pyjwt",
        "fixed": ["2.4.0"],
        "last_affected": [],
        "ignored": False,
        "layers": [
            {
                "layer": "base",
                "version": "2.3.0",
                "artifacts": ["base-x86_64", "base-arm64"],
                "architectures": ["x86_64", "arm64"],
                "requirements_in": base_in,
                "ignored": None,
            }
        ],
        "code": [],
        "required_by": [{"layer": "app", "through": "base", "requirements_in": base_in}],
        "functions": [
            {"function": "api", "layers": ["base"], "through": []},
            {"function": "edge", "layers": ["base"], "through": []},
            {"function": "web", "layers": ["base"], "through": ["app"]},
        ],
        "change": [base_in],
    }
    assert data["failed"] is True
    assert data["advisory_files"] == 12
    assert data["stale_ignores"] == []
    assert data["warnings"] == []


def test_an_osv_export_zip_of_flat_json_files(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "all.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for path in sorted(OSV.rglob("*.json")):
            archive.write(path, path.name)

    result = project.audit(capsys, export)

    assert result.code == 1
    assert found(project) == [
        ("idna", "PYSEC-2099-9"),
        ("pyjwt", "GHSA-jwt2-jwt2-jwt2"),
        ("urllib3", "GHSA-u3u3-u3u3-u3u3"),
    ]
    assert audit_json(project)["findings"][1]["source"] == f"{export}:GHSA-jwt2-jwt2-jwt2.json"  # type: ignore[index]


def test_a_malformed_file_is_named_and_skipped(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "db"
    shutil.copytree(OSV, database)
    (database / "vulns" / "pyjwt" / "PYSEC-2099-90.yaml").write_text("id: [PYSEC-2099-90\nname: pyjwt\n")
    (database / "vulns" / "pyjwt" / "PYSEC-2099-91.json").write_text(
        '{"id": "PYSEC-2099-91", "affected": [{"package": {"name": "pyjwt", "ecosystem": "PyPI"}, "ranges": 1}]}'
    )
    (database / "vulns" / "pyjwt" / "empty.json").write_text("")

    result = project.audit(capsys, database)

    pyjwt = database / "vulns" / "pyjwt"
    assert result.err[:3] == [
        (
            f"warning: {pyjwt / 'PYSEC-2099-90.yaml'}: skipped, not a usable OSV advisory (not valid YAML: "
            "while parsing a flow sequence in \"<byte string>\", line 1, column 5 did not find expected ',' or ']' in "
            '"<byte string>", line 2, column 5)'
        ),
        (
            f"warning: {pyjwt / 'PYSEC-2099-91.json'}: skipped, not a usable OSV advisory "
            "(pyjwt: ranges and versions must be lists)"
        ),
        (
            f"warning: {pyjwt / 'empty.json'}: skipped, not a usable OSV advisory "
            "(not valid JSON: Expecting value: line 1 column 1 (char 0))"
        ),
    ]
    assert result.code == 1
    assert len(found(project)) == 6
    assert len(audit_json(project)["warnings"]) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "{path}: no such file or folder; pass a clone of the advisory database or an OSV export zip"),
        (
            "empty",
            (
                "{path}: no OSV advisories (*.json, *.yaml) found; pass a clone of the advisory database or an "
                "OSV export zip"
            ),
        ),
        (
            "file",
            "{path}: not a folder or a zip; pass a folder of OSV .json or .yaml files, or an OSV export zip",
        ),
    ],
)
def test_a_bad_advisories_path_is_one_line_and_nothing_is_written(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str
) -> None:
    path = tmp_path / case
    if case == "empty":
        (path / "vulns" / "pyjwt").mkdir(parents=True)
        (path / "README.md").write_text("no advisories here\n")
    elif case == "file":
        path.write_text("PYSEC-2099-1\n")

    result = project.audit(capsys, path)

    assert (result.code, result.out, result.err) == (1, "", [f"error: {message.format(path=path)}"])
    assert not (project.build_dir / "audit.json").exists()


def test_make_audit_without_advisories_says_how_to_pass_it(tmp_path: Path) -> None:
    project = Project(LayerFactory(tmp_path / "layers"), tmp_path / "build")
    project.layers.make("solo", files=dist_info("six", "1.16.0"))
    result = subprocess.run(
        [
            shutil.which("make") or "make",
            "-C",
            str(ROOT),
            "audit",
            f"LAYERS_DIR={project.layers.layers_dir}",
            f"FUNCTIONS_DIR={project.functions_dir}",
            f"BUILD_DIR={project.build_dir}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ADVISORIES": ""},
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "error: name the advisory database: make audit ADVISORIES=<folder of OSV files, or an OSV export zip>"
    )
    assert not project.build_dir.exists()  # refused before the build, which would only delay the message


def ignoring_project(tmp_path: Path, capsys: pytest.CaptureFixture[str], audit_toml: str) -> Project:
    project = Project(LayerFactory(tmp_path / "layers"), tmp_path / "build")
    project.layers.make(
        "solo",
        files={**dist_info("requests", "2.31.0"), **dist_info("pyjwt", "2.3.0")},
        extra_toml=audit_toml,
    )
    project.build(capsys)
    return project


def test_an_ignore_with_a_reason_and_a_stale_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = ignoring_project(
        tmp_path,
        capsys,
        '[audit]\nignore = { "CVE-2099-1007" = "we never follow redirects", "PYSEC-2000-1" = "long fixed" }\n',
    )

    result = project.audit(capsys, OSV)

    toml = project.layers.layers_dir / "solo" / "layer.toml"
    assert result.code == 1, "the pyjwt findings are not ignored"
    assert result.err == [
        f"warning: layer solo: [audit] ignore 'PYSEC-2000-1' matches no finding; remove it from {toml}",
        (
            "error: 2 advisory finding(s) not ignored; change the files named above, or add the ID under "
            "[audit] ignore, with a reason, in the layer's layer.toml"
        ),
    ]
    assert "requests PYSEC-2099-7 (CVE-2099-1007): ignored\n" in result.out
    assert "  layer solo (x86_64) ships requests 2.31.0: ignored in its layer.toml (we never follow redirects)\n" in (
        result.out
    )
    assert result.out.index("pyjwt PYSEC-2099-1") < result.out.index("requests PYSEC-2099-7"), "failing ones first"
    data = audit_json(project)
    assert data["stale_ignores"] == [{"layer": "solo", "id": "PYSEC-2000-1", "layer_toml": str(toml)}]
    assert [f["ignored"] for f in data["findings"]] == [False, False, True]  # type: ignore[attr-defined]


def test_an_ignore_covers_the_layers_that_require_the_ignoring_one(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project.layers.layers_dir / "base" / "layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '[audit]\nignore = { "PYSEC-2099-7" = "no redirects" }\n')
    project.build(capsys)  # the audit reads the ignore from the manifest, as make audit rebuilds it first

    result = project.audit(capsys, OSV)

    assert (
        "requests PYSEC-2099-7 (CVE-2099-1007): ignored\n"
        "  Credentials sent on a redirect\n"
        "  fixed in: none known\n"
        "  layer base (x86_64, arm64) ships requests 2.31.0: ignored in its layer.toml (no redirects)\n"
        "  layer app gets it through base, which it requires: ignored there\n"
    ) in result.out
    findings = audit_json(project)["findings"]
    assert isinstance(findings, list)
    (requests,) = [f for f in findings if f["package"] == "requests"]
    assert (requests["ignored"], requests["change"]) == (True, [])
    assert result.err[-1].startswith("error: 5 advisory finding(s) not ignored")


def test_exit_0_when_every_finding_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = ignoring_project(
        tmp_path,
        capsys,
        "[audit.ignore]\n"
        '"PYSEC-2099-7" = "we never follow redirects"\n'
        '"PYSEC-2099-1" = "we verify no tokens"\n'
        '"GHSA-jwt2-jwt2-jwt2" = "we verify no tokens"\n',
    )

    result = project.audit(capsys, OSV)

    assert (result.code, result.err) == (0, [])
    assert result.out.endswith(
        f"3 finding(s), 3 ignored, from 12 advisory files; wrote {project.build_dir}/audit.json\n"
    )
    assert audit_json(project)["failed"] is False


def test_exit_0_when_nothing_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = Project(LayerFactory(tmp_path / "layers"), tmp_path / "build")
    project.layers.make("solo", files=dist_info("six", "1.16.0"))
    project.build(capsys)

    result = project.audit(capsys, OSV)

    assert (result.code, result.err) == (0, [])
    assert (
        result.out
        == f"no advisory affects what the build ships (12 advisory files); wrote {project.build_dir}/audit.json\n"
    )
    assert audit_json(project)["findings"] == []


def test_an_ignore_without_a_reason_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = ignoring_project(tmp_path, capsys, "")
    toml = project.layers.layers_dir / "solo" / "layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '[audit]\nignore = { "PYSEC-2099-7" = " " }\n')

    # `make audit` builds first, and the build reads layer.toml; the audit reads only what the build wrote.
    result = project.cli(capsys, "build", "--build-dir", str(project.build_dir))

    assert (result.code, result.out) == (1, "")
    assert result.err == [
        (
            f"error: layer solo: {toml}: audit.ignore 'PYSEC-2099-7' has no reason; write why it does not apply to "
            'this layer, e.g. "PYSEC-2099-7" = "the affected function is never called"'
        )
    ]
    assert not (project.build_dir / "audit.json").exists()


@pytest.fixture
def real_database() -> Path:
    """A real OSV database (e.g. the PyPA advisory database's `vulns/`), when ADVISORIES names one."""
    path = os.environ.get("ADVISORIES")
    if not path:
        pytest.skip("set ADVISORIES to a clone of the PyPA advisory database (or an OSV export zip) to run this")
    return Path(path)


def test_a_real_database(real_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = ignoring_project(tmp_path, capsys, "")

    result = project.audit(capsys, real_database)

    assert result.code == 1, "pyjwt 2.3.0 has a published advisory (CVE-2022-29217)"
    assert "CVE-2022-29217" in result.out


@pytest.mark.parametrize(
    ("events", "version", "affected"),
    [
        ([{"introduced": "0"}, {"limit": "2.0"}], "1.9", True),
        ([{"introduced": "0"}, {"limit": "2.0"}], "2.0", False),
        ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.1"}], "1.7", False),
        ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.1"}], "2.0.5", True),
        ([{"fixed": "2.1"}, {"introduced": "2.0"}], "2.0.5", True),
        ([{"introduced": "2.0.0rc1"}], "2.0.0b1", False),
        ([{"introduced": "0"}, {"last_affected": "1.0"}], "1.0.post1", False),
    ],
)
def test_ecosystem_ranges(tmp_path: Path, events: list[dict[str, str]], version: str, *, affected: bool) -> None:
    """`limit`, several introduced/fixed pairs, events out of order, pre- and post-releases."""
    advisory = {"id": "X-1", "affected": [{"package": {"name": "p", "ecosystem": "PyPI"}, "ranges": []}]}
    advisory["affected"][0]["ranges"] = [{"type": "ECOSYSTEM", "events": events}]  # type: ignore[index]
    (tmp_path / "X-1.json").write_text(json.dumps(advisory), encoding="utf-8")

    (found_advisory,) = advisories.load(tmp_path, {"p"}).about("p")

    assert found_advisory.affects("p", version) is affected
