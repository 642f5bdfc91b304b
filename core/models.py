"""Every table of the core, imported in one place for the metadata (and so the migrations)."""

from sqlmodel import SQLModel

from .tables import (  # noqa: F401  (registers every table)
    approvals,
    audit,
    billing,
    catalogue,
    counters,
    evals,
    field,
    inventory,
    orders,
    parties,
    pricing,
    schemes,
)

metadata = SQLModel.metadata
