"""Benchmark: what team-scale operation costs, against the project's local AWS.

1. A no-change plan of the shipped tree with its state in S3 (native lock), beside the same
   plan on local state: `init` and `plan` through the driver, as `make plan` runs them.
2. `make prune` over 100 versions of one layer: a dry run, and one that deletes.

Run it with `make bench-team` (TF= to choose the CLI). It prints a table; it exits 1 only
when a command fails.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import boto3
from bench_table import table
from layerkit.build_dir import BuildDir
from layerkit.deploy import local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, Workspace, find_cli

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"
REPEATS = 5
VERSIONS = 100
BUCKET = "bench-state"
_MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


def make(*args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARIABLES}
    start = time.perf_counter()
    result = subprocess.run([MAKE, "-C", str(ROOT), *args], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"error: make {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - start


def root_copy(work: Path) -> Path:
    """The root configuration in a folder of its own, so a backend file never touches this checkout."""
    root = work / "root"
    root.mkdir()
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        shutil.copy(ROOT / name, root / name)
    (root / "modules").symlink_to(ROOT / "modules")
    return root


def timed_plans(space: Workspace) -> list[float]:
    first = TerraformCli(space)
    first.init()
    first.apply(auto_approve=True)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        terraform = TerraformCli(space)
        terraform.init()
        changes, output = terraform.plan()
        times.append(time.perf_counter() - start)
        if changes:
            sys.exit(f"error: the plan is not empty:\n{output}")
    return times


def state_in_s3(work: Path, root: Path, cli: str, endpoint: str, variables: dict[str, object]) -> list[float]:
    s3 = boto3.client("s3", **local_aws.client_options(endpoint))
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    backend = work / "backend.hcl"
    backend.write_text(
        f'bucket = "{BUCKET}"\nkey = "bench.tfstate"\nregion = "us-east-1"\nuse_lockfile = true\n'
        "use_path_style = true\nskip_credentials_validation = true\nskip_requesting_account_id = true\n"
        f'endpoints = {{ s3 = "{endpoint}" }}\n',
        encoding="utf-8",
    )
    space = Workspace(root, cli, work / "s3-data", None, variables, terraform_root.LOCAL_CREDENTIALS)
    terraform_root.init(space, backend)
    return timed_plans(space)


def layer_zip(n: int) -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("python/bench_layer.py", f"VERSION = {n}\n")
    return content.getvalue()


def prune_times(work: Path, cli: str, endpoint: str) -> tuple[float, float]:
    """Publish 99 old versions of `tools`, apply the 100th, then time a dry run and a deleting run."""
    (work / "layers/tools/python").mkdir(parents=True)
    (work / "layers/tools/python/tools.py").write_text("VERSION = 100\n", encoding="utf-8")
    (work / "layers/tools/layer.toml").write_text(
        'description = "t"\nlicense = "MIT"\nruntimes = ["python3.12"]\narchitectures = ["x86_64"]\n', encoding="utf-8"
    )
    build = work / "prune-build"
    space = terraform_root.workspace(ROOT, cli, BuildDir(build), endpoint)
    aws = terraform_root.lambda_client(space, region="us-east-1")
    for n in range(1, VERSIONS):
        aws.publish_layer_version(LayerName="tools", Content={"ZipFile": layer_zip(n)})
    dirs = [f"LAYERS_DIR={work / 'layers'}", f"FUNCTIONS_DIR={work / 'functions'}", f"BUILD_DIR={build}"]
    make("apply", f"TF={cli}", f"ENDPOINT={endpoint}", "AUTO_APPROVE=1", *dirs)
    dry = make("prune", f"TF={cli}", f"ENDPOINT={endpoint}", *dirs)
    deleting = make("prune", f"TF={cli}", f"ENDPOINT={endpoint}", "YES=1", *dirs)
    left = len(aws.list_layer_versions(LayerName="tools")["LayerVersions"])
    if left != 3:  # KEEP's default
        sys.exit(f"error: prune left {left} versions, not 3")
    return dry, deleting


def main() -> int:
    cli = find_cli(os.environ.get("TF"))
    version = subprocess.run([cli, "version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    rows: list[tuple[str, ...]] = [("measurement", "median", "min", "runs")]
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp, local_aws.running() as endpoint:
        work = Path(tmp)
        make("layers", f"BUILD_DIR={work / 'build'}")
        root = root_copy(work)
        variables: dict[str, object] = {
            "manifest_path": str(work / "build/manifest.json"),
            "endpoints": dict.fromkeys(terraform_root.SERVICES, endpoint),
        }
        local = Workspace(
            root, cli, work / "local-data", work / "local.tfstate", variables, terraform_root.LOCAL_CREDENTIALS
        )
        on_local = timed_plans(local)
        local_aws.reset(endpoint)
        in_s3 = state_in_s3(work, root, cli, endpoint, variables)
        local_aws.reset(endpoint)
        for name, times in (
            ("no-change plan, local state (init + plan)", on_local),
            ("no-change plan, state in S3 with its lock (init + plan)", in_s3),
        ):
            rows.append((name, f"{statistics.median(times):.2f} s", f"{min(times):.2f} s", str(len(times))))
        dry, deleting = prune_times(work, cli, endpoint)
        rows.append((f"make prune over {VERSIONS} versions, dry run", f"{dry:.2f} s", "", "1"))
        rows.append((f"make prune over {VERSIONS} versions, deleting {VERSIONS - 3}", f"{deleting:.2f} s", "", "1"))
    print(f"{version}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
