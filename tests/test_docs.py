"""Every relative link in the READMEs and docs/ leads somewhere: a file that exists, and a heading in it.

A link is checked as GitHub renders it: relative to the page it is in (or to the repository
root when it starts with `/`), and its `#anchor` against the slugs GitHub gives the target's
headings: lowercase, spaces to hyphens, punctuation other than hyphens and underscores
dropped, and `-1`, `-2`, ... after a slug that is already taken. Links in code blocks and
code spans are not links, and links with a scheme (`https:`, `mailto:`) are not checked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

PAGES = ("README.md", "docs/*.md", "modules/*/README.md", "modules/*/examples/**/README.md", "examples/**/README.md")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_INLINE = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _prose(text: str) -> list[tuple[int, str]]:
    """The page's lines outside fenced code blocks, numbered from 1."""
    lines = []
    fence = ""
    for number, line in enumerate(text.splitlines(), 1):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text, not its target
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every `#anchor` a link into `page` may use: one per heading, repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose(page.read_text(encoding="utf-8")):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(1) or "")
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    """The targets of the page's inline and reference links, with their line numbers."""
    targets: list[tuple[int, str]] = []
    for number, line in _prose(page.read_text(encoding="utf-8")):
        # Code spans are blanked, keeping their length, to find the links; a target is read
        # from the line as written.
        blanked = _CODE_SPAN.sub(lambda span: "`" + "x" * (len(span.group(0)) - 2) + "`", line)
        spans = [(match.start(1), match.end(1)) for match in _INLINE.finditer(blanked)]
        reference = _REFERENCE.match(blanked)
        if reference:
            spans.append((reference.start(1), reference.end(1)))
        targets.extend((number, line[start:end]) for start, end in spans)
    return targets


def _problem(page: Path, target: str, root: Path) -> str | None:
    """What is wrong with one relative link target in `page`, or None when it leads somewhere."""
    path, _, anchor = target.partition("#")
    path = unquote(path)
    if not path:
        resolved = page
    elif path.startswith("/"):
        resolved = (root / path.lstrip("/")).resolve()
    else:
        resolved = (page.parent / path).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return "outside the repository"
    if not resolved.exists():
        return "no such file"
    if not anchor:
        return None
    if resolved.is_dir():
        resolved /= "README.md"
    if resolved.suffix != ".md" or not resolved.is_file():
        return "an anchor into a file that has no headings"
    if unquote(anchor) not in anchors(resolved):
        return "no heading with that anchor"
    return None


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """One line for each relative link in `page` that leads nowhere in `root`."""
    problems = []
    for number, target in links(page):
        if not target or _SCHEME.match(target):
            continue
        problem = _problem(page, target, root)
        if problem:
            problems.append(f"{page.relative_to(root)}:{number}: {target}: {problem}")
    return problems


def pages(root: Path = ROOT) -> list[Path]:
    return sorted({page for pattern in PAGES for page in root.glob(pattern)})


def test_every_relative_link_leads_to_a_file_and_a_heading_in_it() -> None:
    found = pages()
    assert ROOT / "README.md" in found
    assert ROOT / "docs/terraform.md" in found
    assert ROOT / "examples/ci/README.md" in found
    problems = [problem for page in found for problem in broken_links(page)]
    assert not problems, "\n".join(problems)


def test_the_checker_finds_what_is_broken_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## Versions\n\n## Versions\n", encoding="utf-8")
    (tmp_path / "code.py").write_text("print()\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "# Page\n"
        "\n"
        "## Remote state: S3 with its lock\n"
        "\n"
        "[ok](#remote-state-s3-with-its-lock) [ok](docs/other.md#versions-1) [ok](docs)\n"
        "[ok](/docs/other.md) [ok](https://example.invalid/nowhere) [`ok`](code.py)\n"
        "`[not a link](missing.md)`\n"
        "```\n"
        "[not a link](missing.md)\n"
        "```\n"
        "[gone](docs/missing.md)\n"
        "[bad anchor](docs/other.md#remote-state)\n"
        "[bad anchor here](#versions)\n"
        "[anchor in code](code.py#main)\n"
        "[up and out](../elsewhere.md)\n"
        "[ref]: docs/gone.md\n",
        encoding="utf-8",
    )
    assert broken_links(page, root=tmp_path) == [
        "README.md:11: docs/missing.md: no such file",
        "README.md:12: docs/other.md#remote-state: no heading with that anchor",
        "README.md:13: #versions: no heading with that anchor",
        "README.md:14: code.py#main: an anchor into a file that has no headings",
        "README.md:15: ../elsewhere.md: outside the repository",
        "README.md:16: docs/gone.md: no such file",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Remote state: S3 with its lock", "remote-state-s3-with-its-lock"),
        ("`function.toml`", "functiontoml"),
        ("Faster cold starts: `bytecode = true`", "faster-cold-starts-bytecode--true"),
        ("Old layer versions: `make prune`", "old-layer-versions-make-prune"),
        ("Why is the organization grant principal `*`?", "why-is-the-organization-grant-principal-"),
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
        ("See [the modules](modules/README.md)", "see-the-modules"),
    ],
)
def test_anchors_follow_github_slug_rules(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor
