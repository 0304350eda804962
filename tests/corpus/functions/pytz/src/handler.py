"""Corpus function for layer pytz: imports it and returns something computed with it."""

import datetime as dt

import pytz


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    paris = pytz.timezone("Europe/Paris").localize(dt.datetime(2024, 7, 1, 12))  # noqa: DTZ001
    offset = paris.utcoffset()
    return {"version": pytz.__version__, "offset": offset.total_seconds() if offset else None}
