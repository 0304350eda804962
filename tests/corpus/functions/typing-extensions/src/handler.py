"""Corpus function for layer typing-extensions: imports it and returns something computed with it."""

from importlib import metadata

import typing_extensions


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": metadata.version("typing-extensions"), "override": hasattr(typing_extensions, "override")}
