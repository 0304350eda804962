"""`layerkit move-state --region R`: the default workspace's state, from before regions were declared, becomes R's."""

import argparse

from layerkit.commands import options
from layerkit.deploy import terraform_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)
    options.endpoint(parser)
    parser.add_argument("--region", required=True, help="the one region the default workspace's state is in")


def run(args: argparse.Namespace) -> int:
    space = terraform_root.workspace_for(
        options.ROOT, args.tf, args.build_dir, args.endpoint, command="make move-state"
    )
    moved = terraform_root.move_state(space, args.build_dir, args.region)
    print(f"moved {moved} resources from the default workspace into {args.region}'s; run 'make plan'")
    return 0
