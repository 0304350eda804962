"""`make layers`: real installs and real zips, checked byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline, resolve
from layerkit.config import layer_config
from layerkit.errors import LayerError, of_layer
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES

if TYPE_CHECKING:
    from conftest import LayerFactory
    from layerkit.records import Artifact, FunctionZip, LayerVersion, Manifest

pytestmark = pytest.mark.network

SOURCES = {
    "python/mylib/__init__.py": "from mylib.core import VALUE\n",
    "python/mylib/core.py": "VALUE = 42\n",
    "python/mylib/__pycache__/core.cpython-311.pyc": "stale bytecode\n",
    "python/mylib/tests/test_core.py": "def test_value(): pass\n",
}


def locked(
    layers: LayerFactory,
    name: str,
    requirements: str,
    runtimes: tuple[str, ...] = ("python3.12",),
    architectures: tuple[str, ...] = ("x86_64",),
) -> Path:
    directory = layers.make(name, requirements=requirements, runtimes=runtimes, architectures=architectures)
    resolve.lock_layer(layer_config.load(directory), upgrade=False)
    return directory


def build_all(layers_dir: Path, build_dir: Path) -> list[pipeline.Outcome[Artifact] | pipeline.Outcome[FunctionZip]]:
    outcomes = pipeline.build_all(layer_config.discover(layers_dir), [], BuildDir(build_dir), jobs=2).outcomes
    errors = [str(o.error) for o in outcomes if o.error]
    if errors:
        raise LayerError("; ".join(errors))
    return outcomes


def document(build_dir: Path) -> Manifest:
    return cast("Manifest", json.loads((build_dir / "manifest.json").read_text(encoding="utf-8")))


def manifest(build_dir: Path) -> dict[str, Artifact]:
    return {a["key"]: a for a in document(build_dir)["artifacts"]}


def layer_versions(build_dir: Path) -> dict[str, LayerVersion]:
    return {v["key"]: v for v in document(build_dir)["layer_versions"]}


def test_zip_holds_packages_and_sources_in_lambda_layout(layers: LayerFactory, build_dir: Path) -> None:
    directory = locked(layers, "mine", "idna==3.10\n")
    for relative, text in SOURCES.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_text(text, encoding="utf-8")
    (directory / "python/mylib/run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    (directory / "python/mylib/run.sh").chmod(0o700)

    build_all(layers.layers_dir, build_dir)
    artifact = manifest(build_dir)["mine-x86_64"]
    data = Path(artifact["zip"]).read_bytes()

    assert artifact["sha256"] == hashlib.sha256(data).hexdigest()
    assert artifact["sha256_base64"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert artifact["zip_size"] == len(data)
    assert artifact["runtimes"] == ["python3.12"]
    assert artifact["needs_s3"] is False
    lock_bytes = (directory / "requirements.txt").read_bytes()
    assert artifact["lockfiles"] == {
        "python3.12": {
            "path": (directory / "requirements.txt").as_posix(),
            "sha256": hashlib.sha256(lock_bytes).hexdigest(),
        }
    }
    with zipfile.ZipFile(Path(artifact["zip"])) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        names = sorted(infos)
        assert [i.filename for i in archive.infolist()] == names
        assert "python/idna/__init__.py" in names
        assert "python/mylib/core.py" in names
        assert "python/mylib/tests/test_core.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in names if n.startswith("python/bin/") or n.endswith(".lock")]
        assert artifact["file_count"] == len([n for n in names if not n.endswith("/")])
        assert artifact["unzipped_size"] == sum(i.file_size for i in infos.values())
        for info in infos.values():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.extra == b""
            mode = info.external_attr >> 16
            if info.is_dir():
                assert mode == stat.S_IFDIR | 0o755
            elif info.filename == "python/mylib/run.sh":
                assert mode == stat.S_IFREG | 0o755
            else:
                assert mode == stat.S_IFREG | 0o644, info.filename
        record = archive.read("python/idna-3.10.dist-info/RECORD").decode()
        assert "idna/__init__.py" in record
        assert "bin/" not in record
        assert "/root/" not in record


def test_exclude_is_opt_in(layers: LayerFactory, build_dir: Path) -> None:
    layers.make("mine", files=SOURCES, extra_toml='exclude = ["python/*/tests/*"]\n')
    build_all(layers.layers_dir, build_dir)
    with zipfile.ZipFile(manifest(build_dir)["mine-x86_64"]["zip"]) as archive:
        names = archive.namelist()
    assert "python/mylib/core.py" in names
    assert not [n for n in names if "/tests/" in n and not n.endswith("/")]


def test_same_inputs_same_bytes_across_paths_mtimes_umask_and_order(tmp_path: Path) -> None:
    from conftest import LayerFactory  # noqa: PLC0415 -- two factories in two checkouts

    zips = []
    for checkout, umask, order in (("a", 0o022, 1), ("deeper/b", 0o077, -1)):
        factory = LayerFactory(tmp_path / checkout / "layers")
        items = dict(sorted(SOURCES.items())[::order])
        old = os.umask(umask)
        try:
            directory = factory.make("mine", requirements="six==1.17.0\n", files=items)
            shutil.copyfile(Path(__file__).parent / "fixtures" / "six-lock.txt", directory / "requirements.txt")
            for path in directory.rglob("*"):
                os.utime(path, (1_000_000 * len(checkout), 1_000_000 * len(checkout)))
            build_all(factory.layers_dir, tmp_path / checkout / "build")
        finally:
            os.umask(old)
        zips.append(Path(manifest(tmp_path / checkout / "build")["mine-x86_64"]["zip"]))
    assert zips[0].read_bytes() == zips[1].read_bytes()
    assert zips[0].name == zips[1].name


def test_one_zip_per_architecture_and_per_runtime_site_packages_when_wheels_differ(
    layers: LayerFactory, build_dir: Path
) -> None:
    locked(
        layers,
        "native",
        "markupsafe==3.0.3\n",
        runtimes=("python3.12", "python3.13"),
        architectures=("x86_64", "arm64"),
    )
    build_all(layers.layers_dir, build_dir)
    artifacts = manifest(build_dir)
    assert sorted(artifacts) == ["native-arm64", "native-x86_64"]
    with zipfile.ZipFile(artifacts["native-arm64"]["zip"]) as archive:
        names = archive.namelist()
    assert "python/lib/python3.12/site-packages/markupsafe/_speedups.cpython-312-aarch64-linux-gnu.so" in names
    assert "python/lib/python3.13/site-packages/markupsafe/_speedups.cpython-313-aarch64-linux-gnu.so" in names
    assert not [n for n in names if "x86_64" in n]
    versions = layer_versions(build_dir)
    assert {k: (v["architectures"], v["zip"]) for k, v in versions.items()} == {
        "native-arm64": (["arm64"], artifacts["native-arm64"]["zip"]),
        "native-x86_64": (["x86_64"], artifacts["native-x86_64"]["zip"]),
    }


def test_pure_packages_share_python_folder_across_runtimes(layers: LayerFactory, build_dir: Path) -> None:
    locked(layers, "pure", "six==1.17.0\n", runtimes=("python3.12", "python3.13"))
    build_all(layers.layers_dir, build_dir)
    with zipfile.ZipFile(manifest(build_dir)["pure-x86_64"]["zip"]) as archive:
        assert "python/six.py" in archive.namelist()
        assert not [n for n in archive.namelist() if n.startswith("python/lib/")]


def test_identical_architecture_zips_are_published_as_one_layer_version(layers: LayerFactory, build_dir: Path) -> None:
    directory = locked(layers, "pure", "six==1.17.0\n", architectures=("arm64", "x86_64"))
    (directory / "layer.toml").write_text(
        (directory / "layer.toml").read_text(encoding="utf-8")
        + '[share]\naccounts = ["222222222222", "111111111111"]\norganization = "o-a1b2c3d4e5"\n',
        encoding="utf-8",
    )
    build_all(layers.layers_dir, build_dir)
    artifacts = manifest(build_dir)
    assert artifacts["pure-arm64"]["sha256"] == artifacts["pure-x86_64"]["sha256"]
    (version,) = layer_versions(build_dir).values()
    assert version["key"] == "pure"
    assert version["architectures"] == ["x86_64", "arm64"]
    assert version["artifacts"] == ["pure-x86_64", "pure-arm64"]
    assert version["zip"] == artifacts["pure-x86_64"]["zip"]
    assert version["sha256_base64"] == artifacts["pure-x86_64"]["sha256_base64"]
    assert version["runtimes"] == ["python3.12"]
    assert version["share"] == {
        "accounts": ["111111111111", "222222222222"],
        "organization": "o-a1b2c3d4e5",
        "public": False,
    }


def test_unchanged_inputs_do_no_work_and_one_change_rebuilds_one_layer(layers: LayerFactory, build_dir: Path) -> None:
    layers.make("first", files={"python/first.py": "A = 1\n"})
    layers.make("second", files={"python/second.py": "B = 1\n"})
    build_all(layers.layers_dir, build_dir)
    zips = {k: Path(a["zip"]) for k, a in manifest(build_dir).items()}
    stamps = {k: p.stat().st_mtime_ns for k, p in zips.items()}

    again = build_all(layers.layers_dir, build_dir)
    assert [o.rebuilt for o in again] == [False, False]
    assert {k: p.stat().st_mtime_ns for k, p in zips.items()} == stamps

    (layers.layers_dir / "second/python/second.py").write_text("B = 2\n", encoding="utf-8")
    third = build_all(layers.layers_dir, build_dir)
    assert {o.key: o.rebuilt for o in third} == {"first-x86_64": False, "second-x86_64": True}
    after = manifest(build_dir)
    assert Path(after["first-x86_64"]["zip"]).stat().st_mtime_ns == stamps["first-x86_64"]
    assert after["second-x86_64"]["zip"] != str(zips["second-x86_64"].as_posix())
    assert not zips["second-x86_64"].exists(), "the replaced zip is cleaned up"


def test_failed_build_keeps_previous_manifest_and_zips(layers: LayerFactory, build_dir: Path) -> None:
    layers.make("good", files={"python/good.py": "A = 1\n"})
    bad = layers.make("bad", files={"python/bad.py": "B = 1\n"})
    build_all(layers.layers_dir, build_dir)
    before = (build_dir / "manifest.json").read_bytes()

    (layers.layers_dir / "good/python/good.py").write_text("A = 2\n", encoding="utf-8")
    (bad / "requirements.in").write_text("six==1.17.0\n", encoding="utf-8")  # added but never locked
    outcomes = pipeline.build_all(layer_config.discover(layers.layers_dir), [], BuildDir(build_dir), jobs=2).outcomes

    assert [o.key for o in outcomes if o.error] == ["bad-x86_64"]
    assert (build_dir / "manifest.json").read_bytes() == before
    for artifact in manifest(build_dir).values():
        data = Path(artifact["zip"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == artifact["sha256"]
    assert not list(build_dir.glob(".staging-*"))


def test_zip_over_50_mb_is_marked_for_s3(layers: LayerFactory, build_dir: Path) -> None:
    directory = layers.make("big")
    (directory / "python").mkdir()
    (directory / "python/blob.bin").write_bytes(os.urandom(51 * 1024 * 1024))
    build_all(layers.layers_dir, build_dir)
    assert manifest(build_dir)["big-x86_64"]["needs_s3"] is True


def test_layer_over_250_mb_unzipped_is_an_error(layers: LayerFactory, build_dir: Path) -> None:
    directory = layers.make("huge")
    (directory / "python").mkdir()
    with (directory / "python/sparse.bin").open("wb") as sparse:
        sparse.truncate(MAX_UNZIPPED_BYTES + 1)
    with pytest.raises(LayerError, match=r"layer huge \(x86_64\): 262,144,001 bytes unzipped.*262,144,000"):
        build_all(layers.layers_dir, build_dir)
    assert not (build_dir / "manifest.json").exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("stale", r"requirements.txt: out of date with requirements.in \(six==1.16.0 wanted, six==1.17.0 locked\)"),
        ("added", r"requirements.txt: out of date with requirements.in \(idna is not locked\)"),
        ("removed", r"requirements.txt: out of date with requirements.in \(six no longer in requirements.in\)"),
        ("unlocked", r"requirements.txt: missing for python3.12-x86_64; run 'make lock'"),
        ("new-target", r"requirements.txt: not resolved for python3.12-arm64"),
        ("hash", r"install for python3.12-x86_64 failed: .*[Hh]ash"),
        ("escape", r"python/leak.py: links outside the layer folder"),
        ("empty", r"layers/mine: the layer is empty"),
    ],
)
def test_bad_input_is_one_clear_error(layers: LayerFactory, build_dir: Path, setup: str, message: str) -> None:
    directory = layers.make("mine", requirements="six==1.17.0\n")
    shutil.copyfile(Path(__file__).parent / "fixtures" / "six-lock.txt", directory / "requirements.txt")
    lockfile = directory / "requirements.txt"
    if setup == "stale":
        (directory / "requirements.in").write_text("six==1.16.0\n", encoding="utf-8")
    elif setup == "added":
        (directory / "requirements.in").write_text("six==1.17.0\nidna\n", encoding="utf-8")
    elif setup == "removed":
        (directory / "requirements.in").write_text("# nothing yet\n", encoding="utf-8")
        (directory / "python").mkdir()
        (directory / "python/keep.py").write_text("", encoding="utf-8")
    elif setup == "unlocked":
        lockfile.unlink()
    elif setup == "new-target":
        (directory / "layer.toml").write_text(
            (directory / "layer.toml").read_text(encoding="utf-8").replace("['x86_64']", "['x86_64', 'arm64']"),
            encoding="utf-8",
        )
    elif setup == "hash":
        text = lockfile.read_text(encoding="utf-8")
        lockfile.write_text(re.sub("sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text), encoding="utf-8")
    elif setup == "escape":
        (directory / "python").mkdir()
        outside = layers.layers_dir.parent / "secret.py"
        outside.write_text("KEY = 1\n", encoding="utf-8")
        (directory / "python/leak.py").symlink_to(outside)
    elif setup == "empty":
        (directory / "requirements.in").unlink()
        lockfile.unlink()

    outcomes = pipeline.build_all(layer_config.discover(layers.layers_dir), [], BuildDir(build_dir), jobs=1).outcomes
    errors = [str(o.error) for o in outcomes if o.error]
    assert len(errors) >= 1
    assert errors[0].startswith("layer mine")
    assert "\n" not in errors[0]
    assert re.search(message, errors[0]), errors[0]
    assert not (build_dir / "manifest.json").exists()
    assert not list(build_dir.rglob("*.tmp"))


def test_an_error_alike_on_every_architecture_is_one_failure_naming_them(layers: LayerFactory, build_dir: Path) -> None:
    directory = layers.make("mine", requirements="six==1.17.0\n", architectures=("x86_64", "arm64"))
    layers.make("other", requirements="six==1.17.0\n", architectures=("arm64",))
    outcomes = pipeline.build_all(layer_config.discover(layers.layers_dir), [], BuildDir(build_dir), jobs=2).outcomes
    # Raised once for the layer, before its architectures are built apart: each of its artifacts carries it.
    assert [o.key for o in outcomes if o.error] == ["mine-x86_64", "mine-arm64", "other-arm64"]
    assert outcomes[0].error is outcomes[1].error
    assert pipeline.failures(outcomes) == [
        pipeline.Failure(
            f"layer mine (x86_64, arm64): {directory}/requirements.txt: missing for python3.12; run 'make lock'",
            (of_layer("mine"),),
        ),
        pipeline.Failure(
            f"layer other: {layers.layers_dir}/other/requirements.txt: missing for python3.12-arm64; run 'make lock'",
            (of_layer("other"),),
        ),
    ]


def test_errors_about_each_architectures_own_lockfile_stay_apart(layers: LayerFactory, build_dir: Path) -> None:
    directory = layers.make("mine", requirements="six==1.16.0\n", architectures=("x86_64", "arm64"))
    for architecture in ("x86_64", "arm64"):
        lock = (Path(__file__).parent / "fixtures" / "six-lock.txt").read_text(encoding="utf-8")
        name = f"requirements-python3.12-{architecture}.txt"
        (directory / name).write_text(lock.replace("x86_64", architecture), encoding="utf-8")
    outcomes = pipeline.build_all(layer_config.discover(layers.layers_dir), [], BuildDir(build_dir), jobs=2).outcomes
    stale = "out of date with requirements.in (six==1.16.0 wanted, six==1.17.0 locked); run 'make lock'"
    assert [f.message for f in pipeline.failures(outcomes)] == [
        f"layer mine: {directory}/requirements-python3.12-x86_64.txt: {stale}",
        f"layer mine: {directory}/requirements-python3.12-arm64.txt: {stale}",
    ]


def test_an_error_that_names_its_architecture_names_both_once() -> None:
    """A license refusal or a size limit says `layer <name> (<arch>):`; alike on both, it says both."""
    refusal = "ships idna 3.10 under Unknown, which [licenses] allow in layers/mine/layer.toml does not permit"
    mine = of_layer("mine")
    outcomes = [
        pipeline.Outcome(
            f"mine-{arch}",
            None,
            rebuilt=False,
            error=LayerError(refusal, about=mine, architectures=[arch]),
            subject=mine,
            architecture=arch,
        )
        for arch in ("arm64", "x86_64")
    ]
    assert pipeline.failures(outcomes) == [pipeline.Failure(f"layer mine (x86_64, arm64): {refusal}", (mine,))]
    assert pipeline.failures(outcomes[:1]) == [pipeline.Failure(f"layer mine (arm64): {refusal}", (mine,))]
