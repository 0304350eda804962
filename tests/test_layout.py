"""The package's layout rule, read from the imports: each subpackage imports only those below it.

`layerkit/__init__.py` states the order. A later change that imports upwards (say, `builder`
importing `deploy`) fails here instead of quietly tangling the concerns.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "layerkit"
ORDER = ("config", "report", "builder", "inspect", "deploy", "commands")
"""Lowest first: a subpackage may import the ones before it, never the ones after it."""
TOP = ("cli", "__main__")
"""The entry points: above every subpackage."""


def _imported(path: Path) -> set[str]:
    """The `layerkit` modules a file imports, as dotted names below `layerkit`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "layerkit":
            below = node.module.split(".")[1:]
            names |= {".".join([*below, alias.name]) for alias in node.names} if not below else {".".join(below)}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("layerkit.")}
    return names


def _rank(dotted: str) -> int | None:
    """The subpackage's place in ORDER; None for the shared modules at the top level."""
    first = dotted.split(".", maxsplit=1)[0]
    if first in TOP:
        return len(ORDER)
    return ORDER.index(first) if first in ORDER else None


def test_every_module_is_in_a_subpackage_or_shared() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(ORDER)


def test_subpackages_import_only_downwards() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        mine = _rank(own)
        for name in sorted(_imported(path)):
            theirs = _rank(name)
            if theirs is None or name.split(".")[0] == own.split(".")[0]:
                continue
            if mine is None or theirs > mine:
                upward.append(f"{own} imports {name}")
    assert upward == []


def test_the_rule_sees_an_upward_import(tmp_path: Path) -> None:
    """The reader above would catch `builder` importing `deploy` in either import form."""
    module = tmp_path / "m.py"
    module.write_text("from layerkit.deploy import demo\nimport layerkit.inspect.invoke\n", encoding="utf-8")
    assert _imported(module) == {"deploy", "inspect.invoke"}
    assert _rank("deploy") > _rank("builder.pipeline")  # type: ignore[operator]
