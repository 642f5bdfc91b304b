import pytest
from sqlalchemy import inspect

from core.catalogue import parse_units


def test_migrations_create_every_table(engine):
    from core.models import metadata

    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_units_parse_and_reject():
    assert parse_units("PCS=1|BOX=12|CASE=144") == [("PCS", 1), ("BOX", 12), ("CASE", 144)]
    for bad, why in [("BOX=12", "base unit"), ("PCS=1|BOX=1.5", "whole"), ("PCS=1|PCS=2", "twice"), ("", "no units")]:
        with pytest.raises(ValueError, match=why):
            parse_units(bad)
