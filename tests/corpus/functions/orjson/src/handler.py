"""Corpus function for layer orjson: imports it and returns something computed with it."""

import orjson


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": orjson.__version__, "dumped": orjson.dumps({"a": [1, 2]}).decode()}
