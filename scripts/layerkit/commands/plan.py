"""`layerkit plan`: what Terraform would change, from the build's manifest, against AWS or a local AWS."""

import argparse

from layerkit.commands import options
from layerkit.deploy import terraform_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)
    options.endpoint(parser)


def run(args: argparse.Namespace) -> int:
    space = terraform_root.workspace_for(options.ROOT, args.tf, args.build_dir, args.endpoint, command="make plan")
    terraform_root.plan(space, args.build_dir)
    return 0
