"""Finding products and order items in a message: quantities with their unit words, then
the product named next to each quantity (code, name, alias, typo, or meaning as a last
resort). Ambiguity is reported, never guessed into an order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from agent.nlu.numbers import QtyMention, is_unit_word, parse_quantities, resolve_unit

_JOIN_RE = re.compile(
    r"^[\s,;:&+.\-]*(?:of|x|nos\.?|no\.?)?\s+|[\s,;:&+.\-]*(?:and|plus|also|too|&|,)?[\s,;:&+.\-]*$", re.I
)
# a number right after "and", "aur", a comma: an item of its own ("… and 10 zorblax"), whose
# words must be found or asked about, never read as the end of the name before it
_NEW_ITEM = re.compile(r"(?:[,;&+]|\b(?:and|aur|plus|also|n)\b)\s*$", re.I)
# payment words beside an order: its terms, which the order's reader must account for, never items
PAY_SAID = re.compile(
    r"\b(?:pay|paid|paying|payment|upi|gpay|phonepe|paytm|cheque|chq|neft|rtgs|imps|utr|advance|credit|udh(?:a|aa)r|"
    r"cash|ref(?:erence)?\s*(?:no\.?\s*)?[:#]?\s*\w*\d\w*)\b",
    re.I,
)
_SEPARATOR = re.compile(r"[,;]|\b(?:and|aur|plus)\b", re.I)
_FILLER_RE = re.compile(
    r"\b(please|pls|plz|kindly|i|we|need|want|would like|like|to|order|place|an|book|buy|send|get|me|us|"
    r"add|also|too|more|another|the|a|for|my|some|give|supply|deliver|ok|okay|then|now|just|yes|so|"
    r"right|fine|sure|good|wants|needs|chahiye|chaiye|aur|bhi|dena|dedo|bhejo|bhej|do|asap|urgent|urgently|"
    r"quickly|today|tomorrow|jaldi|sir|ji|bhai|thanks|thank you)\b",
    re.I,
)
# Where a product phrase may end and words about something else begin ("OPC 53 for our
# godown", "cement to the shop", "elbow 1 inch aur ..."): a place, a purpose, a connective.
_TAIL_START = re.compile(r"\s+(?:to|for|at|from|in|into|by|on|with|aur|and|same|as|but|,|\.)(?=\s|$)", re.I)
SEMANTIC_MIN, SEMANTIC_MARGIN = 0.35, 0.06


@dataclass
class ProductPick:
    sku: str | None = None
    candidates: list[str] = field(default_factory=list)  # when ambiguous
    how: str = "name"  # name | semantic | same (more of the product just named)


@dataclass
class ItemsResult:
    items: list[dict] = field(default_factory=list)
    problem: str | None = None  # a question to ask instead of ordering
    notes: list[str] = field(default_factory=list)
    frame: dict | None = None  # what the question waits for (agent/planner/frames.py)


_PLAIN = re.compile(
    r"^(?:of|x|nos?|the|a|an|more|only|each|per|all|total|extra|same|new|fresh|big|small|"
    r"large|medium|full|half|packs?)$",
    re.I,
)


def _stray_word(lex, world, sku: str, words: list[str]) -> str | None:
    """The first of `words` (said where a unit goes, or left over beside the product) that
    nothing explains: not part of any name the world knows, not a unit, not filler. Such a
    word may be a unit we do not know ("3 gaddi"): it is asked about, never dropped."""
    from agent.nlu.numbers import is_unit_word

    units = [u for u, _ in world.units.get(sku, [])]
    for w in words:
        w = w.strip(",.;:!?()'\"")
        if not w or not re.search(r"[a-z]", w, re.I) or _PLAIN.match(w) or _FILLER_RE.fullmatch(w):
            continue
        if lex.knows_word(w) or is_unit_word(w, units):
            continue
        return w
    return None


def _after_name(lex, seg: str, sku: str) -> str:
    """The words of `seg` after the name that matched `sku` ("boxes" in "marie gold 75g boxes")."""
    for match in lex.find(seg, ["sku", "product"]):
        if match.entry.code == sku or sku in match.entry.extra.get("skus", ()):
            return seg[match.span[1] :].strip()
    return ""


def _clean(segment: str) -> str:
    s = segment
    for _ in range(2):
        s = _JOIN_RE.sub(" ", " " + s + " ").strip()
    return s


def _trim(segment: str) -> str:
    """Polite or filler words after a product name are not part of it ("paramol 500 please")."""
    words = segment.split()
    while words and _FILLER_RE.fullmatch(words[-1].strip(",.!?")):
        words.pop()
    return " ".join(words)


def _another_item(world_view, world, after: str, sku: str) -> str | None:
    """The words after a separator in an item's text ("marie, 3 kg jaggery") that are not more of
    the same product's name: another item, said without a quantity this parser can read."""
    pieces = [_trim(_clean(p)).strip(" .!?") for p in _SEPARATOR.split(after)[1:]]
    for piece in pieces:
        if not piece or _FILLER_RE.fullmatch(piece) or not re.search(r"[a-z]", piece, re.I) or PAY_SAID.search(piece):
            continue
        pick = pick_product(world_view, world, piece, semantic=False)
        # a number ("3 kg jaggery") or another product's name is an item; other words
        # ("deliver by tomorrow", "regards") are the message around the order
        if pick.sku != sku and (re.search(r"\d", piece) or pick.sku or pick.candidates):
            return piece
    return None


def pick_product(world_view, world, text: str, *, semantic: bool = True) -> ProductPick:
    """The SKU `text` names, or the candidates when several fit about equally."""
    if not text.strip():
        return ProductPick()
    lex = world.lexicon
    found = lex.find(text, ["sku"])
    if len(found) == 1:
        return ProductPick(found[0].entry.code)
    if found:
        exact = [m for m in found if m.score >= 99.9]
        if len(exact) == 1:
            return ProductPick(exact[0].entry.code)
        codes = [m.entry.code for m in found]
        by_number = _numbers_fit(lex, codes, text)
        if len(by_number) == 1:
            return ProductPick(by_number[0])
        return ProductPick(None, codes)
    prods = lex.find(text, ["product"])
    skus = [c for m in prods for c in world.product_skus.get(m.entry.code, [])]
    if len(skus) == 1:
        return ProductPick(skus[0])
    if skus:
        return ProductPick(None, skus)
    if not semantic or world_view is None:
        return ProductPick()
    hits = world_view.semantic_skus(text, 4)
    hits = [(c, s) for c, s in hits if s >= SEMANTIC_MIN]
    if not hits:
        return ProductPick()
    if len(hits) == 1 or hits[0][1] - hits[1][1] >= SEMANTIC_MARGIN:
        return ProductPick(hits[0][0], how="semantic")
    top = hits[0][1]
    return ProductPick(None, [c for c, s in hits if s >= top - SEMANTIC_MARGIN], how="semantic")


def _numbers_fit(lex, codes: list[str], text: str) -> list[str]:
    """The candidates whose names hold every number said ("Taraflex 1.5 wire": the 1.5 one):
    a number in a product phrase is a size or grade, and sizes tell variants apart."""
    said = set(re.findall(r"\d+(?:\.\d+)?", text))
    if not said:
        return []
    out = []
    for c in codes:
        entry = lex.get("sku", c)
        names = " ".join(entry.names) if entry else c
        if said <= set(re.findall(r"\d+(?:\.\d+)?", names)):
            out.append(c)
    return out


def _names_one(world_view, world, segment: str) -> bool:
    seg = _trim(_clean(segment))
    if not seg:
        return False
    pick = pick_product(world_view, world, seg, semantic=False)
    return bool(pick.sku or _shorter(world_view, world, seg, pick)[1].sku)


def _shorter(world_view, world, seg: str, pick: ProductPick) -> tuple[str, ProductPick]:
    """When the whole phrase names no single product, the product words may be followed by
    others ("OPC 53 for our godown"): the longest leading part that names exactly one
    product wins; otherwise the phrase and its pick stand."""
    cuts = [m.start() for m in _TAIL_START.finditer(seg)]
    for cut in sorted(set(cuts), reverse=True):
        head = _trim(seg[:cut].strip(" ,."))
        if head:
            got = pick_product(world_view, world, head, semantic=False)
            if got.sku:
                return head, got
    return seg, pick


def names_list(world, codes: list[str]) -> str:
    return "; ".join(f"{world.sku_names.get(c, c)} ({c})" for c in codes)


def extract_items(world_view, world, text: str) -> ItemsResult:
    """Order items [{product, qty, unit?}] said in `text`; `problem` when one is unclear."""
    lex = world.lexicon
    # a number that is a code or barcode names a product, it is no quantity
    mentions = [
        m for m in parse_quantities(text, lex.unit_words) if m.unit_word or not lex.is_code(text[m.start : m.end])
    ]
    out = ItemsResult()
    if not mentions:
        return out
    # a bare number right after product words is part of the name ("crunchy 100",
    # "paramol 500 please")
    kept: list[QtyMention] = []
    with_unit = any(m.unit_word for m in mentions)
    for i, m in enumerate(mentions):
        end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        if kept and m.unit_word is None and not _FILLER_RE.sub(" ", _clean(text[m.end : end])).strip(" ?.!,"):
            continue
        if (
            m.unit_word is None
            and i + 1 < len(mentions)
            and mentions[i + 1].unit_word
            and not re.sub(r"[\s,;:&+-]", "", text[m.end : end])
            and re.search(r"[a-z]\s*$", text[: m.start], re.I)
        ):
            continue  # "paramol 500, 1 carton": the bare number ends the product's name
        if (
            kept
            and with_unit
            and m.unit_word is None
            and not _NEW_ITEM.search(text[: m.start])
            and not _names_one(world_view, world, text[m.end : end])
        ):
            continue  # "10 pallets of OPC 53 for our godown": 53 belongs to the name before it
        kept.append(m)
    mentions = kept
    if any(m.unit_word for m in mentions):
        # "Taraflex 1.5 wire": a fraction without a unit beside a real quantity is a size
        mentions = [m for m in mentions if m.unit_word or m.qty is not None]

    # "interior emulsion 3 drums + weathershield 2 drums": every product named before its number
    # (the words before the first number name one, those after the last do not)
    def names(segment: str) -> bool:
        segment = re.sub(r"[\s,;:]+", " ", _FILLER_RE.sub(" ", segment)).strip()
        return bool(segment) and bool(lex.find(_trim(_clean(segment)), ["sku", "product"]))

    name_first = len(mentions) > 1 and names(text[: mentions[0].start]) and not names(text[mentions[-1].end :])

    def shared_after() -> str | None:
        """The product named after the last of quantities joined only by "and", ",", "aur"."""
        joined = all(
            not re.sub(r"[\s,;:&+]|\b(?:and|aur|or|plus|n)\b", "", text[a.end : b.start], flags=re.I)
            for a, b in zip(mentions, mentions[1:], strict=False)
        )
        if len(mentions) < 2 or not joined:
            return None
        return pick_product(world_view, world, _trim(_clean(text[mentions[-1].end :]))).sku

    for i, m in enumerate(mentions):
        end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        seg = after_number = _trim(_clean(text[m.end : end]))
        if name_first:
            start = mentions[i - 1].end if i else 0
            seg = _trim(_clean(re.sub(r"[\s,;:]+", " ", _FILLER_RE.sub(" ", text[start : m.start])).strip()))
            after_number = ""
        elif i == 0 and (not seg or not lex.find(seg, ["sku", "product"])):
            before = _FILLER_RE.sub(" ", text[: m.start])
            before = re.sub(r"[\s,;:]+", " ", before).strip()
            if before and (not seg or lex.find(before, ["sku", "product"])):
                seg = before
        pick = pick_product(world_view, world, seg)
        if not pick.sku:
            seg, pick = _shorter(world_view, world, seg, pick)
        said = (text[m.start : m.end] + " " + seg).strip()
        if pick.sku and m.unit_word is None:
            # the word where a unit goes, or what is left after the product when it was named
            # before the number ("marie gold 5 dabba"), must be explained, never dropped
            named_after = seg == after_number or after_number.startswith(seg)
            tail = _after_name(lex, seg, pick.sku) if named_after else ""
            if tail and is_unit_word(tail.split()[0].strip(",.;:!?"), [u for u, _ in world.units.get(pick.sku, [])]):
                # "10 marie gold boxes": the unit said after the product is the number's
                m = replace(m, unit_word=tail.split()[0].strip(",.;:!?"))
            place = after_number.split()[:1] if named_after else after_number.split()
            stray = _stray_word(lex, world, pick.sku, place)
            if stray:
                units = ", ".join(f"{u} ({f})" if f > 1 else u for u, f in world.units.get(pick.sku, []))
                out.problem = (
                    f"What do you mean by '{stray}' in '{text[m.start : end].strip()}'? "
                    f"{world.sku_names.get(pick.sku, pick.sku)} is sold in {units}."
                )
                out.frame = {"slot": "unit", "word": stray, "sku": pick.sku}
                return out
        if pick.candidates:
            out.problem = f"Which product do you mean by '{seg}'? It could be: {names_list(world, pick.candidates)}."
            return out
        if not pick.sku and not seg and m.unit_word and m.qty:
            # "crunchy cream 1 case aur 5 box": a quantity with no product is more of the last one;
            # "2 cases and 3 boxes of crunchy cream": of the one named after the last quantity
            same = out.items[-1]["product"] if out.items else shared_after()
            if same:
                pick = ProductPick(sku=same, candidates=[], how="same")
        if not pick.sku:
            if not seg:
                continue
            out.problem = (
                f"I could not find a product called '{seg}'. You can name it by its name, code "
                f"or barcode, or ask me to search the catalogue."
            )
            return out
        if pick.sku and not name_first and (other := _another_item(world_view, world, text[m.end : end], pick.sku)):
            # "10 box marie, 3 kg jaggery": words after a separator that name no quantity of this
            # product are another item, which must be understood, never dropped
            out.problem = (
                f"What do you mean by '{other}'? Say it with its quantity and unit, or name it by its "
                f"code; I will not leave it out of the order unasked."
            )
            return out
        if pick.how == "semantic":
            out.notes.append(f"I took '{seg}' to mean {world.sku_names.get(pick.sku, pick.sku)} ({pick.sku}).")
        units = world.units.get(pick.sku, [])
        unit = resolve_unit(m.unit_word, units) if m.unit_word else None
        if m.unit_word and unit is None:
            sold_in = ", ".join(u for u, _ in units) or "its base unit"
            out.problem = (
                f"{world.sku_names.get(pick.sku, pick.sku)} is sold in {sold_in}, not "
                f"'{m.unit_word}'. Which unit do you mean?"
            )
            out.frame = {"slot": "unit", "word": m.unit_word, "sku": pick.sku}
            return out
        if m.qty is None and m.value > 0 and unit is not None:
            # "1.5 case", "dedh peti": a whole number of base units is an order, said how it was read
            base = m.value * unit[1]
            if base == int(base) and units:
                out.items.append({"product": pick.sku, "qty": int(base)})
                out.notes.append(
                    f"{m.said or m.value} {unit[0]} of {world.sku_names.get(pick.sku, pick.sku)} "
                    f"= {int(base)} {units[0][0]}."
                )
                continue
            out.problem = (
                f"{m.said or m.value} {unit[0]} of {world.sku_names.get(pick.sku, pick.sku)} is "
                f"{base} {units[0][0] if units else 'units'}, not a whole number; how many should it be?"
            )
            return out
        if m.qty is None or m.qty <= 0:
            out.problem = f"The quantity in '{said}' must be a whole number above zero."
            return out
        item = {"product": pick.sku, "qty": int(m.qty)}
        if unit is not None and (unit[1] != 1 or m.unit_word):
            item["unit"] = unit[0]
        out.items.append(item)
    return out
