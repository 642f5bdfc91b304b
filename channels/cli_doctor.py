"""`dms doctor`: check that the stored state holds together (core/doctor.py)."""

import typer
from sqlmodel import Session

from wiring import build_engine


def doctor() -> None:
    """Check stock, the ledger, orders, invoices, payments and approvals against each other;
    print every violation, one a line, and exit 1 if there is any."""
    from core.doctor import check

    with Session(build_engine()) as session:
        problems = check(session)
    for line in problems:
        typer.echo(line, err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    typer.echo(
        "no problems found: ledger, reserved stock, order movements, invoices and delivery notes, "
        "settlements, approvals and the audit agree"
    )
