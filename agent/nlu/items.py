"""Splitting a multi-item order into item phrases, and each phrase into quantity + words."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from agent.nlu.numbers import QtyMention, parse_quantities

_SEP_RE = re.compile(r"\s*(?:,(?!\d{2,3}\b)|;|\n|\s\+\s|\s&\s|\band also\b|\band\b|\bplus\b|\balso\b|\bwith\b)\s*", re.I)
_LEAD = re.compile(
    r"^(?:\s*(?:please|pls|kindly|and|also|then|add|plus|of|i|we|need|want|would like|"
    r"to|order|book|place|send|get|give|me|us|buy|more|extra|another|x|-|–|:)\b[\s:,-]*)+", re.I)
_TRAIL = re.compile(r"(?:[\s,]*\b(?:too|also|as well|please|pls|more|extra|only|each|each one|"
                    r"and|of|for me|for us|thanks|thank you)\b)+[\s.!?]*$|[\s.!?,]+$", re.I)


@dataclass(frozen=True)
class ItemPhrase:
    text: str                    # the item phrase as split from the message
    qty: QtyMention | None       # its quantity (None: not said)
    product_text: str            # the words naming the product, quantity removed


def _has_qty(s: str, units: Iterable[str]) -> bool:
    return bool(_main_quantities(s, units))


def split_items(text: str, unit_words: Iterable[str] = ()) -> list[str]:
    """'5 cases of A and 2 cases of B, 3 boxes C' -> ['5 cases of A', '2 cases of B', '3 boxes C'].

    A leading 'order for <customer>:' is dropped (the caller finds the customer in the
    whole message). Separators split only where the next part has a quantity of its own,
    so names with 'and' in them stay whole; several quantities without separators split
    before each quantity ("5 cases A 2 boxes B").
    """
    units = list(unit_words)
    body = text.strip()
    if ":" in body:
        head, tail = body.split(":", 1)
        if _has_qty(tail, units) and not re.search(r"\d$", head):
            body = tail
    # Cut at separators, then glue back any cut that does not leave a quantity on both
    # sides ("salt and pepper 2 boxes" stays whole; "A 2 pcs, B 3 pcs" splits).
    pieces = _SEP_RE.split(body)
    seps = [m.group(0) for m in _SEP_RE.finditer(body)]
    chunks: list[str] = [pieces[0]]
    for sep, p in zip(seps, pieces[1:]):
        if _has_qty(chunks[-1], units) and _has_qty(p, units):
            chunks.append(p)
        else:
            chunks[-1] = chunks[-1] + sep + p
    out: list[str] = []
    for i, c in enumerate(chunks):
        qs = _main_quantities(c, units)
        if len(qs) <= 1:
            out.append(c.strip())
            continue
        tail_words = re.search(r"[a-z]", c[qs[-1].end:], re.I)
        if tail_words:  # quantity first: "5 cases A 2 boxes B" -> cut before each quantity
            lead = c[:qs[0].start]
            segs = [c[q.start:(qs[k + 1].start if k + 1 < len(qs) else len(c))] for k, q in enumerate(qs)]
            if lead.strip() and i == 0 and not _LEAD.sub("", lead).strip():
                pass  # only order words before the first quantity
            elif lead.strip():
                segs[0] = lead + segs[0]
        else:  # product first: "A 5 cases B 2 boxes" -> cut after each quantity
            starts = [0] + [q.end for q in qs[:-1]]
            segs = [c[s:q.end] for s, q in zip(starts, qs)]
        out.extend(s.strip() for s in segs if s.strip())
    return [o for o in out if re.search(r"[a-z0-9]", o, re.I)]


def _main_quantities(text: str, units: Iterable[str]) -> list[QtyMention]:
    """Quantities with a unit when there are any ("Paracip 500 20 strips": 20 strips)."""
    qs = parse_quantities(text, units)
    with_unit = [q for q in qs if q.unit_word]
    return with_unit or qs


def parse_item(phrase: str, unit_words: Iterable[str] = ()) -> ItemPhrase:
    """One item phrase -> its quantity mention and the words left to name the product."""
    qs = _main_quantities(phrase, unit_words)
    q = qs[0] if qs else None
    rest = phrase if q is None else phrase[:q.start] + " " + phrase[q.end:]
    rest = re.sub(r"\s+", " ", rest).strip()
    prev = None
    while prev != rest:
        prev = rest
        rest = _LEAD.sub("", rest).strip()
        rest = _TRAIL.sub("", rest).strip()
    return ItemPhrase(phrase.strip(), q, rest)


def parse_items(text: str, unit_words: Iterable[str] = ()) -> list[ItemPhrase]:
    units = list(unit_words)
    return [parse_item(s, units) for s in split_items(text, units)]
