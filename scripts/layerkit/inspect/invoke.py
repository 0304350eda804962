"""`make invoke`: runs a function locally with its layers, as Lambda would, without Docker.

The layers' zips for the host's architecture are extracted into an `/opt`-like folder in
merge order (a later layer overwrites an earlier one), the function's zip into a task
folder, and both are made read-only. The handler then runs in a fresh interpreter through
`lambda_bootstrap.py`, with Lambda's environment variables and its function timeout.

Its AWS credentials are the caller's own, or, given `aws`, only those: the function's own
role's, as `deploy.function_role` makes them on a local AWS. A call that role may not make
then fails as it would on Lambda, and `denials` names the action and the resource.
"""

import json
import os
import platform
import re
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from layerkit import suggest
from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.errors import LayerError
from layerkit.records import Artifact, Function
from layerkit.report.contents import UNREADABLE_ZIP

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
_HOST_ARCHITECTURE = MappingProxyType({"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"})


_EXTENSION = re.compile(r"\.(?P<tag>cpython-3\d+)-[^/]*\.so$")
_DENIED = re.compile(r"is not authorized to perform: (?P<action>[\w-]+:\w+)(?: on resource: (?P<resource>[^\s\"']+))?")


@dataclass(frozen=True)
class Denial:
    """A call the function's role may not make: the action, and the resource when AWS names it."""

    action: str
    resource: str | None

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}" if self.resource else self.action


@dataclass(frozen=True)
class Invocation:
    """What one invoke returned: the JSON payload, whether it is an error, and the logs."""

    payload: Any
    failed: bool
    logs: str
    notes: tuple[str, ...]

    @property
    def error_type(self) -> str | None:
        """The exception's class name when the handler raised, as Lambda reports it (`errorType`)."""
        if self.failed and isinstance(self.payload, dict):
            return str(self.payload.get("errorType"))
        return None

    @property
    def denials(self) -> list[Denial]:
        """The calls AWS denied the function, in the order its error and logs name them, each once."""
        text = json.dumps(self.payload) + "\n" + self.logs if self.failed else self.logs
        found = (Denial(m["action"], m["resource"]) for m in _DENIED.finditer(text))
        return list(dict.fromkeys(found))


def function_record(build_dir: BuildDir, name: str) -> Function:
    """Function `name`'s record in the build's manifest."""
    _, functions = manifest.read(build_dir)
    return _named(build_dir, functions, name)


def _named(build_dir: BuildDir, functions: list[Function], name: str) -> Function:
    function = next((f for f in functions if f["name"] == name), None)
    if function is None:
        listed = suggest.hint([name], [f["name"] for f in functions], "functions")
        raise LayerError(f"{build_dir.manifest}: no function named {name!r}{listed}")
    return function


def invoke(build_dir: BuildDir, name: str, event: object, python: str, aws: dict[str, str] | None = None) -> Invocation:
    """Run function `name` from the build's manifest once with `event`, using interpreter `python`.

    `aws`: the only AWS_* variables the handler gets (its role's credentials); None passes the caller's on.
    """
    artifacts, functions = manifest.read(build_dir)
    function = _named(build_dir, functions, name)
    architecture = _HOST_ARCHITECTURE.get(platform.machine(), platform.machine())
    zips = _layer_zips(artifacts, function, architecture)
    notes = _notes(function, architecture, python, zips)

    with tempfile.TemporaryDirectory(prefix="layerkit-invoke-") as work:
        task, opt = Path(work) / "task", Path(work) / "opt"
        _extract([Path(function["zip"])], task)
        _extract(zips, opt)
        try:
            _make_read_only(task, opt)
            payload, failed, logs = _run(function, event, python, Path(work), aws)
        finally:
            _make_writable(task, opt)
    return Invocation(payload=payload, failed=failed, logs=logs, notes=notes)


def _layer_zips(artifacts: list[Artifact], function: Function, arch: str) -> list[Path]:
    """The zips of the function's layers, in merge order, built for the host's architecture."""
    by_key = {a["key"]: a for a in artifacts}
    zips = []
    for attached in function["layers"]:
        layer = attached["layer"]
        if layer is None:
            continue
        artifact = by_key.get(manifest.artifact_key(layer, arch))
        if artifact is None:
            raise LayerError(
                f"function {function['name']}: layer {layer} has no {arch} build to run on "
                f"this host; add {arch!r} to its layer.toml architectures"
            )
        zips.append(Path(artifact["zip"]))
    return zips


def _notes(function: Function, architecture: str, python: str, zips: list[Path]) -> tuple[str, ...]:
    notes = [
        f"layer {attached['arn']} is published elsewhere and is not in /opt here"
        for attached in function["layers"]
        if attached["arn"]
    ]
    if function["architecture"] != architecture:
        notes.append(f"function {function['name']} runs on {function['architecture']}; using {architecture} layers")
    version = subprocess.run(
        [python, "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        check=False,
    )
    if version.returncode != 0:
        raise LayerError(f"{python}: cannot run this interpreter; name another with PYTHON=...")
    here = version.stdout.strip()
    if here != function["runtime"]:
        notes.append(
            f"function {function['name']} targets {function['runtime']} but runs here on "
            f"{here}; name a {function['runtime']} interpreter with PYTHON=..."
        )
    notes += _foreign_extensions(zips, here)
    return tuple(notes)


def _foreign_extensions(zips: list[Path], here: str) -> list[str]:
    """A note for each layer zip with compiled extensions for another Python: importing them fails here."""
    tag = f"cpython-{here.removeprefix('python').replace('.', '')}"
    notes = []
    for path in zips:
        with _opened(path) as archive:
            foreign = sorted(name for name in archive.namelist() if (m := _EXTENSION.search(name)) and m["tag"] != tag)
        if foreign:
            digits = _EXTENSION.search(foreign[0])["tag"].removeprefix("cpython-")  # type: ignore[index]
            built_for = f"python{digits[0]}.{digits[1:]}"
            notes.append(
                f"{path.name} ships {len(foreign)} compiled extension(s) for {built_for}, e.g. {foreign[0]}; "
                f"importing them fails on {here} here (an extension module loads only in the Python it was "
                "built for), though it works on Lambda; name a matching interpreter with PYTHON=..."
            )
    return notes


def _extract(zips: list[Path], dest: Path) -> None:
    """Extract in order, so a later zip's file replaces an earlier one's."""
    dest.mkdir()
    for path in zips:
        with _opened(path) as archive:
            try:
                archive.extractall(dest)
            except UNREADABLE_ZIP as exc:
                raise _unreadable(path, exc) from None


@contextmanager
def _opened(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip of the build, open for reading, or one error naming it when it is missing or corrupt."""
    try:
        archive = zipfile.ZipFile(path)
    except UNREADABLE_ZIP as exc:
        raise _unreadable(path, exc) from None
    with archive:
        yield archive


def _unreadable(path: Path, exc: Exception) -> LayerError:
    return LayerError(f"{path}: cannot read the zip ({exc}); run 'make layers' to build it again")


def _make_read_only(*roots: Path) -> None:
    for root in roots:
        for path in [*root.rglob("*"), root]:
            mode = path.stat().st_mode
            path.chmod(mode & 0o555 if not path.is_dir() else 0o555)


def _make_writable(*roots: Path) -> None:
    for root in roots:
        root.chmod(0o755)
        for path in root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)


def _environment(function: Function, task: Path, opt: Path, aws: dict[str, str] | None) -> dict[str, str]:
    """Lambda's variables, the function's own, and `aws` or else the caller's AWS_* (credentials, endpoints)."""
    name = function["name"]
    env = dict(aws) if aws is not None else {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    env.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function['runtime']}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function["memory"]),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/[$LATEST]local", time.gmtime()),
            "LAMBDA_TASK_ROOT": str(task),
            "LAMBDA_RUNTIME_DIR": str(task),
            "_HANDLER": function["handler"],
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": f"{opt}/bin:/usr/local/bin:/usr/bin:/bin",
            "LD_LIBRARY_PATH": f"{opt}/lib",
        }
    )
    env.update(function["environment"])
    return env


def _run(
    function: Function, event: object, python: str, work: Path, aws: dict[str, str] | None
) -> tuple[Any, bool, str]:
    task, opt = work / "task", work / "opt"
    event_path, result_path = work / "event.json", work / "result.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    timeout = function["timeout"]
    command = [
        python, "-I", "-S", "-B", str(BOOTSTRAP),
        str(task), str(opt), function["runtime"], function["handler"],
        str(event_path), str(result_path), str(timeout * 1000),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            env=_environment(function, task, opt, aws),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        logs = _text(expired.stdout) + _text(expired.stderr)
        message = f"Task timed out after {timeout:.2f} seconds"
        return {"errorMessage": message, "errorType": "Sandbox.Timedout"}, True, logs
    logs = done.stdout + done.stderr
    if not result_path.exists():
        message = f"Runtime exited with error: exit status {done.returncode}"
        return {"errorMessage": message, "errorType": "Runtime.ExitError"}, True, logs
    return json.loads(result_path.read_text(encoding="utf-8")), done.returncode != 0, logs


def _text(output: bytes | str | None) -> str:
    """TimeoutExpired carries bytes even when the run asked for text."""
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""
