"""`dms world …`: generate large worlds (world.md format) for benchmarks and load tests."""

from datetime import date, timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .cli_errors import OneLineErrors

world_app = typer.Typer(help="Generated worlds.", no_args_is_help=True, cls=OneLineErrors)
console = Console()
HISTORY_DAYS = 323  # the history's span, from its first day to `today` (1 Jan to 20 Nov, as it always was)


def parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not a date (YYYY-MM-DD)") from None


@world_app.callback()
def _group() -> None:
    """Generated worlds (a group even with one command, so `dms world generate` reads the same)."""


@world_app.command("generate")
def generate(
    directory: Path = typer.Argument(..., help="Folder to write the world into"),
    skus: int = typer.Option(1000, "--skus", min=10, help="Number of SKUs"),
    customers: int = typer.Option(5000, "--customers", min=10, help="Number of customers"),
    history_lines: int = typer.Option(2000, "--history-lines", min=0, help="Order lines of history"),
    seed: int = typer.Option(1, "--seed", help="Same seed and --today, same files"),
    today: date = typer.Option(
        None,
        "--today",
        metavar="YYYY-MM-DD",
        parser=parse_day,
        help="The day the world's history ends and its stock is counted "
        "(default: today on the business clock, so it imports as it is)",
    ),
) -> None:
    """Write a deterministic, valid world of the given size and print its rows per file."""
    from evals.worldgen import generate_world
    from wiring import build_clock

    today = today or build_clock().today()
    counts = generate_world(
        directory,
        skus=skus,
        customers=customers,
        history_lines=history_lines,
        seed=seed,
        start=today - timedelta(days=HISTORY_DAYS),
        today=today,
    )
    table = Table("file", "rows", title=f"world written to {directory} (as of {today})")
    for name, n in counts.items():
        table.add_row(f"{name}.csv", str(n))
    table.add_row("total", str(sum(counts.values())))
    console.print(table)
