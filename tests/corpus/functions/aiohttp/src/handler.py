"""Corpus function for layer aiohttp: imports it and returns something computed with it."""

import aiohttp
import multidict
import yarl


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {
        "version": aiohttp.__version__,
        "query": yarl.URL("https://corpus.invalid/p?q=1").query["q"],
        "ci": multidict.CIMultiDict(a="1")["A"],
    }
