"""Corpus function for layer certifi: imports it and returns something computed with it."""

import certifi


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": certifi.__version__, "certificates": certifi.contents().count("BEGIN CERTIFICATE") > 100}
