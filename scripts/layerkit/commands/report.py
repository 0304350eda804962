"""`layerkit report`: each function's layers, sizes, overlaps and findings, from the manifest and its zips only."""

import argparse
import sys

from layerkit.builder import manifest
from layerkit.commands import options
from layerkit.report import analyses, model


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)


def run(args: argparse.Namespace) -> int:
    artifacts, functions = manifest.read(args.build_dir)
    analysis = analyses.analyse(artifacts, functions)
    path = model.write(args.build_dir, analysis)
    print(analysis.table(), end="")
    print(f"wrote {path}")
    for finding in analysis.errors:
        print(finding.line(), file=sys.stderr)
    return 1 if analysis.errors else 0
