"""The counter table behind the number sequences (core/counters.py)."""

from sqlmodel import Field, SQLModel


class Counter(SQLModel, table=True):
    """Number sequences (order, invoice, delivery note numbers)."""

    name: str = Field(primary_key=True)
    value: int = 0
