"""The one exception the CLI turns into `error: ...` and a non-zero exit, and what tags any other.

A `LayerError` is a problem a user can fix. It keeps its parts apart: what it is about (a
layer or a function, as a `Subject`), the architectures it applies to, and the message
(what is wrong, where, and what to do). `render` joins them into the one line the CLI prints,
`layer boto3 (x86_64, arm64): layers/boto3/requirements.txt: ...`; code that groups or counts
errors looks at the fields, never at that line.

Any other exception that reaches the CLI is a bug in layerkit: the CLI says so in one line,
naming the file being read when it happened, which `reading` records as the exception passes.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

READING = "while reading "
"""The start of the note `reading` adds to an unexpected exception."""


@dataclass(frozen=True, order=True)
class Subject:
    """What an error is about: a layer or a function, by name."""

    kind: Literal["layer", "function"]
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


def of_layer(name: str) -> Subject:
    return Subject("layer", name)


def of_function(name: str) -> Subject:
    return Subject("function", name)


class LayerError(Exception):
    """A problem a user can fix: `message` names where, what is wrong and what to do.

    `about` is the layer or function it concerns (None: the project as a whole, or a file), and
    `architectures` those it applies to, when the line should name them.
    """

    def __init__(
        self, message: str, *, about: Subject | None = None, architectures: Iterable[str] | None = None
    ) -> None:
        self.message = message
        self.about = about
        self.architectures = tuple(architectures) if architectures is not None else None
        """The architectures named in the line; None: not said here, so the build names those it stopped alike."""
        super().__init__(render(message, about, self.architectures or ()))


def render(message: str, about: Subject | None, architectures: tuple[str, ...] = ()) -> str:
    """The one line: `<about> (<architectures>): <message>`, each part only when there is one."""
    if about is None:
        return message
    on = f" ({', '.join(architectures)})" if architectures else ""
    return f"{about}{on}: {message}"


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
