"""Shipped bytecode (layer.toml `bytecode = true`): real interpreters, real builds, pycs read back."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from layerkit.build_dir import BuildDir
from layerkit.builder import bytecode, pipeline, resolve
from layerkit.config import layer_config
from layerkit.errors import LayerError
from layerkit.lambda_facts import RUNTIMES

if TYPE_CHECKING:
    from conftest import LayerFactory

HOST_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
HOST_TAG = sys.implementation.cache_tag
FOREIGN_RUNTIME = "python3.13" if HOST_RUNTIME == "python3.12" else "python3.12"

SOURCES = {
    "python/mylib/__init__.py": '"""The layer\'s own package."""\n\nfrom mylib.core import NAMES, pick\n',
    # Set and frozenset constants: marshal wrote them in hash order before Python 3.11.
    "python/mylib/core.py": (
        'NAMES = frozenset({"alpha", "beta", "gamma"})\n\n\n'
        'def pick(name):\n    return name in {"alpha", "delta", "epsilon", 3}\n'
    ),
    "python/tool.py": "def run():\n    return [n * 2 for n in range(3)]\n",
}


def tag(runtime: str) -> str:
    return f"cpython-{runtime.removeprefix('python').replace('.', '')}"


def runs(runtime: str) -> bool:
    """True when `runtime` (python3.X) on PATH starts and is that version."""
    path = shutil.which(runtime)
    if path is None:
        return False
    check = "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"
    result = subprocess.run([path, "-I", "-c", check], capture_output=True, text=True, check=False)
    return result.returncode == 0 and result.stdout.strip() == runtime


needs_host_interpreter = pytest.mark.skipif(
    not runs(HOST_RUNTIME), reason=f"no {HOST_RUNTIME} on PATH to compile the host runtime's bytecode with"
)


def write_layer(
    layers: LayerFactory,
    *,
    toml: str = "bytecode = true\n",
    requirements: str | None = None,
    runtimes: tuple[str, ...] = (HOST_RUNTIME,),
) -> Path:
    return layers.make("mine", requirements=requirements, files=SOURCES, runtimes=runtimes, extra_toml=toml)


def build_layer(layers_dir: Path, build_dir: Path) -> tuple[Path, bool]:
    """The zip of the one layer under `layers_dir`, and whether this build wrote it."""
    outcomes = pipeline.build_all(layer_config.discover(layers_dir), [], BuildDir(build_dir), jobs=1).outcomes
    (outcome,) = outcomes
    if outcome.error:
        raise outcome.error
    assert outcome.record
    return Path(outcome.record["zip"]), outcome.rebuilt


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def expected_pyc(source: str, cache_tag: str = HOST_TAG) -> str:
    folder, name = source.rsplit("/", 1)
    return f"{folder}/__pycache__/{name.removesuffix('.py')}.{cache_tag}.pyc"


@pytest.mark.network
@needs_host_interpreter
def test_every_module_ships_an_unchecked_hash_pyc_that_lambda_loads(
    layers: LayerFactory, build_dir: Path, tmp_path: Path
) -> None:
    directory = write_layer(layers, requirements="idna==3.10\nsix==1.17.0\n")
    resolve.lock_layer(layer_config.load(directory), upgrade=False)
    path, _ = build_layer(layers.layers_dir, build_dir)
    assert not list(directory.rglob("__pycache__")), "nothing is written into the layer's folder"
    opt = tmp_path / "opt"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(opt)
        files = [n for n in archive.namelist() if not n.endswith("/")]

    sources = [n for n in files if n.endswith(".py")]
    assert {"python/six.py", "python/idna/core.py", "python/mylib/core.py"} <= set(sources)
    assert sorted(n for n in files if n.endswith(".pyc")) == sorted(expected_pyc(s) for s in sources)
    for source in sources:
        pyc = opt / expected_pyc(source)
        data = pyc.read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(data[4:8], "little") == 0b01, "hash-based, source never checked"
        assert data[8:16] == importlib.util.source_hash((opt / source).read_bytes())
        # Loaded without its source, a pyc keeps the path it was compiled with.
        code = importlib.machinery.SourcelessFileLoader("m", str(pyc)).get_code("m")
        assert code
        assert code.co_filename == f"/opt/{source}"
    listed = [line.split(",")[0] for line in (opt / "python/idna-3.10.dist-info/RECORD").read_text().splitlines()]
    assert all(f"python/{n}" in files for n in listed)
    assert not [n for n in listed if n.endswith(".pyc")], "RECORD does not list the pycs"

    # Lambda's view: a read-only /opt and its sys.path. -B, as modes alone do not stop root from writing.
    for folder in [opt, *(p for p in opt.rglob("*") if p.is_dir())]:
        folder.chmod(0o555)
    script = f"import sys; sys.path[:0] = [{str(opt / 'python')!r}]; import mylib, idna, six"
    python = shutil.which(HOST_RUNTIME)
    assert python
    result = subprocess.run([python, "-I", "-S", "-B", "-v", "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for source in ("python/mylib/core.py", "python/idna/core.py", "python/six.py"):
        assert f"code object from '{opt / expected_pyc(source)}'" in result.stderr


@pytest.mark.network
@needs_host_interpreter
def test_same_bytes_across_checkouts_mtimes_and_umask(tmp_path: Path) -> None:
    from conftest import LayerFactory  # noqa: PLC0415 -- two factories in two checkouts

    zips = []
    lock: Path | None = None
    for checkout, umask in (("a", 0o022), ("deeper/b", 0o077)):
        factory = LayerFactory(tmp_path / checkout / "layers")
        old = os.umask(umask)
        try:
            directory = write_layer(factory, requirements="idna==3.10\n")
            if lock is None:
                resolve.lock_layer(layer_config.load(directory), upgrade=False)
                lock = directory / "requirements.txt"
            else:
                shutil.copyfile(lock, directory / "requirements.txt")
            for path in directory.rglob("*"):
                os.utime(path, (1_000_000 * len(checkout), 1_000_000 * len(checkout)))
            zips.append(build_layer(factory.layers_dir, tmp_path / checkout / "build")[0])
        finally:
            os.umask(old)
    assert [n for n in names(zips[0]) if n.endswith(".pyc")]
    assert zips[0].read_bytes() == zips[1].read_bytes()


@needs_host_interpreter
def test_off_by_default_and_toggling_or_a_new_interpreter_rebuilds(
    layers: LayerFactory, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = write_layer(layers, toml="")
    plain, rebuilt = build_layer(layers.layers_dir, build_dir)
    assert rebuilt
    assert not [n for n in names(plain) if n.endswith(".pyc") or "__pycache__" in n]

    toml = directory / "layer.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "bytecode = true\n", encoding="utf-8")
    compiled, rebuilt = build_layer(layers.layers_dir, build_dir)
    assert rebuilt
    assert expected_pyc("python/mylib/core.py") in names(compiled)
    assert build_layer(layers.layers_dir, build_dir) == (compiled, False)

    # Another build of the same minor version may marshal differently, so it rebuilds.
    find = bytecode.find_interpreters
    monkeypatch.setattr(
        bytecode, "find_interpreters", lambda config: [replace(i, version=f"{i.version}+1") for i in find(config)]
    )
    assert build_layer(layers.layers_dir, build_dir) == (compiled, True)

    toml.write_text(toml.read_text(encoding="utf-8").replace("bytecode = true", "bytecode = false"), encoding="utf-8")
    assert build_layer(layers.layers_dir, build_dir) == (plain, True)


@pytest.mark.parametrize("case", ["path", "missing", "broken", "wrong"])
def test_no_interpreter_for_a_runtime_is_one_clear_error(
    layers: LayerFactory, build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    runtime = FOREIGN_RUNTIME
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    if case == "path" and runs(runtime):
        pytest.skip(f"{runtime} is on PATH here, so its layers compile")
    if case != "path":
        monkeypatch.setenv("PATH", str(fake_bin))
    if case == "broken":
        (fake_bin / runtime).write_text("#!/bin/sh\necho 'not this one' >&2\nexit 1\n", encoding="utf-8")
        (fake_bin / runtime).chmod(0o755)
    elif case == "wrong":
        (fake_bin / runtime).symlink_to(sys.executable)
    directory = write_layer(layers, runtimes=(runtime,))

    outcomes = pipeline.build_all(layer_config.discover(layers.layers_dir), [], BuildDir(build_dir), jobs=1).outcomes
    message = str(outcomes[0].error)
    assert "\n" not in message
    assert message.startswith(f"layer mine: {directory}/layer.toml: bytecode = true needs {runtime} on PATH")
    assert message.endswith(
        f"install Python {runtime.removeprefix('python')} so that {runtime} is on PATH, or set bytecode = false"
    )
    detail = {
        "path": "",
        "missing": ", and there is none;",
        "broken": f", but {fake_bin / runtime} failed (not this one);",
        "wrong": f", but {fake_bin / runtime} is {HOST_TAG}, not {tag(runtime)};",
    }[case]
    assert detail in message
    assert not (build_dir / "manifest.json").exists()


@needs_host_interpreter
def test_own_source_that_does_not_compile_is_an_error(layers: LayerFactory, build_dir: Path) -> None:
    directory = write_layer(layers)
    (directory / "python/broken.py").write_text("def broken(:\n", encoding="utf-8")
    where = re.escape(f"layer mine: {directory}/python/broken.py")
    with pytest.raises(
        LayerError, match=rf"{where}: does not compile for {HOST_RUNTIME} \(SyntaxError: .*bytecode = false$"
    ):
        build_layer(layers.layers_dir, build_dir)


@needs_host_interpreter
def test_exclude_applies_to_pycs(layers: LayerFactory, build_dir: Path) -> None:
    write_layer(layers, toml='bytecode = true\nexclude = ["python/__pycache__/tool.*"]\n')
    listed = names(build_layer(layers.layers_dir, build_dir)[0])
    assert "python/tool.py" in listed
    assert expected_pyc("python/mylib/core.py") in listed
    assert expected_pyc("python/tool.py") not in listed


def test_pycs_per_runtime_share_python_and_site_packages_stay_per_runtime(
    layers: LayerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usable = [r for r in RUNTIMES if runs(r)]
    if len(usable) < 2:
        pytest.skip(f"needs two Lambda runtimes' interpreters on PATH; found {usable or 'none'}")
    first, second = usable[:2]
    directory = write_layer(layers, runtimes=(first, second))
    only_first = f"python/lib/{first}/site-packages/only.py"
    (directory / only_first).parent.mkdir(parents=True)
    (directory / only_first).write_text("ONLY = 1\n", encoding="utf-8")

    # The compiler's hash seed is its own: python3.10 marshals sets in hash order.
    zips = []
    for seed in ("1", "2"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        zips.append(build_layer(layers.layers_dir, tmp_path / f"build-{seed}")[0])
    assert zips[0].read_bytes() == zips[1].read_bytes()

    listed = names(zips[0])
    for source in SOURCES:
        assert {expected_pyc(source, tag(first)), expected_pyc(source, tag(second))} <= set(listed)
    assert expected_pyc(only_first, tag(first)) in listed
    assert expected_pyc(only_first, tag(second)) not in listed


def test_bytecode_must_be_a_bool(layers: LayerFactory) -> None:
    directory = layers.make("mine", extra_toml='bytecode = "yes"\n')
    with pytest.raises(LayerError, match=r"layer mine: .*layer.toml: bytecode must be true or false"):
        layer_config.load(directory)
