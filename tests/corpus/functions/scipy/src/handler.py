"""Corpus function for layer scipy: imports it and returns something computed with it."""

import scipy
from scipy import special


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": scipy.__version__, "comb": float(special.comb(5, 2))}
