"""Column types: money as exact decimals on every database."""
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field

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


class UtcDateTime(TypeDecorator):
    """Aware datetimes stored as naive UTC on every database, returned aware (UTC).

    Naive values are refused: every moment in the product comes from the clock, with a zone.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def timestamp(nullable: bool = False, index: bool = False, default=None):
    """A Field for an aware timestamp column."""
    return Field(default=default, sa_column=Column(UtcDateTime, nullable=nullable, index=index))
