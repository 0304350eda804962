"""Command line: `python -m layerkit lock|build|report|invoke`. The only module that prints."""

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from layerkit import build, function_config, invoke, layer_config, manifest, report, resolve
from layerkit.errors import LayerError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="layerkit", description=__doc__)
    parser.add_argument("--layers-dir", type=Path, default=Path("layers"), help="one folder per layer")
    parser.add_argument("--functions-dir", type=Path, default=Path("functions"), help="one folder per function")
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="resolve each layer's requirements.in for its targets")
    lock.add_argument("layers", nargs="*", help="layer names (default: all)")
    lock.add_argument("--upgrade", action="store_true", help="ignore current pins and take the newest versions")
    make = commands.add_parser("build", help="build every layer zip and build/manifest.json")
    make.add_argument("--build-dir", type=Path, default=Path("build"))
    make.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="artifacts built at once")
    run = commands.add_parser("invoke", help="run a function locally with its layers, as Lambda would")
    run.add_argument("function", help="the function's name (its folder under functions/)")
    run.add_argument("--event", type=Path, help="a JSON file with the event (default: {})")
    run.add_argument("--python", default=sys.executable, help="the interpreter to run the handler with")
    run.add_argument("--build-dir", type=Path, default=Path("build"))
    show = commands.add_parser("report", help="each function's layers, sizes, overlaps and findings, from the manifest")
    show.add_argument("--build-dir", type=Path, default=Path("build"))
    args = parser.parse_args(argv)

    try:
        if args.command == "invoke":
            return _invoke(args.build_dir, args.function, args.event, args.python)
        configs = layer_config.discover(args.layers_dir)
        if args.command == "lock":
            return _lock(configs, args.layers, upgrade=args.upgrade)
        if args.command == "report":
            return _report(configs, args.build_dir)
        if args.jobs < 1:
            parser.error("--jobs must be at least 1")
        functions = function_config.discover(args.functions_dir, configs)
        return _build(configs, functions, args.build_dir, args.jobs)
    except LayerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _lock(configs: list[layer_config.LayerConfig], names: list[str], *, upgrade: bool) -> int:
    known = {c.name: c for c in configs}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise LayerError(f"no layer named {', '.join(unknown)}; layers: {', '.join(known)}")
    for config in configs:
        if names and config.name not in names:
            continue
        written = resolve.lock_layer(config, upgrade=upgrade)
        shown = ", ".join(str(p) for p in written) or "nothing to lock (no requirements)"
        print(f"locked {config.name}: {shown}")
    return 0


def _build(
    configs: list[layer_config.LayerConfig],
    functions: list[function_config.FunctionConfig],
    build_dir: Path,
    jobs: int,
) -> int:
    start = time.perf_counter()
    result = build.build_all(configs, functions, build_dir, jobs)
    outcomes = result.outcomes
    for outcome in outcomes:
        if outcome.error:
            print(f"error: {outcome.error}", file=sys.stderr)
        elif outcome.record:
            size = outcome.record["unzipped_size"] / 1e6
            state = "built" if outcome.rebuilt else "up to date"
            s3 = ", needs S3 upload (over 50 MB zipped)" if outcome.record["needs_s3"] else ""
            print(f"{state:>10}  {outcome.record['zip']}  ({size:.1f} MB unzipped{s3})")
    failed = sum(1 for o in outcomes if o.error)
    if failed:
        print(f"error: {failed} artifact(s) failed; {build_dir / 'manifest.json'} was left as it was", file=sys.stderr)
        return 1
    findings = result.analysis.findings if result.analysis else []
    for finding in findings:
        print(finding.line(), file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    report_path = build_dir / report.REPORT_FILE
    if errors:
        print(
            f"error: {errors} error(s) in {report_path}; {build_dir / 'manifest.json'} was left as it was",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - start
    print(f"wrote {build_dir / 'manifest.json'} and {report_path} ({len(outcomes)} zips, {elapsed:.1f}s)")
    return 0


def _report(configs: list[layer_config.LayerConfig], build_dir: Path) -> int:
    artifacts, functions = manifest.read(build_dir)
    analysis = report.analyse(artifacts, functions, configs)
    path = report.write(build_dir, analysis)
    print(analysis.table(), end="")
    print(f"wrote {path}")
    for finding in analysis.errors:
        print(finding.line(), file=sys.stderr)
    return 1 if analysis.errors else 0


def _invoke(build_dir: Path, name: str, event_path: Path | None, python: str) -> int:
    try:
        event = json.loads(event_path.read_text(encoding="utf-8")) if event_path else {}
    except (OSError, json.JSONDecodeError) as exc:
        raise LayerError(f"{event_path}: not a readable JSON event ({exc})") from None
    result = invoke.invoke(build_dir, name, event, python)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    sys.stderr.write(result.logs)
    print(json.dumps(result.payload, indent=2))
    return 1 if result.failed else 0
