"""`layerkit audit --advisories <path>`: which layers and functions ship a version an OSV advisory names."""

import argparse
import sys
from pathlib import Path

from layerkit.commands import options
from layerkit.inspect import audit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--advisories",
        type=Path,
        required=True,
        help="a folder of OSV .json or .yaml files (a clone of the advisory database), or an OSV export zip",
    )
    options.build_dir(parser)


def run(args: argparse.Namespace) -> int:
    result = audit.audit(args.advisories, args.build_dir)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    path = audit.write(args.build_dir, result)
    print(result.text(), end="")
    for stale in result.stale:
        print(stale.line(), file=sys.stderr)
    failing = len(result.failing)
    ignored = len(result.findings) - failing
    if not result.findings:
        print(f"no advisory affects what the build ships ({result.files:,} advisory files); wrote {path}")
        return 0
    print(f"\n{len(result.findings)} finding(s), {ignored} ignored, from {result.files:,} advisory files; wrote {path}")
    if failing:
        print(
            f"error: {failing} advisory finding(s) not ignored; change the files named above, or add the ID "
            "under [audit] ignore, with a reason, in the layer's layer.toml",
            file=sys.stderr,
        )
        return 1
    return 0
