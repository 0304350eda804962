"""Corpus function for layer backports-tarfile: imports it and returns something computed with it."""

import io
from importlib import metadata

from backports import tarfile


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(tarfile.TarInfo("corpus.txt"))
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive:
        names = archive.getnames()
    return {"version": metadata.version("backports.tarfile"), "names": names}
