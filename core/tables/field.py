"""Field work: beats (a sales rep's visiting routes)."""
from sqlmodel import Field, SQLModel


class Beat(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    sales_rep: str = Field(index=True)
    weekday: str | None = None
    customers: str  # '|'-separated customer codes in visiting order
