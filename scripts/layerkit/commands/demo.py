"""`layerkit demo`: apply to a local AWS (no account needed), show the result, and plan again."""

import argparse
import sys

from layerkit.commands import options
from layerkit.deploy import demo
from layerkit.deploy.terraform_cli import find_cli


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)


def run(args: argparse.Namespace) -> int:
    cli = find_cli(args.tf)
    try:
        demo.run(options.ROOT, cli, args.build_dir, lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("interrupted; the local AWS is stopped", file=sys.stderr)
        return options.INTERRUPTED
    return 0
