"""`dms world …`: generate large worlds (world.md format) for benchmarks and load tests."""
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .cli_errors import OneLineErrors

world_app = typer.Typer(help="Generated worlds.", no_args_is_help=True, cls=OneLineErrors)
console = Console()


@world_app.callback()
def _group() -> None:
    """Generated worlds (a group even with one command, so `dms world generate` reads the same)."""


@world_app.command("generate")
def generate(directory: Path = typer.Argument(..., help="Folder to write the world into"),
             skus: int = typer.Option(1000, "--skus", min=10, help="Number of SKUs"),
             customers: int = typer.Option(5000, "--customers", min=10, help="Number of customers"),
             history_lines: int = typer.Option(2000, "--history-lines", min=0, help="Order lines of history"),
             seed: int = typer.Option(1, "--seed", help="Same seed, same files")) -> None:
    """Write a deterministic, valid world of the given size and print its rows per file."""
    from evals.worldgen import generate_world

    counts = generate_world(directory, skus=skus, customers=customers, history_lines=history_lines, seed=seed)
    table = Table("file", "rows", title=f"world written to {directory}")
    for name, n in counts.items():
        table.add_row(f"{name}.csv", str(n))
    table.add_row("total", str(sum(counts.values())))
    console.print(table)
