"""Safe file output: atomic writes, and an exclusive lock on a folder for a whole build.

A reader of an atomic write sees the old file or the new one, never half of one.
"""

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from layerkit.errors import LayerError


def read_text(path: Path, where: str, fix: str) -> str:
    """A user's text file as UTF-8, or one error naming it: `<where>: cannot be read (<why>); <fix>`.

    FileNotFoundError is left to the caller, whose message for a missing file says more.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LayerError(f"{where}: cannot be read ({why}); {fix}") from None


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: object) -> None:
    """Write `data` atomically as sorted, indented JSON: the same data always gives the same bytes."""
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


@contextmanager
def exclusive(path: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock file `path` for the block; when another process holds it, say so once and wait.

    The lock is an flock on `path`, so the kernel releases it when its holder exits,
    however it exits. The file holds the holder's process ID, for the message.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            on_wait(f"waiting for the build that holds {path} (process {holder}) to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
            fcntl.flock(lock, fcntl.LOCK_UN)
