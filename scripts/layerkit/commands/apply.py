"""`layerkit apply`: apply the root configuration, from the build's manifest, against AWS or a local AWS."""

import argparse

from layerkit.commands import options
from layerkit.deploy import each_region, terraform_root
from layerkit.errors import LayerError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    options.tf(parser)
    options.endpoint(parser)
    options.regions(parser)
    parser.add_argument("--auto-approve", action="store_true", help="apply without asking")


def run(args: argparse.Namespace) -> int:
    jobs = options.at_least("--jobs", args.jobs, 1, "at least 1 region must be applied at a time")
    space = terraform_root.workspace_for(options.ROOT, args.tf, args.build_dir, args.endpoint, command="make apply")
    regions = terraform_root.regions_to_run(args.build_dir, args.region)
    if regions is None:
        terraform_root.apply(space, args.build_dir, auto_approve=args.auto_approve)
        return 0
    spaces = terraform_root.in_regions(space, regions)
    if args.auto_approve:
        each_region.summary(each_region.apply(spaces, jobs, options.progress), print)
        return 0
    planned = each_region.plan(spaces, jobs, options.progress, plan_file=args.build_dir.plan)
    for outcome in planned:
        print(outcome.line())
    changed = [s for s, o in zip(spaces, planned, strict=True) if o.status == "planned"]
    failed = [o for o in planned if o.status == "failed"]
    if changed and _approved(len(changed)):
        applied = each_region.apply(changed, jobs, options.progress, plan_file=args.build_dir.plan)
        done = {o.region: o for o in applied}
        each_region.summary([done.get(o.region, o) for o in planned], print)
        return 0
    for outcome in planned:
        args.build_dir.plan(outcome.region).unlink(missing_ok=True)  # not approved: never to be applied
    if failed:
        each_region.summary(planned, lambda _: None)
    if changed:
        raise LayerError("apply cancelled: nothing was changed in any region")
    return 0


def _approved(regions: int) -> bool:
    """Terraform's own question, asked once for every region with changes."""
    print(f"\nApply the plans above to {regions} region{'s' if regions > 1 else ''}?")
    print("  Only 'yes' will be accepted to approve.\n")
    return input("  Enter a value: ").strip() == "yes"
