"""Quantities in a message ("20 boxes", "a dozen", "two hundred and fifty pcs") and
mapping the unit word people use onto one of a SKU's units (free text in the world)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable

from rapidfuzz import fuzz

from agent.nlu.text import MEASURE_WORDS, stem

_ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"thousand": 1000, "lakh": 100_000, "lakhs": 100_000, "lac": 100_000,
           "million": 1_000_000, "crore": 10_000_000}
_DOZEN = {"dozen", "dozens", "doz", "dz"}

# Units people name, by family. A family is tried in order when the SKU lacks the word
# itself, so "carton" finds CASE and "case" finds CTN.
UNIT_GROUPS: list[tuple[str, ...]] = [
    ("case", "carton", "ctn", "cs", "cse"),
    ("box", "bx"),
    ("pack", "packet", "pkt", "pk", "pck"),
    ("bag", "sack"),
    ("bottle", "btl", "bot"),
    ("tin", "can"),
    ("jar",), ("strip",), ("sachet",), ("pouch",), ("tray",), ("crate",), ("bundle",),
    ("roll",), ("tube",), ("vial",), ("ampoule",), ("drum",), ("bale",), ("pallet",),
    ("set",), ("pair",), ("outer",), ("inner",), ("bucket",), ("sheet",), ("coil",),
    ("length",), ("ream",), ("bar",), ("cup",), ("shrink",),
]
BASE_WORDS = frozenset("pc pcs piece pieces nos unit units each ea pce pces item items".split())
_GROUP_OF = {w: g for g in UNIT_GROUPS for w in g}
_UNIT_RE_WORDS = set(BASE_WORDS) | set(_GROUP_OF) | {w + "s" for w in _GROUP_OF} | {
    w + "es" for w in _GROUP_OF}
_TIME_WORDS = {"day", "days", "week", "weeks", "month", "months", "year", "years", "hour",
               "hours", "hrs", "minutes", "mins", "pm", "am", "percent", "pct", "%"}
_MONEY_BEFORE = {"rs", "inr", "₹", "rupees", "rupee", "amount", "of₹"}
_MONEY_AFTER = {"rs", "rupees", "rupee", "inr", "/-", "only"}
_MONTHS = set("jan january feb february mar march apr april may jun june jul july aug august "
              "sep sept september oct october nov november dec december".split())
_TOKEN_RE = re.compile(r"₹|/-|%|\d[\d,]*(?:\.\d+)?|[a-z]+(?:'[a-z]+)?|[^\sa-z0-9]")


@dataclass(frozen=True)
class QtyMention:
    qty: int | None          # whole number as said (None when fractional: "2.5 cases")
    unit_word: str | None    # the unit as written ("boxes", "ctn"), None = base unit
    start: int               # span of number and unit in the text
    end: int
    value: Decimal = Decimal(0)  # the number itself, fractional or not


def unit_key(word: str) -> str:
    """'Boxes' -> 'box', 'PCS' -> 'pcs', 'cartons' -> 'carton'."""
    w = word.lower().strip(" .")
    if w in BASE_WORDS or w in _GROUP_OF:
        return w
    for cut in (2, 1):
        if len(w) > cut + 1 and w[-cut:] in ("es", "s")[2 - cut:] and w[:-cut] in _GROUP_OF:
            return w[:-cut]
    s = stem(w)
    return s if s in _GROUP_OF else w


def is_unit_word(word: str, extra: Iterable[str] = ()) -> bool:
    w = word.lower().strip(" .")
    extra_l = {e.lower() for e in extra}
    return (w in _UNIT_RE_WORDS or unit_key(w) in _GROUP_OF or w in extra_l
            or stem(w) in extra_l or (w.endswith("es") and w[:-2] in extra_l))


def _tokens(text: str) -> list[tuple[str, int, int]]:
    low = text.lower()
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(low)]


def _digit_value(tok: str) -> Decimal | None:
    if "," in tok and not re.fullmatch(r"\d{1,3}(,\d{2,3})+(\.\d+)?", tok):
        return None  # "5,3" is a list, not a number
    try:
        return Decimal(tok.replace(",", ""))
    except InvalidOperation:
        return None


def _words_value(toks, i) -> tuple[Decimal, int] | None:
    """Read 'two hundred and fifty' starting at toks[i]; returns (value, next index)."""
    total, current, j, seen = 0, 0, i, False
    while j < len(toks):
        w = toks[j][0]
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        elif w == "and" and seen and j + 1 < len(toks) and (
                toks[j + 1][0] in _ONES or toks[j + 1][0] in _TENS):
            j += 1
            continue
        elif w == "-" and seen and j + 1 < len(toks) and toks[j + 1][0] in _ONES:
            j += 1
            continue
        else:
            break
        seen = True
        j += 1
    return (Decimal(total + current), j) if seen else None


def parse_quantities(text: str, unit_words: Iterable[str] = ()) -> list[QtyMention]:
    """Every quantity said in `text`, with the unit word that follows it (if any).

    `unit_words` are the world's unit names (e.g. from `Lexicon.unit_words`) so units
    beyond the generic families are recognised. Sizes ("100g", "5 litre"), codes
    ("SO-1234"), dates, money and durations are not quantities. Measure words (kg,
    litre...) count as units only when the world has a unit of that name.
    """
    units = {u.lower() for u in unit_words}
    toks = _tokens(text)
    out: list[QtyMention] = []
    i = 0
    while i < len(toks):
        w, s, e = toks[i]
        prev = toks[i - 1][0] if i else ""
        value: Decimal | None = None
        j = i + 1
        if w[0].isdigit():
            glued = e < len(text) and (text[e:e + 1].isalpha() or text[e:e + 1] in "-/:")
            attached = s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-/#.:")
            if attached or (glued and not _glued_unit(text, e, units)):
                i += 1  # part of a code, date or size like "SO-1234", "1/11", "100g"
                continue
            value = _digit_value(w)
        elif w in ("half",) and j < len(toks) and toks[j][0] == "a" and j + 1 < len(toks) \
                and toks[j + 1][0] in _DOZEN:
            value, j = Decimal(6), j + 2
            out.append(_mention(value, None, s, toks[j - 1][2]))
            i = _attach_unit(out, toks, j, text, units)
            continue
        elif w in ("a", "an") and j < len(toks) and toks[j][0] == "couple":
            value, j = Decimal(2), j + 1
            if j < len(toks) and toks[j][0] == "of":
                j += 1
        elif w == "couple" and j < len(toks) and toks[j][0] == "of":
            value, j = Decimal(2), j + 1
        elif w in ("a", "an", "one") and j < len(toks) and toks[j][0] in _DOZEN:
            value = Decimal(1)
        elif w in ("a", "an") and j < len(toks) and _is_qty_unit(toks[j][0], units):
            value = Decimal(1)
        elif w in _DOZEN and prev not in ("a", "an") and not (prev and prev[0].isdigit()):
            value, j = Decimal(12), i + 1
            out.append(_mention(value, None, s, e))
            i = _attach_unit(out, toks, j, text, units)
            continue
        else:
            got = _words_value(toks, i)
            if got:
                value, j = got
        if value is None:
            i += 1
            continue
        nxt = toks[j][0] if j < len(toks) else ""
        if prev in _MONEY_BEFORE or nxt in _MONEY_AFTER or nxt in _TIME_WORDS or \
                nxt in _MONTHS or prev in _MONTHS or nxt in ("st", "nd", "rd", "th"):
            i = j
            continue
        if nxt in MEASURE_WORDS and nxt not in units:
            i = j + 1  # a size ("5 litre oil"), not how many
            continue
        end = toks[j - 1][2]
        if nxt in _DOZEN:
            value, end, j = value * 12, toks[j][2], j + 1
        out.append(_mention(value, None, s, end))
        i = _attach_unit(out, toks, j, text, units)
    return out


def _glued_unit(text: str, end: int, units: set[str]) -> bool:
    """'20pcs' / '5cases' / '2x': a unit glued to the number is still a unit."""
    m = re.match(r"[a-z]+", text[end:].lower())
    return bool(m) and _is_qty_unit(m.group(0), units)


def _is_qty_unit(word: str, units: set[str]) -> bool:
    if word in MEASURE_WORDS and word not in units:
        return False
    return is_unit_word(word, units)


def _mention(value: Decimal, unit: str | None, s: int, e: int) -> QtyMention:
    qty = int(value) if value == value.to_integral_value() else None
    return QtyMention(qty, unit, s, e, value)


def _attach_unit(out: list[QtyMention], toks, j: int, text: str, units: set[str]) -> int:
    """If a unit word follows the last mention (optionally after '-'/'x'), attach it."""
    k = j
    if k < len(toks) and toks[k][0] in ("-", "x"):
        k += 1
    if k < len(toks) and toks[k][0] not in ("a", "an") and _is_qty_unit(toks[k][0], units):
        m = out[-1]
        word = text[toks[k][1]:toks[k][2]]
        out[-1] = QtyMention(m.qty, word, m.start, toks[k][2], m.value)
        return k + 1
    # "20pcs": unit glued to the digits
    m = out[-1]
    if toks[j - 1][0][:1].isdigit():
        g = re.match(r"[a-z]+", text[m.end:].lower())
        if g and _is_qty_unit(g.group(0), units):
            out[-1] = QtyMention(m.qty, text[m.end:m.end + g.end()], m.start, m.end + g.end(),
                                 m.value)
            return j + 1
    return j


def resolve_unit(unit_word: str | None, sku_units: list[tuple[str, int]]) -> tuple[str, int] | None:
    """Map a spoken unit onto one of the SKU's units [(name, factor)], base unit first.

    None (no unit said) and piece words (pcs, piece, nos, unit) give the base unit unless
    the SKU has a unit of that very name; families ("carton" ~ CASE ~ CTN) are tried when
    the exact word is missing; a close spelling ("bottels") is accepted last.
    Returns None when the SKU has no such unit (the caller says which units exist).
    """
    if not sku_units:
        return None
    by_name = {n.lower(): (n, f) for n, f in sku_units}
    if unit_word is None:
        return sku_units[0]
    w = unit_word.lower().strip(" .")
    key = unit_key(w)
    for cand in (w, key, stem(w), w[:-2] if w.endswith("es") else w):
        if cand in by_name:
            return by_name[cand]
        for name, val in by_name.items():
            if unit_key(name) == cand:
                return val
    if key in BASE_WORDS:
        for name, val in by_name.items():
            if name in BASE_WORDS or unit_key(name) in BASE_WORDS:
                return val
        return sku_units[0]
    group = _GROUP_OF.get(key)
    if group:
        for member in group:
            for name, val in by_name.items():
                if unit_key(name) == member:
                    return val
    sim = lambda n: max(fuzz.ratio(n, w), fuzz.ratio(n, stem(w)))  # noqa: E731
    best = max(by_name, key=sim)
    if len(w) >= 4 and sim(best) >= 80:
        return by_name[best]
    return None
