"""The one vocabulary of units (core/units.py): families, synonyms, Indian trade words, plurals,
bounded misspellings and a world's own unit names, read against one SKU's units, saying how each
word matched. Unknown words are errors, never the base unit; words of two families are questions."""

import csv
import re
from fractions import Fraction
from pathlib import Path

import pytest

from core.catalogue import parse_units
from core.errors import Ambiguous, InvalidInput
from core.units import (
    NOT_UNITS,
    WORDS,
    AmbiguousUnit,
    UnknownUnit,
    read_word,
    resolve_unit,
    typo_candidates,
    unit_family,
    units_text,
)

ROOT = Path(__file__).resolve().parents[1]
PCS = "PCS=1|BOX=12|CASE=144"
KG = "KG=1|BAG=50"


def u(spec: str):
    return parse_units(spec)


@pytest.mark.parametrize(
    "word, spec, unit, how",
    [
        # the SKU's own unit names, any case, singular or plural
        ("boxes", PCS, "BOX", "exact"),
        ("Bags", KG, "BAG", "exact"),
        ("CASE", PCS, "CASE", "exact"),
        ("cases", PCS, "CASE", "exact"),
        ("boxs", PCS, "BOX", "exact"),
        ("skids", "BAG=1|SKID=40", "SKID", "exact"),
        ("ctns", "BOTTLE=1|CTN=12", "CTN", "exact"),
        # English synonyms and abbreviations of a family
        ("carton", PCS, "CASE", "synonym"),
        ("cartons", PCS, "CASE", "synonym"),
        ("ctn", PCS, "CASE", "synonym"),
        ("case", "BOTTLE=1|CTN=12", "CTN", "synonym"),
        ("sacks", KG, "BAG", "synonym"),
        ("packets", "PCS=1|PKT=4", "PKT", "synonym"),
        ("pkt", "PCS=1|PACK=4|CASE=100", "PACK", "synonym"),
        ("pouches", "PCS=1|PACK=6", "PACK", "synonym"),
        ("cans", "LITRE=1|TIN=4|DRUM=20", "TIN", "synonym"),
        ("barrels", "LITRE=1|TIN=4|DRUM=20", "DRUM", "synonym"),
        ("btl", "BOTTLE=1|CARTON=24", "BOTTLE", "synonym"),
        ("ltr", "LITRE=1|TIN=4", "LITRE", "synonym"),
        ("kgs", KG, "KG", "exact"),
        ("kilo", KG, "KG", "synonym"),
        ("mtrs", "METRE=1|ROLL=90", "METRE", "synonym"),
        ("blister", "TAB=1|STRIP=10", "STRIP", "synonym"),
        # Indian trade words and their plurals
        ("peti", PCS, "CASE", "regional"),
        ("petti", PCS, "CASE", "regional"),
        ("pety", PCS, "CASE", "regional"),
        ("petiyan", PCS, "CASE", "regional"),
        ("dabba", PCS, "BOX", "regional"),
        ("dabbe", PCS, "BOX", "regional"),
        ("dabbi", PCS, "BOX", "regional"),
        ("katta", KG, "BAG", "regional"),
        ("katte", KG, "BAG", "regional"),
        ("bori", KG, "BAG", "regional"),
        ("bora", KG, "BAG", "regional"),
        ("boriya", KG, "BAG", "regional"),
        ("thaila", KG, "BAG", "regional"),
        ("paketa", "PCS=1|PACK=4", "PACK", "regional"),
        ("pudiya", "PCS=1|PACK=4", "PACK", "regional"),
        ("botal", "BOTTLE=1|CARTON=24", "BOTTLE", "regional"),
        ("shishi", "BOTTLE=1|CARTON=24", "BOTTLE", "regional"),
        ("balti", "LITRE=1|BUCKET=20", "BUCKET", "regional"),
        ("gaddi", "SHEET=1|BUNDLE=10", "BUNDLE", "regional"),
        ("gatthar", "SHEET=1|BUNDLE=10", "BUNDLE", "regional"),
        ("darjan", "PIECE=1|DOZEN=12|BOX=100", "DOZEN", "regional"),
        ("jodi", "PAIR=1|BOX=10", "PAIR", "regional"),
        ("kanastar", "LITRE=1|TIN=15", "TIN", "regional"),
        ("adad", "TAB=1|STRIP=10", "TAB", "piece"),
        # piece words: the base unit when it is counted
        ("pcs", PCS, "PCS", "exact"),
        ("pieces", PCS, "PCS", "synonym"),
        ("nos", "TAB=1|STRIP=10", "TAB", "piece"),
        ("units", "BOTTLE=1|CARTON=24", "BOTTLE", "piece"),
        ("each", "BAG=1|PALLET=50", "BAG", "piece"),
        ("pieces", "PIECE=1|DOZEN=12", "PIECE", "exact"),
        # bounded misspellings
        ("bottels", "BOTTLE=1|CARTON=24", "BOTTLE", "typo"),
        ("catron", PCS, "CASE", "typo"),
        ("csae", PCS, "CASE", "typo"),
        ("cartns", PCS, "CASE", "typo"),
        ("packts", "PCS=1|PACK=4", "PACK", "typo"),
        ("bundels", "SHEET=1|BUNDLE=10", "BUNDLE", "typo"),
        ("kilogarm", KG, "KG", "typo"),
        # a world's own unit names, placed in families by the same vocabulary
        ("carton", "PCS=1|PETI=24", "PETI", "synonym"),
        ("bags", "KG=1|BAG50=50", "BAG50", "synonym"),
        ("katte", "KG=1|BAG50=50", "BAG50", "regional"),
        ("boxes", "PCS=1|BOX10=10", "BOX10", "synonym"),
        ("peti", "PCS=1|PETI=24", "PETI", "exact"),
        ("petis", "PCS=1|PETI=24", "PETI", "exact"),
    ],
)
def test_words_resolve_to_the_skus_units(word, spec, unit, how):
    m = resolve_unit(word, u(spec), "X")
    assert (m.unit, m.how) == (unit, how)
    assert m.said == word and m.base == u(spec)[0][0]
    assert m.factor == dict(u(spec))[unit]


def test_no_unit_word_is_the_base_unit_and_says_so():
    m = resolve_unit(None, u(KG))
    assert (m.unit, m.factor, m.how, m.said) == ("KG", 1, "none", None)
    assert resolve_unit("  ", u(PCS)).how == "none"


@pytest.mark.parametrize(
    "word, spec, unit, factor",
    [
        ("quintal", KG, "KG", 100),
        ("qtl", KG, "KG", 100),
        ("tonne", KG, "KG", 1000),
        ("g", KG, "KG", Fraction(1, 1000)),
        ("grams", KG, "KG", Fraction(1, 1000)),
        ("ml", "LITRE=1|TIN=4", "LITRE", Fraction(1, 1000)),
        ("cm", "METRE=1|ROLL=90", "METRE", Fraction(1, 100)),
        ("kg", "G=1|PACK=500", "G", 1000),
        ("dozen", PCS, "PCS", 12),
        ("dozens", "TAB=1|STRIP=10", "TAB", 12),
        ("darjan", PCS, "PCS", 12),
        ("dozen", "PIECE=1|DOZEN=12|BOX=100", "DOZEN", 12),
    ],
)
def test_measures_convert_and_a_dozen_is_twelve(word, spec, unit, factor):
    m = resolve_unit(word, u(spec))
    assert (m.unit, m.factor) == (unit, factor)


@pytest.mark.parametrize(
    "word, spec, message",
    [
        ("case", KG, "X is sold in KG, BAG (50 KG); it has no CASE."),
        ("cartons", KG, "X is sold in KG, BAG (50 KG); it has no CASE ('cartons')."),
        ("strip", PCS, "X is sold in PCS, BOX (12 PCS), CASE (144 PCS); it has no STRIP."),
        ("tabs", "STRIP=1|BOX=10|CARTON=100", "it has no TABLET ('tabs')"),
        ("katte", PCS, "it has no BAG ('katte')"),
        ("peti", KG, "it has no CASE ('peti')"),
        ("quintal", PCS, "it has no QUINTAL"),
        ("litre", KG, "it has no LITRE"),
        ("gizmos", PCS, "'gizmos' is not a unit I know. X is sold in PCS, BOX (12 PCS), CASE (144 PCS)."),
        ("cash", PCS, "'cash' is not a unit I know"),
        ("pcs", KG, "by measure"),  # pieces of a product sold by weight: a question
        ("dozen", KG, "not by the dozen"),
        ("nos", "LITRE=1|TIN=4", "by measure"),
    ],
)
def test_unknown_unit_words_are_errors_never_the_base_unit(word, spec, message):
    with pytest.raises(UnknownUnit) as e:
        resolve_unit(word, u(spec), "X")
    assert message in e.value.message
    assert isinstance(e.value, InvalidInput)


def test_the_issue_example_reads_as_it_should():
    with pytest.raises(UnknownUnit) as e:
        resolve_unit("case", [("KG", 1), ("BAG", 50)], "DAP 50kg")
    assert e.value.message == "DAP 50kg is sold in KG, BAG (50 KG); it has no CASE."


@pytest.mark.parametrize(
    "word, spec, choices",
    [
        ("dibba", "PCS=1|BOX=12|TIN=24", ["BOX", "TIN"]),  # a word of two families, both here
        ("bag", "KG=1|BAG25=25|BAG50=50", ["BAG25", "BAG50"]),  # two units of one family
        ("carton", "PCS=1|CASE=12|CTN=144", ["CASE", "CTN"]),
        ("katte", "KG=1|BAG=25|SACK=50", ["BAG", "SACK"]),
    ],
)
def test_a_word_that_fits_several_units_is_a_question(word, spec, choices):
    with pytest.raises(AmbiguousUnit) as e:
        resolve_unit(word, u(spec), "X")
    assert isinstance(e.value, Ambiguous)
    assert [c for c, _ in e.value.candidates] == choices
    assert "Which one?" in e.value.message


def test_a_shared_word_resolves_when_the_sku_has_one_of_its_families_and_says_so():
    m = resolve_unit("dibba", u(PCS), "Crunchy")
    assert (m.unit, m.how) == ("BOX", "regional") and "can also mean tin" in m.note
    m = resolve_unit("dibba", u("LITRE=1|TIN=4"), "Paint")
    assert m.unit == "TIN" and "box" in m.note
    with pytest.raises(UnknownUnit, match="no box or tin"):
        resolve_unit("dibba", u(KG), "X")


@pytest.mark.parametrize(
    "word",
    [
        "cash",
        "cakes",
        "pocket",
        "drugs",
        "socks",
        "later",
        "bolts",
        "tables",
        "snacks",
        "balls",
        "coins",
        "crane",
        "battle",
        "grass",
        "metro",
        "kills",
        "picks",
        "cartoons",
        "gaadi",
        "sheep",
        "tone",
        "pains",
        "bix",
        "bax",
        "csa",
        "bxo",
        "pak",  # short words must be exact
    ],
)
def test_misspellings_are_bounded(word):
    """A common word or a short word is never taken for a unit it is one letter away from."""
    assert read_word(word) is None
    with pytest.raises(UnknownUnit):
        resolve_unit(word, u("PCS=1|BOX=12|CASE=144|PACK=6|BAG=20|SACK=40|DRUM=10|TIN=4|KIT=2|BOTTLE=3"))


def test_a_misspelling_close_to_two_families_is_not_taken():
    assert typo_candidates("pails") == []  # a word of the vocabulary itself
    assert read_word("tinss") is not None  # one family: tin
    # 'barns' is one letter from 'bars' (bar) and 'barnis' (barni, a jar): a question, not a guess
    assert read_word("barns") is None and typo_candidates("barns") == ["bars", "barnis"]
    with pytest.raises(UnknownUnit, match="Did you mean barnis or bars"):
        resolve_unit("barns", u("PCS=1|BAR=10|JAR=6"), "X")


def test_world_unit_names_are_placed_in_families():
    assert unit_family("PETI") == "case" and unit_family("CTN") == "case" and unit_family("BAG50") == "bag"
    assert unit_family("CASE-12") == "case" and unit_family("BOX10") == "box" and unit_family("KGS") == "kg"
    assert unit_family("SKID") is None and unit_family("DIBBA") is None  # no family / two families
    assert units_text([("KG", 1), ("BAG", 50)]) == "KG, BAG (50 KG)"


def _world_words(world: Path) -> tuple[set[str], set[str]]:
    units, words = set(), set()
    with open(world / "skus.csv") as fh:
        for r in csv.DictReader(fh):
            units |= {n.lower() for n, _ in parse_units(r["units"])}
    for f in ("skus", "products", "brands", "categories", "customers", "regions", "warehouses"):
        with open(world / f"{f}.csv") as fh:
            for r in csv.DictReader(fh):
                for col in ("name", "aliases"):
                    words |= set(re.findall(r"[a-z]+", (r.get(col) or "").lower()))
    return units, words


@pytest.mark.parametrize("world", ["demo", "hardware", "pharma"])
def test_no_name_word_of_a_world_is_misread_as_a_unit(world):
    """Every word of a world's product, brand, category and customer names is either a unit word
    itself ("jar", "sheet", "tablets") or no unit at all: never taken, nor questioned, as a misspelt one."""
    units, words = _world_words(ROOT / "worlds" / world)
    for w in sorted(words - set(WORDS) - units):
        assert read_word(w, units) is None, w
        assert typo_candidates(w, units, loose=True) == [], w


def test_vocabulary_words_never_fall_back_silently():
    """Every word of the vocabulary, against many units: a unit of the SKU (saying how), or an error."""
    specs = [
        PCS,
        KG,
        "LITRE=1|TIN=4|DRUM=20",
        "STRIP=1|BOX=10|CARTON=100",
        "BAG=1|PALLET=50",
        "PIECE=1|DOZEN=12|BOX=100",
        "METRE=1|ROLL=90",
    ]
    for spec in specs:
        units = u(spec)
        for w in WORDS:
            try:
                m = resolve_unit(w, units)
            except (UnknownUnit, AmbiguousUnit):
                continue
            assert m.how != "none" and m.unit in dict(units)
            if m.unit == units[0][0] and m.factor == 1:
                # the base unit only for its own name, its family's words, or piece words when counted
                assert m.how in ("exact", "synonym", "regional", "piece", "typo", "measure"), (w, spec, m)


def test_common_words_list_holds_no_unit_word():
    assert not (NOT_UNITS & set(WORDS))
