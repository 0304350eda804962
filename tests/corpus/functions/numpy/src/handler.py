"""Corpus function for layer numpy: imports it and returns something computed with it."""

import numpy as np


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": np.__version__, "sum": int(np.arange(10).sum()), "dot": float(np.dot([1.0, 2.0], [3.0, 4.0]))}
