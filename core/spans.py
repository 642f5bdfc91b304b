"""Periods compared: the span a period is measured against ("vs last month", growth)."""

import calendar
from datetime import date, timedelta


def _months_back(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 - n, 12)
    return date(d.year + y, m + 1, min(d.day, calendar.monthrange(d.year + y, m + 1)[1]))


def previous_span(start: date, end: date) -> tuple[date, date]:
    """The span just before `start..end`, as a distributor compares: a period that starts on a
    month's first day against the same days of the months before (1–20 Nov against 1–20 Oct;
    October against September; a quarter against the one before), any other span against the
    as many days just before it."""
    if start.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        back = _months_back(start, months)
        return back, min(back + (end - start), start - timedelta(days=1))
    length = end - start + timedelta(days=1)
    return start - length, start - timedelta(days=1)
