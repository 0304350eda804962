"""Every function.toml snippet in docs/functions.md, "Running in production", builds as written."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, LayerFactory
from layerkit.cli import main
from test_functions import TOML, write_function

if TYPE_CHECKING:
    from pathlib import Path

SECTION = "\n## Running in production\n"


def snippets() -> list[str]:
    text = (ROOT / "docs/functions.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    end = section.find("\n## ", len(SECTION))
    return re.findall(r"^```toml\n(.*?)^```$", section[: end if end != -1 else None], re.MULTILINE | re.DOTALL)


def test_the_section_has_a_snippet_for_each_capability() -> None:
    assert len(snippets()) == 9


@pytest.mark.parametrize("snippet", snippets(), ids=lambda s: s.split("\n", 1)[0])
def test_a_snippet_builds_in_a_function_toml(
    snippet: str, layers: LayerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    layers.make("a", files={"python/a.py": "A = 1\n"})
    project: Path = layers.layers_dir.parent
    base = TOML.format(layers="[]")
    # A snippet of tables goes after the base declaration's keys; one of keys goes before them, outside any table.
    write_function(project / "functions", "api", base + snippet if snippet.startswith("[") else snippet + base)
    dirs = ["--layers-dir", str(project / "layers"), "--functions-dir", str(project / "functions")]
    assert main([*dirs, "build", "--build-dir", str(project / "build")]) == 0, capsys.readouterr().err
