"""`make bench-invoke`: what running as the function's own role adds to `make invoke`.

On one local AWS, started once (as `ENDPOINT=` uses one already running), the shipped hub
function is invoked 9 times with the caller's keys, and 9 times as its own role: the
role created from the manifest, assumed, IAM enforced, then enforcement restored and the
role deleted. Printed: the median of each, their difference, and the role's own steps
(creating, assuming and enforcing, without the handler) timed alone. Goal: under 1 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_table import table
from layerkit.build_dir import BuildDir
from layerkit.builder import pipeline
from layerkit.config import function_config, layer_config
from layerkit.deploy import function_role, local_aws
from layerkit.inspect import invoke

ROOT = Path(__file__).resolve().parents[2]
RUNS = 9


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        build_dir = BuildDir(Path(work) / "build")
        layers = layer_config.discover(ROOT / "layers")
        functions = function_config.discover(ROOT / "functions", layers)
        os.chdir(ROOT)
        assert all(o.record for o in pipeline.build_all(layers, functions, build_dir, jobs=2).outcomes)
        function = invoke.function_record(build_dir, "hub")
        with local_aws.running() as endpoint:
            keys = {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_REGION": local_aws.REGION,
            }
            plain, as_role, steps = [], [], []
            for _ in range(RUNS):
                start = time.perf_counter()
                assert not invoke.invoke(build_dir, "hub", {}, sys.executable, keys).failed
                plain.append(time.perf_counter() - start)

                start = time.perf_counter()
                with function_role.acting_as(endpoint, function) as aws:
                    assert not invoke.invoke(build_dir, "hub", {}, sys.executable, aws).failed
                as_role.append(time.perf_counter() - start)

                start = time.perf_counter()
                with function_role.acting_as(endpoint, function):
                    pass
                steps.append(time.perf_counter() - start)
    rows: list[tuple[str, ...]] = [
        ("make invoke FUNCTION=hub, median of 9", "seconds"),
        ("with the caller's keys", f"{_median(plain):.3f}"),
        ("as its own role, IAM enforced", f"{_median(as_role):.3f}"),
        ("difference", f"{_median(as_role) - _median(plain):.3f}"),
        ("the role's steps alone (create, assume, enforce, undo)", f"{_median(steps):.3f}"),
    ]
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))


if __name__ == "__main__":
    main()
