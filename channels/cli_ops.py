"""Operators' commands: every order, approval, payment and report operation without the assistant.

Each runs as the user given by --as, with the same checks as any other entry point.
"""

from datetime import date
from decimal import Decimal

import typer
from rich.console import Console
from rich.table import Table

from core.access import load_actor
from core.billing import PAYMENT_METHODS
from core.db import transaction
from core.orders import ORDER_STATUSES, Item
from core.reports import DIMENSIONS
from core.world import INT_MAX, p_date, p_money
from wiring import build_clock, build_engine

from .cli_errors import OneLineErrors

order_app = typer.Typer(
    help="Orders: preview, create, cancel, dispatch, deliver, show, list.", no_args_is_help=True, cls=OneLineErrors
)
approval_app = typer.Typer(help="Approvals: list, approve, reject, escalate.", no_args_is_help=True, cls=OneLineErrors)
payment_app = typer.Typer(help="Payments.", no_args_is_help=True, cls=OneLineErrors)
report_app = typer.Typer(help="Reports: sales, orders, outstanding.", no_args_is_help=True, cls=OneLineErrors)
console = Console()

AS = typer.Option(..., "--as", help="Acting user id")


def choice(values: tuple[str, ...]):
    """A parser that takes one of `values` (checked while the command line is parsed)."""

    def parse(raw: str) -> str:
        if raw not in values:
            raise typer.BadParameter(f"{raw!r} is not one of {', '.join(values)}")
        return raw

    return parse


def run(user: str, fn):
    """Open the database and act as `user` in one transaction. The core's refusals (DomainError)
    end the command with one line, in the CLI's entry (cli_errors.OneLineErrors)."""
    engine = build_engine()
    clock = build_clock()
    with transaction(engine) as s:
        actor = load_actor(s, user, "cli")
        return fn(s, actor, clock)


def parse_item(raw: str) -> Item:
    """`SKU:QTY[:UNIT]`, checked while the command line is parsed."""
    parts = raw.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1].isascii() or not parts[1].isdigit():
        raise typer.BadParameter(f"{raw!r} is not SKU:QTY or SKU:QTY:UNIT (QTY a whole number)")
    if not 1 <= int(parts[1]) <= INT_MAX:  # digits only: int() cannot fail, nor be slow at this length
        raise typer.BadParameter(f"{raw!r}: the quantity must be 1 to {INT_MAX}")
    return Item(parts[0], int(parts[1]), parts[2] if len(parts) == 3 else None)


def world_value(parse):
    """A parser checking a command-line value by the world format's rules (core.world), with its
    messages: money as digits and a decimal point, in range; dates as YYYY-MM-DD."""

    def parser(raw: str):
        try:
            return parse(raw)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None

    return parser


ITEMS = typer.Argument(..., parser=parse_item, metavar="SKU:QTY[:UNIT]...", help="Items, e.g. CC-100:20:BOX")
DAY = typer.Option(None, parser=world_value(p_date), metavar="YYYY-MM-DD")
AMOUNT = typer.Argument(..., parser=world_value(p_money), metavar="AMOUNT")


def show_preview(p) -> None:
    t = Table(title=f"{p.customer_name} ({p.customer}) from {p.warehouse}")
    for c in ("SKU", "Qty", "Free", "Price", "Gross", "Discount", "Tax", "Total"):
        t.add_column(c, justify="right" if c not in ("SKU",) else "left")
    for ln in p.lines:
        t.add_row(
            ln.sku,
            str(ln.qty),
            str(ln.free_qty),
            str(ln.unit_price),
            str(ln.gross),
            str(ln.discount),
            str(ln.tax),
            str(ln.line_total),
        )
    console.print(t)
    for a in p.applied:
        console.print(f"scheme {a.code}: {a.description}", highlight=False)
    for n in p.notes:
        console.print(f"note: {n}", highlight=False)
    console.print(
        f"total {p.total}  status on creation: {p.status}"
        + (f" (needs {p.approver_role} approval: {', '.join(p.approval_reasons)})" if p.needs_approval else "")
    )


@order_app.command("preview")
def order_preview(
    items: list[Item] = ITEMS, customer: str = typer.Option(None), warehouse: str = typer.Option(None), user: str = AS
) -> None:
    """Price an order without creating it (items as SKU:QTY[:UNIT])."""
    from core.orders import preview_order

    run(user, lambda s, a, c: show_preview(preview_order(s, a, c, items, customer, warehouse)))


@order_app.command("create")
def order_create(
    items: list[Item] = ITEMS, customer: str = typer.Option(None), warehouse: str = typer.Option(None), user: str = AS
) -> None:
    """Create an order (items as SKU:QTY[:UNIT])."""
    from core.orders import create_order

    def go(s, a, c):
        order, preview = create_order(s, a, c, items, customer, warehouse)
        show_preview(preview)
        console.print(f"created {order.order_no}: {order.status}")

    run(user, go)


def _status_cmd(name: str, fn_name: str, help_text: str):
    def cmd(order_no: str, user: str = AS) -> None:
        import core.orders as orders

        fn = getattr(orders, fn_name)

        def go(s, a, c):
            result = fn(s, a, c, order_no)
            order = result[0] if isinstance(result, tuple) else result
            console.print(f"{order.order_no}: {order.status}")

        run(user, go)

    cmd.__doc__ = help_text
    order_app.command(name)(cmd)


_status_cmd("cancel", "cancel_order", "Cancel a pending or confirmed order (releases stock).")
_status_cmd("dispatch", "dispatch_order", "Dispatch a confirmed order (delivery note + invoice).")
_status_cmd("deliver", "deliver_order", "Mark a dispatched order delivered.")


@order_app.command("list")
def order_list(
    status: str = typer.Option(None, parser=choice(ORDER_STATUSES), help=", ".join(ORDER_STATUSES)),
    customer: str = typer.Option(None),
    user: str = AS,
) -> None:
    from core.orders import list_orders

    def go(s, a, c):
        t = Table("Order", "Customer", "Date", "Status", "Total")
        for o in list_orders(s, a, statuses=[status] if status else None, customer=customer):
            t.add_row(o.order_no, o.customer, o.created_at.astimezone(c.tz).date().isoformat(), o.status, str(o.total))
        console.print(t)

    run(user, go)


@approval_app.command("list")
def approval_list(user: str = AS) -> None:
    from core.approvals import pending_approvals

    def go(s, a, c):
        t = Table("Order", "Reasons", "Approver", "Requested")
        for ap in pending_approvals(s, a):
            t.add_row(ap.order_no, ap.reasons.replace("|", ", "), ap.approver_role, ap.requested_at.isoformat())
        console.print(t)

    run(user, go)


@approval_app.command("approve")
def approval_approve(order_no: str, user: str = AS) -> None:
    from core.orders import decide

    run(user, lambda s, a, c: console.print(f"{decide(s, a, c, order_no, True).order_no}: approved"))


@approval_app.command("reject")
def approval_reject(order_no: str, reason: str = typer.Option(..., "--reason"), user: str = AS) -> None:
    from core.orders import decide

    run(user, lambda s, a, c: console.print(f"{decide(s, a, c, order_no, False, reason).order_no}: rejected"))


@approval_app.command("escalate")
def approval_escalate() -> None:
    """Escalate requests pending past their rules' escalate_after_hours (run from a scheduler)."""
    from core.approvals import escalate_due

    engine = build_engine()
    with transaction(engine) as s:
        done = escalate_due(s, build_clock())
    console.print(f"escalated {len(done)} request(s)" + "".join(f"\n  {a.order_no} → {a.escalated_to}" for a in done))


# ignore_unknown_options: a negative AMOUNT such as -5 reaches the amount's own check
@payment_app.command("record", context_settings={"ignore_unknown_options": True})
def payment_record(
    customer: str,
    amount: Decimal = AMOUNT,
    method: str = typer.Option(..., "--method", parser=choice(PAYMENT_METHODS), help=", ".join(PAYMENT_METHODS)),
    reference: str = typer.Option(None, "--reference"),
    user: str = AS,
) -> None:
    from core.payments import record_payment

    run(
        user,
        lambda s, a, c: console.print(
            f"recorded {record_payment(s, a, c, customer, amount, method, reference).amount} from {customer}"
        ),
    )


@report_app.command("sales")
def report_sales(
    start: date = DAY,
    end: date = DAY,
    by: str = typer.Option(None, parser=choice(DIMENSIONS), help=", ".join(DIMENSIONS)),
    user: str = AS,
) -> None:
    """Sales between START and END (YYYY-MM-DD), optionally by a dimension."""
    from core.reports import sales

    def go(s, a, c):
        r = sales(s, a, start, end, by)
        console.print(f"{r.orders} orders, net {r.net}, total {r.total}")
        if r.rows:
            t = Table(by or "", "Orders", "Net", "Total")
            for row in r.rows:
                t.add_row(row.label, str(row.orders), str(row.net), str(row.total))
            console.print(t)

    run(user, go)


@report_app.command("outstanding")
def report_outstanding(customer: str = typer.Option(None), user: str = AS) -> None:
    from core.payments import AGE_BUCKETS, outstanding_report

    def go(s, a, c):
        t = Table("Customer", "Outstanding", "Unpaid invoices", *AGE_BUCKETS)
        for r in outstanding_report(s, a, c, customer):
            t.add_row(
                f"{r.name} ({r.customer})",
                str(r.outstanding),
                str(r.invoiced_unpaid),
                *(str(r.buckets[b]) for b in AGE_BUCKETS),
            )
        console.print(t)

    run(user, go)
