"""Numbers, quantities and amounts as people write them, and order lines read into base units.

Numbers: digits with separators (1,200 and the Indian 1,20,000), decimals, fractions (1/2,
3/4, "1 1/2"), English words ("two hundred and fifty", "one and a half", "three quarters"),
Hindi and Hinglish words (ek do teen ... sau hazaar lakh crore; aadha 1/2, dedh 1.5, dhai 2.5,
sawa X = X + 1/4, saadhe X = X + 1/2, paune X = X - 1/4) and dozens ("2 dozen" 24, "half
dozen" and "aadha darjan" 6). `scan_numbers` finds them in a text with their spans;
`parse_number` reads a text that is one number.

Amounts of money: the same numbers with money's shorthand (10k, 1.5 lakh, 2L, 2 lac, 3 cr,
50 hazaar, Rs 1,20,000/-): `parse_amount`, `find_amounts`. Money stays Decimal.

Order lines: `read_line` reads a quantity (a number or words) and a unit word against one
SKU's units (core.units) into a whole number of base units, and keeps how it read them so a
preview can say so ("10 katte → 10 BAG = 500 KG"). A quantity that is not a whole number of
base units is an error that says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from .errors import InvalidInput
from .units import UnitMatch, looks_like_unit, resolve_unit

MAX_QTY = 2_147_483_647  # what the databases' INTEGER holds

# --- number words --------------------------------------------------------------------------

_EN_ONES = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}

# Hindi numbers 1-100 as people type them in Latin letters (common spellings; more spellings
# are met through `_key`, which folds doubled letters and long vowels).
_HINDI_NUMBERS = """
1 ek|ik 2 do|dau 3 teen 4 char|chaar 5 paanch|panch|paach 6 chhe|chhah|chah|che|chheh|chha 7 saat|sat
8 aath|ath 9 nau|nao 10 das|dus 11 gyarah|gyara|gyaarah|egyarah 12 barah|bara|baarah 13 terah|tera|tehra
14 chaudah|chauda|chodah 15 pandrah|pandra|pandhra 16 solah|sola 17 satrah|satra|sattrah 18 atharah|athara|attharah
19 unnis|unees|unnees 20 bees|bis 21 ikkis|ikkees 22 bais|baees|baais 23 teis|teees|teyis 24 chaubis|chobis|chaubees
25 pachis|pachees|pacchis 26 chhabbis|chabbis|chhabbees 27 sattais|sattaees 28 athais|atthais|athaees
29 untis|untees 30 tees|tis 31 iktis|ikattis 32 battis|battees 33 tetis|taintis|tentees 34 chautis|chauntis
35 paintis|pentis|paitees 36 chhattis|chattis 37 saintis|sentis 38 artis|adtis|adtees 39 untalis|unchalis
40 chalis|chaalis|chalees 41 iktalis 42 bayalis|byalis 43 tetalis|taintalis 44 chavalis|chauvalis 45 paintalis|pentalis
46 chhiyalis|chiyalis 47 saintalis 48 artalis|adtalis 49 unchas|unpachas 50 pachas|pachaas 51 ikyavan|ikyaavan
52 bavan|baavan 53 tirpan|trepan 54 chauvan|chauvan 55 pachpan 56 chhappan|chappan 57 sattavan 58 atthavan|athavan
59 unsath 60 saath|sath 61 iksath 62 basath 63 tirsath 64 chausath|chonsath 65 painsath 66 chhiyasath|chiyasath
67 sarsath 68 arsath|adsath 69 unhattar 70 sattar|sattar 71 ikhattar 72 bahattar 73 tihattar 74 chauhattar
75 pachhattar|pachattar 76 chhihattar 77 satattar|sathattar 78 athattar 79 unasi|unnasi 80 assi|assee|asi
81 ikyasi 82 bayasi 83 tirasi 84 chaurasi 85 pachasi 86 chhiyasi 87 sattasi 88 athasi|atthasi 89 navasi|nawasi
90 nabbe|nabbey|nabbay 91 ikyanve 92 banve|baanve 93 tiranve 94 chauranve 95 pachanve 96 chhiyanve 97 sattanve
98 attanve|athanve 99 ninyanve|ninyanbe
"""


def _key(word: str) -> str:
    """A spelling key for Hindi words: long vowels and doubled letters folded ("paanch" ~ "panch")."""
    w = word.lower().replace("ee", "i").replace("oo", "u").replace("w", "v")
    return re.sub(r"(.)\1+", r"\1", w)


_HINDI: dict[str, int] = {}
_HINDI_KEYS: dict[str, int] = {}
for _n, _spellings in re.findall(r"(\d+) (\S+)", _HINDI_NUMBERS):
    for _s in _spellings.split("|"):
        _HINDI[_s] = int(_n)
        _HINDI_KEYS.setdefault(_key(_s), int(_n))

# Number words that are also everyday words ("do you have", "tin of paint", "with" = saath):
# read as numbers only when a unit, a dozen or a larger number word follows ("do katte", "do sau").
WEAK_WORDS = frozenset(
    "do sat saath sath bis bees tis tees tera bara sola che chha chah dau ik asi nao das char".split()
)

_SCALES = {
    "hundred": 100,
    "hundreds": 100,
    "sau": 100,
    "thousand": 1000,
    "thousands": 1000,
    "hazaar": 1000,
    "hazar": 1000,
    "hajar": 1000,
    "hajaar": 1000,
    "hazzar": 1000,
    "hazaaar": 1000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "lac": 100_000,
    "lacs": 100_000,
    "laakh": 100_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
    "karod": 10_000_000,
    "karor": 10_000_000,
    "caror": 10_000_000,
}
_MONEY_SCALES = {"k": 1000, "l": 100_000, "cr": 10_000_000, "lk": 100_000, "lks": 100_000, "crs": 10_000_000}
_HALF = Fraction(1, 2)
_HINDI_FRACTIONS = {
    **dict.fromkeys("aadha adha aadhi adhi aadhe adhe aadhaa".split(), _HALF),
    **dict.fromkeys("dedh derh dhedh deidh dedhh".split(), Fraction(3, 2)),
    **dict.fromkeys("dhai dhaai dhaayi dhaee adhai arhai adhaai dhayi".split(), Fraction(5, 2)),
}
_MODIFIERS = {
    **dict.fromkeys("sawa sava savaa sawaa".split(), Fraction(1, 4)),
    **dict.fromkeys("saadhe sadhe saade sade saarhe sarhe".split(), _HALF),
    **dict.fromkeys("paune pone paone paune".split(), Fraction(-1, 4)),
}
DOZEN_WORDS = frozenset("dozen dozens doz dz darjan darzan darjon".split())
_EN_FRACTIONS = {"half": _HALF, "quarter": Fraction(1, 4), "quarters": Fraction(1, 4)}


@lru_cache(maxsize=8192)
def number_word(word: str) -> int | None:
    """The value of one number word (English or Hindi, 0-99), None if it is none."""
    w = word.lower()
    if w in _EN_ONES:
        return _EN_ONES[w]
    if w in _EN_TENS:
        return _EN_TENS[w]
    if w in _HINDI:
        return _HINDI[w]
    if len(w) >= 4 and w.isalpha():
        return _HINDI_KEYS.get(_key(w))
    return None


_EN_SCALES = frozenset("hundred hundreds thousand thousands million millions".split())


def _lang(word: str) -> str | None:
    """'en' or 'hi' for a number word of one language; None for digits, lakh and crore."""
    w = word.lower()
    if w in _EN_ONES or w in _EN_TENS or w in _EN_SCALES:
        return "en"
    if w in ("lakh", "lakhs", "lac", "lacs", "crore", "crores", "laakh") or not w.isalpha():
        return None
    if w in _SCALES or number_word(w) is not None:
        return "hi"
    return None


def _is_number_start(word: str) -> bool:
    w = word.lower()
    return (
        number_word(w) is not None
        or w in _SCALES
        or w in _HINDI_FRACTIONS
        or w in _MODIFIERS
        or w in _EN_FRACTIONS
        or w in DOZEN_WORDS
    )


# --- tokens --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:,\d+)*(?:\.\d+)?(?:/\d+)?|\.\d+|[a-z]+|₹|/-|[^\sa-z0-9]")


@dataclass(frozen=True)
class Tok:
    text: str
    start: int
    end: int

    @property
    def digits(self) -> bool:
        return self.text[0].isdigit() or (self.text[0] == "." and len(self.text) > 1)


def tokens(text: str) -> list[Tok]:
    """Tokens of lower-cased `text` with their spans; digit runs with bad thousands groups
    ("10,20" is a list) are split at their commas."""
    out: list[Tok] = []
    for m in _TOKEN.finditer(text.lower()):
        t = m.group(0)
        if "," in t and not _grouped(t.split(".")[0].split("/")[0]):
            pos = m.start()
            for part in t.split(","):
                if part:
                    out.append(Tok(part, pos, pos + len(part)))
                pos += len(part) + 1
            continue
        out.append(Tok(t, m.start(), m.end()))
    return out


def _grouped(digits: str) -> bool:
    """'1,200', '12,345,678' (thousands) and '1,20,000' (lakhs) are numbers; '10,20' is not."""
    parts = digits.split(",")
    if len(parts) == 1:
        return True
    if not (1 <= len(parts[0]) <= 3) or len(parts[-1]) != 3:
        return False
    middle = parts[1:-1]
    return all(len(p) == 3 for p in middle) or all(len(p) == 2 for p in middle) and len(parts[0]) <= 2


def _digits_value(t: str) -> Fraction | None:
    """'1,200' -> 1200, '2.5' -> 5/2, '3/4' -> 3/4 (halves, quarters and eighths only)."""
    try:
        if "/" in t:
            a, b = t.split("/")
            if "." in a or "," in a or int(b) not in (2, 4, 8) or int(a) == 0:
                return None
            return Fraction(int(a), int(b))
        return Fraction(Decimal(t.replace(",", "")))
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None


def shown(value: object, limit: int = 60) -> str:
    """A value as echoed in a message, cut short: a message never repeats a huge input."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- reading numbers -----------------------------------------------------------------------


@dataclass(frozen=True)
class NumberSpan:
    """A number found in a text: its value, its span, and whether it was said in words."""

    value: Decimal
    start: int
    end: int
    said: str  # the text of the span
    words: bool = False  # said (partly) in words
    dozen: bool = False  # a dozen multiplied it ("2 dozen")
    money: bool = False  # money shorthand took part (10k, 2L, 3 cr)


def _to_decimal(f: Fraction) -> Decimal:
    if f.denominator == 1:
        return Decimal(f.numerator)
    return Decimal(f.numerator) / Decimal(f.denominator)


class _Reader:
    """Reads one number phrase at a token index. The grammar, greedy:
    [modifier] base [scale...] [and a half | and a quarter] [dozen]."""

    def __init__(self, toks: list[Tok], money: bool, unit_after: Callable[[str], bool] | None):
        self.t = toks
        self.money = money
        self.unit_after = unit_after

    def word(self, i: int) -> str:
        return self.t[i].text if 0 <= i < len(self.t) else ""

    def glued(self, i: int) -> bool:
        """Token i touches token i-1 (no space): '10k', '2L'."""
        return 0 < i < len(self.t) and self.t[i - 1].end == self.t[i].start

    def scale_at(self, i: int) -> int | None:
        w = self.word(i)
        if w in _SCALES:
            return _SCALES[w]
        if self.money and w in _MONEY_SCALES and (self.glued(i) or w != "l"):
            return _MONEY_SCALES[w]
        return None

    def base(self, i: int) -> tuple[Fraction, int, bool] | None:
        """A number without scales at i: (value, next index, said in words)."""
        w = self.word(i)
        if not w:
            return None
        if self.t[i].digits:
            v = _digits_value(w)
            if v is None:
                return None
            j = i + 1
            # "3 1/2"
            if v.denominator == 1 and "/" in self.word(j) and self.t[j].digits:
                f = _digits_value(self.word(j))
                if f is not None and f < 1:
                    return v + f, j + 1, False
            return v, j, False
        if w in _HINDI_FRACTIONS:
            return _HINDI_FRACTIONS[w], i + 1, True
        if w in ("a", "an", "one") and self.word(i + 1) in ("half", "quarter"):
            return _EN_FRACTIONS[self.word(i + 1)], i + 2, True
        if w == "half":
            j = i + 1
            nxt = self.word(j + 1)
            if self.word(j) in ("a", "an") and nxt and (nxt in DOZEN_WORDS or not _is_number_start(nxt)):
                j += 1  # "half a case", "half a dozen"
            return _HALF, j, True
        if w == "quarter":
            return Fraction(1, 4), i + 1, True
        if w in ("a", "an") and (self.scale_at(i + 1) or self.word(i + 1) in DOZEN_WORDS):
            return Fraction(1), i + 1, True
        return self.words(i)

    def words(self, i: int) -> tuple[Fraction, int, bool] | None:
        """English/Hindi word numbers below 100, with 'hundred' inside: 'two hundred and fifty'."""
        current: int | None = None
        tens = False  # the last word was a tens word ("twenty"), so a ones word may follow
        j = i
        while j < len(self.t):
            w = self.word(j)
            v = number_word(w)
            if v is not None and not self.t[j].digits:
                if current is None:
                    current = v
                elif current % 100 == 0 and current > 0 and v < 100:
                    current += v  # "two hundred fifty"
                elif tens and 0 < v < 10 and w in _EN_ONES:
                    current += v  # "twenty five", "a hundred and twenty one"
                else:
                    break
                tens = w in _EN_TENS
                j += 1
                continue
            if w in ("hundred", "hundreds") and current is not None and current < 100:
                current *= 100
                j += 1
                continue
            if (
                w in ("and", "-")
                and current is not None
                and number_word(self.word(j + 1)) is not None
                and not self.t[j + 1].digits
                and (current % 100 == 0 or w == "-")
            ):
                j += 1
                continue
            break
        if current is None:
            return None
        return Fraction(current), j, True

    def read(self, i: int) -> tuple[Fraction, int, NumberSpan | None] | None:
        """The number phrase at i: (value, next index)."""
        words = False
        dozen = money = False
        w = self.word(i)
        mod = _MODIFIERS.get(w)
        j = i
        if mod is not None:
            got = self.base(i + 1)
            if got is not None and got[0].denominator == 1:
                value, j, _ = got
                value += mod
            elif self.scale_at(i + 1) or self.word(i + 1) in DOZEN_WORDS or mod != _HALF:
                value, j = 1 + mod, i + 1  # "sawa sau" 125, "paune kilo" 3/4
            else:
                return None
            words = True
        else:
            got = self.base(i)
            if got is None:
                if self.scale_at(i) and self.t[i].text not in _MONEY_SCALES:
                    value, j, words = Fraction(1), i, True  # "hazaar", "sau" alone: scaled below
                elif w in DOZEN_WORDS:
                    return Fraction(12), i + 1, None
                else:
                    return None
            else:
                value, j, words = got
        # "three quarters", "three quarter"
        if self.word(j) in ("quarter", "quarters") and value.denominator == 1 and value < 4:
            value, j = value / 4, j + 1
        # "one and a half", "2 and a half"
        if self.word(j) == "and" and value.denominator == 1:
            k = j + 1
            if self.word(k) in ("a", "an"):
                k += 1
            if self.word(k) in ("half", "quarter"):
                value += _EN_FRACTIONS[self.word(k)]
                j, words = k + 1, True
        # scales: "5 hazaar", "1.5 lakh", "do sau pachaas", "2 lakh 50 hazaar", "10k"
        total = Fraction(0)
        last_scale = None
        while True:
            s = self.scale_at(j)
            if s is None:
                break
            if self.word(j) in _MONEY_SCALES and self.word(j) not in _SCALES:
                money = True
            if last_scale is not None and s > last_scale:
                total, value = (total + value) * s, Fraction(0)
            else:
                total, value = total + value * s, Fraction(0)
            last_scale = s
            j += 1
            words = words or self.t[j - 1].text not in _MONEY_SCALES
            nxt = self.base(j) if self.word(j) not in ("and",) else self.base(j + 1)
            if nxt is None:
                break
            k = nxt[1]
            smaller = self.scale_at(k)
            nw = self.word(j + 1 if self.word(j) == "and" else j)
            if nxt[2] and {_lang(self.word(j - 1)), _lang(nw)} == {"en", "hi"}:
                break  # "do sau three way joint": no number mixes Hindi and English words
            if nxt[2] and (smaller is None or smaller < s):  # words after a scale: "do sau pachaas"
                value, j = nxt[0], k
                continue
            if smaller is not None and smaller < s:  # "2 lakh 50 hazaar"
                value, j = nxt[0], k
                continue
            break
        value = total + value
        # dozens: "2 dozen", "half dozen", "aadha darjan"
        if self.word(j) in DOZEN_WORDS:
            value, j, dozen = value * 12, j + 1, True
        return value, j, NumberSpan(_to_decimal(value), self.t[i].start, self.t[j - 1].end, "", words, dozen, money)


def scan_numbers(
    text: str, *, money: bool = False, unit_after: Callable[[str], bool] | None = None, alone: bool = False
) -> list[NumberSpan]:
    """Every number in `text`, left to right, with its span. `money` reads money shorthand
    (10k, 2L, 3 cr). Words that are also everyday words ("do", "tin", "saath") count only
    when a unit (`unit_after`, default: the unit vocabulary), a dozen or a larger number
    word follows them, or (`alone`) when the text is that word alone."""
    toks = tokens(text)
    unit_after = unit_after or looks_like_unit
    r = _Reader(toks, money, unit_after)
    out: list[NumberSpan] = []
    i = 0
    while i < len(toks):
        got = r.read(i)
        if got is None:
            i += 1
            continue
        value, j, span = got
        if span is None:
            span = NumberSpan(_to_decimal(value), toks[i].start, toks[j - 1].end, "", True, True)
        if toks[i].text in WEAK_WORDS and j == i + 1 and not (alone and len(toks) == 1):
            nxt = r.word(j)
            if not (nxt and (unit_after(nxt) or nxt in DOZEN_WORDS)):
                i += 1
                continue
        out.append(
            NumberSpan(
                span.value, span.start, span.end, text[span.start : span.end], span.words, span.dozen, span.money
            )
        )
        i = j
    return out


def parse_number(text: str | int | Decimal, what: str = "quantity") -> Decimal:
    """A text that is one number ("12", "1,200", "1.5", "dedh", "two dozen", "sawa do") -> its value.
    Raises InvalidInput saying what would do."""
    if isinstance(text, bool):
        raise InvalidInput(f"{what}: {text!r} is not a number.")
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise InvalidInput(f"{what}: {text} is not a number.")
        return text
    if isinstance(text, float):
        return parse_number(repr(text), what)
    s = str(text).strip()
    sign = -1 if s[:1] == "-" else 1
    body = s[1:].strip() if s[:1] in "-+" else s
    found = scan_numbers(body, unit_after=lambda w: True, alone=True)
    rest = _leftover(body, found)
    if len(found) == 1 and rest.lower() in ("a", "an") and body.lower().endswith(rest.lower()) and found[0].value < 1:
        rest = ""  # "half a"
    if len(found) != 1 or rest:
        raise InvalidInput(
            f"{what}: {shown(text)!r} is not a number. Give digits (12, 1.5, 1,200) or words "
            f"(twelve, half, dedh, two dozen)."
        )
    return sign * found[0].value


def _leftover(text: str, spans: Sequence[NumberSpan]) -> str:
    low = text
    for sp in sorted(spans, key=lambda s: -s.start):
        low = low[: sp.start] + " " + low[sp.end :]
    return re.sub(r"[\s,]+", " ", low).strip()


# --- money -----------------------------------------------------------------------------------

_CURRENCY_BEFORE = re.compile(r"^\s*(?:rs\.?|inr|₹|rupees?|rupaye|rupaiye|rupay)\s*", re.I)
_CURRENCY_AFTER = re.compile(r"\s*(?:/-|/=|only|rs\.?|inr|rupees?|rupaye|rupaiye|rupay|₹)+\s*$", re.I)


def parse_amount(text: str | int | Decimal, what: str = "amount") -> Decimal:
    """An amount of money as people write it -> Decimal: '5000', '5,000.50', 'Rs 1,20,000/-',
    '₹1.5L', '10k', '1.5 lakh', '2 lac', '3 cr', '50 hazaar', 'paanch hazaar'."""
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidInput(f"{what}: {text} is not an amount of money.")
        return value
    if isinstance(text, float):
        return parse_amount(repr(text), what)
    s = str(text or "").strip()
    body = _CURRENCY_AFTER.sub("", _CURRENCY_BEFORE.sub("", s))
    found = scan_numbers(body, money=True, unit_after=lambda w: True, alone=True)
    if len(found) != 1 or _leftover(body, found) or found[0].dozen:
        raise InvalidInput(
            f"{what}: {shown(text)!r} is not an amount of money. Write it like 5000, 5,000.50, "
            f"Rs 1,20,000, 10k, 1.5 lakh or 2 crore."
        )
    return found[0].value


@dataclass(frozen=True)
class AmountSpan:
    value: Decimal
    start: int
    end: int
    said: str


_MARK_BEFORE = re.compile(r"(?:rs\.?|inr|₹|rupees?)\s*$", re.I)
_MARK_AFTER = re.compile(r"^\s*(?:/-|rs\b|rupees?\b|rupaye\b|inr\b|only\b)", re.I)


def find_amounts(text: str) -> list[AmountSpan]:
    """Amounts of money in a message: a number with a currency mark (Rs 500, ₹1.5L, 500/-,
    500 rupees) or with money shorthand (10k, 2 lakh, 50 hazaar, 3 cr)."""
    out = []
    for n in scan_numbers(text, money=True, unit_after=lambda w: False):
        before = text[max(0, n.start - 8) : n.start]
        after = text[n.end : n.end + 10]
        scaled = n.money or any(w in _SCALES and _SCALES[w] >= 1000 for w in re.findall(r"[a-z]+", n.said.lower()))
        mark = _MARK_BEFORE.search(before)
        if mark or _MARK_AFTER.search(after) or scaled:
            start = n.start - len(mark.group(0)) if mark else n.start
            out.append(AmountSpan(n.value, start, n.end, text[start : n.end]))
    return out


# --- order lines -------------------------------------------------------------------------------


def fmt(value: Decimal | Fraction | int) -> str:
    """12, 1.5, 0.25: a quantity without trailing zeros or exponents."""
    if isinstance(value, Fraction):
        value = _to_decimal(value) if (value * 1000).denominator == 1 else Decimal(value.numerator) / value.denominator
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


@dataclass(frozen=True)
class LineReading:
    """How one ordered item was read: the quantity and unit as said, the unit it was taken
    for, and the whole number of base units that makes."""

    sku: str
    said_qty: str  # the quantity as given ("10", "dedh", "1.5")
    value: Decimal  # its value
    match: UnitMatch
    base_qty: int

    @property
    def qty_in_unit(self) -> Decimal:
        f = Fraction(self.value) * self.match.factor / self.match.unit_factor
        return _to_decimal(f) if (f * 10**6).denominator == 1 else Decimal(f.numerator) / f.denominator

    def explain(self) -> str:
        """'10 katte → 10 BAG = 500 KG', '12 (no unit) → 12 PCS', '2 dozen → 24 PCS'."""
        m = self.match
        base = f"{self.base_qty} {m.base}"
        in_unit = f"{fmt(self.qty_in_unit)} {m.unit}"
        if m.how == "none":
            if any(w in DOZEN_WORDS for w in re.findall(r"[a-z]+", self.said_qty.lower())):
                return f"{self.said_qty} → {base}"
            return f"{self.said_qty} (no unit) → {base}"
        said = f"{self.said_qty} {m.said}"
        target = base if m.unit == m.base else f"{in_unit} = {base}"
        text = (
            target
            if said.casefold() == (in_unit.casefold() if m.unit != m.base else base.casefold())
            else f"{said} → {target}"
        )
        extra = []
        if m.read_as:
            extra.append(f"'{m.said}' read as '{m.read_as}'")
        if m.note:
            extra.append(m.note)
        return text + (f" ({'; '.join(extra)})" if extra else "")


def split_quantity(text: str) -> tuple[str, str | None]:
    """'2 cartons' -> ('2', 'cartons'); 'dedh' -> ('dedh', None): a quantity text with the unit
    word said after it (the last word when it is no number word)."""
    s = str(text).strip()
    found = scan_numbers(s, unit_after=lambda w: True)
    if len(found) == 1 and found[0].start == 0:
        rest = s[found[0].end :].strip(" -.")
        if rest and not re.search(r"\d", rest):
            rest = re.sub(r"^(?:of|x)\s+", "", rest, flags=re.I)
            if rest.lower() in ("a", "an"):
                return s, None  # "half a"
            m = re.match(r"(an?)\s+(.+)$", rest, re.I)
            if m and found[0].value < 1:  # "half a case"
                return s[: found[0].end].strip() + " " + m.group(1), m.group(2)
            return s[: found[0].end].strip(), rest or None
    return s, None


def read_line(
    sku: str, qty: str | int | Decimal, unit: str | None, units: Sequence[tuple[str, int]], what: str | None = None
) -> LineReading:
    """An item's quantity (int, Decimal, or text such as '1.5', 'dedh', 'two dozen', '2 cartons')
    and unit word read against the SKU's units into whole base units. Raises InvalidInput
    (UnknownUnit, AmbiguousUnit) with what to change."""
    label = what or sku
    said_unit = unit.strip() if isinstance(unit, str) and unit.strip() else None
    if isinstance(qty, str):
        number, in_text = split_quantity(qty)
        if in_text is not None:
            if said_unit is not None and _unit_of(in_text, units, label) != _unit_of(said_unit, units, label):
                raise InvalidInput(
                    f"The quantity '{shown(qty)}' of {label} names a unit and the unit says "
                    f"'{shown(said_unit)}'; "
                    f"give the unit once."
                )
            said_unit = said_unit or in_text
        value = parse_number(number, f"quantity of {label}")
        said_qty = number
    else:
        value = parse_number(qty, f"quantity of {label}")
        said_qty = fmt(value)
    said_qty = shown(said_qty)
    if value <= 0:
        raise InvalidInput(f"The quantity of {label} must be positive.")
    match = resolve_unit(said_unit, units, label)
    base = Fraction(value) * match.factor
    if base.denominator != 1:
        raise InvalidInput(_not_whole(said_qty, said_unit, value, match, base, units, label))
    if base > MAX_QTY:
        raise InvalidInput(f"{said_qty} {said_unit or match.base} of {label} is more than an order line can hold.")
    return LineReading(sku, said_qty, value, match, int(base))


def _unit_of(word: str, units: Sequence[tuple[str, int]], label: str) -> str:
    m = resolve_unit(word, units, label)
    return f"{m.unit}/{m.factor}"


def _not_whole(
    said_qty: str,
    said_unit: str | None,
    value: Decimal,
    match: UnitMatch,
    base: Fraction,
    units: Sequence[tuple[str, int]],
    label: str,
) -> str:
    as_said = f"{said_qty} {said_unit or match.base}"
    if match.unit == match.base and match.factor == 1:
        return (
            f"{as_said} of {label} is not a whole number of {match.base}, the smallest unit it is sold in; "
            f"give a whole number of {match.base}."
        )
    bigger = [n for n, f in units[1:] if (base / f).denominator == 1 and n != match.unit]
    hint = f" (or {fmt(base / dict(units)[bigger[0]])} {bigger[0]})" if bigger else ""
    return (
        f"{as_said} of {label} is {fmt(base)} {match.base}, not a whole number of {match.base}; "
        f"give a quantity that makes whole {match.base}{hint}."
    )
