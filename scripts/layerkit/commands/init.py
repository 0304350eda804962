"""`layerkit init [--backend <file>]`: initialise the root configuration, with local state or state in S3."""

import argparse
from pathlib import Path

from layerkit.commands import options
from layerkit.deploy import terraform_root
from layerkit.deploy.terraform_cli import Workspace, find_cli


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", type=Path, help="a partial S3 backend configuration (default: local state)")
    options.tf(parser)


def run(args: argparse.Namespace) -> int:
    terraform_root.init(Workspace(root=options.ROOT, cli=find_cli(args.tf)), args.backend)
    state = f"S3, as {args.backend} configures it" if args.backend else "local (terraform.tfstate)"
    print(f"initialised {options.ROOT}: state is {state}")
    return 0
