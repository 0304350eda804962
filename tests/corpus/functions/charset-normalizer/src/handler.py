"""Corpus function for layer charset-normalizer: imports it and returns something computed with it."""

import charset_normalizer


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    best = charset_normalizer.from_bytes("h\u00e9llo w\u00f6rld, \u00e7a va tr\u00e8s bien".encode()).best()
    return {"version": charset_normalizer.__version__, "encoding": best.encoding if best else None}
