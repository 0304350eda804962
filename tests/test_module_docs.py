"""The inputs and outputs tables in the docs say what variables.tf and outputs.tf say.

terraform-docs, the usual generator, cannot be installed here, so the tables are written
by hand and this test holds them to the code: names in order, types, defaults and
descriptions word for word (each module's README; docs/terraform.md for the root configuration).
A failure prints the rows the page should have.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from typing import TYPE_CHECKING, Any

import hcl2
import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

CONFIGURATIONS = {
    "modules/lambda-layer": "modules/lambda-layer/README.md",
    "modules/lambda-function": "modules/lambda-function/README.md",
    ".": "docs/terraform.md",
}


def _text(value: str) -> str:
    """An HCL string as python-hcl2 gives it (quoted, maybe a heredoc), as one line of prose."""
    text = json.loads(value, strict=False)
    if text.startswith("<<"):
        text = textwrap.dedent(text.split("\n", 1)[1].rsplit("\n", 1)[0])
    return " ".join(text.split())


def _literal(value: Any) -> str:  # noqa: ANN401 -- any default HCL allows
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):  # python-hcl2 keeps a string element's quotes
        return f"`{json.dumps([json.loads(v) if isinstance(v, str) else v for v in value])}`"
    if isinstance(value, dict):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _type(value: str) -> str:
    return value.removeprefix("${").removesuffix("}")


def expected_rows(configuration: Path) -> dict[str, list[str]]:
    variables = hcl2.load((configuration / "variables.tf").open(encoding="utf-8")).get("variable", [])
    outputs = hcl2.load((configuration / "outputs.tf").open(encoding="utf-8")).get("output", [])
    inputs = []
    for variable in variables:
        ((name, body),) = variable.items()
        default = _literal(body["default"]) if "default" in body else "(required)"
        inputs.append(f"| `{json.loads(name)}` | `{_type(body['type'])}` | {default} | {_text(body['description'])} |")
    returned = []
    for output in outputs:
        ((name, body),) = output.items()
        returned.append(f"| `{json.loads(name)}` | {_text(body['description'])} |")
    return {"Inputs": inputs, "Outputs": returned}


def readme_rows(readme: Path, heading: str) -> list[str]:
    """The table rows under `## <heading>` (or `### <heading>`), without its header lines."""
    text = readme.read_text(encoding="utf-8")
    section = re.search(rf"(?m)^#{{2,3}} {heading}\n(.*?)(?=^#|\Z)", text, re.DOTALL)
    assert section, f"{readme}: no '## {heading}' section"
    return [line for line in section.group(1).splitlines() if line.startswith("| `")]


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_readme_tables_match_the_code(configuration: str) -> None:
    readme = ROOT / CONFIGURATIONS[configuration]
    for heading, rows in expected_rows(ROOT / configuration).items():
        assert readme_rows(readme, heading) == rows, f"{readme}, {heading}; it should have:\n" + "\n".join(rows)


@pytest.mark.network  # the first run builds actionlint with go install
def test_the_pre_commit_hooks_are_valid_and_run_here() -> None:
    """pre-commit reads its configuration, and runs a hook from it with the repository's own tools."""
    pre_commit = [str(ROOT / ".venv/bin/pre-commit")]
    checked = subprocess.run([*pre_commit, "validate-config"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run = subprocess.run(
        [*pre_commit, "run", "actionlint", "--files", "examples/ci/lambda-layers.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^actionlint\.+Passed$", run.stdout, re.MULTILINE), run.stdout
