"""Corpus function for layer docutils: imports it and returns something computed with it."""

import docutils
from docutils.core import publish_parts


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    fragment = publish_parts("*hi*", writer_name="html")["fragment"]
    return {"version": docutils.__version__, "fragment": fragment}
