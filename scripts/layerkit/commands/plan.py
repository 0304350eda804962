"""`layerkit plan`: what Terraform would change, from the build's manifest, against AWS or a local AWS."""

import argparse

from layerkit.commands import options
from layerkit.deploy import each_region, terraform_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)
    options.endpoint(parser)
    options.regions(parser)


def run(args: argparse.Namespace) -> int:
    jobs = options.at_least("--jobs", args.jobs, 1, "at least 1 region must be planned at a time")
    space = terraform_root.workspace_for(options.ROOT, args.tf, args.build_dir, args.endpoint, command="make plan")
    regions = terraform_root.regions_to_run(args.build_dir, args.region)
    if regions is None:
        terraform_root.plan(space, args.build_dir)
        return 0
    outcomes = each_region.plan(terraform_root.in_regions(space, regions), jobs, options.progress)
    each_region.summary(outcomes, print)
    return 0
