"""Cursor pagination: a page of at most `limit` rows and an opaque `next` cursor (None on the
last page). A cursor holds the sort key of the page's last row, so a page starts right after
it even when rows were added meanwhile (keyset paging, not offsets)."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from fastapi import Query

from core.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 200
FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)  # the dates the product holds (docs/decisions.md)

LimitQuery = Query(50, ge=1, le=MAX_LIMIT, description="At most this many rows (1 to 200).")
CursorQuery = Query(None, max_length=500, description="The `next` of the previous page.")


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or not key:
        raise InvalidInput("cursor: not a cursor this API gave; use the `next` of the previous page, or none.")
    return key


def page(
    rows: Sequence[T], key: Callable[[T], list[Any]], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """A page of rows (already sorted by `key`, ascending and unique) after the cursor's row."""
    after = decode(cursor)
    start = 0
    if after is not None:
        try:
            start = next((i for i, r in enumerate(rows) if key(r) > after), len(rows))
        except TypeError:  # a cursor of another list
            raise InvalidInput("cursor: not a cursor of this list; use the `next` of its previous page.") from None
    chunk = list(rows[start : start + limit])
    more = start + limit < len(rows)
    return chunk, encode(key(chunk[-1])) if more and chunk else None


def in_range(name: str, day: date | None) -> date | None:
    """A date the product can hold; a 422 naming the parameter otherwise."""
    if day is not None and not FIRST <= day <= LAST:
        raise InvalidInput(f"{name}: give a date between {FIRST} and {LAST}.")
    return day
