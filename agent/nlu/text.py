"""Shared text handling for the offline planner's NLU: tokens with spans, sizes, stems.

Everything here is world-agnostic; names of the imported world only enter through
`agent.nlu.lexicon.Lexicon`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Function words that never identify a product, customer or place.
STOPWORDS = frozenset(
    "a an the of for to and or in on at by with from my me i we our us you your is are was "
    "be been it its this that these those please pls plz kindly some any do does did have has "
    "had can could would will shall should what which who whom how much many also too just "
    "then there here than as so if but not no yes ok okay hi hello hey".split()
)

# Words of a *name* that say nothing about which entry it is ("Paints and Primers").
NAME_STOPWORDS = frozenset("a an the of for and with in on to by & n".split())

# Measure words after a number make a *size* ("100g", "5 litre"), normalised to one
# canonical token per dimension so "1 litre", "1L" and "1000 ml" compare equal.
_MEASURES: dict[str, tuple[str, Decimal]] = {}
for _words, _unit, _factor in (
    ("g gm gms gr grm grms gram grams gramme grammes", "g", Decimal(1)),
    ("kg kgs kilo kilos kilogram kilograms kilogramme", "g", Decimal(1000)),
    ("mg mgs milligram milligrams", "g", Decimal("0.001")),
    ("ml mls millilitre millilitres milliliter milliliters", "ml", Decimal(1)),
    ("l lt ltr ltrs litre litres liter liters", "ml", Decimal(1000)),
    ("mm millimetre millimeter millimetres millimeters", "mm", Decimal(1)),
    ("cm centimetre centimeter centimetres centimeters", "mm", Decimal(10)),
    ("mtr mtrs metre metres meter meters", "mm", Decimal(1000)),
    # sizes of fittings, wires and sheets: kept as said (an inch pipe is named by its inch size)
    ("inch inches", "inch", Decimal(1)),
    ("sqmm", "sqmm", Decimal(1)),
    ("ft feet foot", "ft", Decimal(1)),
    ("gauge", "gauge", Decimal(1)),
):
    for _w in _words.split():
        _MEASURES[_w] = (_unit, _factor)

MEASURE_WORDS = frozenset(_MEASURES)
_FRACTIONS = {
    "half": Decimal("0.5"),
    "quarter": Decimal("0.25"),
    "1/2": Decimal("0.5"),
    "1/4": Decimal("0.25"),
    "3/4": Decimal("0.75"),
}
_MEASURE_ALT = "|".join(sorted(map(re.escape, _MEASURES), key=len, reverse=True))
SIZE_RE = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?|half(?:\s+a)?|quarter(?:\s+a)?|1/2|1/4|3/4)\s*-?\s*({_MEASURE_ALT})(?![a-z0-9])",
    re.I,
)
_SIZE_TOKEN_RE = re.compile(r"^(\d+(?:\.\d+)?)(g|ml|mm|inch|sqmm|ft|gauge)$")
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'’][a-z0-9]+)*")


def fmt_decimal(d: Decimal) -> str:
    d = d.normalize()
    return str(d.quantize(Decimal(1))) if d == d.to_integral() else format(d, "f")


def canonical_size(number: str, measure: str) -> str | None:
    """'1', 'kg' -> '1000g'; 'half', 'litre' -> '500ml'. None if not a measure."""
    unit = _MEASURES.get(measure.lower())
    if unit is None:
        return None
    num = number.lower().replace(" a", "").strip()
    try:
        value = _FRACTIONS[num] if num in _FRACTIONS else Decimal(num)
    except InvalidOperation:
        return None
    return fmt_decimal(value * unit[1]) + unit[0]


def size_parts(token: str) -> tuple[Decimal, str] | None:
    """'1000g' -> (1000, 'g'); None for anything that is not a canonical size token."""
    m = _SIZE_TOKEN_RE.match(token)
    return (Decimal(m.group(1)), m.group(2)) if m else None


def stem(word: str) -> str:
    """Light plural folding so 'biscuits' meets 'biscuit' and 'noodles' meets 'noodle'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Token:
    text: str  # normalised: lower case, stemmed word, or canonical size ('500g')
    start: int  # span in the original string
    end: int
    kind: str  # 'word' | 'num' | 'size'
    raw: str = ""  # for sizes: the number as written ('1' of '1kg')


def tokenize(text: str, *, blank: list[tuple[int, int]] | None = None) -> list[Token]:
    """Tokens with spans; sizes become one canonical token; spans in `blank` are skipped."""
    low = text.lower()
    skip = list(blank or [])
    tokens: list[Token] = []
    for m in SIZE_RE.finditer(low):
        if any(s <= m.start() < e for s, e in skip):
            continue
        canon = canonical_size(m.group(1), m.group(2))
        if canon:
            tokens.append(Token(canon, m.start(), m.end(), "size", m.group(1).split()[0]))
            skip.append((m.start(), m.end()))
    for m in _WORD_RE.finditer(low):
        if any(s <= m.start() < e for s, e in skip):
            continue
        w = m.group(0).replace("’", "'")
        if w.replace(".", "", 1).isdigit():
            tokens.append(Token(w, m.start(), m.end(), "num"))
        else:
            w = w.replace("'", "")
            tokens.append(Token(stem(w), m.start(), m.end(), "word"))
    tokens.sort(key=lambda t: t.start)
    return tokens


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, collapsed whitespace (for phrase patterns)."""
    low = text.lower().replace("’", "'")
    low = re.sub(r"[^\w'\-/.@#₹]+", " ", low)
    return re.sub(r"\s+", " ", low).strip()
