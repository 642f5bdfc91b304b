"""The `dms` command: operators' and scripts' entry to the product."""
import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from core.app import make_clock, open_database
from core.db import upgrade
from core.settings import get_settings

app = typer.Typer(help="Distributor order management.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    console.print(f"database at {url} is up to date")


@app.command("import")
def import_cmd(world: Path = typer.Argument(..., help="World folder (world.md format)"),
               replace: bool = typer.Option(False, "--replace", help="Replace the data already in the database")) -> None:
    """Import a world: every bad row is reported and nothing is written."""
    from core.world import WorldErrors, import_world

    engine = open_database()
    try:
        report = import_world(engine, world, clock=make_clock(), replace=replace)
    except WorldErrors as e:
        for line in e.errors:
            err.print(line, highlight=False, markup=False)
        fail(f"{len(e.errors)} error(s); nothing was imported")
    console.print(f"imported {world}: " + ", ".join(f"{n} {k}" for k, n in report.counts.items()))


@app.command("export")
def export_cmd(directory: Path) -> None:
    """Write the database back as a world folder."""
    from core.world import export_world

    export_world(open_database(), directory)
    console.print(f"exported to {directory}")


@app.command("state")
def state_cmd(as_json: bool = typer.Option(True, "--json/--no-json", help="Canonical JSON snapshot")) -> None:
    """Print the state snapshot (scenarios.md)."""
    from core.state import snapshot, to_json

    sys.stdout.write(to_json(snapshot(open_database())) + "\n")


def main() -> None:  # pragma: no cover
    app()
