"""`make lock`: resolves requirements.in for each of a layer's targets with uv.

pip-compile resolves for the interpreter that runs it and has no --platform, so it
cannot lock for a Lambda runtime on another Python version, architecture or glibc.
uv can (`--python-version`, `--python-platform`), and writes the same pip-tools format.

A layer that requires others is resolved with their pins as constraints, so the versions
agree, and the pins they ship move from the lockfile's body to its header.
"""

import re
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from layerkit.build import lockfile, uv_cli
from layerkit.config.layer_config import REQUIREMENTS_IN, LayerConfig
from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import Target


def lock_layer(config: LayerConfig, *, upgrade: bool, required: Sequence[LayerConfig] = ()) -> list[Path]:
    """Write the layer's lockfiles and remove ones it no longer needs; returns those written.

    `required` is every layer this one relies on (`layer_config.required`); their lockfiles
    must be current.
    """
    existing = sorted(config.directory.glob("requirements*.txt"))
    if not lockfile.read_requirements(config):
        for path in existing:
            path.unlink()
        return []
    targets = config.all_targets()
    with ThreadPoolExecutor() as pool:
        bodies = list(pool.map(lambda t: _compile(config, t, upgrade=upgrade, required=required), targets))

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


def _compile(config: LayerConfig, target: Target, *, upgrade: bool, required: Sequence[LayerConfig]) -> str:
    provided = lockfile.shipped_by(required, target)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "requirements.txt"
        previous = _previous_lockfile(config, target)
        if previous and not upgrade:
            # uv keeps the pins it finds in the output file, as pip-compile does.
            shutil.copyfile(previous, output)
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, (_, v) in sorted(provided.items())), encoding="utf-8")
        args = [
            "pip", "compile", REQUIREMENTS_IN,
            "--output-file", str(output),
            "--generate-hashes",
            "--no-header",
            "--only-binary", ":all:",
            "--python-version", target.python_version,
            "--python-platform", target.uv_platform,
            "--constraint", str(constraints),
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
        return _split_provided(output.read_text(encoding="utf-8"), provided)


def _split_provided(body: str, provided: dict[str, tuple[str, str]]) -> str:
    """The `# provided by` header lines for the pins required layers ship, then the body without them."""
    relied_on = {}
    shipped = []
    for block in re.split(r"(?m)^(?=\S)", body):
        pin = lockfile.pin(block)
        if pin and pin[0] in provided:
            relied_on[pin[0]] = provided[pin[0]]
        elif block:
            shipped.append(block)
    return lockfile.provided_lines(relied_on) + "".join(shipped)


def _previous_lockfile(config: LayerConfig, target: Target) -> Path | None:
    for name in (lockfile.target_lockfile_name(target), lockfile.SHARED_LOCKFILE):
        if (config.directory / name).exists():
            return config.directory / name
    return None
