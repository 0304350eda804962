"""Corpus function for layer requests: imports it and returns something computed with it."""

import requests


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    prepared = requests.Request("GET", "https://corpus.invalid/search", params={"q": "a b"}).prepare()
    return {"version": requests.__version__, "url": prepared.url}
