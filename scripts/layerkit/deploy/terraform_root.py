"""`make init`, `make plan` and `make apply`: the root configuration, after the checks that would fail late.

The build has already run (Make's prerequisite); this only reads its manifest. State is
local by default; `make init BACKEND=<file>` moves it to S3 (`BACKEND_OVERRIDE` declares
the backend, the file configures it). Against a local AWS (`--endpoint`), state and
plugins always live in a folder of their own, `<build>/local-aws/`, apart from the state
kept for AWS itself.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from layerkit.builder import manifest
from layerkit.deploy import credentials, each_region, local_aws, region_move
from layerkit.deploy.terraform_cli import TerraformCli, Workspace, find_cli
from layerkit.errors import LayerError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from mypy_boto3_lambda import LambdaClient

    from layerkit.build_dir import BuildDir

SERVICES = ("events", "iam", "lambda", "logs", "s3", "sts")
"""The services the root configuration calls, each given the local AWS's endpoint."""
LOCAL_CREDENTIALS: Mapping[str, str | None] = MappingProxyType(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
    }
)
"""A local AWS takes any key; these keep a real profile's credentials from being sent to it."""
BACKEND_OVERRIDE = "backend_override.tf"
"""Written by `make init BACKEND=...` and never committed: local state stays the default."""
_S3_BACKEND = """# Written by `make init BACKEND=...`: this checkout keeps its Terraform state in S3, as
# configured by that file. Not committed; `make init` without BACKEND goes back to local state.
terraform {
  backend "s3" {}
}
"""


def workspace(
    root: Path, cli: str, build_dir: BuildDir, endpoint: str | None, local_dir: Path | None = None
) -> Workspace:
    """The root configuration reading `build_dir`'s manifest, against AWS or the local AWS at `endpoint`.

    A local AWS gets its own state and plugin folder, `local_dir` (default `<build>/local-aws`).
    """
    variables: dict[str, object] = {"manifest_path": build_dir.manifest.as_posix()}
    if endpoint is None:
        return Workspace(root=root, cli=cli, variables=variables)
    check_listening(endpoint)
    if (root / BACKEND_OVERRIDE).exists():
        raise LayerError(
            f"{root / BACKEND_OVERRIDE}: this checkout keeps its state in S3, but runs against a local AWS keep "
            "theirs in a folder of their own; run 'make init' to go back to local state, or use another clone"
        )
    local = local_dir or build_dir.local_aws
    variables["endpoints"] = dict.fromkeys(SERVICES, endpoint)
    return Workspace(
        root=root,
        cli=cli,
        data_dir=local / "terraform-data",
        state=local / "terraform.tfstate",
        variables=variables,
        environment=LOCAL_CREDENTIALS,
    )


def workspace_for(root: Path, tf: str | None, build_dir: BuildDir, endpoint: str | None, *, command: str) -> Workspace:
    """`workspace`, once the CLI is found and, against AWS, credentials are (`command` is named if not)."""
    cli = find_cli(tf)
    if not endpoint:
        credentials.require(command)
    return workspace(root, cli, build_dir, endpoint)


def regions_to_run(build_dir: BuildDir, given: list[str]) -> list[str] | None:
    """The declared regions to work on (all, or those `given`); None: none declared, so one region as before."""
    declared = manifest.document(build_dir)["regions"]
    if declared is None:
        if given:
            raise LayerError(
                f"--region {given[0]}: the manifest declares no regions, so there is only var.region's; declare "
                f"them in regions.toml beside the layers folder (docs/layer-toml.md, \"Regions\") and run 'make layers'"
            )
        return None
    return each_region.chosen(declared, given)


def in_regions(space: Workspace, regions: list[str]) -> list[Workspace]:
    """One workspace per region, after the one `init` they share; refused while the default still holds state.

    The default workspace is where a project kept its one region before it declared regions: its
    resources would be planned again, and collide, in their region's own workspace.
    """
    cli = TerraformCli(space)
    cli.init()
    if cli.state().get("resources"):
        raise LayerError(
            "the default workspace still holds the state of the one region this project had before it declared "
            "regions; move it into that region's own state first: make move-state REGION=<that region> "
            '(docs/terraform.md, "From one region to several")'
        )
    return [in_region(space, r) for r in regions]


def regions_in_state(space: Workspace, given: list[str]) -> list[str] | None:
    """After `init`: the regions that have a state of their own (all, or those `given`); None: only the default.

    What the states hold, not what the manifest declares: a region taken out of regions.toml
    still has its versions.
    """
    cli = TerraformCli(space)
    cli.init()
    names = [line.strip().removeprefix("* ") for line in cli.run("workspace list").splitlines()]
    regions = sorted(n for n in names if n and n != "default")
    if not regions:
        if given:
            raise LayerError(f"--region {given[0]}: no region has a state of its own yet; run 'make apply' first")
        return None
    return each_region.chosen(regions, given, each_region.IN_STATE)


def in_region(space: Workspace, region: str) -> Workspace:
    """`space` in `region`'s own workspace, with `var.region` set to it."""
    return dataclasses.replace(
        space,
        variables={**space.variables, "region": region},
        environment={**space.environment, "TF_WORKSPACE": region},
    )


def check_listening(endpoint: str) -> None:
    """Fail at once when nothing listens at the endpoint; the AWS provider would retry for minutes."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LayerError(f"endpoint {endpoint!r}: not an http:// or https:// URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=2).close()
    except OSError as exc:
        raise LayerError(
            f"endpoint {endpoint}: nothing is listening ({exc.strerror or exc}); start the local AWS with "
            "'make local-aws', or leave the endpoint out to use AWS itself"
        ) from None


def init(space: Workspace, backend: Path | None) -> None:
    """Initialise the root configuration: with its state in S3 as `backend` configures it, or local state."""
    override = space.root / BACKEND_OVERRIDE
    if backend is None:
        override.unlink(missing_ok=True)
        TerraformCli(space).init(reconfigure=True)
        return
    if not backend.is_file():
        raise LayerError(
            f"{backend}: no such backend configuration; see docs/terraform.md, 'Remote state' for what it holds"
        )
    _check_backend(backend)
    override.write_text(_S3_BACKEND, encoding="utf-8")
    TerraformCli(space).init(backend_config=backend, reconfigure=True)


def _check_backend(backend: Path) -> None:
    """Refuse a backend file without `key`: every region's state and lock are kept by it, under `env:/<region>/`."""
    import hcl2  # noqa: PLC0415 -- only `make init BACKEND=` reads HCL
    from lark.exceptions import LarkError  # noqa: PLC0415 -- hcl2's parser, and its errors

    try:
        settings = hcl2.loads(backend.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, LarkError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LayerError(
            f'{backend}: not a readable backend configuration ({first}); see docs/terraform.md, "Remote state"'
        ) from None
    if not settings.get("key"):
        raise LayerError(
            f'{backend}: no key; give the state\'s key, e.g. key = "lambda-layers/terraform.tfstate": the S3 backend '
            "keeps each region's state and lock apart under env:/<region>/<key>"
        )


def plan(space: Workspace, build_dir: BuildDir) -> bool:
    """Show the plan; whether it has changes."""
    manifest.read(build_dir)
    cli = TerraformCli(space)
    cli.init()
    _warn_of_a_move(cli)
    changes, _ = cli.plan(stream=True)
    return changes


def apply(space: Workspace, build_dir: BuildDir, *, auto_approve: bool) -> None:
    manifest.read(build_dir)
    cli = TerraformCli(space)
    cli.init()
    _warn_of_a_move(cli)
    cli.apply(auto_approve=auto_approve, stream=True)


def _warn_of_a_move(cli: TerraformCli) -> None:
    if line := region_move.warning(cli):
        print(line, file=sys.stderr, flush=True)


def move_state(space: Workspace, build_dir: BuildDir, region: str) -> int:
    """Copy the default workspace's state into `region`'s new workspace, then empty the default; how many resources.

    Copied first and emptied second, so a failure between the two leaves both, never neither.
    """
    declared = manifest.document(build_dir)["regions"]
    if declared is None:
        raise LayerError(
            "the manifest declares no regions, so the default workspace's state is where it belongs; declare them "
            "in regions.toml (docs/layer-toml.md, \"Regions\") and run 'make layers' first"
        )
    each_region.chosen(declared, [region])
    cli = TerraformCli(space)
    cli.init()
    state = cli.state()
    resources = state.get("resources") or []
    if not resources:
        raise LayerError("the default workspace holds no resources, so there is nothing to move")
    found = sorted({parts[3] for arn in region_move.arns(resources) if len(parts := arn.split(":")) > 4 and parts[3]})
    if found and found != [region]:
        raise LayerError(
            f"--region {region}: the default workspace's resources are in {', '.join(found)}; name that region"
        )
    there = in_region(space, region)
    copy = build_dir.plan(region).with_suffix(".tfstate")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(json.dumps(state), encoding="utf-8")
    try:
        # The CLI refuses to push over a region's state that is not empty, or is another's.
        TerraformCli(there).run("state push", str(copy))
    finally:
        copy.unlink(missing_ok=True)
    if len(TerraformCli(there).state().get("resources") or []) != len(resources):
        raise LayerError(f"the copy in {region}'s workspace is not whole, so the default workspace was left as it was")
    cli.run("state rm", *cli.run("state list").split())
    return len(resources)


def lambda_client(space: Workspace, region: str) -> LambdaClient:
    """A Lambda client for the workspace's account: AWS, or its local AWS with the keys it accepts."""
    endpoints = space.variables.get("endpoints")
    config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})
    if isinstance(endpoints, dict):
        return boto3.client(
            "lambda", config=config, **{**local_aws.client_options(endpoints["lambda"]), "region_name": region}
        )
    return boto3.client("lambda", region_name=region, config=config)
