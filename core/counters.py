"""Number sequences: order, invoice and delivery note numbers."""

from sqlalchemy import update
from sqlmodel import Session

from .tables.counters import Counter
from .types import table_of


def next_number(session: Session, name: str, prefix: str, width: int = 4) -> str:
    """The next number of a sequence; the row update serialises concurrent writers."""
    t = table_of(Counter)
    result = session.execute(update(t).where(t.c.name == name).values(value=t.c.value + 1).returning(t.c.value))
    row = result.first()
    if row is None:
        session.add(Counter(name=name, value=1))
        session.flush()
        value = 1
    else:
        value = row[0]
    return f"{prefix}{value:0{width}d}"
