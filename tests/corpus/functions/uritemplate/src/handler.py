"""Corpus function for layer uritemplate: imports it and returns something computed with it."""

import uritemplate


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {
        "version": uritemplate.__version__,
        "expanded": uritemplate.expand("https://corpus.invalid/{user}", user="a b"),
    }
