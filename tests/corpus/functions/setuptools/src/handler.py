"""Corpus function for layer setuptools: imports it and returns something computed with it."""

import setuptools


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": setuptools.__version__, "name": setuptools.Distribution({"name": "corpus"}).get_name()}
