"""Corpus function for layer click: imports it and returns something computed with it."""

from importlib import metadata

import click
from click.testing import CliRunner


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    @click.command()
    @click.option("--name")
    def hello(name: str) -> None:
        click.echo(f"hello {name}")

    result = CliRunner().invoke(hello, ["--name", "corpus"])
    return {"version": metadata.version("click"), "output": result.output}
