"""`make plan` and `make apply` when regions are declared: each region's own state, side by side.

Each region is one Terraform workspace named after it (`TF_WORKSPACE`, so no command changes
the workspace this checkout has selected), planned or applied with `-var region=<region>`.
Regions share the root's providers and `init`, and nothing else: one region's error, outage
or held lock ends that region alone. At most `jobs` regions run at once; each gets a progress
line when it starts, its plan once it has one, and one line in the summary at the end.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from layerkit import suggest
from layerkit.deploy.terraform_cli import TerraformCli
from layerkit.errors import LayerError
from layerkit.wording import and_list, twice

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from layerkit.deploy.terraform_cli import Workspace

_PLAN = re.compile(r"^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy", re.MULTILINE)
_APPLIED = re.compile(r"^Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed", re.MULTILINE)


DECLARED = ("nothing is declared for it", "declared (regions.toml, layer.toml, function.toml)")
IN_STATE = ("it has no state of its own", "regions with one")


@dataclass(frozen=True)
class Outcome:
    """How one region ended: `planned`, `applied`, `unchanged` or `failed`, and in a few words why."""

    region: str
    status: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.region}: {self.status}{f' ({self.detail})' if self.detail else ''}"


def chosen(known: Sequence[str], given: Sequence[str], source: tuple[str, str] = DECLARED) -> list[str]:
    """The regions to work on: those named (`--region`), each one of `known`, else all of them.

    `source` says where the known regions come from, for the message that refuses another.
    """
    if repeated := twice(list(given)):
        raise LayerError(f"--region {', '.join(repeated)} is given twice; name each region once")
    for region in given:
        if region not in known:
            guess = suggest.closest(region, known)
            question = f"did you mean {guess}? " if guess else ""
            raise LayerError(f"--region {region}: {source[0]}; {question}{source[1]}: {', '.join(known)}")
    return list(given) or list(known)


def plan(
    spaces: Sequence[Workspace], jobs: int, say: Callable[[str], None], plan_file: Callable[[str], Path] | None = None
) -> list[Outcome]:
    """Plan each region and show its plan; with `plan_file`, save each one there for `apply`."""

    def one(space: Workspace) -> Outcome:
        region = _region(space)
        say(f"{region}: planning ...")
        if plan_file:
            plan_file(region).parent.mkdir(parents=True, exist_ok=True)
            changes, output = TerraformCli(space).plan(out=str(plan_file(region)))
        else:
            changes, output = TerraformCli(space).plan()
        _show(region, output)
        if not changes:
            return Outcome(region, "unchanged")
        counts = _PLAN.search(output)
        detail = f"{counts[1]} to add, {counts[2]} to change, {counts[3]} to destroy" if counts else "changes"
        return Outcome(region, "planned", detail)

    return _each(spaces, jobs, one)


def apply(
    spaces: Sequence[Workspace], jobs: int, say: Callable[[str], None], plan_file: Callable[[str], Path] | None = None
) -> list[Outcome]:
    """Apply each region: its saved plan (`plan_file`, from `plan`), or else without asking."""

    def one(space: Workspace) -> Outcome:
        region = _region(space)
        say(f"{region}: applying ...")
        if plan_file:
            # A saved plan holds its variables, and the CLI refuses any given again.
            saved = dataclasses.replace(space, variables={})
            try:
                output = TerraformCli(saved).apply(auto_approve=True, dir_or_plan=str(plan_file(region)))
            finally:
                plan_file(region).unlink(missing_ok=True)  # applied or not, the CLI takes a saved plan once
        else:
            output = TerraformCli(space).apply(auto_approve=True)
        counts = _APPLIED.search(output)
        if counts and counts.groups() == ("0", "0", "0"):
            return Outcome(region, "unchanged")
        detail = f"{counts[1]} added, {counts[2]} changed, {counts[3]} destroyed" if counts else ""
        return Outcome(region, "applied", detail)

    return _each(spaces, jobs, one)


def summary(outcomes: Sequence[Outcome], say: Callable[[str], None]) -> None:
    """One line per region; then, when any failed, an error naming them (the command exits non-zero)."""
    for outcome in outcomes:
        say(outcome.line())
    failed = [o.region for o in outcomes if o.status == "failed"]
    if failed:
        raise LayerError(
            f"{len(failed)} of {len(outcomes)} regions failed ({and_list(failed)}); the others went on, "
            "and each failure's reason is above"
        )


def _each(spaces: Sequence[Workspace], jobs: int, one: Callable[[Workspace], Outcome]) -> list[Outcome]:
    """`one` for each region, `jobs` at a time; a region that fails is an outcome, and the others go on."""

    def guarded(space: Workspace) -> Outcome:
        try:
            return one(space)
        except LayerError as exc:
            return Outcome(_region(space), "failed", str(exc))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(guarded, spaces))


_SHOWING = threading.Lock()


def _show(region: str, output: str) -> None:
    """A region's whole plan on stdout, under its name, never interleaved with another's."""
    with _SHOWING:
        print(f"--- {region} ---\n{output.rstrip()}", flush=True)


def _region(space: Workspace) -> str:
    return space.environment["TF_WORKSPACE"] or "default"
