"""Corpus function for layer pydantic: imports it and returns something computed with it."""

import pydantic
import pydantic_core


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    class Point(pydantic.BaseModel):
        x: int

    return {"version": pydantic.VERSION, "core": pydantic_core.__version__, "x": Point.model_validate({"x": "3"}).x}
