"""Benchmark: what the Terraform half costs, against the project's local AWS.

1. A warm `init` of the root configuration (providers and modules already installed).
2. `make plan` with nothing changed, for the shipped tree and for a generated tree of
   20 layers and 20 functions (each function attaches 3 layers), after an apply. The
   figure is the whole command as a user runs it: make's up-to-date check, the driver's
   checks, init and plan.
3. `make demo`, whole: once with an empty build folder (a cold build: uv's cache is warm,
   so no download is timed), then with the build up to date.
4. Regions: the generated tree declared for 1, 2 and 4 regions (regions.toml), each on a
   fresh local AWS: `make apply` from an empty state, then `make plan` with nothing changed,
   at JOBS regions at a time (default: the number of cores, as make's own default).

Run it with `make bench-terraform` (TF=tofu or TF=terraform to choose the CLI). It prints a
table; it exits 1 only when a command fails.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_table import table
from layerkit.build_dir import BuildDir
from layerkit.deploy import local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, find_cli
from python_terraform import IsFlagged

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"
REPEATS = 5
GENERATED = 20
ATTACHED = 3
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
REGION_COUNTS = (1, 2, 4)
REGION_REPEATS = 3
# The bench may itself run under make; the nested makes must not inherit its flags.
_MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


class BenchError(Exception):
    """A command the benchmark relies on failed, so its figures would mean nothing."""


def make(*args: str) -> float:
    """Run make in the repository; its wall time in seconds."""
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARIABLES}
    start = time.perf_counter()
    result = subprocess.run([MAKE, "-C", str(ROOT), *args], capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise BenchError(f"make {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def generate(tree: Path) -> None:
    """20 small pure-Python layers, and 20 functions that attach 3 of them each."""
    for n in range(GENERATED):
        layer = tree / "layers" / f"lib{n:02}"
        (layer / "python").mkdir(parents=True)
        (layer / "python" / f"lib{n:02}.py").write_text(f"VALUE = {n}\n", encoding="utf-8")
        (layer / "layer.toml").write_text(
            f'description = "generated layer {n}"\nlicense = "MIT"\n'
            'runtimes = ["python3.12"]\narchitectures = ["x86_64", "arm64"]\n',
            encoding="utf-8",
        )
        function = tree / "functions" / f"fn{n:02}"
        (function / "src").mkdir(parents=True)
        (function / "src" / "handler.py").write_text("def handle(event, context):\n    return 1\n", encoding="utf-8")
        attached = [f"lib{(n + i) % GENERATED:02}" for i in range(ATTACHED)]
        (function / "function.toml").write_text(
            f'runtime = "python3.12"\nhandler = "handler.handle"\narchitecture = "x86_64"\nlayers = {attached!r}\n',
            encoding="utf-8",
        )


def no_change_plans(cli: str, endpoint: str, dirs: list[str]) -> list[float]:
    """Apply once, then time `make plan` with nothing changed."""
    make("apply", f"TF={cli}", f"ENDPOINT={endpoint}", "AUTO_APPROVE=1", *dirs)
    return [make("plan", f"TF={cli}", f"ENDPOINT={endpoint}", *dirs) for _ in range(REPEATS)]


def in_regions(cli: str, tree: Path, count: int, jobs: int) -> tuple[float, list[float]]:
    """The generated tree in `count` regions of a fresh local AWS: the apply from empty, then no-change plans."""
    (tree / "regions.toml").write_text(f"default = {list(REGIONS[:count])!r}\n".replace("'", '"'), encoding="utf-8")
    build = tree / f"build-{count}-regions"
    dirs = [f"LAYERS_DIR={tree / 'layers'}", f"FUNCTIONS_DIR={tree / 'functions'}", f"BUILD_DIR={build}"]
    try:
        make("layers", *dirs)
        with local_aws.running() as endpoint:
            local_aws.reset(endpoint)  # moto's backends live in this process: empty them for each count
            options = [f"TF={cli}", f"ENDPOINT={endpoint}", f"JOBS={jobs}", *dirs]
            applied = make("apply", "AUTO_APPROVE=1", *options)
            plans = [make("plan", *options) for _ in range(REGION_REPEATS)]
    finally:
        (tree / "regions.toml").unlink()
    return applied, plans


def warm_inits(cli: str, endpoint: str, build_dir: Path) -> list[float]:
    terraform = TerraformCli(terraform_root.workspace(ROOT, cli, BuildDir(build_dir), endpoint))
    terraform.init()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        terraform.init()
        times.append(time.perf_counter() - start)
    return times


def provider_version(cli: str, endpoint: str, build_dir: Path) -> str:
    """The hashicorp/aws release that init installed for the root configuration."""
    terraform = TerraformCli(terraform_root.workspace(ROOT, cli, BuildDir(build_dir), endpoint))
    selections: dict[str, str] = json.loads(terraform.run("version", json=IsFlagged)).get("provider_selections", {})
    return next((v for k, v in selections.items() if k.endswith("hashicorp/aws")), "unknown")


def row(name: str, times: list[float]) -> tuple[str, str, str, str]:
    return (name, f"{statistics.median(times):.2f} s", f"{min(times):.2f} s", str(len(times)))


def main() -> int:
    cli = find_cli(os.environ.get("TF"))
    version = subprocess.run([cli, "version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    rows: list[tuple[str, ...]] = [("measurement", "median", "min", "runs")]
    with tempfile.TemporaryDirectory(prefix="bench-terraform-") as work:
        shipped_build = Path(work) / "shipped-build"
        tree = Path(work) / "generated"
        generate(tree)
        generated = [f"LAYERS_DIR={tree / 'layers'}", f"FUNCTIONS_DIR={tree / 'functions'}"]
        with local_aws.running() as endpoint:
            shipped = no_change_plans(cli, endpoint, [f"BUILD_DIR={shipped_build}"])
            rows.append(row("warm init of the root configuration", warm_inits(cli, endpoint, shipped_build)))
            provider = provider_version(cli, endpoint, shipped_build)
            rows.append(row("make plan, nothing changed: shipped tree (2 layers, 1 function)", shipped))
            many = no_change_plans(cli, endpoint, [*generated, f"BUILD_DIR={tree / 'build'}"])
            rows.append(row(f"make plan, nothing changed: {GENERATED} layers, {GENERATED} functions", many))
        jobs = int(os.environ.get("JOBS") or os.cpu_count() or 1)
        one_region_plan = None
        for count in REGION_COUNTS:
            applied, plans = in_regions(cli, tree, count, jobs)
            one_region_plan = one_region_plan or statistics.median(plans)
            ratio = statistics.median(plans) / (count * one_region_plan)
            name = f"{GENERATED}x{GENERATED} in {count} region{'s' if count > 1 else ''}, JOBS={jobs}"
            rows.append(row(f"make apply, empty state: {name}", [applied]))
            rows.append(row(f"make plan, nothing changed: {name} ({ratio:.2f} x N x 1 region's)", plans))
        demo_build = Path(work) / "demo-build"
        cold = [make("demo", f"TF={cli}", f"BUILD_DIR={demo_build}")]
        rows.append(row("make demo, empty build folder", cold))
        warm = [make("demo", f"TF={cli}", f"BUILD_DIR={demo_build}") for _ in range(3)]
        rows.append(row("make demo, build up to date", warm))
    print(f"{version}, hashicorp/aws {provider}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
