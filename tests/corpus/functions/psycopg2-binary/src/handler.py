"""Corpus function for layer psycopg2-binary: imports it and returns something computed with it."""

import psycopg2
from psycopg2 import extensions


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": psycopg2.__version__.split()[0], "libpq": extensions.libpq_version() > 0}
