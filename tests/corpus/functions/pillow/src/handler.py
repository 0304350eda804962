"""Corpus function for layer pillow: imports it and returns something computed with it."""

import io

import PIL
from PIL import Image


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "JPEG")
    buffer.seek(0)
    with Image.open(buffer) as image:
        return {"version": PIL.__version__, "format": image.format, "size": list(image.size)}
