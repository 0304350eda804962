"""Benchmark: boto3's cold import from a read-only /opt, with and without shipped bytecode.

The repository's boto3 requirement (layers/boto3/requirements.in) is locked and built twice
for the host's runtime and architecture, as two layers that differ only in `bytecode`. Each
zip is extracted into its own /opt-like folder, made read-only, and each run imports from it
in a fresh `python3.X -I -S -B` with Lambda's sys.path order: `<opt>/python/lib/python3.X/
site-packages`, `<opt>/python`, then the standard library. The figure is the time of
`import boto3; boto3.client("s3", region_name="us-east-1")` inside that process, so the
interpreter's own start-up (the same for both) is left out. The variants alternate, and
swap who goes first each round, so drift hits both alike.

-B as well as PYTHONDONTWRITEBYTECODE=1: -I ignores PYTHON* variables, and file modes do not
stop root from writing `__pycache__`, which would turn later plain runs into bytecode runs.
"pycs loaded" can exceed "modules from /opt": a module whose import fails after its code
loaded (dateutil.tz.win, urllib3.contrib.pyopenssl) is not left in sys.modules.

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
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ARCHITECTURE = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
REPEATS = 9
STATEMENT = 'import boto3; boto3.client("s3", region_name="us-east-1")'
VARIANTS = {"plain": False, "bytecode": True}

# Times the statement after setting Lambda's sys.path; prints the seconds and the modules /opt gave.
_MEASURE = """\
import json, sys, time
opt = sys.argv[1]
sys.path[:0] = [f"{{opt}}/python/lib/{runtime}/site-packages", f"{{opt}}/python"]
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
modules = sum(1 for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").startswith(opt))
print(json.dumps([seconds, modules]))
"""


class BenchError(Exception):
    """A command the benchmark relies on failed, so its figures would mean nothing."""


@dataclass(frozen=True)
class Variant:
    name: str
    zip_size: int
    unzipped_size: int
    file_count: int
    opt: Path
    modules: int
    from_pyc: int
    seconds: list[float]


def run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def lambda_environment(opt_dir: Path) -> dict[str, str]:
    """The variables Lambda sets that matter to an import (`make invoke` sets the same and more)."""
    return {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": f"{opt_dir}/bin:/usr/local/bin:/usr/bin:/bin",
        "LD_LIBRARY_PATH": f"{opt_dir}/lib",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def cold_import_seconds(opt_dir: Path, python: str, *flags: str) -> tuple[float, int, str]:
    """Seconds `STATEMENT` takes in a fresh interpreter importing from `opt_dir`.

    Also returns how many modules came from `opt_dir`, and stderr (a trace when `flags` has -v).
    """
    script = _MEASURE.format(runtime=RUNTIME, statement=STATEMENT)
    command = [python, "-I", "-S", "-B", *flags, "-c", script, str(opt_dir)]
    result = run(command, env=lambda_environment(opt_dir))
    seconds, modules = json.loads(result.stdout)
    return seconds, modules, result.stderr


def layerkit(work: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "layerkit",
        "--layers-dir", str(work / "layers"),
        "--functions-dir", str(work / "no-functions"),
        *args,
    ]  # fmt: skip


def build_variants(work: Path) -> dict[str, dict[str, object]]:
    """Lock and build the two layers; returns each one's manifest record."""
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
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    run(layerkit(work, "lock"), env=env)
    run(layerkit(work, "build", "--build-dir", str(work / "build")), env=env)
    manifest = json.loads((work / "build" / "manifest.json").read_text(encoding="utf-8"))
    return {a["layer"]: a for a in manifest["artifacts"]}


def set_writable(root: Path, *, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


def measure(work: Path, python: str) -> list[Variant]:
    records = build_variants(work)
    opts = {name: work / f"opt-{name}" for name in VARIANTS}
    for name, opt in opts.items():
        with zipfile.ZipFile(str(records[name]["zip"])) as archive:
            archive.extractall(opt)
        set_writable(opt, writable=False)
    try:
        traces = {name: cold_import_seconds(opt, python, "-v") for name, opt in opts.items()}  # untimed warm-up
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for rep in range(REPEATS):
            order = list(VARIANTS) if rep % 2 == 0 else list(VARIANTS)[::-1]
            for name in order:
                times[name].append(cold_import_seconds(opts[name], python)[0])
        written = next(opts["plain"].rglob("*.pyc"), None)
        if written:
            raise BenchError(f"{written}: bytecode was written during the plain runs; the figures are void")
    finally:
        for opt in opts.values():
            set_writable(opt, writable=True)
    return [
        Variant(
            name=name,
            zip_size=int(str(records[name]["zip_size"])),
            unzipped_size=int(str(records[name]["unzipped_size"])),
            file_count=int(str(records[name]["file_count"])),
            opt=opt,
            modules=traces[name][1],
            from_pyc=traces[name][2].count(f"code object from '{opt}/"),
            seconds=times[name],
        )
        for name, opt in opts.items()
    ]


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)


def growth(before: int, after: int) -> str:
    return f"+{after - before:,} B (+{(after - before) / before:.0%})"


def report(plain: Variant, compiled: Variant) -> None:
    print(f"\nimport boto3 + client('s3'), {RUNTIME} {ARCHITECTURE}, read-only /opt, {REPEATS} runs each, alternating")
    header = ("layer", "median", "min", "zip size", "unzipped", "files", "modules from /opt", "pycs loaded")
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
