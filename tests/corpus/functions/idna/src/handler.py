"""Corpus function for layer idna: imports it and returns something computed with it."""

import idna


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": idna.__version__, "encoded": idna.encode("b\u00fccher.example").decode()}
