"""`make demo`: publish to a local AWS, show what was published, plan again, and run each function as its role.

A second plan must be empty, and each function runs as the role Terraform gave it, with
IAM enforced, so a permission its function.toml lacks fails the demo.

Nothing here needs an AWS account. The local AWS starts on a free port and stops when the
demo ends, whether it succeeds, fails or is interrupted. Its state lives in `<build>/demo/`
and starts empty each run, as the local AWS does.
"""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layerkit.build_dir import BuildDir
from layerkit.builder import manifest
from layerkit.columns import columns
from layerkit.deploy import function_role, local_aws, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli
from layerkit.errors import LayerError


@dataclass(frozen=True)
class Published:
    """What the demo applied, as Terraform's outputs report it."""

    layer_versions: dict[str, Any]
    functions: dict[str, Any]


def run(root: Path, cli: str, build_dir: BuildDir, say: Callable[[str], None]) -> Published:
    """Apply to a fresh local AWS, report what was published, and check that a second plan has no changes."""
    manifest.read(build_dir)
    with local_aws.running() as endpoint:
        say(f"local AWS (moto) listening at {endpoint}")
        space = terraform_root.workspace(root, cli, build_dir, endpoint, local_dir=build_dir.demo)
        if space.state:
            space.state.unlink(missing_ok=True)
        terraform = TerraformCli(space)

        start = time.perf_counter()
        terraform.init()
        say(f"{cli} init: done ({_since(start)})")

        start = time.perf_counter()
        output = terraform.apply(auto_approve=True)
        summary = next((line for line in output.splitlines() if line.startswith("Apply complete!")), "done")
        say(f"{cli} apply: {summary} ({_since(start)})")

        outputs = terraform.output()
        published = Published(outputs["layer_versions"], outputs["functions"])
        for line in describe(published):
            say(line)

        start = time.perf_counter()
        changes, output = terraform.plan()
        if changes:
            raise LayerError(f"the second plan is not empty, so every apply would change something:\n{output}")
        say(f"{cli} plan, again: no changes ({_since(start)})")

        for name, function in sorted(published.functions.items()):
            for line in run_as_role(build_dir, name, function["role"], endpoint):
                say(line)
    say("local AWS stopped")
    for line in next_steps(sorted(published.functions)):
        say(line)
    return published


def next_steps(functions: list[str]) -> list[str]:
    """What a newcomer can try next, each runnable as printed without an AWS account."""
    name = "hub" if "hub" in functions else next(iter(functions), "<name>")
    rows = [
        ("make report", "each function's layers in merge order, sizes and findings"),
        (f"make invoke FUNCTION={name} LOCAL_AWS=1", "run it here as its own role on a local AWS, IAM enforced"),
        ("add a layer", 'README.md, "Adding a layer": layers/<name>/, then make lock and make layers'),
    ]
    return ["next:", *columns(rows, right=set())]


def run_as_role(build_dir: BuildDir, name: str, role_arn: str, endpoint: str) -> list[str]:
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
    lines = [f"invoke {name} as {role_arn}, IAM enforced: ok ({_since(start)})"]
    lines += [f"  note: {note}" for note in result.notes]
    return lines + [f"  {line}" for line in json.dumps(result.payload, indent=2).splitlines()]


def describe(published: Published) -> list[str]:
    """Each layer version's ARN, and each function's layers in merge order and the version its alias live is on."""
    lines = ["layer versions:"]
    width = max((len(key) for key in published.layer_versions), default=0)
    for key, version in sorted(published.layer_versions.items()):
        platforms = ", ".join([*version["architectures"], *version["runtimes"]])
        lines.append(f"  {key:<{width}}  {version['arn']}  ({platforms})")
    lines.append("functions, with their layers in merge order:")
    for name, function in sorted(published.functions.items()):
        live = f", live: version {function['version']}" if function["invoke_arn"] != function["arn"] else ""
        lines.append(f"  {name}  {function['arn']}  ({function['runtime']}{live})")
        lines += [f"    {n}. {arn}" for n, arn in enumerate(function["layers"], start=1)]
    return lines


def _since(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"
