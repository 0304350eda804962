"""Corpus function for layer packaging: imports it and returns something computed with it."""

import packaging
from packaging.specifiers import SpecifierSet
from packaging.version import Version


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": packaging.__version__, "contains": Version("1.5") in SpecifierSet(">=1,<2")}
