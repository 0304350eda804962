"""Ships bytecode compiled for each of a layer's runtimes (layer.toml `bytecode = true`).

`/opt` is read-only on Lambda, so a module without a usable `.pyc` is compiled again on
every cold start. Each `.py` in the zip is compiled by its runtime's own interpreter into
`<dir>/__pycache__/<stem>.cpython-3X.pyc`, next to its source, where that runtime's import
system looks; one tag per runtime, so several runtimes share `python/`. A file under
`python/lib/python3.X/site-packages/` is compiled for python3.X only.

- Discovery: runtime python3.X is compiled by `python3.X` as `shutil.which` finds it on PATH,
  and by nothing else. No interpreter there is an error, never a fallback to another version.
- The pycs are unchecked-hash (PEP 552): they hold no mtime, and Lambda loads them without
  reading the source. Their embedded path is the module's path on Lambda, `/opt/<zip path>`.
- marshal's output is not a function of the source alone. Python 3.10 writes frozenset
  constants in hash order, so the compiler runs with PYTHONHASHSEED=0. From 3.12, what a
  process compiled earlier can change the bytes of what it compiles next (python/cpython#129724),
  so each runtime's files are compiled in one process, in zip-path order, whatever the core count.
- RECORD files are left as layout pruned them, so they do not list the pycs. pip lists the pycs
  it compiles, but nothing reads RECORD on a read-only `/opt`, and every line still names a
  file the zip ships.
"""

import fnmatch
import functools
import json
import os
import posixpath
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from layerkit.builder.layout import FileEntry, Tree
from layerkit.config.layer_config import LAYER_FILE, SOURCES_DIR, LayerConfig
from layerkit.errors import LayerError, of_layer

LAMBDA_ROOT = "/opt"
"""Where Lambda extracts a layer: a pyc's embedded source path starts here."""

_PER_RUNTIME = re.compile(rf"{SOURCES_DIR}/lib/(python3\.\d+)/site-packages/")
_PROBE = "import json, sys; print(json.dumps([sys.implementation.cache_tag, sys.executable, sys.version]))"
# Reads [source, cfile, dfile] jobs as JSON on stdin and prints the ones that do not compile.
_WORKER = """\
import json, py_compile, sys
failed = []
for source, cfile, dfile in json.load(sys.stdin):
    try:
        py_compile.compile(source, cfile=cfile, dfile=dfile, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError as exc:
        failed.append([dfile, f"{exc.exc_type_name}: {exc.exc_value}"])
json.dump(failed, sys.stdout)
"""


@dataclass(frozen=True)
class Interpreter:
    """The interpreter that compiles for one runtime, as it reported itself."""

    runtime: str
    executable: str
    cache_tag: str
    version: str
    """sys.version, build date included: marshal output may differ between patch releases."""

    @property
    def identity(self) -> bytes:
        """What the inputs digest records: the executable's location is left out, so checkouts agree."""
        return f"{self.runtime}\0{self.cache_tag}\0{self.version}".encode()


def find_interpreters(config: LayerConfig) -> list[Interpreter]:
    """One interpreter per runtime when the layer ships bytecode, else none."""
    if not config.bytecode:
        return []
    return [_find(config, runtime) for runtime in config.runtimes]


def add_pycs(config: LayerConfig, tree: Tree, sources: Tree, interpreters: list[Interpreter], out: Path) -> Tree:
    """`tree` plus each runtime's pyc for each `.py`, compiled into `out` (a staging folder).

    A `.py` from an installed package that does not compile for a runtime ships without a pyc
    for it, as pip does; one of the layer's own `sources` that does not compile is an error.
    """
    if not interpreters:
        return tree
    out.mkdir(parents=True, exist_ok=True)
    jobs = {i.runtime: _jobs(config, tree, i, out) for i in interpreters}
    with ThreadPoolExecutor(max_workers=len(interpreters)) as pool:
        failures = list(pool.map(lambda i: _compile(config, i, jobs[i.runtime], out), interpreters))

    pycs: Tree = {}
    for interpreter, failed in zip(interpreters, failures, strict=True):
        runtime = interpreter.runtime
        for path, message in sorted(failed.items()):
            if path in sources:
                raise LayerError(
                    f"{config.directory / path}: does not compile for {runtime} ({message}); "
                    f"fix it, drop {runtime} from runtimes, or set bytecode = false",
                    about=of_layer(config.name),
                )
        pycs |= {
            pyc: FileEntry(job.cfile, executable=False)
            for pyc, job in jobs[runtime].items()
            if job.source not in failed
        }
    return tree | pycs


@dataclass(frozen=True)
class _Job:
    source: str
    """The source's zip path."""
    file: Path
    cfile: Path


def _jobs(config: LayerConfig, tree: Tree, interpreter: Interpreter, out: Path) -> dict[str, _Job]:
    """Zip path of each pyc `interpreter` writes -> how to write it, in zip-path order."""
    jobs = {}
    for path, entry in sorted(tree.items()):
        only = _PER_RUNTIME.match(path)
        if not path.endswith(".py") or (only and only.group(1) != interpreter.runtime):
            continue
        folder, name = posixpath.split(path)
        pyc = f"{folder}/__pycache__/{name.removesuffix('.py')}.{interpreter.cache_tag}.pyc"
        if not any(fnmatch.fnmatchcase(pyc, glob) for glob in config.exclude):
            # Layout rewrites RECORD files only: a source's bytes are its entry's file.
            jobs[pyc] = _Job(path, entry.path, out / pyc)
    return jobs


def _compile(config: LayerConfig, interpreter: Interpreter, jobs: dict[str, _Job], out: Path) -> dict[str, str]:
    """Compile `jobs` in one process; returns the zip path of each source that did not compile -> why."""
    payload = [
        [str(job.file.absolute()), str(job.cfile.absolute()), f"{LAMBDA_ROOT}/{job.source}"] for job in jobs.values()
    ]
    # Not -I or -E: they would ignore PYTHONHASHSEED. The PYTHON* variables are dropped instead.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [interpreter.executable, "-X", "utf8", "-S", "-s", "-c", _WORKER],
        input=json.dumps(payload),
        capture_output=True,
        encoding="utf-8",
        env=env,
        cwd=out,  # sys.path[0] under -c: it holds only python/, which shadows no module the worker imports
        check=False,
    )
    if result.returncode != 0:
        raise LayerError(
            f"{interpreter.executable}: compiling for {interpreter.runtime} failed ({_last_line(result.stderr)}); "
            f"set bytecode = false in {config.directory / LAYER_FILE} to build without",
            about=of_layer(config.name),
        )
    failed: list[tuple[str, str]] = json.loads(result.stdout)
    return {dfile.removeprefix(f"{LAMBDA_ROOT}/"): message for dfile, message in failed}


def _find(config: LayerConfig, runtime: str) -> Interpreter:
    # A runtime's name is also its interpreter's command: python3.12.
    version = runtime.removeprefix("python")
    expected = f"cpython-{version.replace('.', '')}"
    needs = f"{config.directory / LAYER_FILE}: bytecode = true needs {runtime} on PATH"
    about = of_layer(config.name)
    what_to_do = f"install Python {version} so that {runtime} is on PATH, or set bytecode = false"
    path = shutil.which(runtime)
    if path is None:
        raise LayerError(f"{needs}, and there is none; {what_to_do}", about=about)
    returncode, stdout, stderr = _probe(path)
    if returncode != 0:
        raise LayerError(f"{needs}, but {path} failed ({_first_line(stderr)}); {what_to_do}", about=about)
    cache_tag, executable, full_version = json.loads(stdout)
    if cache_tag != expected:
        raise LayerError(f"{needs}, but {path} is {cache_tag}, not {expected}; {what_to_do}", about=about)
    return Interpreter(runtime, executable, cache_tag, full_version)


@functools.cache
def _probe(path: str) -> tuple[int, str, str]:
    result = subprocess.run([path, "-I", "-c", _PROBE], capture_output=True, text=True, check=False)
    return result.returncode, result.stdout, result.stderr


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def _last_line(text: str) -> str:
    return next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "no message")
