"""Corpus function for layer pymysql: imports it and returns something computed with it."""

from importlib import metadata

from pymysql import converters


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": metadata.version("pymysql"), "escaped": converters.escape_string("it's")}
