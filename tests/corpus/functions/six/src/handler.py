"""Corpus function for layer six: imports it and returns something computed with it."""

import six


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": six.__version__, "text": six.ensure_text(b"corpus")}
