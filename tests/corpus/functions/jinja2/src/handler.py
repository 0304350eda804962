"""Corpus function for layer jinja2: imports it and returns something computed with it."""

import jinja2


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": jinja2.__version__, "rendered": jinja2.Template("Hello {{ name }}!").render(name="corpus")}
