"""`make demo`: publish to a local AWS, show what was published, plan again, and run each function as its role.

A second plan must be empty, and each function runs as the role Terraform gave it, with
IAM enforced, so a permission its function.toml lacks fails the demo.

Nothing here needs an AWS account. The local AWS starts on a free port and stops when the
demo ends, whether it succeeds, fails or is interrupted. Its state lives in `<build>/demo/`
and starts empty each run, as the local AWS does.
"""

import contextlib
import io
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.columns import columns
from layerkit.deploy import each_region, function_role, local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, Workspace
from layerkit.errors import LayerError
from layerkit.wording import and_list


@dataclass(frozen=True)
class Published:
    """What the demo applied, as Terraform's outputs report it."""

    layer_versions: dict[str, Any]
    functions: dict[str, Any]


def run(root: Path, cli: str, build_dir: BuildDir, say: Callable[[str], None]) -> None:
    """Apply to a fresh local AWS, report what was published, and check that a second plan has no changes.

    With regions declared, each region in its own state, all of them at once: the local AWS
    serves every region at its one endpoint.
    """
    regions = manifest.document(build_dir)["regions"]
    with local_aws.running() as endpoint:
        say(f"local AWS (moto) listening at {endpoint}")
        space = terraform_root.workspace(root, cli, build_dir, endpoint, local_dir=build_dir.demo)
        if space.state:
            space.state.unlink(missing_ok=True)
            shutil.rmtree(space.state.parent / "terraform.tfstate.d", ignore_errors=True)
        functions = _one_region(space, say) if regions is None else _each_region(space, regions, say)
        for region, name, role in functions:
            for line in run_as_role(build_dir, name, role, endpoint, region):
                say(line)
    say("local AWS stopped")
    for line in next_steps(sorted({name for _, name, _ in functions})):
        say(line)


def _one_region(space: Workspace, say: Callable[[str], None]) -> list[tuple[str | None, str, str]]:
    """Apply, describe and plan again in the default workspace; each function's name and role."""
    terraform = TerraformCli(space)
    start = time.perf_counter()
    terraform.init()
    say(f"{space.cli} init: done ({_since(start)})")

    start = time.perf_counter()
    output = terraform.apply(auto_approve=True)
    summary = next((line for line in output.splitlines() if line.startswith("Apply complete!")), "done")
    say(f"{space.cli} apply: {summary} ({_since(start)})")
    published = _published(terraform)
    for line in describe(published):
        say(line)

    start = time.perf_counter()
    changes, output = terraform.plan()
    if changes:
        raise LayerError(f"the second plan is not empty, so every apply would change something:\n{output}")
    say(f"{space.cli} plan, again: no changes ({_since(start)})")
    return [(None, name, f["role"]) for name, f in sorted(published.functions.items())]


def _each_region(space: Workspace, regions: list[str], say: Callable[[str], None]) -> list[tuple[str | None, str, str]]:
    """As `_one_region`, in each region's workspace, all at once; each function's region, name and role."""
    start = time.perf_counter()
    spaces = terraform_root.in_regions(space, regions)
    say(f"{space.cli} init: done ({_since(start)})")

    start = time.perf_counter()
    _all_went(each_region.apply(spaces, len(spaces), lambda _: None), "apply")
    say(f"{space.cli} apply in {and_list(regions)}: done ({_since(start)})")
    functions: list[tuple[str | None, str, str]] = []
    for region_space, region in zip(spaces, regions, strict=True):
        published = _published(TerraformCli(region_space))
        for line in describe(published, region):
            say(line)
        functions += [(region, name, f["role"]) for name, f in sorted(published.functions.items())]

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the plans themselves: only their verdicts matter here
        outcomes = each_region.plan(spaces, len(spaces), lambda _: None)
    _all_went(outcomes, "second plan")
    changed = [o.region for o in outcomes if o.status != "unchanged"]
    if changed:
        raise LayerError(f"the second plan is not empty in {and_list(changed)}, so every apply would change something")
    say(f"{space.cli} plan, again: no changes in {and_list(regions)} ({_since(start)})")
    return functions


def _all_went(outcomes: list[each_region.Outcome], what: str) -> None:
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        where = and_list([o.region for o in failed])
        raise LayerError(f"{failed[0].detail} (the {what} in {where})")


def _published(terraform: TerraformCli) -> Published:
    outputs = terraform.output()
    return Published(outputs["layer_versions"], outputs["functions"])


def next_steps(functions: list[str]) -> list[str]:
    """What a newcomer can try next, each runnable as printed without an AWS account."""
    name = "hub" if "hub" in functions else next(iter(functions), "<name>")
    rows = [
        ("make report", "each function's layers in merge order, sizes and findings"),
        (f"make invoke FUNCTION={name} LOCAL_AWS=1", "run it here as its own role on a local AWS, IAM enforced"),
        ("add a layer", 'README.md, "Adding a layer": layers/<name>/, then make lock and make layers'),
    ]
    return ["next:", *columns(rows, right=set())]


def run_as_role(build_dir: BuildDir, name: str, role_arn: str, endpoint: str, region: str | None) -> list[str]:
    """Invoke the function with `{}` as its role, as Lambda would: its result, or the call its role was denied."""
    start = time.perf_counter()
    result = function_role.invoke_as_role(build_dir, name, {}, sys.executable, endpoint, role_arn=role_arn)
    if result.denials:
        raise LayerError(
            f"function {name}, run as its role, was denied {result.denials[0]}; allow it under [[permissions]] "
            "in its function.toml"
        )
    if result.failed:
        raise LayerError(f"function {name}, run as its role, failed: {json.dumps(result.payload)}")
    where = f" in {region}" if region else ""
    lines = [f"invoke {name}{where} as {role_arn}, IAM enforced: ok ({_since(start)})"]
    lines += [f"  note: {note}" for note in result.notes]
    return lines + [f"  {line}" for line in json.dumps(result.payload, indent=2).splitlines()]


def describe(published: Published, region: str | None = None) -> list[str]:
    """Each layer version's ARN, and each function's layers in merge order and the version its alias live is on."""
    where = f" in {region}" if region else ""
    lines = [f"layer versions{where}:"]
    width = max((len(key) for key in published.layer_versions), default=0)
    for key, version in sorted(published.layer_versions.items()):
        platforms = ", ".join([*version["architectures"], *version["runtimes"]])
        lines.append(f"  {key:<{width}}  {version['arn']}  ({platforms})")
    lines.append(f"functions{where}, with their layers in merge order:")
    for name, function in sorted(published.functions.items()):
        live = f", live: version {function['version']}" if function["invoke_arn"] != function["arn"] else ""
        lines.append(f"  {name}  {function['arn']}  ({function['runtime']}{live})")
        lines += [f"    {n}. {arn}" for n, arn in enumerate(function["layers"], start=1)]
    return lines


def _since(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"
