"""Robustness variants: the same conversation as people also write it.

A variant of a scenario changes only the words of its user turns, never its checks: each
transformation must keep the meaning, so the variant expects exactly what the original
expects. To stay a correct paraphrase every transformation is conservative:

- it touches only words it can identify from the scenario's world (product words from the
  names and aliases of skus.csv/products.csv/brands.csv, the world's unit names), never a
  word of a customer, user, warehouse or region name, a code (SO-0905, OPC-K-2610), a
  barcode or a number other than a quantity;
- a unit is a unit only right after a quantity ("20 boxes", "a dozen"), so "tin sheet" or
  "price per bag" are left alone; a unit synonym is used only when no other unit of the
  world could be meant by it (no "carton" for a case where cartons exist, no "dabba" for a
  box where tins exist);
- when nothing in a turn can be transformed safely, the turn stays as it is; a scenario
  gets no variant of a kind that changes none of its turns.

Kinds (one kind per variant, applied to every user turn it fits, so failures can be put
down to a kind):

| kind | what |
| --- | --- |
| typo | one dropped, doubled or swapped letter (never the first) in one product or unit word of a turn |
| number-words | a quantity before a unit in words: "3 boxes" → "three boxes" / "teen boxes" (Hindi up to 10) |
| unit-synonyms | trade words: case → carton/ctn/peti, box → dabba, bag → katta/bori, packet → pkt, pieces → pcs/nos … |
| hinglish | "order X" → "X bhej do/chahiye/de do", "cancel SO-1" → "SO-1 cancel kar do", yes → haan, no → nahi … |
| filler | politeness and filler: pls, bhai, sir ji, kindly, asap |
| reorder | "20 boxes of X" ↔ "X 20 boxes" |

Every transformation is a pure function `(text, vocabulary, random.Random) -> (text, edits)`;
with the same seed the same variants come out.
"""

import csv
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from .scenario import Scenario, TurnSpec

KINDS = ("typo", "number-words", "unit-synonyms", "hinglish", "filler", "reorder")


@dataclass(frozen=True)
class Edit:
    kind: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.before!r} → {self.after!r}"


# --- the world's words ----------------------------------------------------------------------

# surface forms of unit names besides NAME, NAMEs, NAMEes (lower case)
UNIT_FORMS: dict[str, tuple[str, ...]] = {
    "PCS": ("pc", "pcs", "piece", "pieces", "nos"),
    "PIECE": ("pc", "pcs", "piece", "pieces", "nos"),
    "BOX": ("dabba", "dabbe"),
    "TIN": ("dabba", "dabbe"),  # a dabba of paint is a tin
    "JAR": ("dabba", "dabbe"),
    "CASE": ("peti", "carton", "cartons", "ctn", "ctns"),
    "CARTON": ("ctn", "ctns", "peti"),
    "BAG": ("katta", "bori"),
    "PACK": ("packet", "packets", "pkt", "pkts"),
    "PACKET": ("pack", "packs", "pkt", "pkts"),
    "DOZEN": ("doz",),
    "LITRE": ("litres", "liter", "liters", "ltr", "ltrs"),
    "METRE": ("metres", "meter", "meters", "mtr", "mtrs"),
    "KG": ("kgs", "kilo", "kilos"),
    "BOTTLE": ("btl", "btls"),
}

# what a unit may be written as instead: (singular, plural)
SYNONYMS: dict[str, tuple[tuple[str, str], ...]] = {
    "CASE": (("carton", "cartons"), ("ctn", "ctn"), ("peti", "peti")),
    "CARTON": (("ctn", "ctn"), ("peti", "peti")),
    "BOX": (("dabba", "dabba"),),
    "BAG": (("katta", "katta"), ("bori", "bori")),
    "PACK": (("pkt", "pkt"), ("packet", "packets")),
    "PACKET": (("pkt", "pkt"),),
    "PCS": (("piece", "pieces"), ("nos", "nos")),
    "PIECE": (("pcs", "pcs"), ("nos", "nos")),
    "DOZEN": (("doz", "doz"),),
    "BOTTLE": (("btl", "btl"),),
    "LITRE": (("ltr", "ltr"),),
    "METRE": (("mtr", "mtr"),),
}

# every unit word of any world: a "typo" that lands on one (litre → liter) is a spelling, not a typo
ALL_UNIT_WORDS = frozenset(
    [w for forms in UNIT_FORMS.values() for w in forms]
    + [w for pairs in SYNONYMS.values() for pair in pairs for w in pair]
)

ENGLISH = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
HINDI = ("_ ek do teen char paanch chhe saat aath nau das").split()
# words that may stand for a quantity before a unit
QTY_WORDS = frozenset(ENGLISH[1:] + TENS[2:] + HINDI[1:] + ["a", "an", "hundred"])

STOP = frozenset("a an and of for the with to in x type big small".split())
SIZE_WORDS = frozenset("g gm gms kg ml l ltr litre liter mm sqmm inch ft mg".split())
SIZE = re.compile(r"^\d+(?:\.\d+)?(?:g|gm|kg|ml|l|mm|m|ft|sqmm|mg)?$", re.I)
TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'-][A-Za-z0-9]+)*")


def number_in_words(n: int) -> str:
    """1..100 in English words ("twenty-five")."""
    if not 0 <= n <= 100:
        raise ValueError(n)
    if n == 100:
        return "hundred"
    if n < 20:
        return ENGLISH[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + ("" if ones == 0 else "-" + ENGLISH[ones])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _csv_column(path: Path, column: str) -> list[str]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [(row.get(column) or "").strip() for row in csv.DictReader(f)]


@dataclass(frozen=True)
class Vocabulary:
    """The words of one world that the transformations may recognise."""

    units: frozenset[str]  # the world's unit names, upper case (BOX, CASE, …)
    product_words: frozenset[str]  # lower-case words of SKU and product names, aliases and brands
    names: frozenset[str] = frozenset()  # lower-case words of customer, user, warehouse and region names

    @classmethod
    def of_world(cls, world: Path) -> "Vocabulary":
        return _vocabulary(Path(world).resolve())

    def _forms(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for unit in self.units:
            u = unit.lower()
            for form in (
                u,
                u + "s",
                u + "es",
                *UNIT_FORMS.get(unit, ()),
                *(x for pair in SYNONYMS.get(unit, ()) for x in pair),
            ):
                out.setdefault(form, set()).add(unit)
        return out

    def unit_of(self, word: str) -> str | None:
        """The world's unit a word names, when it names exactly one."""
        found = _forms_of(self).get(word.lower(), set())
        return next(iter(found)) if len(found) == 1 else None

    def is_product_word(self, word: str) -> bool:
        w = word.lower()
        if w in STOP:
            return False
        return (
            w in self.product_words
            or (w.endswith("s") and w[:-1] in self.product_words)
            or (w.endswith("es") and w[:-2] in self.product_words)
        )

    def known(self, word: str) -> bool:
        """A word of the world (so a typo must not produce it)."""
        w = word.lower()
        return w in self.product_words or w in self.names or w in _forms_of(self) or w in STOP or w in ALL_UNIT_WORDS


@cache
def _forms_of(vocab: Vocabulary) -> dict[str, set[str]]:
    return vocab._forms()


@lru_cache(maxsize=32)
def _vocabulary(world: Path) -> Vocabulary:
    units = set()
    for spec in _csv_column(world / "skus.csv", "units"):
        for part in spec.split("|"):
            if "=" in part:
                units.add(part.split("=", 1)[0].strip().upper())
    product_text = (
        _csv_column(world / "skus.csv", "name")
        + _csv_column(world / "skus.csv", "aliases")
        + _csv_column(world / "products.csv", "name")
        + _csv_column(world / "brands.csv", "name")
    )
    products = {w for t in product_text for w in _words(t) if len(w) >= 2} - STOP
    name_text = (
        _csv_column(world / "customers.csv", "name")
        + _csv_column(world / "users.csv", "name")
        + _csv_column(world / "warehouses.csv", "name")
        + _csv_column(world / "regions.csv", "name")
    )
    names = {w for t in name_text for w in _words(t)} - STOP
    return Vocabulary(frozenset(units), frozenset(products), frozenset(names))


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


def tokens(text: str) -> list[Tok]:
    return [Tok(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def _apply(text: str, replacements: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _is_qty(tok: Tok | None) -> bool:
    if tok is None:
        return False
    return (tok.text.isdigit() and not tok.text.startswith("0")) or tok.low in QTY_WORDS


def _adjacent(text: str, a: Tok, b: Tok) -> bool:
    """Only spaces between two tokens."""
    return a.end < b.start and text[a.end : b.start].strip() == ""


def units_after_quantities(text: str, vocab: Vocabulary) -> list[tuple[Tok, Tok, str]]:
    """(quantity, unit word, unit name) for every world unit written right after a quantity."""
    toks = tokens(text)
    out = []
    for q, u in zip(toks, toks[1:]):
        unit = vocab.unit_of(u.low)
        if unit and _is_qty(q) and _adjacent(text, q, u):
            out.append((q, u, unit))
    return out


def _singular(qty: Tok) -> bool:
    return qty.low in ("1", "one", "a", "an", "ek")


def _like(word: str, model: str) -> str:
    """`word` in the letter case of `model` (capitalised or all caps)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# --- typo -------------------------------------------------------------------------------------


def typos_of(word: str) -> list[str]:
    """Every single dropped (5+ letter words only), doubled or swapped letter of a word, never the first letter."""
    out = set()
    for i in range(1, len(word)):
        if len(word) >= 5:  # a dropped letter in a short word leaves too little of it
            out.add(word[:i] + word[i + 1 :])
        if word[i] != word[i - 1] and (i + 1 >= len(word) or word[i] != word[i + 1]):
            out.add(word[:i] + word[i] + word[i:])
    for i in range(1, len(word) - 1):
        if word[i] != word[i + 1]:
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    out.discard(word)
    return sorted(out)


def typo(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """One realistic typo in one product word (5+ letters) or unit word (4+ letters, after a quantity)."""
    toks = tokens(text)
    units = {u.start for _, u, _ in units_after_quantities(text, vocab)}
    candidates = []
    for t in toks:
        w = t.text
        if not w.isalpha() or (w.isupper() and len(w) > 1) or t.low in vocab.names:
            continue
        if (t.start in units and len(w) >= 4) or (
            len(w) >= 5 and vocab.is_product_word(w) and vocab.unit_of(w) is None
        ):
            candidates.append(t)
    rng.shuffle(candidates)
    for t in candidates:
        low = t.low
        options = [
            x
            for x in typos_of(low)
            if not vocab.known(x) and x not in (low.rstrip("s"), low + "s") and vocab.unit_of(x) is None
        ]
        if options:
            new = _like(rng.choice(options), t.text)
            return _apply(text, [(t.start, t.end, new)]), [Edit("typo", t.text, new)]
    return text, []


# --- number words -----------------------------------------------------------------------------


def number_words(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """Quantities (1..100, digits right before a unit of the world) in words; Hindi for 1..10 at random."""
    reps, edits = [], []
    for q, _, _ in units_after_quantities(text, vocab):
        if not q.text.isdigit() or q.text.startswith("0") or not 1 <= int(q.text) <= 100:
            continue
        before = text[q.start - 1] if q.start else ""
        if before and before in ".,-/:#":  # part of a figure or a code
            continue
        n = int(q.text)
        word = HINDI[n] if n <= 10 and rng.random() < 0.5 else number_in_words(n)
        reps.append((q.start, q.end, word))
        edits.append(Edit("number-words", q.text, word))
    return _apply(text, reps), edits


# --- unit synonyms ----------------------------------------------------------------------------


def unit_synonyms(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """Units after a quantity in Indian trade words, where the word can mean no other unit of the world."""
    reps, edits = [], []
    for q, u, unit in units_after_quantities(text, vocab):
        options = []
        for singular, plural in SYNONYMS.get(unit, ()):
            word = singular if _singular(q) else plural
            if (
                word != u.low
                and vocab.unit_of(word) == unit
                and word not in vocab.product_words
                and word not in vocab.names
            ):
                options.append(word)
        if options:
            new = _like(rng.choice(options), u.text)
            reps.append((u.start, u.end, new))
            edits.append(Edit("unit-synonyms", u.text, new))
    return _apply(text, reps), edits


# --- Hinglish ---------------------------------------------------------------------------------

YES = frozenset(
    [
        "yes",
        "ok",
        "okay",
        "confirm",
        "yes please",
        "go ahead",
        "ok go ahead",
        "sure",
        "yes confirm",
        "confirm it",
        "yes go ahead",
        "yep",
        "yeah",
    ]
)
NO = frozenset(
    [
        "no",
        "nope",
        "no thanks",
        "no cancel that",
        "no leave it",
        "no leave it for now",
        "no wait keep it",
        "no dont",
        "no don't",
    ]
)
HAAN = ("haan", "ha ji", "theek hai")
NAHI = ("nahi", "rehne do", "nahi, rehne do")
ORDER_VERBS = ("bhej do", "chahiye", "de do")
_END = r"(?P<end>[.!]*)\s*$"
_QTY = r"(?:\d+|" + "|".join(sorted(QTY_WORDS - {"a", "an"}, key=len, reverse=True)) + r"|an?)\b"
_ORDER_FOR = re.compile(
    r"^(?:(?:please|pls|kindly)\s+)?(?:(?:(?:place|put in|create|book)\s+an?\s+)?order\s+)?for\s+"
    r"(?P<cust>[A-Za-z][A-Za-z .'&]{1,60}?)\s*[:,]\s*(?P<rest>" + _QTY + r".*?)" + _END,
    re.I,
)
_WANTS = re.compile(r"^(?P<cust>[A-Z][A-Za-z .'&]{1,60}?)\s+(?:wants|needs)\s+(?P<rest>" + _QTY + r".*?)" + _END)
_ORDER = re.compile(
    r"^(?:(?:please|pls|kindly)\s+)?(?:order|send|book|put in|i need|we need|need|i want|we want)\s+"
    r"(?P<rest>" + _QTY + r".*?)(?P<tail>\s+(?:please|pls))?" + _END,
    re.I,
)
_BARE = re.compile(r"^(?P<rest>" + _QTY + r".*?)(?P<tail>\s+(?:please|pls))?" + _END, re.I)
_LEAD = r"^(?P<pre>(?:.*?[,.]\s+)?)(?:(?:please|pls|kindly)\s+)?"
_CODE_ACTION = re.compile(
    _LEAD + r"(?P<verb>cancel|dispatch|approve|reject)\s+"
    r"(?P<my>my\s+)?(?P<ord>order\s+)?(?P<code>[A-Z]{2,4}-\d+)(?P<tail>(?:\s*[,.;-].*)?)$",
    re.I | re.S,
)
_IT_ACTION = re.compile(
    _LEAD + r"(?P<verb>cancel|approve|reject|dispatch)"
    r"(?:\s+(?P<obj>that order|this order|that|this|it))?(?P<tail>(?:\s*[,.;-].*)?)$",
    re.I | re.S,
)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[,.!]", " ", text.lower())).strip()


CONNECTORS = frozenset(["of", "and", "aur", "&"])


def order_object(rest: str, vocab: Vocabulary, beneficiary: bool = True) -> bool:
    """Whether `rest` is only what is ordered: quantities, units, product words and sizes ("2 boxes of
    marie gold and 3 cases of tea"), optionally followed by "for …"/"to …" naming for whom or where."""
    head, tail = rest, ""
    if beneficiary:
        m = re.search(r"\b(?:for|to)\b", rest, re.I)
        if m:
            head, tail = rest[: m.start()], rest[m.end() :]
            if not tokens(tail) or any(
                t.low in IMPERATIVES or t.low in STOP_VERBS or any(c.isdigit() for c in t.text) for t in tokens(tail)
            ):
                return False
    if re.search(r"[^\w\s.+&,'-]", head):
        return False
    toks = tokens(head)
    if not toks or not _is_qty(toks[0]):
        return False
    units = {u.start for _, u, _ in units_after_quantities(head, vocab)}
    for t in toks:
        if not (
            _is_qty(t)
            or t.start in units
            or vocab.is_product_word(t.text)
            or SIZE.match(t.text)
            or t.low in SIZE_WORDS
            or t.low in CONNECTORS
        ):
            return False
    return any(vocab.is_product_word(t.text) for t in toks)


STOP_VERBS = frozenset("cancel approve reject dispatch deliver move set ignore raise reduce mark record note".split())


def hinglish(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """The whole turn in Hinglish, where it is a yes, a no, an order or an action on an order."""
    stripped = text.strip()
    plain = _plain(stripped)
    new = None
    if plain in YES:
        new = rng.choice(HAAN)
    elif plain in NO:
        new = rng.choice(NAHI)
    elif m := _CODE_ACTION.match(stripped):
        obj = ("mera " if m["my"] else "") + ("order " if m["ord"] else "") + m["code"]
        new = f"{m['pre']}{obj} {m['verb'].lower()} kar do{m['tail']}"
    elif (m := _IT_ACTION.match(stripped)) and not plain.startswith(("no ", "yes ")):
        obj = {"that order": "woh order ", "this order": "yeh order "}.get((m["obj"] or "").lower(), "")
        new = f"{m['pre']}{obj}{m['verb'].lower()} kar do{m['tail']}"
    elif (m := _ORDER_FOR.match(stripped)) and order_object(m["rest"], vocab, beneficiary=False):
        new = f"{m['cust'].strip()} ke liye {m['rest'].strip()} {rng.choice(ORDER_VERBS)}{m['end']}"
    elif (m := _WANTS.match(stripped)) and order_object(m["rest"], vocab, beneficiary=False):
        new = f"{m['cust'].strip()} ko {m['rest'].strip()} chahiye{m['end']}"
    elif (m := _ORDER.match(stripped)) and order_object(m["rest"], vocab):
        new = f"{m['rest'].strip()} {rng.choice(ORDER_VERBS)}{m['tail'] or ''}{m['end']}"
    elif (m := _BARE.match(stripped)) and units_after_quantities(m["rest"], vocab) and order_object(m["rest"], vocab):
        new = f"{m['rest'].strip()} {rng.choice(ORDER_VERBS)}{m['tail'] or ''}{m['end']}"
    if new is None or new == stripped:
        return text, []
    return new, [Edit("hinglish", stripped, new)]


# --- filler -----------------------------------------------------------------------------------

IMPERATIVES = frozenset(
    "order send book cancel dispatch show give mark record place put list approve reject tell "
    "create reduce raise add break".split()
)
ACTIONS = frozenset("order send book cancel dispatch mark record place put".split())


def filler(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """Politeness and filler around the turn: pls, bhai, sir ji, kindly, asap."""
    stripped = text.strip()
    if not stripped:
        return text, []
    toks = tokens(stripped)
    first = toks[0].low if toks else ""
    plain = _plain(stripped)
    if plain in YES or plain in NO:
        options = [("suffix", " bhai"), ("suffix", " sir ji")] + ([("suffix", " pls")] if plain in YES else [])
    elif stripped.endswith("?") or first in (
        "what",
        "which",
        "how",
        "who",
        "when",
        "where",
        "why",
        "is",
        "are",
        "do",
        "does",
        "can",
        "any",
        "whats",
        "what's",
    ):
        options = [("prefix", "bhai, "), ("prefix", "sir ji, ")]
    else:
        options = [
            ("prefix", "bhai, "),
            ("prefix", "sir ji, "),
            ("suffix", " pls"),
            ("suffix", " bhai"),
            ("suffix", " sir ji"),
        ]
        if first in IMPERATIVES or (toks and _is_qty(toks[0])):
            options.append(("prefix", "pls "))
        if first in IMPERATIVES:
            options.append(("prefix", "kindly "))
        if first in ACTIONS or units_after_quantities(stripped, vocab):
            options.append(("suffix", " asap"))
    if re.search(r"\b(?:please|pls|kindly)\b", stripped, re.I):  # polite already: no second please
        options = [o for o in options if o[1].strip() not in ("pls", "kindly")]
    where, word = rng.choice(options)
    if where == "prefix":
        lower_first = (
            toks
            and toks[0].start == 0
            and toks[0].text[:1].isupper()
            and not toks[0].text.isupper()
            and toks[0].low not in vocab.names
            and toks[0].low not in vocab.product_words
        )
        body = stripped[:1].lower() + stripped[1:] if lower_first else stripped
        new = word + body
    else:
        m = re.match(r"^(?P<body>.*?)(?P<end>[.!]*)$", stripped, re.S)
        assert m is not None  # the pattern matches any text
        new = m["body"] + word + m["end"]
    return new, [Edit("filler", "", word.strip(" ,"))]


# --- reorder ----------------------------------------------------------------------------------

_BOUNDARY = re.compile(r"^\s*(?:$|[,+&.!?;:]|(?:and|aur|for|please|pls|to)\b)", re.I)


def _phrase(text: str, toks: list[Tok], i: int, vocab: Vocabulary) -> int | None:
    """The end index (exclusive) of a product phrase starting at toks[i] that ends at a clause boundary."""
    j = i
    while j < len(toks):
        t = toks[j]
        if j > i and not _adjacent(text, toks[j - 1], t):
            break
        if not (vocab.is_product_word(t.text) or SIZE.match(t.text) or t.low in SIZE_WORDS):
            break
        j += 1
    if j == i or not any(vocab.is_product_word(t.text) for t in toks[i:j]):
        return None
    rest = text[toks[j - 1].end :]
    if not _BOUNDARY.match(rest):
        return None
    return j


def reorder(text: str, vocab: Vocabulary, rng: random.Random) -> tuple[str, list[Edit]]:
    """ "20 boxes of X" → "X 20 boxes" (every such clause); else "X, 20 boxes" → "20 boxes of X"."""
    toks = tokens(text)
    index = {t.start: n for n, t in enumerate(toks)}
    reps, edits = [], []
    i = 0
    quantities = {q.start: (q, u) for q, u, _ in units_after_quantities(text, vocab)}
    while i < len(toks):
        found = quantities.get(toks[i].start)
        if found and found[0].low not in ("a", "an"):
            q, u = found
            k = index[u.start] + 1
            if k < len(toks) and toks[k].low == "of" and _adjacent(text, u, toks[k]):
                k += 1
            end = _phrase(text, toks, k, vocab) if k < len(toks) and _adjacent(text, toks[k - 1], toks[k]) else None
            if end is not None:
                phrase = text[toks[k].start : toks[end - 1].end]
                sep = ", " if toks[end - 1].text.isdigit() else " "
                new = f"{phrase}{sep}{text[q.start : u.end]}"
                reps.append((q.start, toks[end - 1].end, new))
                edits.append(Edit("reorder", text[q.start : toks[end - 1].end], new))
                i = end
                continue
        i += 1
    if not reps:  # the other way round, for a turn that starts with the product
        m = re.match(r"^(?P<phrase>[^,:]+?),?\s+(?P<qty>\S+)\s+(?P<unit>[A-Za-z]+)(?P<end>[.!]*)\s*$", text.strip())
        if m:
            ptoks = tokens(m["phrase"])
            q, unit = Tok(0, 0, m["qty"]), m["unit"]
            if (
                ptoks
                and _is_qty(q)
                and q.low not in ("a", "an")
                and vocab.unit_of(unit)
                and _phrase(m["phrase"], ptoks, 0, vocab) == len(ptoks)
                and not any(t.low in vocab.names or t.low in IMPERATIVES for t in ptoks)
            ):
                new = f"{m['qty']} {unit} of {m['phrase'].strip()}{m['end']}"
                return new, [Edit("reorder", text.strip(), new)]
        return text, []
    return _apply(text, reps), edits


TRANSFORMS: dict[str, Callable[[str, Vocabulary, random.Random], tuple[str, list[Edit]]]] = {
    "typo": typo,
    "number-words": number_words,
    "unit-synonyms": unit_synonyms,
    "hinglish": hinglish,
    "filler": filler,
    "reorder": reorder,
}


# --- variants of scenarios ----------------------------------------------------------------------


@dataclass
class TurnChange:
    original: str
    text: str
    edits: list[Edit] = field(default_factory=list)


@dataclass
class Variant:
    scenario: Scenario  # the variant, runnable: same world, user, clock, checks
    original: Scenario
    kind: str
    turns: list[TurnChange]

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def changed_turns(self) -> list[int]:
        """1-based numbers of the turns whose text changed."""
        return [n for n, t in enumerate(self.turns, 1) if t.text != t.original]


def make_variant(
    scenario: Scenario,
    kind: str,
    seed: int | str,
    vocab: Vocabulary | None = None,
    transforms: dict | None = None,
    suffix: str = "",
) -> Variant | None:
    """The variant of one kind, or None when the kind fits no turn of the scenario."""
    transform = (transforms or TRANSFORMS)[kind]
    vocab = vocab or Vocabulary.of_world(scenario.world)
    rng = random.Random(f"{seed}|{scenario.id}|{kind}{suffix}")
    turns = []
    for t in scenario.turns:
        text, edits = transform(t.user, vocab, rng)
        turns.append(TurnChange(t.user, text, edits))
    if all(t.text == t.original for t in turns):
        return None
    variant = replace(
        scenario,
        id=f"{scenario.id}~{kind}{suffix}",
        turns=[TurnSpec(user=c.text, expect=dict(t.expect)) for c, t in zip(turns, scenario.turns)],
        tags=list(scenario.tags),
        final=scenario.final,
    )
    return Variant(variant, scenario, kind, turns)


def variants_of(
    scenario: Scenario,
    per_scenario: int,
    seed: int | str,
    kinds: tuple[str, ...] | list[str] = KINDS,
    transforms: dict | None = None,
) -> list[Variant]:
    """Up to `per_scenario` variants of a scenario, each of a different kind that fits it, chosen with the seed."""
    vocab = Vocabulary.of_world(scenario.world)
    fitting = [v for kind in kinds if (v := make_variant(scenario, kind, seed, vocab, transforms)) is not None]
    rng = random.Random(f"{seed}|{scenario.id}")
    chosen = {v.kind for v in rng.sample(fitting, min(per_scenario, len(fitting)))}
    return [v for v in fitting if v.kind in chosen]


def generate(
    scenarios: list[Scenario],
    per_scenario: int,
    seed: int | str,
    kinds: tuple[str, ...] | list[str] = KINDS,
    transforms: dict | None = None,
) -> list[Variant]:
    return [v for s in scenarios for v in variants_of(s, per_scenario, seed, kinds, transforms)]


__all__ = [
    "KINDS",
    "TRANSFORMS",
    "Edit",
    "Vocabulary",
    "Variant",
    "TurnChange",
    "typo",
    "number_words",
    "unit_synonyms",
    "hinglish",
    "filler",
    "reorder",
    "typos_of",
    "number_in_words",
    "make_variant",
    "variants_of",
    "generate",
    "units_after_quantities",
]
