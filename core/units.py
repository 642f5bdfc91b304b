"""Units: the words people use for them and the units one SKU has, in one vocabulary.

A *family* is one kind of unit (case, box, bag, kg...) with the words people use for it:
English words and spellings, abbreviations and the Indian trade words ("peti", "katta",
"dabba"), each with its plural and inflected forms. A world names its units as it likes
(`PETI`, `BAG50`, `CTN`); each of a SKU's unit names is placed in a family by the same
vocabulary (`unit_family`), so "carton" finds `PETI` and "katte" finds `BAG50`.

`resolve_unit(word, units)` reads a unit word against ONE SKU's units and says how it
matched (`UnitMatch.how`), so a preview can explain it. It never guesses:
- no unit word at all is the base unit (and says so: how="none");
- a word the SKU has no unit for is an `UnknownUnit` error listing the units it has, never
  the base unit ("DAP is sold in KG, BAG (50 KG); it has no CASE.");
- a word that fits two of the SKU's units (a word of two families, like "dibba": box or
  tin, or two units of one family, BAG25 and BAG50) is an `AmbiguousUnit` question;
- a misspelling is accepted only when it is close to exactly one family's words
  (bounded: short words must be exact or a swap of two letters, longer ones one or two
  edits away, same first letter, and never a common word such as "cash" or "drugs").
Measures convert within their dimension (2 quintal = 200 KG, 500 ml = 0.5 LITRE); piece
words (pcs, nos, units, adad) mean the base unit only when the base unit is counted, not
measured; "dozen" is the SKU's DOZEN unit, else 12 of a counted base unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from rapidfuzz.distance import OSA

from .errors import Ambiguous, InvalidInput


@dataclass(frozen=True)
class Family:
    key: str  # 'case'
    english: tuple[str, ...]  # words and spellings: case, carton
    abbreviations: tuple[str, ...] = ()
    regional: tuple[str, ...] = ()  # Indian trade words: peti, petti
    kind: str = "pack"  # pack | piece | dozen | measure
    dimension: str | None = None  # measures: mass | volume | length
    scale: Fraction = Fraction(1)  # measures: in g, ml or mm
    bulk: bool = False  # a measure that is never a pack size ("quintal", "tonne")


def _f(*words: str) -> tuple[str, ...]:
    return tuple(w for ws in words for w in ws.split())


FAMILIES: tuple[Family, ...] = (
    Family("case", _f("case carton"), _f("ctn cs cse"), _f("peti petti pety petee")),
    Family("box", _f("box"), _f("bx"), _f("dabba dabbi dibbi")),
    Family("pack", _f("pack packet package pouch"), _f("pkt pk pck pkg"), _f("paketa pakit pudiya pudia puriya")),
    Family("bag", _f("bag sack gunny"), (), _f("katta kattha bori bora boriya thaila thaili")),
    Family("bottle", _f("bottle"), _f("btl bot"), _f("botal botel shishi sheeshi")),
    Family("tin", _f("tin can"), (), _f("kanastar kanistar peepa")),
    Family("bucket", _f("bucket pail"), (), _f("balti")),
    Family("bundle", _f("bundle"), _f("bdl"), _f("gaddi gatthar gattha gathri gathari bandal")),
    Family("pair", _f("pair"), (), _f("jodi joda jora")),
    Family("tray", _f("tray")),
    Family("crate", _f("crate")),
    Family("drum", _f("drum barrel")),
    Family("roll", _f("roll")),
    Family("coil", _f("coil")),
    Family("strip", _f("strip blister"), (), _f("patta")),
    Family("tube", _f("tube")),
    Family("sachet", _f("sachet")),
    Family("jar", _f("jar"), (), _f("barni")),
    Family("vial", _f("vial")),
    Family("ampoule", _f("ampoule ampule")),
    Family("sheet", _f("sheet"), (), _f("chadar chaddar")),
    Family("length", _f("length")),
    Family("ream", _f("ream")),
    Family("set", _f("set")),
    Family("kit", _f("kit")),
    Family("pallet", _f("pallet"), _f("plt")),
    Family("bale", _f("bale"), (), _f("gaanth ganth")),
    Family("bar", _f("bar")),
    Family("cup", _f("cup")),
    Family("outer", _f("outer")),
    Family("inner", _f("inner")),
    Family("shrink", _f("shrink")),
    Family("tablet", _f("tablet"), _f("tab")),
    Family("capsule", _f("capsule")),
    Family("piece", _f("piece unit item each"), _f("pc pcs pce pces nos ea"), _f("adad nag"), kind="piece"),
    Family("dozen", _f("dozen"), _f("doz dz"), _f("darjan darzan"), kind="dozen"),
    Family("kg", _f("kilogram kilogramme kilo"), _f("kg kgs"), kind="measure", dimension="mass", scale=Fraction(1000)),
    Family("g", _f("gram gramme"), _f("g gm gms gr grm grms"), kind="measure", dimension="mass"),
    Family("mg", _f("milligram"), _f("mg mgs"), kind="measure", dimension="mass", scale=Fraction(1, 1000)),
    Family(
        "quintal",
        _f("quintal"),
        _f("qtl"),
        _f("kuintal kuntal"),
        kind="measure",
        dimension="mass",
        scale=Fraction(100_000),
        bulk=True,
    ),
    Family("tonne", _f("tonne ton"), (), kind="measure", dimension="mass", scale=Fraction(1_000_000), bulk=True),
    Family("litre", _f("litre liter"), _f("l lt ltr ltrs"), kind="measure", dimension="volume", scale=Fraction(1000)),
    Family("ml", _f("millilitre milliliter"), _f("ml mls"), kind="measure", dimension="volume"),
    Family("metre", _f("metre meter"), _f("m mtr mtrs"), kind="measure", dimension="length", scale=Fraction(1000)),
    Family("cm", _f("centimetre centimeter"), _f("cm"), kind="measure", dimension="length", scale=Fraction(10)),
    Family("mm", _f("millimetre millimeter"), _f("mm"), kind="measure", dimension="length"),
    Family("foot", _f("foot feet"), _f("ft"), kind="measure", dimension="length", scale=Fraction(3048, 10)),
    Family("inch", _f("inch"), (), kind="measure", dimension="length", scale=Fraction(254, 10)),
)
FAMILY: dict[str, Family] = {f.key: f for f in FAMILIES}

# Words of two families: which one is meant depends on the product, and a product that
# has units of both makes the word a question. "dibba" is a box and a tin.
SHARED_WORDS: dict[str, tuple[str, ...]] = {"dibba": ("box", "tin"), "dibbe": ("box", "tin")}

# Inflected forms that plural rules cannot make (Hindi plurals, irregular English).
_IRREGULAR: dict[str, str] = {
    "feet": "foot",
    "inches": "inch",
    "boxes": "box",
    "pouches": "pouch",
    "katte": "katta",
    "katton": "katta",
    "kattey": "katta",
    "bore": "bora",
    "boriyan": "bori",
    "boriya": "bori",
    "thaile": "thaila",
    "thailiyan": "thaili",
    "dabbe": "dabba",
    "dabbon": "dabba",
    "dabbiyan": "dabbi",
    "petiyan": "peti",
    "petiya": "peti",
    "pettiyan": "petti",
    "pakete": "paketa",
    "pudiyan": "pudiya",
    "botlen": "botal",
    "botle": "botal",
    "shishiyan": "shishi",
    "baltiyan": "balti",
    "baltiya": "balti",
    "gaddiyan": "gaddi",
    "gaddiya": "gaddi",
    "jodiyan": "jodi",
    "jode": "joda",
    "jore": "jora",
    "patte": "patta",
    "barniyan": "barni",
    "kanastaron": "kanastar",
    "peepe": "peepa",
}

# Common words a misspelt unit must never be taken for: "5000 cash" is money, "10 drugs"
# are no drums, "2 gaadi" is a vehicle load, not a bundle.
NOT_UNITS = frozenset(
    """
cash cast caste crash crush drug drugs seat seats role roles tune tunes tones back backs base bass boss
boat boats bugs came cane canes care cart carts card cards bath tent tents tale tales tile tiles pale pile
piles pole poles rule rules sale sales sole same some lot lots more less only also plus with from into onto
time times days hours years month months week weeks paid pays bill bills rate rates price prices stock
stocks order orders total cost costs later balls ball socks picks kites pains boxer metro kills grass
gaadi gadi gaadiyan thela sheep pocket pockets tables cakes battle battles buckle buckles cartoon cartoons
coins crane cranes snack snacks stack stacks chases pain kids town foods""".split()
)


def _plurals(word: str) -> list[str]:
    """English plural forms of a unit word: box -> boxes, tray -> trays, piece -> pieces."""
    if len(word) <= 2:
        return []
    if word.endswith(("s", "x", "ch", "sh", "z")):
        return [word + "es"]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word[:-1] + "ies", word + "s"]
    return [word + "s"]


def _regional_plurals(word: str) -> list[str]:
    """Romanised Hindi plurals and the English -s people add: peti -> petis, petiyan."""
    out = [word + "s"]
    if word.endswith("i"):
        out += [word + "yan", word + "yaan", word + "yon"]
    if word.endswith("a"):
        out.append(word[:-1] + "e")
    return out


@dataclass(frozen=True)
class WordSense:
    family: str
    how: str  # english | abbreviation | regional
    lemma: str  # the word's dictionary form ("katta" for "katte")


def _build() -> dict[str, tuple[WordSense, ...]]:
    senses: dict[str, list[WordSense]] = {}

    def add(form: str, sense: WordSense, listed: bool = False) -> None:
        got = senses.setdefault(form, [])
        same = [i for i, s in enumerate(got) if s.family == sense.family]
        if not same:
            got.append(sense)
        elif listed:  # a word listed in its own right is its own lemma ("pcs", not a plural of "pc")
            got[same[0]] = sense

    for fam in FAMILIES:
        for how, words in (("english", fam.english), ("abbreviation", fam.abbreviations), ("regional", fam.regional)):
            for w in words:
                sense = WordSense(fam.key, how, w)
                add(w, sense, listed=True)
                plurals = (
                    _regional_plurals(w)
                    if how == "regional"
                    else ([w + "s"] if how == "abbreviation" and len(w) >= 2 and not w.endswith("s") else _plurals(w))
                )
                for p in plurals:
                    if p not in senses or all(s.how != "english" for s in senses[p]):
                        add(p, WordSense(fam.key, how, w))
    for form, lemma in _IRREGULAR.items():
        for s in senses.get(lemma, []):
            add(form, WordSense(s.family, s.how, lemma))
    for word, fams in SHARED_WORDS.items():
        senses[word] = [WordSense(f, "regional", "dibba") for f in fams]
        senses[word + "s"] = list(senses[word])
    # Words that are plural forms of something else but no unit ("pcs" is pieces, fine;
    # "ems"/"ts" never occur since two-letter words get no plurals).
    return {w: tuple(v) for w, v in senses.items()}


WORDS: dict[str, tuple[WordSense, ...]] = _build()
# What a misspelling may be of: the words and their forms, not abbreviations ("bolts" is
# one edit from "bots", a made-up plural of "bot", and no bottle), 3 letters or more.
_BY_FIRST: dict[str, list[str]] = {}
for _w, _ss in WORDS.items():
    if len(_w) >= 3 and any(s.how != "abbreviation" for s in _ss):
        _BY_FIRST.setdefault(_w[0], []).append(_w)


def clean(word: str) -> str:
    """Lower case, without the dots and apostrophes people add ("Pcs.", "box's")."""
    w = word.strip().lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip(" .'")


def senses(word: str) -> tuple[WordSense, ...]:
    """What a unit word can mean, exactly as spelt (any case, plural or not); () if none."""
    return WORDS.get(clean(word), ())


@dataclass(frozen=True)
class Reading:
    """A unit word read through the vocabulary: its senses and how (typo: `read_as`)."""

    word: str
    senses: tuple[WordSense, ...]
    read_as: str | None = None  # a misspelling: the word it was taken for

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.family for s in self.senses))


def _edit_ok(w: str, cand: str, loose: bool) -> int | None:
    """The edit distance of a misspelling `w` of `cand` when it is within bounds, else None.

    Strict (taken as meant): 4 letters only a swap of two letters ("csae"); 5-6 letters one
    swap, missing or extra letter, but no changed letter ("cakes" is not "cases", "pocket" no
    "packet"); 7-8 letters one edit; 9 or more two. Loose (worth a question, never taken):
    one edit of any kind from 4 letters on, two from 9."""
    n = len(w)
    if n == 4 and not loose:
        return 1 if len(cand) == 4 and sorted(cand) == sorted(w) and OSA.distance(w, cand) == 1 else None
    limit = 1 if n <= 8 else 2
    if abs(len(cand) - n) > limit:
        return None
    d = OSA.distance(w, cand, score_cutoff=limit)
    if d > limit:
        return None
    if not loose and n <= 6 and d == 1 and len(cand) == n and sorted(cand) != sorted(w):
        return None  # a changed letter in a short word makes another word too often
    return d


def typo_candidates(word: str, names: Iterable[str] = (), loose: bool = False) -> list[str]:
    """Known unit words (and `names`, a world's unit names) that `word` may be a misspelling
    of, closest first; [] when it is too short, a common word, or close to nothing. The
    first letter must agree; see `_edit_ok` for the bounds."""
    w = clean(word)
    if len(w) < 4 or w in NOT_UNITS or w in WORDS or not w.isalpha():
        return []
    pool = list(_BY_FIRST.get(w[0], ()))
    pool += [n for n in (clean(n) for n in names) if len(n) >= 3 and n[0] == w[0] and n.isalpha()]
    found: list[tuple[int, str]] = []
    for cand in dict.fromkeys(pool):
        d = _edit_ok(w, cand, loose)
        if d is not None:
            found.append((d, cand))
    if not found:
        return []
    best = min(d for d, _ in found)

    def english(c: str) -> bool:
        return any(s.how == "english" for s in WORDS.get(c, ()))

    # of equally close words, the English one and the one of the same length read best
    return sorted((c for d, c in found if d == best), key=lambda c: (not english(c), abs(len(c) - len(w)), c))


def read_word(word: str, names: Iterable[str] = ()) -> Reading | None:
    """A unit word: exactly known, or a bounded misspelling of exactly one family's word.
    `names` are a world's unit names (themselves read through the vocabulary)."""
    w = clean(word)
    if not w:
        return None
    got = WORDS.get(w) or WORDS.get(_fold(w))  # "boxs", "kgs."
    if got:
        return Reading(w, got)
    name_set = {clean(n) for n in names}
    for n in name_set:
        if _fold(w) == _fold(n):
            return Reading(
                w, tuple(WordSense(fam, "world", n) for fam in _name_families(n)) or (WordSense("", "world", n),)
            )
    cands = typo_candidates(w, name_set)
    fams = {tuple(sorted(_families_of_candidate(c, name_set))) for c in cands}
    if len(fams) == 1 and cands:
        c = cands[0]
        if c in WORDS:
            return Reading(w, WORDS[c], read_as=c)
        return Reading(
            w, tuple(WordSense(f, "world", c) for f in _name_families(c)) or (WordSense("", "world", c),), read_as=c
        )
    return None


def _families_of_candidate(cand: str, names: set[str]) -> set[str]:
    if cand in WORDS:
        return {s.family for s in WORDS[cand]}
    return set(_name_families(cand)) or {"name:" + cand}


def looks_like_unit(word: str, names: Iterable[str] = ()) -> bool:
    """A word that is a unit word, a world's unit name, or a misspelling close to one (even
    to two families): after a number it is read as a unit, and an unknown one is a question."""
    return read_word(word, names) is not None or bool(typo_candidates(word, names, loose=True))


def _fold(word: str) -> str:
    """Plural folding for names the vocabulary does not know: 'skids' -> 'skid'."""
    w = clean(word)
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("ches") or len(w) > 3 and w.endswith("shes"):
        return w[:-2]
    if len(w) > 2 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


@lru_cache(maxsize=4096)
def _name_families(name: str) -> tuple[str, ...]:
    """The families a world's unit name belongs to: as a word ('PETI', 'Cartons'), else by
    its leading letters ('BAG50', 'CASE-12', 'BOX10S')."""
    w = clean(name)
    got = WORDS.get(w) or WORDS.get(_fold(w))
    if not got:
        lead = re.match(r"[a-z]+", w)
        if lead and lead.group(0) != w and len(lead.group(0)) >= 2:
            got = WORDS.get(lead.group(0)) or WORDS.get(_fold(lead.group(0)))
    return tuple(dict.fromkeys(s.family for s in got)) if got else ()


def unit_family(name: str) -> str | None:
    """The one family of a world's unit name, None when it has none or is a shared word."""
    fams = _name_families(name)
    return fams[0] if len(fams) == 1 else None


# --- resolving a unit word against one SKU's units ---------------------------------------


class UnknownUnit(InvalidInput):
    """A unit word the SKU has no unit for (or a word that is no unit at all)."""

    code = "unknown_unit"


class AmbiguousUnit(Ambiguous):
    """A unit word that fits several of the SKU's units."""


@dataclass(frozen=True)
class UnitMatch:
    """How a unit word was read for one SKU: `factor` base units per one unit as said."""

    said: str | None  # the unit word as said; None = no unit word
    unit: str  # the SKU's unit it was read as, spelt as in the catalogue
    factor: Fraction  # base units per one said unit (12 for "dozen", 100 for "quintal" of KG)
    how: str  # none | exact | synonym | regional | typo | piece | dozen | measure
    base: str  # the SKU's base unit
    unit_factor: int = 1  # base units per `unit`
    read_as: str | None = None  # typo: the word it was taken for
    note: str = ""  # what else a person should know ("dibba can also mean a tin")

    @property
    def is_base(self) -> bool:
        return self.unit == self.base and self.factor == 1


def units_text(units: Sequence[tuple[str, int]]) -> str:
    """'KG, BAG (50 KG)': the units a SKU is sold in, with their sizes in the base unit."""
    if not units:
        return "no units"
    base = units[0][0]
    return ", ".join(n if i == 0 else f"{n} ({f} {base})" for i, (n, f) in enumerate(units))


def _counted(units: Sequence[tuple[str, int]]) -> bool:
    """Whether the base unit is counted (PCS, BAG, STRIP) rather than measured (KG, LITRE)."""
    fams = _name_families(units[0][0])
    return not any(FAMILY[f].kind == "measure" for f in fams)


def resolve_unit(word: str | None, units: Sequence[tuple[str, int]], what: str | None = None) -> UnitMatch:
    """Read `word` as one of `units` [(name, factor)], base unit first. Raises UnknownUnit or
    AmbiguousUnit; never falls back to the base unit for a word it cannot place."""
    return _resolve(None if word is None else str(word), tuple((str(n), int(f)) for n, f in units), what)


@lru_cache(maxsize=8192)
def _resolve(word: str | None, units: tuple[tuple[str, int], ...], what: str | None) -> UnitMatch:
    if not units:
        raise InvalidInput(f"{what or 'This product'} has no units in the catalogue.")
    base = units[0][0]
    label = what or "This product"
    if word is None or not clean(word):
        return UnitMatch(None, base, Fraction(1), "none", base)
    said = word.strip()
    if len(said) > 40:
        raise UnknownUnit(f"'{said[:40]}…' is not a unit I know. {label} is sold in {units_text(units)}.")
    w = clean(said)
    names = {n.lower(): (n, f) for n, f in units}

    def match(
        name_factor: tuple[str, int],
        how: str,
        factor: Fraction | None = None,
        read_as: str | None = None,
        note: str = "",
    ) -> UnitMatch:
        n, f = name_factor
        return UnitMatch(said, n, Fraction(f) if factor is None else factor, how, base, f, read_as, note)

    # 1. the SKU's own unit name, in any case, singular or plural ("Bags", "boxes", "skids")
    for form in (w, w[:-1] if w.endswith("s") else "", w[:-2] if w.endswith("es") else ""):
        if form in names:
            return match(names[form], "exact")
    for n, nf in names.items():
        if _fold(w) == _fold(n) or (w in WORDS and n in WORDS and _same_lemma(w, n)):
            return match(nf, "exact")

    reading = read_word(w, [n for n, _ in units])
    if reading is None:
        near = typo_candidates(w, [n for n, _ in units])
        hint = f" Did you mean {' or '.join(sorted(set(near))[:3])}?" if near else ""
        raise UnknownUnit(f"'{said}' is not a unit I know. {label} is sold in {units_text(units)}.{hint}")
    read_as = reading.read_as
    if read_as is not None and read_as in names:  # a misspelling of the SKU's own unit name
        return match(names[read_as], "typo", read_as=read_as)
    how = "typo" if read_as else None
    fams = reading.families

    # 2. the families of the word against the families of the SKU's units
    by_family: dict[str, list[tuple[str, int]]] = {}
    for n, f in units:
        for fam in _name_families(n):
            by_family.setdefault(fam, []).append((n, f))
    hits = [(fam, u) for fam in fams for u in by_family.get(fam, [])]
    if hits:
        distinct = list(dict.fromkeys(u for _, u in hits))
        if len(distinct) > 1:
            raise AmbiguousUnit(
                f"'{said}' could mean "
                + " or ".join(f"{n} ({f} {base})" if n != base else n for n, f in distinct)
                + f" for {label}. Which one?",
                [(n, f"{n} ({f} {base})") for n, f in distinct],
            )
        fam, unit = hits[0]
        sense = next(s for s in reading.senses if s.family == fam)
        kind = how or ("regional" if sense.how == "regional" else "synonym")
        note = ""
        if len(fams) > 1:
            others = [f for f in fams if f != fam]
            note = f"'{said}' can also mean {' or '.join(others)}; {label} has no {' or '.join(others)}"
        return match(unit, kind, read_as=read_as, note=note)

    family = FAMILY.get(fams[0]) if len(fams) == 1 else None
    # 3. piece words: the base unit, when it is counted
    if family is not None and family.kind == "piece":
        if _counted(units):
            return match(units[0], how or "piece", read_as=read_as)
        raise UnknownUnit(
            f"{label} is sold in {units_text(units)}, by measure: how many {base} (or "
            f"{' or '.join(n for n, _ in units[1:]) or base}) do you mean by '{said}'?"
        )
    # 4. a dozen of a counted base unit
    if family is not None and family.kind == "dozen":
        if _counted(units):
            return match(units[0], how or "dozen", factor=Fraction(12), read_as=read_as)
        raise UnknownUnit(f"{label} is sold in {units_text(units)}, by measure, not by the dozen.")
    # 5. measures within their dimension: 2 quintal = 200 KG, 500 ml = 0.5 LITRE
    if family is not None and family.kind == "measure":
        same = [
            (n, f, FAMILY[fam])
            for n, f in units
            for fam in _name_families(n)
            if FAMILY[fam].kind == "measure" and FAMILY[fam].dimension == family.dimension
        ]
        if same:
            n, f, unit_family = same[0]
            return match((n, f), how or "measure", factor=family.scale / unit_family.scale * f, read_as=read_as)
    if len(fams) > 1:
        raise UnknownUnit(f"{label} is sold in {units_text(units)}; it has no {' or '.join(fams)} ('{said}').")
    name = (family.key if family else w).upper()
    said_part = "" if family and w in (family.key, *(_plurals(family.key))) else f" ('{said}')"
    raise UnknownUnit(f"{label} is sold in {units_text(units)}; it has no {name}{said_part}.")


def _same_lemma(a: str, b: str) -> bool:
    la = {s.lemma for s in WORDS.get(a, ())}
    return bool(la & {s.lemma for s in WORDS.get(b, ())})


def is_unit_word(word: str, names: Iterable[str] = ()) -> bool:
    """Whether `word` names a unit: the vocabulary (measures too), a world's unit name or
    their plurals, or a bounded misspelling of one."""
    return read_word(word, names) is not None


def family_words(key: str) -> tuple[str, ...]:
    """Every form of a family's words ('case', 'cases', 'carton', 'ctn', 'peti', 'petiyan'...)."""
    return tuple(w for w, ss in WORDS.items() if any(s.family == key for s in ss))
