"""`make lock`: real uv resolutions for Lambda targets, in pip-tools format."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT
from layerkit.builder import lockfile, resolve
from layerkit.config import layer_config
from layerkit.lambda_facts import Target, describe

if TYPE_CHECKING:
    from conftest import LayerFactory

pytestmark = pytest.mark.network

ARCHS = ("x86_64", "arm64")


def test_one_lockfile_when_every_target_resolves_alike(layers: LayerFactory) -> None:
    directory = layers.make(
        "six", requirements="six==1.17.0\n", runtimes=("python3.12", "python3.13"), architectures=("x86_64", "arm64")
    )
    written = resolve.lock_layer(layer_config.load(directory), upgrade=False)

    assert written == [directory / "requirements.txt"]
    lock = lockfile.read(written[0])
    assert lock.targets == {"python3.12-x86_64", "python3.12-arm64", "python3.13-x86_64", "python3.13-arm64"}
    assert lock.pins == {"six": "1.17.0"}
    assert lock.direct == {"six"}
    assert "--hash=sha256:" in written[0].read_text(encoding="utf-8")


def test_a_lockfile_per_target_when_markers_differ(layers: LayerFactory) -> None:
    directory = layers.make(
        "compat",
        requirements='six==1.17.0\ntomli==2.2.1; python_version < "3.11"\n',
        runtimes=("python3.10", "python3.12"),
    )
    (directory / "requirements.txt").write_text("# left from an earlier lock\n", encoding="utf-8")
    config = layer_config.load(directory)
    written = resolve.lock_layer(config, upgrade=False)

    assert [p.name for p in written] == ["requirements-python3.10-x86_64.txt", "requirements-python3.12-x86_64.txt"]
    assert not (directory / "requirements.txt").exists()
    requirements = lockfile.read_requirements(config)
    old, new = (lockfile.find(config, Target(r, "x86_64"), requirements) for r in ("python3.10", "python3.12"))
    assert old
    assert new
    assert "tomli" in old.pins
    assert "tomli" not in new.pins


def test_relock_keeps_existing_pins(layers: LayerFactory) -> None:
    directory = layers.make("idna", requirements="idna\n")
    config = layer_config.load(directory)
    resolve.lock_layer(config, upgrade=False)
    path = directory / "requirements.txt"
    older = path.read_text(encoding="utf-8")
    # Pretend an older idna was locked earlier: a plain `lock` must keep it.
    pinned = older.split("idna==")[1].split()[0]
    path.write_text(older.replace(f"idna=={pinned}", "idna==3.7"), encoding="utf-8")
    resolve.lock_layer(config, upgrade=False)
    assert lockfile.read(path).pins["idna"] == "3.7"
    resolve.lock_layer(config, upgrade=True)
    assert lockfile.read(path).pins["idna"] == pinned


def lock(layers: LayerFactory) -> subprocess.CompletedProcess[str]:
    """`python -m layerkit lock` on the layers, as `make lock` runs it: real uv, real index."""
    command = [sys.executable, "-m", "layerkit", "--layers-dir", str(layers.layers_dir)]
    command += ["--functions-dir", str(layers.layers_dir.parent / "functions"), "lock"]
    command += ["--build-dir", str(layers.layers_dir.parent / "build")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def lock_error(
    layers: LayerFactory,
    name: str,
    requirements: str,
    runtimes: tuple[str, ...] = ("python3.12",),
    architectures: tuple[str, ...] = ("x86_64",),
) -> str:
    """The one error line `make lock` prints, after its progress line, for a layer it cannot lock.

    No lockfile is written.
    """
    directory = layers.make(name, requirements=requirements, runtimes=runtimes, architectures=architectures)
    result = lock(layers)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0] == f"locking {name} for {describe(Target(r, a) for r in runtimes for a in architectures)} \u2026"
    assert lines[1].startswith("error: ")
    assert ".." not in lines[1]
    assert not list(directory.glob("requirements*.txt"))
    return lines[1]


def test_a_misspelt_package_is_named_once_for_every_target(layers: LayerFactory) -> None:
    error = lock_error(layers, "http", "reqeusts\n", runtimes=("python3.12", "python3.13"), architectures=ARCHS)
    assert error == (
        f"error: layer http: {layers.layers_dir}/http/requirements.in: names reqeusts, which the package index "
        "does not have; check the spelling (a private package needs its index set in uv's environment, e.g. UV_INDEX)"
    )


def test_a_version_that_does_not_exist(layers: LayerFactory) -> None:
    error = lock_error(layers, "http", "Requests==99.0\n", architectures=ARCHS)
    assert error == (
        f"error: layer http: {layers.layers_dir}/http/requirements.in: asks for Requests==99.0, a version the "
        "package index lacks; pin a released version of Requests, or leave the version out to take the newest"
    )


def test_a_range_no_release_meets(layers: LayerFactory) -> None:
    error = lock_error(layers, "http", "six>=99\n")
    assert error.startswith(
        f"error: layer http: {layers.layers_dir}/http/requirements.in: asks for six>=99, but the package index has "
        "only six<="
    )
    assert error.endswith("; pin a released version of six, or leave the version out to take the newest")


def test_sdist_only_package_fails_for_the_target(layers: LayerFactory) -> None:
    # docopt 0.6.2 publishes only an sdist: it must never be built on this host.
    error = lock_error(layers, "docopt", "docopt==0.6.2\n", architectures=("arm64",))
    assert error == (
        f"error: layer docopt: {layers.layers_dir}/docopt/requirements.in: docopt==0.6.2 publishes no wheel for "
        "python3.12 on arm64, and the lock takes binary wheels only; pin a version that publishes a wheel for "
        "Python 3.12 on aarch64-manylinux_2_34, or drop docopt"
    )


def test_a_release_without_wheels_for_one_runtime_names_only_that_runtime(layers: LayerFactory) -> None:
    # numpy 1.26.4 publishes wheels for CPython 3.9 to 3.12: none for 3.13.
    error = lock_error(layers, "np", "numpy==1.26.4\n", runtimes=("python3.12", "python3.13"), architectures=ARCHS)
    assert error == (
        f"error: layer np: {layers.layers_dir}/np/requirements.in: numpy==1.26.4 publishes no wheel for python3.13 "
        "on x86_64 and arm64, and the lock takes binary wheels only; pin a version that publishes a wheel for "
        "Python 3.13 on x86_64-manylinux_2_34 and aarch64-manylinux_2_34, or drop numpy"
    )


def test_a_release_without_wheels_for_one_architecture_names_only_that_architecture(layers: LayerFactory) -> None:
    # mkl 2024.0.0 publishes wheels for x86_64 (and Windows), none for aarch64.
    error = lock_error(layers, "mkl", "mkl==2024.0.0\n", architectures=ARCHS)
    assert error == (
        f"error: layer mkl: {layers.layers_dir}/mkl/requirements.in: mkl==2024.0.0 publishes no wheel for "
        "python3.12 on arm64, and the lock takes binary wheels only; pin a version that publishes a wheel for "
        "Python 3.12 on aarch64-manylinux_2_34, or drop mkl"
    )


def test_any_other_cause_is_uvs_own_line(layers: LayerFactory) -> None:
    error = lock_error(layers, "twice", "six==1.17.0\nsix==1.16.0\n", architectures=ARCHS)
    assert error == (
        f"error: layer twice: {layers.layers_dir}/twice/requirements.in: cannot lock for python3.12 on x86_64 and "
        "arm64: Because you require six==1.17.0 and six==1.16.0, we can conclude that your requirements are "
        "unsatisfiable; change requirements.in until its requirements can all be met"
    )


def test_a_failure_that_is_not_the_resolvers_keeps_what_failed_and_why(layers: LayerFactory) -> None:
    directory = layers.make("net", requirements="six\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")
        patch.setenv("UV_HTTP_RETRIES", "0")
        result = lock(layers)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[1] == (
        f"error: layer net: {directory}/requirements.in: cannot lock for python3.12 on x86_64: Failed to fetch: "
        "http://127.0.0.1:9/simple/six/: error sending request for url (http://127.0.0.1:9/simple/six/): "
        "Connection refused (os error 111); run 'make lock' again once that is fixed"
    )


def test_layer_without_requirements_needs_no_lockfile(layers: LayerFactory) -> None:
    directory = layers.make("src", files={"python/mine.py": "X = 1\n"})
    (directory / "requirements.txt").write_text("# stale\n", encoding="utf-8")
    assert resolve.lock_layer(layer_config.load(directory), upgrade=False) == []
    assert not (directory / "requirements.txt").exists()
