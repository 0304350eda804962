"""The flags several commands share, each declared once, and the checks on their values."""

import argparse
import os
import sys
from pathlib import Path

from layerkit.build_dir import BuildDir
from layerkit.errors import LayerError

ROOT = Path(__file__).resolve().parents[3]
"""The repository root, which holds the root Terraform configuration."""
INTERRUPTED = 130


def build_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--build-dir",
        type=lambda s: BuildDir(Path(s)),
        default=BuildDir(Path("build")),
        help="the build folder (default: build)",
    )


def tf(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tf", help="the CLI to run (default: terraform on PATH, else tofu)")


def endpoint(parser: argparse.ArgumentParser, help_text: str = "a local AWS's URL, e.g. http://127.0.0.1:5000") -> None:
    parser.add_argument("--endpoint", help=f"{help_text} (default: AWS)")


def regions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        help="only this declared region (repeatable; default: every region the manifest declares)",
    )
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="regions worked on at once")


def at_least(flag: str, value: int, least: int, what: str) -> int:
    """`value` when it is `least` or more, else one error that names the flag."""
    if value < least:
        raise LayerError(f"{flag} {value}: {what}; pass {flag} {least} or more")
    return value


def default_jobs() -> int:
    return os.cpu_count() or 1


def progress(line: str) -> None:
    """A step that takes a while is starting: one whole line on stderr, at once (workers call it from threads)."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()
