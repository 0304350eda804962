"""`layerkit prune`: list the layer versions nothing uses, and delete them with --yes."""

import argparse

from layerkit import suggest
from layerkit.columns import columns
from layerkit.commands import options
from layerkit.deploy import prune, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, Workspace
from layerkit.errors import LayerError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.build_dir(parser)
    parser.add_argument("--tf", help="the CLI that reads Terraform's state (default: terraform on PATH, else tofu)")
    options.endpoint(parser)
    parser.add_argument(
        "--region", action="append", default=[], help="only this declared region (repeatable; default: every one)"
    )
    parser.add_argument("--keep", type=int, default=3, help="keep this many newest versions of each layer")
    parser.add_argument("--layer", action="append", default=[], help="only this layer, as published (repeatable)")
    parser.add_argument("--include-shared", action="store_true", help="also delete versions shared with others")
    parser.add_argument("--yes", action="store_true", help="delete; without it, only list")


def run(args: argparse.Namespace) -> int:
    keep = options.at_least("--keep", args.keep, 0, "cannot keep fewer than 0 versions")
    space = terraform_root.workspace_for(options.ROOT, args.tf, args.build_dir, args.endpoint, command="make prune")
    regions = terraform_root.regions_in_state(space, args.region)
    if regions is None:
        return _prune(space, args, keep)
    for region in regions:
        print(f"--- {region} ---")
        _prune(terraform_root.in_region(space, region), args, keep)
    return 0


def _prune(space: Workspace, args: argparse.Namespace, keep: int) -> int:
    """One state's layer versions: listed, and deleted with --yes."""
    terraform = TerraformCli(space)
    current = prune.published_in_state(terraform.show())
    if not current:
        print("Terraform's state holds no layer versions, so there is nothing to prune; run 'make apply' first")
        return 0
    unknown = sorted(set(args.layer) - set(current))
    if unknown:
        listed = suggest.hint(unknown, sorted(current), "layers")
        raise LayerError(f"no layer named {', '.join(unknown)} in Terraform's state{listed}")
    aws = terraform_root.lambda_client(space, region=prune.region_of(next(iter(current.values()))))
    versions = prune.survey(
        aws, args.layer or sorted(current), set(current.values()), keep, include_shared=args.include_shared
    )
    deleted = prune.delete(aws, versions) if args.yes else []
    rows = [("layer", "version", "created", "size", "verdict")]
    for v in versions:
        verdict = f"keep: {v.kept_because}" if v.kept_because else ("deleted" if v in deleted else "unused: deletable")
        rows.append((v.layer, str(v.number), v.created, f"{v.size:,}", verdict))
    print("\n".join(columns(rows, right={1, 3})))
    unused = [v for v in versions if v.kept_because is None]
    if args.yes:
        print(f"deleted {len(deleted)} of {len(versions)} layer versions")
    else:
        print(f"{len(unused)} of {len(versions)} layer versions are unused; YES=1 (--yes) deletes them")
    if any(v.kept_because and v.kept_because.startswith("shared") for v in versions):
        print("versions shared with other accounts are kept: their functions cannot be seen from here")
    return 0
