"""Command line: `python -m layerkit [--layers-dir D] [--functions-dir D] [--debug] <command> ...`.

Parses, dispatches and renders errors, and nothing else: each command is a module of
`layerkit.commands`, found in its `REGISTRY` and imported only when it runs. A `LayerError`
becomes its one `error:` line and exit 1; any other exception is a bug, and becomes one line
that says so (exit 70), with the traceback only under --debug or LAYERKIT_DEBUG=1.
"""

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, Protocol, cast

from layerkit.commands import REGISTRY
from layerkit.commands.options import INTERRUPTED
from layerkit.errors import LayerError, read_while

BUG = 70
"""EX_SOFTWARE: the exit code of an unexpected exception, which is layerkit's fault, not the user's."""
DEBUG_VARIABLE = "LAYERKIT_DEBUG"
"""Set to 1, or pass --debug: an unexpected exception also prints its traceback."""
BUG_REPORTS = "see 'Reporting a bug' in docs/development.md"


class _Module(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        return cast("_Module", args.module).run(args)
    except LayerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the one boundary where a bug becomes one line instead of a traceback
        if args.debug or os.environ.get(DEBUG_VARIABLE) == "1":
            traceback.print_exc()
        print(f"error: {_bug(exc)}", file=sys.stderr)
        return BUG


def _bug(exc: Exception) -> str:
    """A bug in one line: that it is one, what was raised and while reading what, and where to report it."""
    what = " ".join(f"{type(exc).__name__}: {exc}".split())
    where = f" while reading {source}" if (source := read_while(exc)) else ""
    return (
        f"layerkit hit a bug, not a problem with your files ({what}){where}; please report it with this line "
        f"and the output of the same command with --debug ({DEBUG_VARIABLE}=1 under make): {BUG_REPORTS}"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other error here (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}; see 'python -m layerkit --help', or 'make help'\n")


def _parse(argv: list[str]) -> argparse.Namespace:
    """The global options and the command's name first; then that command's own arguments, by its module."""
    parser = _Parser(
        prog="layerkit",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="commands:\n" + "\n".join(f"  {name:<10} {c.help}" for name, c in REGISTRY.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--layers-dir", type=Path, default=Path("layers"), help="one folder per layer")
    parser.add_argument("--functions-dir", type=Path, default=Path("functions"), help="one folder per function")
    parser.add_argument("--debug", action="store_true", help=f"print a bug's traceback (or set {DEBUG_VARIABLE}=1)")
    parser.add_argument("command", choices=REGISTRY, metavar="<command>", help="one of the commands below")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    found = parser.parse_args(argv)
    command = REGISTRY[found.command]
    module = cast("_Module", importlib.import_module(f"layerkit.commands.{command.module}"))
    own = _Parser(prog=f"layerkit {found.command}", description=command.help)
    module.add_arguments(own)
    args = own.parse_args(found.arguments, namespace=found)
    args.module = module
    return args
