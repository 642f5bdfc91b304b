"""The `dms` command: operators' and scripts' entry to the product."""

import sys
from pathlib import Path

import typer
from rich.console import Console

from core.settings import get_settings
from migrations import upgrade
from wiring import build_clock, build_engine

from .cli_errors import OneLineErrors, fail

app = typer.Typer(
    help="Distributor order management.", no_args_is_help=True, pretty_exceptions_enable=False, cls=OneLineErrors
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, cls=OneLineErrors)
app.add_typer(db_app, name="db")
from .cli_eval import eval_app  # noqa: E402
from .cli_ops import approval_app, order_app, payment_app, report_app  # noqa: E402
from .cli_stock import stock_app  # noqa: E402
from .cli_world import world_app  # noqa: E402

app.add_typer(order_app, name="order")
app.add_typer(approval_app, name="approval")
app.add_typer(payment_app, name="payment")
app.add_typer(report_app, name="report")
app.add_typer(stock_app, name="stock")
app.add_typer(eval_app, name="eval")
app.add_typer(world_app, name="world")
from .cli_chat import chat, keep_knowledge  # noqa: E402

app.command("chat")(chat)
from .cli_serve import serve, users_app  # noqa: E402

app.command("serve")(serve)
app.add_typer(users_app, name="users")
from .cli_telegram import telegram_app  # noqa: E402  (also adds `dms users link …`)

app.add_typer(telegram_app, name="telegram")
from .cli_doctor import doctor  # noqa: E402

app.command("doctor")(doctor)
console = Console()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    console.print(f"database at {url} is up to date")


@app.command("import")
def import_cmd(
    world: Path = typer.Argument(..., exists=True, file_okay=False, help="World folder (world.md format)"),
    replace: bool = typer.Option(False, "--replace", help="Replace the data already in the database"),
) -> None:
    """Import a world: every bad row is reported and nothing is written."""
    from core.world import WorldErrors, import_world

    engine = build_engine()
    try:
        report = import_world(engine, world, clock=build_clock(), replace=replace)
    except WorldErrors as e:
        for line in e.errors:
            typer.echo(line, err=True)
        fail(f"{len(e.errors)} error(s); nothing was imported")
    keep_knowledge(world)
    for line in report.warnings:
        typer.echo(f"warning: {line}", err=True)
    console.print(f"imported {world}: " + ", ".join(f"{n} {k}" for k, n in report.counts.items()))


@app.command("export")
def export_cmd(directory: Path) -> None:
    """Write the database back as a world folder."""
    from core.world import export_world

    export_world(build_engine(), directory)
    console.print(f"exported to {directory}")


@app.command("state")
def state_cmd(as_json: bool = typer.Option(True, "--json/--no-json", help="Canonical JSON snapshot")) -> None:
    """Print the state snapshot (scenarios.md)."""
    from core.state import snapshot, to_json

    sys.stdout.write(to_json(snapshot(build_engine())) + "\n")


@app.command("demo")
def demo(
    world: Path = typer.Option(
        None, exists=True, file_okay=False, help="World to import into a new database (default: the demo world)"
    ),
) -> None:
    """Create the database if needed, import the demo world, and print a summary."""
    from sqlmodel import Session

    from core.world import world_size

    from .cli_serve import import_demo_if_empty

    engine = build_engine()
    clock = build_clock()
    imported = import_demo_if_empty(engine, clock, world)
    if imported:
        console.print(f"imported {imported} into {get_settings().resolved_database_url()}")
    with Session(engine) as s:
        size = world_size(s)
    console.print(
        f"{size.skus} SKUs, {size.customers} customers, {size.available} units available, "
        f"{size.reserved} reserved, {size.damaged} damaged"
    )
    _print_low_stock(engine, clock)


def _print_low_stock(engine, clock) -> None:
    from sqlmodel import Session

    from core.access import Actor
    from core.identities import an_admin
    from core.stock import low_stock

    with Session(engine) as s:
        admin = an_admin(s)
        if admin is None:
            return
        rows = low_stock(s, Actor(admin.id, "admin", admin.name), clock.today())
    console.print(f"low stock ({len(rows)}):")
    for r in rows:
        console.print(
            f"  {r.warehouse} {r.sku} {getattr(r, 'sku_name', '')}: {r.available} (reorder level {r.reorder_level})",
            highlight=False,
        )


def main() -> None:  # pragma: no cover
    app()
