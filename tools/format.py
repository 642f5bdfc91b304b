"""Shaping core results for people on a phone: money, quantities, dates, short tables."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from core.types import money

# People read money the Indian way (lakh and crore grouping); machine formats (CSV, JSON) keep
# plain decimals.
LOCALE = "en_IN"


def rs(value) -> str:
    """Exact 2-decimal money as the core computed it: `₹1,23,456.50`."""
    if value is None:
        return "-"
    return format_currency(money(Decimal(value)), "INR", locale=LOCALE)


def amount(value) -> str:
    """A 2-decimal figure for table cells, grouped the Indian way: `1,23,456.50`."""
    return "-" if value is None else format_decimal(money(Decimal(value)), format="#,##,##0.00", locale=LOCALE)


def base_unit(units: Sequence[tuple[str, int]] | None) -> str:
    """The SKU's base unit as the world names it (KG, STRIP, PCS...); 'units' if it has none."""
    return units[0][0] if units else "units"


def qty(n: int, unit: str | None, units: list[tuple[str, int]] | None = None) -> str:
    """`12 BOX`; with no unit, the base unit of `units`."""
    return f"{n} {unit or base_unit(units)}"


def in_units(n: int, units: Sequence[tuple[str, int]], asked: str | None = None) -> str:
    """`240 PCS (20 BOX)`: base quantity, then the unit asked (or the largest that divides it)."""
    if not units:
        return f"{n} {base_unit(units)}"
    base = units[0][0]
    order = [u for u in units if asked and u[0] == asked.upper()] or sorted(units[1:], key=lambda u: -u[1])
    for name, factor in order:
        if factor > 1 and n and n % factor == 0:
            return f"{n} {base} ({n // factor} {name})"
    return f"{n} {base}"


def day(value: date | datetime | None, tz=None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(tz).date() if tz else value.date()
    return value.isoformat()


def words(status: str) -> str:
    return status.replace("_", " ")


def method_words(method: str | None) -> str:
    """A payment method as people write it: "UPI", "bank transfer", "cheque"."""
    return "UPI" if method == "upi" else words(method or "")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
