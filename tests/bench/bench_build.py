"""Benchmark: layerkit's cold build against plain `uv pip install` + `zip`, and a warm no-op `make layers`.

1. One representative layer (requests + pydantic, python3.12, arm64) is built from the same
   lockfile by layerkit (into a fresh build folder each time) and by the plain baseline
   (`uv pip install --target` into a fresh folder, then `zip -X -r`), 5 times each, alternating.
2. `make layers` over 10 small layers is timed cold once, then warm (nothing changed) 5 times.

Untimed runs first fill uv's cache with every wheel, and the timed runs set UV_OFFLINE=1: with
a warm cache uv still revalidates index pages over the network, and that wait (the same for
both contenders, but noisy) would hide the difference in build work this is meant to show.

Run it with `make bench`. It prints the figures next to their goals and a verdict, and exits 0
even when a goal is missed (a benchmark, not a test); it exits 1 only when a build fails.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench_table import table
from layerkit.builder import uv_cli
from layerkit.lambda_facts import Target

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 5
RUNTIME = "python3.12"
REPRESENTATIVE = Target(RUNTIME, "arm64")
REPRESENTATIVE_REQUIREMENTS = ("requests", "pydantic")
# One small pure-Python package per layer, so each layer installs real, different wheels.
SMALL_REQUIREMENTS = (
    "six",
    "idna",
    "certifi",
    "urllib3",
    "attrs",
    "packaging",
    "typing-extensions",
    "jmespath",
    "python-dateutil",
    "annotated-types",
)

GOAL_RATIO = 1.15
GOAL_WARM_SECONDS = 0.5
GOAL_COLD_OVER_WARM = 20.0

# The bench may itself run under make; the nested `make layers` must not inherit its flags.
_MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


class BenchError(Exception):
    """A command the benchmark relies on failed, so its figures would mean nothing."""


@dataclass(frozen=True)
class Zip:
    size: int
    files: int


@dataclass(frozen=True)
class ColdBuild:
    layerkit: list[float]
    baseline: list[float]
    layerkit_zip: Zip
    baseline_zip: Zip


@dataclass(frozen=True)
class MakeRuns:
    cold: float
    built: int
    warm: list[float]
    warm_did_nothing: bool


def executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BenchError(f"{name}: not found on PATH")
    return path


def environment(*, offline: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARIABLES and k != "UV_OFFLINE"}
    env["PYTHONPATH"] = str(ROOT / "scripts")
    if offline:
        env["UV_OFFLINE"] = "1"
    return env


def run(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def timed(args: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = run(args, cwd=cwd, env=env)
    return time.perf_counter() - start, out


def layerkit(layers_dir: Path, *args: str) -> list[str]:
    # A sibling folder with no functions: the repository's own functions name its own layers.
    functions_dir = layers_dir.parent / "functions"
    return [
        sys.executable,
        "-m",
        "layerkit",
        "--layers-dir",
        str(layers_dir),
        "--functions-dir",
        str(functions_dir),
        *args,
    ]


def write_layer(layers_dir: Path, name: str, requirements: tuple[str, ...], *, own_code: bool) -> None:
    target = REPRESENTATIVE
    directory = layers_dir / name
    directory.mkdir(parents=True)
    (directory / "layer.toml").write_text(
        f'description = "bench layer {name}"\nlicense = "MIT"\n'
        f'runtimes = ["{target.runtime}"]\narchitectures = ["{target.architecture}"]\n',
        encoding="utf-8",
    )
    (directory / "requirements.in").write_text("".join(f"{r}\n" for r in requirements), encoding="utf-8")
    if own_code:
        (directory / "python").mkdir()
        code = f'"""Layer {name}\'s own code."""\n\nNAME = "{name}"\n'
        (directory / "python" / f"{name}_app.py").write_text(code, encoding="utf-8")


def describe(path: Path) -> Zip:
    with zipfile.ZipFile(path) as archive:
        files = sum(1 for info in archive.infolist() if not info.is_dir())
    return Zip(path.stat().st_size, files)


def layerkit_build(layers_dir: Path, build_dir: Path, env: dict[str, str]) -> tuple[float, Zip]:
    seconds, _ = timed(layerkit(layers_dir, "build", "--build-dir", str(build_dir)), cwd=ROOT, env=env)
    zips = list((build_dir / "layers").glob("*.zip"))
    if len(zips) != 1:
        raise BenchError(f"{build_dir}: expected one zip, found {len(zips)}")
    result = describe(zips[0])
    shutil.rmtree(build_dir)
    return seconds, result


def baseline_build(lock: Path, folder: Path, env: dict[str, str]) -> tuple[float, Zip]:
    folder.mkdir()
    install = [
        uv_cli.binary(), "pip", "install",
        "--target", str(folder / "python"),
        "--require-hashes",
        "--only-binary", ":all:",
        "--python-version", REPRESENTATIVE.python_version,
        "--python-platform", REPRESENTATIVE.uv_platform,
        "-r", str(lock),
    ]  # fmt: skip
    pack = [executable("zip"), "-X", "-r", "-q", "out.zip", "python"]
    start = time.perf_counter()
    run(install, cwd=folder, env=env)
    run(pack, cwd=folder, env=env)
    seconds = time.perf_counter() - start
    result = describe(folder / "out.zip")
    shutil.rmtree(folder)
    return seconds, result


def bench_cold_build(work: Path) -> ColdBuild:
    layers_dir = work / "layers"
    # Requirements only: the baseline has no sources of its own to add.
    write_layer(layers_dir, "rep", REPRESENTATIVE_REQUIREMENTS, own_code=False)
    online = environment(offline=False)
    run(layerkit(layers_dir, "lock"), cwd=ROOT, env=online)
    lock = layers_dir / "rep" / "requirements.txt"

    # Untimed: fill uv's cache (and the OS file cache) for both contenders.
    baseline_build(lock, work / "warm-baseline", online)
    layerkit_build(layers_dir, work / "warm-build", online)

    env = environment(offline=True)
    times: dict[str, list[float]] = {"layerkit": [], "baseline": []}
    zips: dict[str, Zip] = {}
    for rep in range(REPEATS):
        # Alternate, and swap who goes first each round, so drift hits both alike.
        order = ("layerkit", "baseline") if rep % 2 == 0 else ("baseline", "layerkit")
        for contender in order:
            if contender == "layerkit":
                seconds, zips[contender] = layerkit_build(layers_dir, work / f"build-{rep}", env)
            else:
                seconds, zips[contender] = baseline_build(lock, work / f"baseline-{rep}", env)
            times[contender].append(seconds)
    return ColdBuild(times["layerkit"], times["baseline"], zips["layerkit"], zips["baseline"])


def bench_make(work: Path) -> MakeRuns:
    layers_dir = work / "layers"
    for number, requirement in enumerate(SMALL_REQUIREMENTS):
        write_layer(layers_dir, f"l{number:02d}", (requirement,), own_code=True)
    online = environment(offline=False)
    run(layerkit(layers_dir, "lock"), cwd=ROOT, env=online)
    # Untimed: fill uv's cache with these wheels, in a build folder make never sees.
    run(layerkit(layers_dir, "build", "--build-dir", str(work / "warm-build")), cwd=ROOT, env=online)

    env = environment(offline=True)
    command = [
        executable("make"),
        "-C",
        str(ROOT),
        "layers",
        f"LAYERS_DIR={layers_dir}",
        f"FUNCTIONS_DIR={work / 'functions'}",
        f"BUILD_DIR={work / 'build'}",
    ]
    cold, out = timed(command, cwd=ROOT, env=env)
    built = sum(1 for line in out.splitlines() if line.split()[:1] == ["built"])
    if built != len(SMALL_REQUIREMENTS):
        raise BenchError(f"cold make layers built {built} of {len(SMALL_REQUIREMENTS)} layers:\n{out}")
    warm: list[float] = []
    did_nothing = True
    for _ in range(REPEATS):
        seconds, out = timed(command, cwd=ROOT, env=env)
        warm.append(seconds)
        did_nothing = did_nothing and "Nothing to be done" in out
    return MakeRuns(cold, built, warm, did_nothing)


def contender_row(name: str, times: list[float], result: Zip) -> tuple[str, ...]:
    median, fastest = seconds(statistics.median(times)), seconds(min(times))
    return (name, median, fastest, f"{result.size:,} B", str(result.files), "", "")


def verdict(*, met: bool) -> str:
    return "ok" if met else "MISSED"


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def report(cold: ColdBuild, make: MakeRuns) -> list[str]:
    """Print the figures and goals; returns the names of the goals missed."""
    layerkit_median = statistics.median(cold.layerkit)
    baseline_median = statistics.median(cold.baseline)
    ratio = layerkit_median / baseline_median
    warm_median = statistics.median(make.warm)
    cold_over_warm = make.cold / warm_median
    goals = {
        "cold build ratio": ratio <= GOAL_RATIO,
        "warm no-op time": warm_median < GOAL_WARM_SECONDS and make.warm_did_nothing,
        "cold/warm": cold_over_warm >= GOAL_COLD_OVER_WARM,
    }
    print(
        f"\n1. Cold build of one layer ({' + '.join(REPRESENTATIVE_REQUIREMENTS)}, {REPRESENTATIVE.runtime} "
        f"{REPRESENTATIVE.architecture}), same lockfile, {REPEATS} runs each, alternating"
    )
    header = ("", "median", "min", "zip size", "files", "goal", "")
    mine = contender_row("layerkit build", cold.layerkit, cold.layerkit_zip)
    plain = contender_row("uv pip install + zip", cold.baseline, cold.baseline_zip)
    goal = (f"<= {GOAL_RATIO:.2f}", verdict(met=goals["cold build ratio"]))
    print(table([header, mine, plain, ("ratio of medians", f"{ratio:.2f}", "", "", "", *goal)]))

    print(f"\n2. make layers over {make.built} layers ({REPRESENTATIVE.key}, one small package each)")
    label = f"warm no-op ({REPEATS} runs)" + ("" if make.warm_did_nothing else " - NOT a no-op, make ran layerkit")
    warm_goal = (f"< {GOAL_WARM_SECONDS:.2f} s", verdict(met=goals["warm no-op time"]))
    ratio_goal = (f">= {GOAL_COLD_OVER_WARM:.0f}x", verdict(met=goals["cold/warm"]))
    rows: list[tuple[str, ...]] = [
        ("", "median", "min", "goal", ""),
        ("cold (once)", seconds(make.cold), "", "", ""),
        (label, seconds(warm_median), seconds(min(make.warm)), *warm_goal),
        ("cold / warm", f"{cold_over_warm:.0f}x", "", *ratio_goal),
    ]
    print(table(rows))
    return [name for name, met in goals.items() if not met]


def main() -> int:
    uv_version = uv_cli.version()
    print("layerkit build benchmark")
    print(
        f"machine: nproc {len(os.sched_getaffinity(0))}, Python {platform.python_version()} ({sys.executable}),"
        f" {uv_version}, {platform.system()} {platform.machine()}"
    )
    print("timed runs: warm uv cache, UV_OFFLINE=1 (no network); wall-clock time.perf_counter", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="layerkit-bench-cold-") as work:
            cold = bench_cold_build(Path(work))
        with tempfile.TemporaryDirectory(prefix="layerkit-bench-make-") as work:
            make = bench_make(Path(work))
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    missed = report(cold, make)
    if missed:
        print(f"\nVERDICT: {len(missed)} of 3 goals MISSED: {', '.join(missed)}")
    else:
        print("\nVERDICT: all 3 goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
