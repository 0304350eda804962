"""Corpus function for layer pyyaml: imports it and returns something computed with it."""

import yaml


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {
        "version": yaml.__version__,
        "libyaml": yaml.__with_libyaml__,
        "loaded": yaml.load("a: [1, 2]", Loader=yaml.CSafeLoader),
    }
