"""Corpus function for layer python-dateutil: imports it and returns something computed with it."""

import dateutil
from dateutil import parser, relativedelta


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    moved = parser.isoparse("2024-01-31T12:00:00") + relativedelta.relativedelta(months=1)
    return {"version": dateutil.__version__, "moved": moved.isoformat()}
