"""`layerkit report`: each function's layers, sizes, overlaps and findings, from the manifest."""

import argparse
import sys

from layerkit.builder import manifest
from layerkit.commands import options
from layerkit.config import layer_config
from layerkit.report import analyses, model


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)


def run(args: argparse.Namespace) -> int:
    configs = layer_config.discover(args.layers_dir)
    artifacts, functions = manifest.read(args.build_dir)
    analysis = analyses.analyse(artifacts, functions, configs)
    path = model.write(args.build_dir, analysis)
    print(analysis.table(), end="")
    print(f"wrote {path}")
    for finding in analysis.errors:
        print(finding.line(), file=sys.stderr)
    return 1 if analysis.errors else 0
