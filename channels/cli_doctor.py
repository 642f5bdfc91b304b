"""`dms doctor`: check that the stored state holds together (core/doctor.py)."""
import typer
from rich.console import Console
from sqlmodel import Session

from core.app import open_database

console = Console()
err = Console(stderr=True)


def doctor() -> None:
    """Check stock, the ledger, orders, invoices, payments and approvals against each other;
    print every violation and exit 1 if there is any."""
    from core.doctor import check

    with Session(open_database()) as session:
        problems = check(session)
    for line in problems:
        err.print(line, highlight=False, markup=False)
    if problems:
        err.print(f"[red]{len(problems)} problem(s) found[/red]", highlight=False)
        raise typer.Exit(1)
    console.print("no problems found: ledger, reserved stock, order movements, invoices and delivery notes, "
                  "settlements, approvals and the audit agree")
