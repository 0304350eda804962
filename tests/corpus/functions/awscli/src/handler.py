"""Corpus function for layer awscli: imports it and returns something computed with it."""

import awscli
import botocore


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {
        "version": awscli.__version__,
        "botocore": botocore.__version__,
        "vendored": "/awscli/botocore/" in botocore.__file__,
    }
