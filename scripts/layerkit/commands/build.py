"""`layerkit build`: every layer zip, function zip, SBOM, build/report.json and build/manifest.json."""

import argparse
import sys
import time

from layerkit.builder import pipeline
from layerkit.commands import options
from layerkit.config import function_config, layer_config, regions
from layerkit.errors import Subject


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    parser.add_argument("--jobs", type=int, default=options.default_jobs(), help="artifacts built at once")


def run(args: argparse.Namespace) -> int:
    jobs = options.at_least("--jobs", args.jobs, 1, "at least 1 artifact must be built at a time")
    default_regions = regions.project_default(args.layers_dir.parent)
    configs = layer_config.discover(args.layers_dir, default_regions)
    functions = function_config.discover(args.functions_dir, configs, default_regions)
    build_dir = args.build_dir
    start = time.perf_counter()
    result = pipeline.build_all(
        configs, functions, build_dir, jobs, on_wait=options.progress, on_start=options.progress
    )
    for outcome in result.outcomes:
        if outcome.record:
            size = outcome.record["unzipped_size"] / 1e6
            state = "built" if outcome.rebuilt else "up to date"
            s3 = ", needs S3 upload (over 50 MB zipped)" if outcome.record["needs_s3"] else ""
            print(f"{state:>10}  {outcome.record['zip']}  ({size:.1f} MB unzipped{s3})")
    failures = pipeline.failures(result.outcomes)
    for failure in failures:
        print(f"error: {failure.message}", file=sys.stderr)
    if len(failures) > 1:  # one error is its own summary
        failed = _failed([s for f in failures for s in f.subjects])
        print(f"error: {failed} failed; {build_dir.manifest} was left as it was", file=sys.stderr)
    if failures:
        return 1
    findings = result.analysis.findings if result.analysis else []
    for finding in findings:
        print(finding.line(), file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    if errors > 1:
        print(f"error: {errors} errors in {build_dir.report}; {build_dir.manifest} was left as it was", file=sys.stderr)
    if errors:
        return 1
    elapsed = time.perf_counter() - start
    print(f"wrote {build_dir.manifest} and {build_dir.report} ({len(result.outcomes)} zips, {elapsed:.1f}s)")
    return 0


def _failed(subjects: list[Subject]) -> str:
    """`layer a`, `2 layers (a, b) and function c`: what did not build, each once."""
    by_kind: dict[str, list[str]] = {}
    for subject in dict.fromkeys(subjects):
        by_kind.setdefault(subject.kind, []).append(subject.name)
    parts = [
        f"{kind} {names[0]}" if len(names) == 1 else f"{len(names)} {kind}s ({', '.join(sorted(names))})"
        for kind, names in sorted(by_kind.items(), key=lambda item: item[0] != "layer")
    ]
    return " and ".join(parts)
