"""A project of one region whose `region` changed: its next plan moves everything, and says so first.

Without regions.toml, the root's one region is `var.region`, and its state is in that region.
Set to another region, the plan makes every resource again in the new one, and destroys what
it still finds of the old one or leaves it behind outside any state: a move, not a second
region. This finds both regions cheaply, before the plan: the state's from `state pull` (its
`region` output, or its ARNs), and the configured one as Terraform takes it (the variable's
default, then `TF_VAR_region`, then `terraform.tfvars`, `terraform.tfvars.json` and
`*.auto.tfvars(.json)` in lexical order, each over the last).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from layerkit.deploy.terraform_cli import TerraformCli

VARIABLE = "region"


def warning(cli: TerraformCli) -> str | None:
    """One line when the state is in another region than the one configured; None otherwise."""
    state = cli.state()
    old = state_region(state)
    if old is None:
        return None
    new = configured_region(cli.workspace.root)
    if new is None or new == old:
        return None
    return (
        f"warning: the state is in {old}, and region is now {new}: this plan moves everything, so what is in {old} "
        f"is destroyed or left behind outside any state, and made again in {new}; to run in both, declare both "
        'in regions.toml (docs/terraform.md, "Regions")'
    )


def state_region(state: dict[str, Any]) -> str | None:
    """The region a state's resources are in: its `region` output, else its first regional ARN's."""
    if not state.get("resources"):
        return None
    recorded = state.get("outputs", {}).get(VARIABLE, {}).get("value")
    if isinstance(recorded, str):
        return recorded
    regional = [parts[3] for arn in arns(state["resources"]) if len(parts := arn.split(":")) > 4 and parts[3]]
    return regional[0] if regional else None


def configured_region(root: Path) -> str | None:
    """`var.region` as the next plan takes it; None when a file that sets it cannot be read."""
    import hcl2  # noqa: PLC0415 -- only a project of one region with a state reads HCL
    from lark.exceptions import LarkError  # noqa: PLC0415 -- hcl2's parser, and its errors

    value: object = None
    try:
        with (root / "variables.tf").open(encoding="utf-8") as handle:
            for block in hcl2.load(handle).get("variable", []):
                # python-hcl2 keeps a block label's quotes, and each string's
                value = block.get(f'"{VARIABLE}"', block.get(VARIABLE, {})).get("default", value)
        value = os.environ.get(f"TF_VAR_{VARIABLE}", value)
        files = [root / "terraform.tfvars", root / "terraform.tfvars.json"]
        files += sorted(p for p in root.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
        for path in files:
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                values = json.loads(text) if path.suffix == ".json" else hcl2.loads(text)
                value = values.get(VARIABLE, value)
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, LarkError):
        return None  # a file Terraform will refuse with its own message: no warning from here
    return value.strip('"') if isinstance(value, str) else None


def arns(value: object) -> list[str]:
    """Every ARN in a state's resources, at any depth."""
    if isinstance(value, str):
        return [value] if value.startswith("arn:") else []
    if isinstance(value, dict):
        return [arn for item in value.values() for arn in arns(item)]
    if isinstance(value, list):
        return [arn for item in value for arn in arns(item)]
    return []
