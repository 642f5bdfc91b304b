"""`dms stock …`: stock levels, low stock and adjustments from the terminal."""

import typer
from rich.console import Console
from rich.table import Table

from core.access import load_actor
from core.db import transaction
from core.world import INT_MAX, p_int
from wiring import build_clock, build_engine

from .cli_errors import OneLineErrors
from .cli_ops import world_value

stock_app = typer.Typer(help="Stock levels, low stock and adjustments.", no_args_is_help=True, cls=OneLineErrors)
console = Console()

AS_USER = typer.Option(..., "--as", help="Acting user id")
# The core's refusals (DomainError) end a command with one line in the CLI's entry (cli_errors.OneLineErrors).


@stock_app.command("levels")
def levels_cmd(
    sku: str | None = typer.Option(None, "--sku", help="Only this SKU code"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="Only this warehouse code"),
    batches: bool = typer.Option(False, "--batches", help="Show each batch"),
    as_user: str = AS_USER,
) -> None:
    """Stock per warehouse and SKU that you may see."""
    from core.stock import stock_levels

    engine, clock = build_engine(), build_clock()
    with transaction(engine) as session:
        actor = load_actor(session, as_user)
        rows = stock_levels(session, actor, clock.today(), sku=sku, warehouse=warehouse, by_batch=batches)
    quantities = actor.can("stock.quantities")
    table = Table(title=f"Stock on {clock.today()}")
    for col in ("Warehouse", "SKU", "Name"):
        table.add_column(col)
    if quantities:
        for col in ("Available", "Expired", "Reserved", "Damaged"):
            table.add_column(col, justify="right")
    else:
        table.add_column("In stock")
    for r in rows:
        if quantities:
            table.add_row(
                r.warehouse, r.sku, r.sku_name, str(r.available), str(r.expired), str(r.reserved), str(r.damaged)
            )
            for b in r.batches or []:
                note = (
                    f"  batch {b.batch}"
                    + (f" exp {b.expiry_date}" if b.expiry_date else "")
                    + (" (expired)" if b.expired else "")
                )
                table.add_row(
                    "",
                    "",
                    note,
                    str(0 if b.expired else b.available),
                    str(b.available if b.expired else 0),
                    str(b.reserved),
                    str(b.damaged),
                )
        else:
            table.add_row(r.warehouse, r.sku, r.sku_name, "yes" if r.in_stock else "no")
    console.print(table)


@stock_app.command("low")
def low_cmd(as_user: str = AS_USER) -> None:
    """SKUs at or below their reorder level, per warehouse."""
    from core.stock import low_stock

    engine, clock = build_engine(), build_clock()
    with transaction(engine) as session:
        rows = low_stock(session, load_actor(session, as_user), clock.today())
    if not rows:
        console.print("No SKU is at or below its reorder level.")
        return
    table = Table(title=f"Low stock on {clock.today()}")
    for col in ("Warehouse", "SKU", "Name", "Product"):
        table.add_column(col)
    table.add_column("Available", justify="right")
    table.add_column("Reorder level", justify="right")
    for r in rows:
        table.add_row(r.warehouse, r.sku, r.sku_name, r.product_name, str(r.available), str(r.reorder_level))
    console.print(table)


# ignore_unknown_options: a negative DELTA such as -3 is an argument, not an option
@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})
def adjust_cmd(
    warehouse: str,
    sku: str,
    batch: str,
    delta: int = typer.Argument(
        ...,
        parser=world_value(lambda raw: p_int(raw, -INT_MAX, INT_MAX)),
        help="Change to the available quantity, e.g. 5 or -3",
    ),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the ledger and the audit)"),
    as_user: str = AS_USER,
) -> None:
    """Correct a batch's available quantity (audited)."""
    from core.stock import adjust_stock

    engine, clock = build_engine(), build_clock()
    with transaction(engine) as session:
        row = adjust_stock(session, load_actor(session, as_user), clock, warehouse, sku, batch, delta, reason)
    console.print(
        f"{row.warehouse} {row.sku} batch {row.batch}: available {row.available}, "
        f"reserved {row.reserved}, damaged {row.damaged}",
        highlight=False,
    )
