"""Quantities in a message ("20 boxes", "a dozen", "two hundred and fifty pcs", "dedh katta",
"do peti") and mapping the unit word people use onto one of a SKU's units.

Built on the core's one vocabulary (core.units, core.quantities), so the planner reads
numbers and units exactly as the tools and the order service do. The public functions keep
their earlier shapes: `parse_quantities`, `resolve_unit`, `is_unit_word`, `unit_key`,
`QtyMention`, `UNIT_GROUPS`, `BASE_WORDS`. `read_unit` gives the core's full reading (how a
word matched, conversions such as "2 quintal" = 200 KG) or raises its error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from agent.nlu.text import MEASURE_WORDS, STOPWORDS, stem
from core.errors import InvalidInput
from core.quantities import AmountSpan, find_amounts, scan_numbers, tokens
from core.units import (
    FAMILIES,
    FAMILY,
    NOT_UNITS,
    WORDS,
    UnitMatch,
    clean,
    looks_like_unit,
    read_word,
    typo_candidates,
    unit_family,
)
from core.units import resolve_unit as _core_resolve

# Units people name, by family (from core.units): a family is tried when the SKU lacks the
# word itself, so "carton" finds CASE and "case" finds CTN.
UNIT_GROUPS: list[tuple[str, ...]] = [
    tuple(dict.fromkeys((f.key, *f.english, *f.abbreviations, *f.regional))) for f in FAMILIES if f.kind == "pack"
]
BASE_WORDS = frozenset(w for w, ss in WORDS.items() if any(s.family == "piece" for s in ss))

_TIME_WORDS = {
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "hour",
    "hours",
    "hrs",
    "minutes",
    "mins",
    "pm",
    "am",
    "percent",
    "pct",
    "%",
    "din",
    "dino",
    "hafta",
    "hafte",
    "mahina",
    "mahine",
    "saal",
    "baje",
    "ghanta",
    "ghante",
    "minute",
    "sec",
    "secs",
}
_MONEY_BEFORE = {"rs", "inr", "₹", "rupees", "rupee", "amount", "of₹"}
_MONEY_AFTER = {"rs", "rupees", "rupee", "inr", "/-", "only", "rupaye", "rupaiye", "rupay"}
_MONTHS = set(
    "jan january feb february mar march apr april may jun june jul july aug august "
    "sep sept september oct october nov november dec december".split()
)


@dataclass(frozen=True)
class QtyMention:
    qty: int | None  # whole number as said (None when fractional: "2.5 cases")
    unit_word: str | None  # the unit as written ("boxes", "ctn", "katte"), None = no unit word
    start: int  # span of number and unit in the text
    end: int
    value: Decimal = Decimal(0)  # the number itself, fractional or not
    said: str = ""  # the number as written ("dedh", "two dozen")


def unit_key(word: str) -> str:
    """'Boxes' -> 'box', 'PCS' -> 'pcs', 'cartons' -> 'carton', 'katte' -> 'katta'."""
    w = clean(word)
    got = WORDS.get(w)
    if got:
        return got[0].lemma
    s = stem(w)
    return WORDS[s][0].lemma if s in WORDS else w


def _measure_ok(word: str, units: frozenset[str]) -> bool:
    """A measure word after a number is a quantity only when the world sells by it: a unit of
    the same family ("kilo" when a SKU has KG), or of the same dimension for measures that
    are never a pack size ("2 quintal" when a SKU has KG). Otherwise it is a size ("5 litre oil")."""
    fams = [s.family for s in WORDS.get(clean(word), ())]
    if not fams:
        return clean(word) in units
    world = {f for u in units for f in (unit_family(u),) if f}
    for f in fams:
        fam = FAMILY[f]
        if f in world:
            return True
        if fam.bulk and any(FAMILY[w].dimension == fam.dimension for w in world if FAMILY[w].kind == "measure"):
            return True
    return False


@lru_cache(maxsize=16384)
def _is_qty_unit(word: str, units: frozenset[str], glued: bool = False) -> bool:
    """Whether `word`, right after a number, is its unit: a unit word, a world's unit name, a
    measure the world sells by, or a close misspelling of one (reported if it fits none).
    A measure glued to its number ("5L", "50kg") is a size unless the world has a unit of
    exactly that name: names are full of sizes."""
    w = clean(word)
    if not w or not re.fullmatch(r"[a-z]+|₹", w):
        return False
    if w in units or re.sub(r"e?s$", "", w) in units:
        return True
    if len(w) == 1:
        return False  # "l joint", "5 m": a letter is a unit only where the world names one so
    if w in MEASURE_WORDS or any(FAMILY[s.family].kind == "measure" for s in WORDS.get(w, ())):
        return not glued and _measure_ok(w, units)
    if len(w) == 1 or w in NOT_UNITS:
        return False
    reading = read_word(w, units)
    if reading is not None:
        if reading.read_as and any(FAMILY[f].kind == "measure" for f in reading.families if f in FAMILY):
            return _measure_ok(reading.read_as, units)
        return True
    return bool(typo_candidates(w, units, loose=True))


def is_unit_word(word: str, extra: Iterable[str] = ()) -> bool:
    return _is_qty_unit(word, frozenset(e.lower() for e in extra))


def parse_quantities(text: str, unit_words: Iterable[str] = ()) -> list[QtyMention]:
    """Every quantity said in `text`, with the unit word that follows it (if any).

    `unit_words` are the world's unit names (e.g. from `Lexicon.unit_words`) so units
    beyond the generic families are recognised. Sizes ("100g", "5 litre"), codes
    ("SO-1234"), dates, money and durations are not quantities. Measure words (kg,
    litre...) count as units only when the world sells by them. A word right after a number
    that looks like a unit but is none the vocabulary knows (a misspelling close to two
    units) is still returned as the unit word, so the caller asks instead of ordering pieces.
    """
    units = frozenset(u.lower() for u in unit_words)
    toks = tokens(text)
    low = text.lower()
    index = {t.start: k for k, t in enumerate(toks)}
    out: list[QtyMention] = []
    used_to = 0

    def unit_at(k: int) -> tuple[int, int] | None:
        """(token index of the unit word, end) after an optional '-'/'x'."""
        if k < len(toks) and toks[k].text in ("-", "x") and k + 1 < len(toks):
            k += 1
        glued = 0 < k < len(toks) and toks[k - 1].end == toks[k].start and toks[k - 1].digits
        if k < len(toks) and toks[k].text not in ("a", "an") and _is_qty_unit(toks[k].text, units, glued):
            return k, toks[k].end
        return None

    spans = scan_numbers(text, unit_after=lambda w: _is_qty_unit(w, units))
    # "a carton", "an box", "a couple of crates", "couple of bags"
    for k, t in enumerate(toks):
        if t.text in ("a", "an", "couple") and not any(sp.start <= t.start < sp.end for sp in spans):
            j = k + 1
            value = Decimal(1)
            if t.text == "couple" or toks[j].text == "couple" if j < len(toks) else False:
                value = Decimal(2)
                j = j + 1 if t.text != "couple" else j
                if j < len(toks) and toks[j].text == "of":
                    j += 1
            elif k > 0 and toks[k - 1].text == "couple":
                continue
            u = unit_at(j)
            if u is not None or value == 2:
                from core.quantities import NumberSpan

                spans.append(NumberSpan(value, t.start, toks[j - 1].end, text[t.start : toks[j - 1].end], True))
    spans.sort(key=lambda sp: sp.start)

    for sp in spans:
        if sp.start < used_to:
            continue
        first = index.get(sp.start)
        after = next((k for k, t in enumerate(toks) if t.start >= sp.end), len(toks))
        if first is None:
            continue
        s, e = sp.start, sp.end
        if toks[first].digits:
            glued = e < len(text) and (text[e : e + 1].isalpha() or text[e : e + 1] in "-/:")
            attached = s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-/#.:")
            if attached or (glued and not _glued_unit(low, e, units)):
                continue  # part of a code, date or size like "SO-1234", "1/11", "100g"
        prev = toks[first - 1].text if first > 0 else ""
        nxt = toks[after].text if after < len(toks) else ""
        if (
            prev in _MONEY_BEFORE
            or nxt in _MONEY_AFTER
            or nxt in _TIME_WORDS
            or nxt in _MONTHS
            or prev in _MONTHS
            or nxt in ("st", "nd", "rd", "th")
        ):
            used_to = e
            continue
        if (
            (nxt in MEASURE_WORDS or any(FAMILY[x.family].kind == "measure" for x in WORDS.get(nxt, ())))
            and not sp.dozen
            and not _is_qty_unit(nxt, units)
        ):
            used_to = toks[after].end  # a size ("5 litre oil"), not how many
            continue
        qty = int(sp.value) if sp.value == sp.value.to_integral_value() else None
        m = QtyMention(qty, None, s, e, sp.value, sp.said)
        u = unit_at(after)
        if u is not None:
            k, end = u
            if _is_measure(toks[k].text) and _inside_name(toks, first, k):
                used_to = end  # "Cement 50kg bag", "Adhesive 1 kg jar": a size inside a name
                continue
            m = QtyMention(qty, text[toks[k].start : end], s, end, sp.value, sp.said)
        out.append(m)
        used_to = m.end
    return out


# Words around a quantity that are no part of a product's name.
_AROUND = STOPWORDS | frozenset(
    "order need want send give add also plus more extra only each aur bhi chahiye chaiye chahie dena dedo "
    "bhejo bhej do please pls book supply deliver get x mujhe muje hume humein humko hamein mere mera meri "
    "liye ke ka ki ko bhai sir ji sirji bhaiya kal aaj abhi".split()
)


def _is_measure(word: str) -> bool:
    return word in MEASURE_WORDS or any(FAMILY[s.family].kind == "measure" for s in WORDS.get(word, ()))


def _inside_name(toks, first: int, unit: int) -> bool:
    """A measure between two name words ("Cement 50kg bag") is a size, not how much: the word
    before the number and the word after the measure are both words of a name."""
    before = toks[first - 1].text if first > 0 else ""
    after = toks[unit + 1].text if unit + 1 < len(toks) else ""
    return bool(
        re.fullmatch(r"[a-z]+", before)
        and before not in _AROUND
        and re.fullmatch(r"[a-z]+", after)
        and after not in _AROUND
    )


def _glued_unit(low: str, end: int, units: frozenset[str]) -> bool:
    """'20pcs' / '5cases' / '2x': a unit glued to the number is still a unit."""
    m = re.match(r"[a-z]+", low[end:])
    return m is not None and _is_qty_unit(m.group(0), units, glued=True)


def read_unit(unit_word: str | None, sku_units: list[tuple[str, int]], what: str | None = None) -> UnitMatch:
    """The core's reading of a unit word for one SKU (how it matched, its factor in base units,
    conversions such as 'dozen' or 'quintal'); raises UnknownUnit or AmbiguousUnit."""
    return _core_resolve(unit_word, sku_units, what)


def resolve_unit(unit_word: str | None, sku_units: list[tuple[str, int]]) -> tuple[str, int] | None:
    """Map a spoken unit onto one of the SKU's units [(name, factor)], base unit first.

    None (no unit said) gives the base unit; piece words (pcs, nos, units) the base unit when
    it is counted; families ("carton" ~ CASE ~ CTN, "katte" ~ BAG), regional words and close
    spellings ("bottels") are read by the core's vocabulary. Returns None when the SKU has no
    such unit, when the word fits several of its units, or when the word converts to no unit
    of its own ("quintal" of a KG product: use `read_unit`) - the caller asks which unit.
    """
    if not sku_units:
        return None
    try:
        m = _core_resolve(unit_word, sku_units)
    except InvalidInput:
        return None
    if m.factor != m.unit_factor:
        return None
    return m.unit, m.unit_factor


def parse_amounts(text: str) -> list[AmountSpan]:
    """Amounts of money in a message ("Rs 500", "1.5 lakh", "10k", "50 hazaar", "₹2L", "500/-")."""
    return find_amounts(text)


__all__ = [
    "BASE_WORDS",
    "MEASURE_WORDS",
    "UNIT_GROUPS",
    "QtyMention",
    "is_unit_word",
    "looks_like_unit",
    "parse_amounts",
    "parse_quantities",
    "read_unit",
    "resolve_unit",
    "unit_key",
]
