"""Corpus function for layer attrs: imports it and returns something computed with it."""

import attr
import attrs


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    @attrs.define
    class Point:
        x: int

    return {"version": attrs.__version__, "classic": attr.has(Point), "as_dict": attrs.asdict(Point(1))}
