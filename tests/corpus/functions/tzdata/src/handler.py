"""Corpus function for layer tzdata: imports it and returns something computed with it."""

from importlib import resources

import tzdata


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    paris = resources.files("tzdata.zoneinfo").joinpath("Europe/Paris").read_bytes()
    return {"iana": tzdata.IANA_VERSION, "magic": paris[:4].decode()}
