"""Date ranges said in words, relative to a given `today` (weeks start on Monday)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str  # how to name it in a reply: "last month (Oct 2026)"


MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMWORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}

# One date: ISO, day-first numeric, "1 Nov [2026]", "Nov 5[th][, 2026]", today/yesterday.
_DATE = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}/\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MON})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MON})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,?\s+\d{{4}})?"
    rf"|today|yesterday)"
)
_RANGE_RE = re.compile(
    rf"(?:(?:from|between)\s+)?\b({_DATE})\s*(?:to|till|until|upto|up to|through|thru|and|-|–)\s*({_DATE})\b"
)
_SINCE_RE = re.compile(rf"\b(since|from|after|starting)\s+({_DATE})\b")
_ON_RE = re.compile(rf"\b({_DATE})\b")
_LASTN_RE = re.compile(
    r"\b(?:last|past|previous|recent|trailing)\s+(\d+|" + "|".join(_NUMWORDS) + r")\s+(day|week|month|year)s?\b"
)
_MONTH_RE = re.compile(rf"\b({_MON})\b\.?(?:\s*,?\s*(\d{{4}}))?")
_YEAR_RE = re.compile(r"\b(?:in|for|of|during|year)\s+(20\d{2}|19\d{2})\b")


def _fmt(d: date) -> str:
    return f"{d.day} {calendar.month_abbr[d.month]} {d.year}"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(s: str, today: date) -> date | None:
    """One date; without a year, the most recent such date not after `today`."""
    s = s.strip().lower().rstrip(".")
    if s == "today":
        return today
    if s == "yesterday":
        return today - timedelta(days=1)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    year = None
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?", s):
        day, month = int(m[1]), int(m[2])
        if m[3]:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    elif m := re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})\.?(?:,?\s+(\d{{4}}))?", s):
        day, month = int(m[1]), MONTHS[m[2]]
        year = int(m[3]) if m[3] else None
    elif m := re.fullmatch(rf"({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", s):
        day, month = int(m[2]), MONTHS[m[1]]
        year = int(m[3]) if m[3] else None
    else:
        return None
    if year is not None:
        return _safe(year, month, day)
    d = _safe(today.year, month, day)
    if d is None or d > today:
        d = _safe(today.year - 1, month, day)
    return d


def _month_period(y: int, m: int, label: str | None = None) -> Period:
    name = f"{calendar.month_name[m]} {y}"
    return Period(date(y, m, 1), _month_end(y, m), f"{label} ({name})" if label else name)


def parse_period(text: str, today: date) -> Period | None:
    """The period a message talks about, or None when it names none.

    'this week/month/year' end today; 'last week' is the previous Monday-Sunday;
    a bare month is the most recent one not in the future.
    """
    t = " " + re.sub(r"\s+", " ", text.lower().replace("’", "'")) + " "
    if m := _RANGE_RE.search(t):
        a, b = parse_date(m[1], today), parse_date(m[2], today)
        if a and b:
            if b < a and not re.search(r"\d{4}", m[2]):
                b = _safe(a.year, b.month, b.day) or b
                if b < a:
                    b = _safe(b.year + 1, b.month, b.day) or b
            if b >= a:
                return Period(a, b, f"{_fmt(a)} to {_fmt(b)}")
    if m := _SINCE_RE.search(t):
        a = parse_date(m[2], today)
        if a:
            if m[1] == "after":
                a += timedelta(days=1)
            return Period(a, today, f"since {_fmt(a)}")
    if m := _LASTN_RE.search(t):
        n = int(m[1]) if m[1].isdigit() else _NUMWORDS[m[1]]
        unit = m[2]
        start = {
            "day": lambda: today - timedelta(days=n - 1),
            "week": lambda: today - timedelta(days=7 * n - 1),
            "month": lambda: _add_months(today, -n) + timedelta(days=1),
            "year": lambda: _add_months(today, -12 * n) + timedelta(days=1),
        }[unit]()
        return Period(start, today, f"last {n} {unit}{'s' if n != 1 else ''}")
    if re.search(r"\bday before yesterday\b", t):
        d = today - timedelta(days=2)
        return Period(d, d, f"day before yesterday ({_fmt(d)})")
    if re.search(r"\byesterday\b", t):
        d = today - timedelta(days=1)
        return Period(d, d, f"yesterday ({_fmt(d)})")
    if re.search(r"\b(today|today's|todays|so far today)\b", t):
        return Period(today, today, f"today ({_fmt(today)})")
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\b(this|current) week\b|\bweek to date\b|\bwtd\b|\b(?:for|in|during|of) the week\b", t):
        return Period(monday, today, f"this week ({_fmt(monday)} to {_fmt(today)})")
    if re.search(r"\b(last|previous|past) week\b", t):
        a = monday - timedelta(days=7)
        return Period(a, a + timedelta(days=6), f"last week ({_fmt(a)} to {_fmt(a + timedelta(days=6))})")
    if re.search(r"\b(this|current) month\b|\bmonth to date\b|\bmtd\b|\b(?:for|in|during|of) the month\b", t):
        a = today.replace(day=1)
        return Period(a, today, f"this month ({calendar.month_name[a.month]} {a.year})")
    if re.search(r"\b(last|previous|past) month\b", t):
        a = _add_months(today.replace(day=1), -1)
        return _month_period(a.year, a.month, "last month")
    q = (today.month - 1) // 3
    if re.search(r"\b(this|current) quarter\b", t):
        a = date(today.year, 3 * q + 1, 1)
        return Period(a, today, f"this quarter ({_fmt(a)} to {_fmt(today)})")
    if re.search(r"\b(last|previous) quarter\b", t):
        a = _add_months(date(today.year, 3 * q + 1, 1), -3)
        b = _month_end(_add_months(a, 2).year, _add_months(a, 2).month)
        return Period(a, b, f"last quarter ({_fmt(a)} to {_fmt(b)})")
    if re.search(r"\b(this|current) year\b|\byear to date\b|\bytd\b", t):
        a = date(today.year, 1, 1)
        return Period(a, today, f"this year ({today.year})")
    if re.search(r"\b(last|previous|past) year\b", t):
        y = today.year - 1
        return Period(date(y, 1, 1), date(y, 12, 31), f"last year ({y})")
    if m := _ON_RE.search(t):
        on = parse_date(m[1], today)
        if on:
            return Period(on, on, _fmt(on))
    for m in _MONTH_RE.finditer(t):
        word = m[1]
        if (
            word in ("may", "mar", "march", "jan", "dec")
            and not m[2]
            and not re.search(rf"\b(in|for|of|during|since|month|last|this)\s+{word}\b", t)
        ):
            continue  # "may I..." / "march in" are words, not months
        month = MONTHS[word]
        if m[2]:
            return _month_period(int(m[2]), month)
        y = today.year if month <= today.month else today.year - 1
        return _month_period(y, month)
    if m := _YEAR_RE.search(t):
        y = int(m[1])
        return Period(
            date(y, 1, 1),
            min(date(y, 12, 31), max(today, date(y, 1, 1))) if y == today.year else date(y, 12, 31),
            str(y),
        )
    return None


_LABELLED_DATE = (
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[/.-]\d{4}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MON})\.?,?\s+\d{{4}}|(?:{_MON})\.?,?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
    rf"(?:{_MON})\.?,?\s*'?\d{{2,4}})"
)


def labelled_date(
    text: str, labels: str, today: date | None = None, ahead: bool = False
) -> tuple[date | None, str | None]:
    """The date after one of `labels` (a regex: "exp|expiry|best before"), as a stock label
    writes it: 2028-12-01, 01/12/2028, 1 Dec 2028; a month alone (06/2027, June 2027) is that
    month's last day. A day and month without a year, as chat writes it ("mfg 15 nov"), is the
    nearest such day before `today`, or after it when `ahead` (an expiry); without `today` it is
    unread. (date, None), (None, what was said) when unreadable, (None, None) when absent."""
    m = re.search(rf"\b(?:{labels})\b\.?\s*(?:date)?\s*(?:on|is|:|-|of)?\s*{_LABELLED_DATE}", text, re.I)
    if not m and today is not None:
        dm = re.search(
            rf"\b(?:{labels})\b\.?\s*(?:date)?\s*(?:on|is|:|-|of)?\s*(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+"
            rf"(?:of\s+)?({_MON})|({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b(?![\s,]*\d)",
            text,
            re.I,
        )
        if dm:
            day, month = int(dm[1] or dm[4]), MONTHS[(dm[2] or dm[3]).lower()]
            years = (today.year, today.year + 1) if ahead else (today.year, today.year - 1)
            for year in years:
                d = _safe(year, month, day)
                if d and (d >= today if ahead else d <= today):
                    return d, None
            return None, dm[0].split(None, 1)[-1]
    if not m:
        said = re.search(rf"\b(?:{labels})\b\.?\s*(?:date)?\s*(?:on|is|:|-|of)?\s*(\S+(?:\s+\S+)?)", text, re.I)
        return (None, said[1]) if said else (None, None)
    s = m[1].strip().lower().rstrip(".,")
    if mm := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", s):
        month, year = int(mm[1]), int(mm[2])
        return (_month_end(year, month) if 1 <= month <= 12 else None), (None if 1 <= month <= 12 else m[1])
    if mm := re.fullmatch(rf"({_MON})\.?,?\s*'?(\d{{2,4}})", s):
        year = int(mm[2]) + (2000 if len(mm[2]) == 2 else 0)
        return _month_end(year, MONTHS[mm[1]]), None
    if mm := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})", s):
        year = int(mm[3]) + (2000 if len(mm[3]) == 2 else 0)
        d = _safe(year, int(mm[2]), int(mm[1]))
        return d, (None if d else m[1])
    d = parse_date(re.sub(r",", "", s), date(9999, 12, 31))  # a year is always said on a label
    return d, (None if d else m[1])


def period_args(text: str, today: date) -> dict[str, str | None] | None:
    """The period a message names as a tool's `period` argument (start, end, label), or None."""
    p = parse_period(text, today)
    if p is None:
        return None
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label}
