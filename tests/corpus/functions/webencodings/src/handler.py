"""Corpus function for layer webencodings: imports it and returns something computed with it."""

from importlib import metadata

import webencodings


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": metadata.version("webencodings"), "latin1": webencodings.lookup("latin1").name}
