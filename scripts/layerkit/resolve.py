"""`make lock`: resolves requirements.in for each of a layer's targets with uv.

pip-compile resolves for the interpreter that runs it and has no --platform, so it
cannot lock for a Lambda runtime on another Python version, architecture or glibc.
uv can (`--python-version`, `--python-platform`), and writes the same pip-tools format.
"""

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from layerkit import lockfile, uv_cli
from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import Target
from layerkit.layer_config import REQUIREMENTS_IN, LayerConfig


def lock_layer(config: LayerConfig, *, upgrade: bool) -> list[Path]:
    """Write the layer's lockfiles and remove ones it no longer needs; returns those written."""
    existing = sorted(config.directory.glob("requirements*.txt"))
    if not lockfile.read_requirements(config):
        for path in existing:
            path.unlink()
        return []
    targets = config.all_targets()
    with ThreadPoolExecutor() as pool:
        bodies = list(pool.map(lambda t: _compile(config, t, upgrade=upgrade), targets))

    if len(set(bodies)) == 1:
        outputs = {config.directory / lockfile.SHARED_LOCKFILE: (targets, bodies[0])}
    else:
        outputs = {
            config.directory / lockfile.target_lockfile_name(t): ([t], body)
            for t, body in zip(targets, bodies, strict=True)
        }
    for path, (covered, body) in outputs.items():
        atomic_write(path, (lockfile.header(config.name, covered) + body).encode())
    for path in existing:
        if path not in outputs:
            path.unlink()
    return sorted(outputs)


def _compile(config: LayerConfig, target: Target, *, upgrade: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "requirements.txt"
        previous = _previous_lockfile(config, target)
        if previous and not upgrade:
            # uv keeps the pins it finds in the output file, as pip-compile does.
            shutil.copyfile(previous, output)
        args = [
            "pip", "compile", REQUIREMENTS_IN,
            "--output-file", str(output),
            "--generate-hashes",
            "--no-header",
            "--only-binary", ":all:",
            "--python-version", target.python_version,
            "--python-platform", target.uv_platform,
        ]  # fmt: skip
        if upgrade:
            args.append("--upgrade")
        result = uv_cli.run(args, cwd=config.directory)
        if result.returncode != 0:
            raise LayerError(
                f"layer {config.name}: {config.requirements_in}: cannot lock for {target.key} with "
                f"binary wheels only: {uv_cli.failure(result.stderr)}. Pin a version that publishes a "
                f"{target.uv_platform} wheel for Python {target.python_version}, or drop the package"
            )
        return output.read_text(encoding="utf-8")


def _previous_lockfile(config: LayerConfig, target: Target) -> Path | None:
    for name in (lockfile.target_lockfile_name(target), lockfile.SHARED_LOCKFILE):
        if (config.directory / name).exists():
            return config.directory / name
    return None
