"""Every table of the core, imported in one place for the metadata (and so the migrations)."""

from sqlmodel import SQLModel

from .tables import approvals, audit, billing, catalogue, counters, field, inventory, orders, parties, pricing, schemes  # noqa: F401  (registers every table)

metadata = SQLModel.metadata
