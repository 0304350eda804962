"""Corpus function for layer cryptography: imports it and returns something computed with it."""

import cryptography
from cryptography.hazmat.primitives import hashes


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"abc")
    return {"version": cryptography.__version__, "sha256": digest.finalize().hex()}
