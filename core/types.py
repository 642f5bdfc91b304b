"""Column types: money as exact decimals on every database."""
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Round half-up to 2 places (rules.md: at each line)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class DecimalText(TypeDecorator):
    """A Decimal stored as canonical text, so SQLite never turns it into a float.

    Sums are done in Python over Decimals, never in SQL.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)
