"""Corpus function for layer ptyprocess: imports it and returns something computed with it."""

import ptyprocess


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {
        "version": ptyprocess.__version__,
        "unicode": issubclass(ptyprocess.PtyProcessUnicode, ptyprocess.PtyProcess),
    }
