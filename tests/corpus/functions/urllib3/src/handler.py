"""Corpus function for layer urllib3: imports it and returns something computed with it."""

import urllib3


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": urllib3.__version__, "port": urllib3.util.parse_url("https://corpus.invalid:8443/p").port}
