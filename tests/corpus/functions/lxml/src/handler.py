"""Corpus function for layer lxml: imports it and returns something computed with it."""

import lxml
from lxml import etree


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": lxml.__version__, "text": etree.fromstring("<a><b>x</b></a>").findtext("b")}
