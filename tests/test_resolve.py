"""`make lock`: real uv resolutions for Lambda targets, in pip-tools format."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from layerkit.build import lockfile, resolve
from layerkit.config import layer_config
from layerkit.errors import LayerError
from layerkit.lambda_facts import Target

if TYPE_CHECKING:
    from conftest import LayerFactory

pytestmark = pytest.mark.network


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


def test_sdist_only_package_fails_for_the_target(layers: LayerFactory) -> None:
    # docopt 0.6.2 publishes only an sdist: it must never be built on this host.
    directory = layers.make("docopt", requirements="docopt==0.6.2\n", architectures=("arm64",))
    with pytest.raises(LayerError) as caught:
        resolve.lock_layer(layer_config.load(directory), upgrade=False)
    message = str(caught.value)
    assert message.startswith("layer docopt: ")
    assert "requirements.in" in message
    assert "python3.12-arm64" in message
    assert "docopt" in message.split("binary wheels only:")[1]
    assert "\n" not in message
    assert not list(directory.glob("requirements*.txt"))


def test_layer_without_requirements_needs_no_lockfile(layers: LayerFactory) -> None:
    directory = layers.make("src", files={"python/mine.py": "X = 1\n"})
    (directory / "requirements.txt").write_text("# stale\n", encoding="utf-8")
    assert resolve.lock_layer(layer_config.load(directory), upgrade=False) == []
    assert not (directory / "requirements.txt").exists()
