"""The core's tables, one module per concept. They import only core.types, sqlmodel and the
standard library, so every service module can import any of them without a cycle;
core/models.py lists them all for the metadata."""
