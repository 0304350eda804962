"""Corpus function for layer pandas: imports it and returns something computed with it."""

import pandas as pd


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    return {"version": pd.__version__, "sum": int(frame["a"].sum())}
