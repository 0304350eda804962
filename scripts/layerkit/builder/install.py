"""Installs a lockfile's wheels for one target into a staging folder, hashes checked."""

from pathlib import Path

from layerkit import errors
from layerkit.builder import uv_cli
from layerkit.builder.lockfile import Lock
from layerkit.errors import LayerError
from layerkit.lambda_facts import Target


def install(layer: str, lock: Lock, target: Target, dest: Path) -> None:
    """Binary wheels only, always: a host build of an sdist could not run on Lambda."""
    args = [
        "pip", "install",
        "--target", str(dest.resolve()),
        "--requirements", str(lock.path.resolve()),
        "--require-hashes",
        # The lockfile is the whole closure, less what required layers ship.
        "--no-deps",
        "--only-binary", ":all:",
        "--python-version", target.python_version,
        "--python-platform", target.uv_platform,
    ]  # fmt: skip
    result = uv_cli.run(args, cwd=dest.parent)
    if result.returncode != 0:
        raise LayerError(
            f"{lock.path}: install for {target.key} failed: {uv_cli.failure(result.stderr)}; "
            "run 'make lock' if requirements changed",
            about=errors.of_layer(layer),
        )
