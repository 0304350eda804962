"""`make bench-audit ADVISORIES=<path>`: a warm `make audit` against a real advisory database.

Two trees are built once, into temporary folders: the shipped layers and functions (which
installs boto3 with uv), and 20 generated layers (both architectures) of 36 distributions
each: hand-written dist-info folders, 6 of them at old versions of packages with known
advisories, so there is plenty to report; 10 functions attach them in pairs. Then
`make audit` runs 5 times on each, the manifest up to date, and the median is printed:
for the database as given, and for the same advisories as one flat zip of JSON files (the
shape of OSV's own per-ecosystem export, which has no folder per package). Also printed:
the in-process split between reading the zips and reading the advisories.
Goal: under 2 s warm.
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
import zipfile
from pathlib import Path

import yaml
from bench_table import table
from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.inspect import advisories, audit

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5
LAYERS = 20
FUNCTIONS = 10
FILLER = 30
OLD_VERSIONS = {
    "requests": ["2.19.1", "2.25.0", "2.31.0"],
    "urllib3": ["1.24.1", "1.26.4", "1.26.17"],
    "jinja2": ["2.10", "2.11.2", "3.1.2"],
    "pyyaml": ["5.1", "5.3", "5.4"],
    "cryptography": ["3.2", "39.0.0", "41.0.0"],
    "pillow": ["8.0.0", "9.0.0", "10.0.0"],
    "django": ["3.1", "4.2.0", "2.2.0"],
    "werkzeug": ["1.0.1", "2.2.2", "3.0.0"],
    "pyjwt": ["1.7.1", "2.3.0", "2.4.0"],
    "idna": ["2.10", "3.6", "3.7"],
    "lxml": ["4.6.1", "4.9.0", "5.0.0"],
    "setuptools": ["50.0.0", "65.5.0", "70.0.0"],
}
MAKE = shutil.which("make") or "make"
HANDLER = "def handle(event, context):\n    return 1\n"


def _dist_info(folder: Path, name: str, version: str) -> None:
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    (info / "RECORD").write_text(f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n", encoding="utf-8")


def _generated_tree(root: Path) -> tuple[Path, Path]:
    """20 layers and 10 functions, each attaching one pair of layers (the second requires the first in half).

    A layer ships 6 of the audited distributions (the first or second half of the list, so a pair
    never ships one twice) at an old version, and FILLER others no advisory names.
    """
    layers_dir, functions_dir = root / "layers", root / "functions"
    audited = list(OLD_VERSIONS)
    for i in range(LAYERS):
        layer = layers_dir / f"layer{i:02d}"
        requires = f'requires = ["layer{i - 1:02d}"]\n' if i % 4 == 1 else ""
        (layer / "python").mkdir(parents=True)
        (layer / "layer.toml").write_text(
            f'description = "bench layer {i}"\nlicense = "MIT"\nruntimes = ["python3.12"]\n'
            f'architectures = ["x86_64", "arm64"]\n{requires}',
            encoding="utf-8",
        )
        (layer / "python" / f"own{i:02d}.py").write_text("X = 1\n", encoding="utf-8")
        for name in audited[(i % 2) * 6 : (i % 2) * 6 + 6]:
            _dist_info(layer / "python", name, OLD_VERSIONS[name][(i // 2) % 3])
        for k in range(FILLER):
            _dist_info(layer / "python", f"inhouse-{i:02d}-{k:02d}", "1.0.0")
    for j in range(FUNCTIONS):
        attached = [f"layer{2 * j:02d}", f"layer{2 * j + 1:02d}"]
        function = functions_dir / f"fn{j:02d}"
        (function / "src").mkdir(parents=True)
        (function / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
        (function / "function.toml").write_text(
            f'runtime = "python3.12"\nhandler = "app.handle"\narchitecture = "{("x86_64", "arm64")[j % 2]}"\n'
            f"layers = {attached!r}\n",
            encoding="utf-8",
        )
    return layers_dir, functions_dir


def _make(target: str, *variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), target, *variables],
        capture_output=True,
        text=True,
        check=False,
    )


def _warm_audit(variables: list[str], database: Path) -> tuple[float, str]:
    """The median of RUNS warm `make audit` runs, and the last one's summary line."""
    built = _make("layers", *variables)
    if built.returncode != 0:
        sys.exit(f"make layers failed:\n{built.stdout}{built.stderr}")
    samples = []
    result = None
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        result = _make("audit", *variables, f"ADVISORIES={database}")
        samples.append(time.perf_counter() - start)
    assert result is not None
    # make exits 2 when the audit has findings (exit 1): the summary line tells the runs apart.
    summary = [line for line in result.stdout.splitlines() if " finding(s), " in line or "no advisory" in line]
    if not summary:
        sys.exit(f"make audit failed:\n{result.stdout}{result.stderr}")
    return statistics.median(samples[1:]), summary[-1]


def _split(build_dir: BuildDir, database: Path) -> tuple[float, float]:
    """Seconds spent in-process reading the zips, and reading and matching the advisories."""
    artifacts, _ = manifest.read(build_dir)
    start = time.perf_counter()
    audit._layer_dists(artifacts)  # noqa: SLF001 -- timing one step of the audit alone
    zips = time.perf_counter() - start
    start = time.perf_counter()
    audit.audit(database, build_dir)
    whole = time.perf_counter() - start
    return zips, whole - zips


def _as_flat_zip(database: Path, out: Path) -> int:
    """The database's advisories as one flat zip of JSON files, as OSV's own export has them."""
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(database.rglob("*")):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            text = path.read_bytes()
            data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)
            archive.writestr(f"{path.stem}.json", json.dumps(data, default=str))
            count += 1
    return count


def main() -> None:
    database = Path(os.environ.get("ADVISORIES", ""))
    if not database.exists():
        sys.exit("set ADVISORIES to a clone of the PyPA advisory database (its vulns/ folder), or an OSV zip")
    rows: list[tuple[str, ...]] = [("warm make audit, median of 5", "advisories", "findings", "seconds")]
    splits: list[tuple[str, ...]] = [("in-process", "zips", "advisories")]
    with tempfile.TemporaryDirectory() as work:
        flat = Path(work) / "osv-flat.zip"
        files = _as_flat_zip(database, flat) if database.is_dir() else 0
        layers_dir, functions_dir = _generated_tree(Path(work) / "generated")
        shipped_layers = Path(work) / "shipped"
        shutil.copytree(ROOT / "layers", shipped_layers / "layers")
        shutil.copytree(ROOT / "functions", shipped_layers / "functions")
        trees = {
            "shipped tree (2 layers, 1 function)": (shipped_layers / "layers", shipped_layers / "functions"),
            f"{LAYERS} layers x 2 architectures, {FUNCTIONS} functions": (layers_dir, functions_dir),
        }
        for label, (layers, functions) in trees.items():
            build_dir = Path(work) / f"build-{len(rows)}"
            variables = [f"LAYERS_DIR={layers}", f"FUNCTIONS_DIR={functions}", f"BUILD_DIR={build_dir}"]
            for name, source in (("as given", database), ("flat OSV zip", flat)):
                if name == "flat OSV zip" and not files:
                    continue
                seconds, summary = _warm_audit(variables, source)
                findings = summary.split(" finding")[0] if " finding(s), " in summary else "0"
                rows.append((label, name, findings, f"{seconds:.2f}"))
            zips, matched = _split(BuildDir(build_dir), database)
            splits.append((label, f"{zips:.3f}", f"{matched:.3f}"))
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, libyaml: {advisories._LOADER is yaml.CSafeLoader}")  # noqa: SLF001
    print(f"advisories: {database} ({files or 'zip'} files)")
    print(table(rows))
    print(table(splits))


if __name__ == "__main__":
    main()
