"""Benchmark: boto3's cold import through `make invoke`'s environment, with and without shipped bytecode.

The repository's boto3 requirement (layers/boto3/requirements.in) is locked and built twice
for the host's runtime and architecture, as two layers that differ only in `bytecode`, each
attached to a probe function. Every run is one `layerkit.invoke` of a probe: the layer is
extracted into a fresh read-only /opt, and the handler runs in a fresh `python3.X -I -S -B`
with Lambda's sys.path and environment. The handler times `import boto3;
boto3.client("s3", region_name="us-east-1")`, so the interpreter's own start-up (the same for
both) is left out. The variants alternate, and swap who goes first each round, so drift hits
both alike. "pycs used" counts the modules from /opt whose cached pyc exists: with
unchecked-hash pycs, Python loads those without looking at the source.

Run it with `make bench-bytecode`. It exits 1 only when a build or a run fails.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench_table import table
from layerkit.build_dir import BuildDir
from layerkit.inspect import invoke

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ARCHITECTURE = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
REPEATS = 9
STATEMENT = 'import boto3; boto3.client("s3", region_name="us-east-1")'
VARIANTS = {"plain": False, "bytecode": True}

PROBE = f"""\
import os, sys, time

def handle(event, context):
    start = time.perf_counter()
    {STATEMENT}
    seconds = time.perf_counter() - start
    opt = os.path.dirname(sys.path[2])  # <opt>/python is third on Lambda's sys.path
    mods = [m for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").startswith(opt)]
    cached = [m.__spec__.cached for m in mods if m.__spec__ and m.__spec__.cached]
    return {{"seconds": seconds, "modules": len(mods), "from_pyc": sum(map(os.path.exists, cached))}}
"""


class BenchError(Exception):
    """A command the benchmark relies on failed, so its figures would mean nothing."""


@dataclass(frozen=True)
class Variant:
    name: str
    zip_size: int
    unzipped_size: int
    file_count: int
    modules: int
    from_pyc: int
    seconds: list[float]


def run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def cold_import(build_dir: Path, variant: str, python: str) -> dict[str, float]:
    """One invoke of the variant's probe: seconds to import, modules from /opt, pycs used."""
    result = invoke.invoke(BuildDir(build_dir), f"probe-{variant}", {}, python)
    if result.failed:
        raise BenchError(f"probe-{variant} failed: {json.dumps(result.payload)}\n{result.logs}")
    payload: dict[str, float] = result.payload
    return payload


def layerkit(work: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "layerkit",
        "--layers-dir", str(work / "layers"),
        "--functions-dir", str(work / "functions"),
        *args,
    ]  # fmt: skip


def build_variants(work: Path) -> dict[str, dict[str, object]]:
    """Lock and build the two layers and their probes; returns each layer's manifest record."""
    requirements = (ROOT / "layers" / "boto3" / "requirements.in").read_text(encoding="utf-8")
    for name, compiled in VARIANTS.items():
        directory = work / "layers" / name
        directory.mkdir(parents=True)
        (directory / "layer.toml").write_text(
            f'description = "bench: boto3, bytecode = {str(compiled).lower()}"\nlicense = "Apache-2.0"\n'
            f'runtimes = ["{RUNTIME}"]\narchitectures = ["{ARCHITECTURE}"]\nbytecode = {str(compiled).lower()}\n',
            encoding="utf-8",
        )
        (directory / "requirements.in").write_text(requirements, encoding="utf-8")
        probe = work / "functions" / f"probe-{name}"
        (probe / "src").mkdir(parents=True)
        (probe / "src" / "probe.py").write_text(PROBE, encoding="utf-8")
        (probe / "function.toml").write_text(
            f'runtime = "{RUNTIME}"\nhandler = "probe.handle"\narchitecture = "{ARCHITECTURE}"\n'
            f'timeout = 60\nlayers = ["{name}"]\n',
            encoding="utf-8",
        )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    run(layerkit(work, "lock"), env=env)
    run(layerkit(work, "build", "--build-dir", str(work / "build")), env=env)
    manifest = json.loads((work / "build" / "manifest.json").read_text(encoding="utf-8"))
    return {a["layer"]: a for a in manifest["artifacts"]}


def measure(work: Path, python: str) -> list[Variant]:
    records = build_variants(work)
    build_dir = work / "build"
    first = {name: cold_import(build_dir, name, python) for name in VARIANTS}  # untimed warm-up
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for rep in range(REPEATS):
        order = list(VARIANTS) if rep % 2 == 0 else list(VARIANTS)[::-1]
        for name in order:
            times[name].append(cold_import(build_dir, name, python)["seconds"])
    return [
        Variant(
            name=name,
            zip_size=int(str(records[name]["zip_size"])),
            unzipped_size=int(str(records[name]["unzipped_size"])),
            file_count=int(str(records[name]["file_count"])),
            modules=int(first[name]["modules"]),
            from_pyc=int(first[name]["from_pyc"]),
            seconds=times[name],
        )
        for name in VARIANTS
    ]


def growth(before: int, after: int) -> str:
    return f"+{after - before:,} B (+{(after - before) / before:.0%})"


def report(plain: Variant, compiled: Variant) -> None:
    print(f"\nimport boto3 + client('s3'), {RUNTIME} {ARCHITECTURE}, read-only /opt, {REPEATS} runs each, alternating")
    header = ("layer", "median", "min", "zip size", "unzipped", "files", "modules from /opt", "pycs used")
    rows: list[tuple[str, ...]] = [header]
    for variant, label in ((plain, "bytecode = false"), (compiled, "bytecode = true")):
        rows.append(
            (
                label,
                f"{statistics.median(variant.seconds) * 1000:.1f} ms",
                f"{min(variant.seconds) * 1000:.1f} ms",
                f"{variant.zip_size:,} B",
                f"{variant.unzipped_size:,} B",
                f"{variant.file_count:,}",
                str(variant.modules),
                str(variant.from_pyc),
            )
        )
    print(table(rows))
    saved = statistics.median(plain.seconds) - statistics.median(compiled.seconds)
    speedup = statistics.median(plain.seconds) / statistics.median(compiled.seconds)
    print(f"\n  speed-up (ratio of medians): {speedup:.2f}x, {saved * 1000:.0f} ms saved per cold start")
    print(f"  size cost: zipped {growth(plain.zip_size, compiled.zip_size)}, "
          f"unzipped {growth(plain.unzipped_size, compiled.unzipped_size)}")  # fmt: skip


def main() -> int:
    python = shutil.which(RUNTIME)
    if python is None:
        print(f"bench failed: {RUNTIME} is not on PATH", file=sys.stderr)
        return 1
    print("layerkit bytecode benchmark")
    try:
        version = run([python, "-I", "-c", "import platform; print(platform.python_version())"]).stdout.strip()
        print(
            f"machine: nproc {len(os.sched_getaffinity(0))}, {RUNTIME} {version} ({python}), "
            f"{platform.system()} {platform.machine()}; time.perf_counter inside the process",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="layerkit-bench-bytecode-") as work:
            plain, compiled = measure(Path(work), python)
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    report(plain, compiled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
