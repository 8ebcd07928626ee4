"""csvtool: quick statistics over CSV files."""

import csv
import statistics
import sys

import click
from rich.console import Console
from rich.table import Table

from csvtool import __version__


@click.group()
@click.version_option(__version__)
def main() -> None:
    """Inspect CSV files from the command line."""


@main.command()
@click.argument("path", type=click.File("r"), default="-")
def columns(path) -> None:
    """List the columns of a CSV file."""
    reader = csv.reader(path)
    for name in next(reader, []):
        click.echo(name)


@main.command()
@click.argument("path", type=click.File("r"), default="-")
@click.option("--column", "-c", required=True, help="Numeric column to summarize.")
def stats(path, column: str) -> None:
    """Summarize one numeric column."""
    values = []
    for row in csv.DictReader(path):
        try:
            values.append(float(row[column]))
        except (KeyError, ValueError):
            continue
    if not values:
        click.echo(f"no numeric values in column {column!r}", err=True)
        sys.exit(1)
    table = Table(title=f"{column} ({len(values)} rows)")
    for name in ("min", "max", "mean", "median"):
        table.add_column(name)
    table.add_row(*(f"{v:.3f}" for v in (min(values), max(values), statistics.mean(values), statistics.median(values))))
    Console().print(table)
