"""The one exception the CLI turns into `error: ...` and a non-zero exit, and what tags any other.

A `LayerError` is a problem a user can fix. Any other exception that reaches the CLI is a bug
in layerkit: the CLI says so in one line, naming the file being read when it happened, which
`reading` records as the exception passes through.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READING = "while reading "
"""The start of the note `reading` adds to an unexpected exception."""


class LayerError(Exception):
    """A problem a user can fix; the message names what, where and what to do."""


@contextmanager
def reading(source: Path | str) -> Iterator[None]:
    """Tag an unexpected exception raised in the block with the file (or zip member) being read.

    The innermost `reading` is the first note, and the one the CLI names.
    """
    try:
        yield
    except LayerError:
        raise
    except Exception as exc:
        exc.add_note(f"{READING}{source}")
        raise


def read_while(exc: BaseException) -> str | None:
    """The file an unexpected exception was raised while reading, if a `reading` block saw it."""
    notes = getattr(exc, "__notes__", [])
    return next((note.removeprefix(READING) for note in notes if note.startswith(READING)), None)
