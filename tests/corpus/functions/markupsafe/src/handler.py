"""Corpus function for layer markupsafe: imports it and returns something computed with it."""

from importlib import metadata

import markupsafe


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": metadata.version("markupsafe"), "escaped": str(markupsafe.escape("<b>"))}
