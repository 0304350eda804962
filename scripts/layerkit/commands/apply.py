"""`layerkit apply`: apply the root configuration, from the build's manifest, against AWS or a local AWS."""

import argparse

from layerkit.commands import options
from layerkit.deploy import terraform_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)
    options.endpoint(parser)
    parser.add_argument("--auto-approve", action="store_true", help="apply without asking")


def run(args: argparse.Namespace) -> int:
    space = terraform_root.workspace_for(options.ROOT, args.tf, args.build_dir, args.endpoint, command="make apply")
    terraform_root.apply(space, args.build_dir, auto_approve=args.auto_approve)
    return 0
