"""Finding things by what people call them: SKUs, customers, regions, warehouses.

Exact identifiers win (code, barcode, exact name, alias); otherwise a fuzzy match over
names and aliases, with pack sizes normalised ("1 litre" = "1L" = "1000 ml") so a size
in the question prefers the SKU of that size. Two near-equal matches are `Ambiguous`,
never a silent guess. Customer lookup never reveals a customer outside the actor's scope.
"""
import re

from rapidfuzz import fuzz
from sqlmodel import Session, select

from .access import Actor, customer_in_scope
from .catalogue import Brand, Category, Product, Sku, split_list
from .errors import Ambiguous, InvalidInput, NotAllowed, NotFound
from .parties import Customer, Region, Warehouse

MIN_SCORE = 60  # below this a fuzzy match is not taken as meant
MARGIN = 5  # scores this close are "about equal"
SIZE_MATCH, SIZE_MISMATCH = 12, 25  # bonus / penalty when the query names a pack size

# Size words -> (canonical unit, multiplier): weights to grams, volumes to millilitres.
_SIZE_UNITS = {
    "kg": ("g", 1000), "kgs": ("g", 1000), "kilo": ("g", 1000), "kilos": ("g", 1000), "kilogram": ("g", 1000),
    "kilograms": ("g", 1000), "g": ("g", 1), "gm": ("g", 1), "gms": ("g", 1), "gram": ("g", 1),
    "grams": ("g", 1), "gr": ("g", 1),
    "l": ("ml", 1000), "lt": ("ml", 1000), "ltr": ("ml", 1000), "ltrs": ("ml", 1000), "litre": ("ml", 1000),
    "litres": ("ml", 1000), "liter": ("ml", 1000), "liters": ("ml", 1000), "ml": ("ml", 1),
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_SIZE_UNITS, key=len, reverse=True)) + r")\b")
_NON_WORD = re.compile(r"[^\w.]+")


def _canonical_size(number: str, unit: str) -> str:
    base, mult = _SIZE_UNITS[unit]
    value = float(number) * mult
    return f"{int(value) if value == int(value) else value}{base}"


def normalise(text: str) -> str:
    """Lower case, sizes canonical ("1 Litre" -> "1000ml"), punctuation to spaces."""
    t = text.lower()
    t = _SIZE.sub(lambda m: " " + _canonical_size(m.group(1), m.group(2)) + " ", t)
    return " ".join(_NON_WORD.sub(" ", t).split())


def sizes(text: str) -> set[str]:
    return {_canonical_size(n, u) for n, u in _SIZE.findall(text.lower())}


def _name_score(query: str, name: str, code: str) -> float:
    """How well a normalised query matches a name or code; spacing ignored ("tamilnadu")."""
    n = normalise(name)
    return float(max(fuzz.token_set_ratio(query, n), fuzz.ratio(query.replace(" ", ""), n.replace(" ", "")),
                     fuzz.ratio(query, code.lower())))


def _score(query: str, fields: list[str]) -> float:
    return max((fuzz.token_set_ratio(query, f) for f in fields if f), default=0.0)


# --- SKUs --------------------------------------------------------------------------------

def _sku_fields(session: Session) -> list[tuple[Sku, list[str], set[str]]]:
    """Each SKU with its searchable texts (normalised) and its pack sizes."""
    products = {p.code: p for p in session.exec(select(Product))}
    brands = _path_names(session, Brand)
    categories = _path_names(session, Category)
    out = []
    for sku in session.exec(select(Sku).order_by(Sku.code)):
        p = products.get(sku.product)
        texts = [sku.name, sku.code, *split_list(sku.aliases)]
        if p is not None:
            texts.append(f"{p.name} {sku.name}")
            texts.append(f"{brands.get(p.brand, '')} {categories.get(p.category, '')} {p.name} {sku.name}")
        size = sizes(sku.name) or set().union(*(sizes(a) for a in split_list(sku.aliases)))
        out.append((sku, [normalise(t) for t in texts], size))
    return out


def _path_names(session: Session, model) -> dict[str, str]:
    """Each tree node's name with its ancestors' names, so a SKU is found by any level
    of its brand or category tree ("paints" finds the primers under it)."""
    rows = {code: (name, parent) for code, name, parent in session.exec(select(model.code, model.name, model.parent))}
    out = {}
    for code in rows:
        names, seen, c = [], set(), code
        while c in rows and c not in seen:
            seen.add(c)
            names.append(rows[c][0])
            c = rows[c][1]
        out[code] = " ".join(reversed(names))
    return out


def search_skus(session: Session, text: str, limit: int = 5) -> list[tuple[Sku, float]]:
    """The best matching SKUs with scores (0-100+), best first; exact identifiers score 100+."""
    q = normalise(text or "")
    if not q:
        return []
    raw = (text or "").strip().casefold()
    want = sizes(text)
    scored: list[tuple[Sku, float]] = []
    for sku, fields, size in _sku_fields(session):
        if raw in (sku.code.casefold(), (sku.barcode or "").casefold(), sku.name.casefold()) \
                or raw in (a.casefold() for a in split_list(sku.aliases)):
            scored.append((sku, 150.0))
            continue
        s = _score(q, fields)
        if want and size:
            s += SIZE_MATCH if want & size else -SIZE_MISMATCH
        if s >= MIN_SCORE - 15:
            scored.append((sku, float(s)))
    scored.sort(key=lambda x: (-x[1], x[0].code))
    return scored[:limit]


def _pick(text: str, scored: list[tuple[object, float]], label, what: str, hint: str):
    """The single clear best match, else Ambiguous or NotFound."""
    good = [(x, s) for x, s in scored if s >= MIN_SCORE]
    if not good:
        near = ", ".join(label(x) for x, v in scored[:3] if v >= MIN_SCORE - 15)
        raise NotFound(f"No {what} matching '{text}'. " + (f"Did you mean {near}? " if near else "") + hint)
    best = good[0][1]
    close = [x for x, s in good if best - s < MARGIN]
    if len(close) > 1:
        raise Ambiguous(f"'{text}' could be " + ", ".join(label(x) for x in close[:6]) + ". Which one?",
                        [(x.code, x.name) for x in close[:6]])
    return close[0]


def resolve_sku(session: Session, text: str) -> Sku:
    """The SKU a person means: code, barcode, exact name, alias, then fuzzy over names."""
    if not text or not text.strip():
        raise InvalidInput("Which product? Give its name or code.")
    t = text.strip()
    exact = session.get(Sku, t.upper()) or session.exec(select(Sku).where(Sku.barcode == t)).first()
    if exact is not None:
        return exact
    scored = search_skus(session, t, limit=10)
    top = [s for s, v in scored if v >= 150]
    if len(top) == 1:
        return top[0]
    if len(top) > 1:
        raise Ambiguous(f"'{t}' could be " + ", ".join(f"{s.name} ({s.code})" for s in top) + ". Which one?",
                        [(s.code, s.name) for s in top])
    return _pick(t, scored, lambda s: f"{s.name} ({s.code})", "product",
                 "Try the product's code, its barcode or a shorter name.")


def sku_unit(session: Session, sku: str, text: str | None) -> str | None:
    """One of the SKU's units as it is spelt in the catalogue ("boxes" -> "BOX", "peti" ->
    "CASE", "katte" -> "BAG"), read through the one vocabulary of core.units; None = no unit
    word (the base unit). A word that is no unit of the SKU, fits several, or converts into
    another unit ("dozen", "quintal") is returned as said: core.orders.to_base reads it the
    same way and says what is wrong, never taking it for the base unit."""
    from .orders import sku_meta
    from .units import resolve_unit

    if text is None or not text.strip():
        return None
    meta = sku_meta(session, [sku]).get(sku)
    units = list(meta.units) if meta else []
    try:
        m = resolve_unit(text, units, meta.name if meta else sku)
    except InvalidInput:
        return text.strip()
    return m.unit if m.factor == m.unit_factor else text.strip()


# --- customers ---------------------------------------------------------------------------

def _refusal(actor: Actor, text: str) -> NotAllowed:
    """The same words whether the customer is out of scope or does not exist at all."""
    if actor.role == "retailer":
        return NotAllowed("You can only see your own account.")
    return NotAllowed(f"'{text}' is not among the customers you can see.")


def resolve_customer(session: Session, actor: Actor, text: str) -> Customer:
    """The customer a person means, within the actor's scope. Matches over every customer so
    a close name outside the scope is refused rather than swapped for another one; the
    refusal reads the same as for a name that matches nothing."""
    if not text or not text.strip():
        raise InvalidInput("Which customer? Give a name or code.")
    t = text.strip()
    folded = t.casefold()
    customers = list(session.exec(select(Customer).order_by(Customer.code)))
    exact = [c for c in customers if folded in (c.code.casefold(), c.name.casefold())]
    if exact:
        if customer_in_scope(session, actor, exact[0]):
            return exact[0]
        raise _refusal(actor, t)
    q = normalise(t)
    scored = sorted(((c, _name_score(q, c.name, c.code)) for c in customers), key=lambda x: (-x[1], x[0].code))
    scored = [(c, s) for c, s in scored if s >= MIN_SCORE + 10]
    if not scored:
        raise _refusal(actor, t)
    visible = [(c, s) for c, s in scored if customer_in_scope(session, actor, c)]
    if not visible or visible[0][1] < scored[0][1] - MARGIN:
        raise _refusal(actor, t)  # the best match is someone the actor may not see
    best = visible[0][1]
    close = [c for c, s in visible if best - s < MARGIN]
    if len(close) > 1:
        raise Ambiguous(f"'{t}' could be " + ", ".join(f"{c.name} ({c.code})" for c in close[:6])
                        + ". Which one?", [(c.code, c.name) for c in close[:6]])
    return close[0]


# --- regions and warehouses --------------------------------------------------------------

def resolve_region(session: Session, text: str) -> Region:
    if not text or not text.strip():
        raise InvalidInput("Which region? Give a name or code.")
    t = text.strip()
    regions = list(session.exec(select(Region).order_by(Region.code)))
    for r in regions:
        if t.casefold() in (r.code.casefold(), r.name.casefold()):
            return r
    q = normalise(t)
    scored = sorted(((r, _name_score(q, r.name, r.code)) for r in regions), key=lambda x: (-x[1], x[0].code))
    return _pick(t, scored, lambda r: f"{r.name} ({r.code})", "region", "Try a region's code or full name.")


_KIND_WORDS = re.compile(r"\b(?:warehouses?|depots?|godowns?)\b", re.I)


def _place(name: str) -> str:
    """A warehouse's name without the words that say it is one ("Siliguri Matigara Depot" -> "Siliguri Matigara")."""
    return " ".join(_KIND_WORDS.sub(" ", name).split()) or name


def resolve_warehouse(session: Session, actor: Actor, text: str) -> Warehouse:
    """A warehouse whose stock the actor may see; the same refusal for unknown ones."""
    from .stock import stock_warehouse_codes

    if not text or not text.strip():
        raise InvalidInput("Which warehouse? Give a name or code.")
    t = text.strip()
    scope = stock_warehouse_codes(session, actor)
    refusal = NotAllowed(f"'{t}' is not among the warehouses you can see.")
    warehouses = list(session.exec(select(Warehouse).order_by(Warehouse.code)))
    found = next((w for w in warehouses if t.casefold() in (w.code.casefold(), w.name.casefold())), None)
    if found is None:
        # by the place words only: "Goa Warehouse" must not match "Bengaluru Central Warehouse"
        # on the word every warehouse shares (nor an unknown name match where a known one is refused)
        q = normalise(_place(t))
        scored = sorted(((w, _name_score(q, _place(w.name), w.code)) for w in warehouses),
                        key=lambda x: (-x[1], x[0].code))
        try:
            found = _pick(t, scored, lambda w: f"{w.name} ({w.code})", "warehouse", "")
        except NotFound:
            raise refusal from None
        except Ambiguous as e:
            e.candidates = [c for c in e.candidates if scope is None or c[0] in scope]
            if len(e.candidates) == 1:
                found = session.get(Warehouse, e.candidates[0][0])
            elif not e.candidates:
                raise refusal from None
            else:
                raise Ambiguous(f"'{t}' could be " + ", ".join(f"{n} ({c})" for c, n in e.candidates)
                                + ". Which one?", e.candidates) from None
    if scope is not None and found.code not in scope:
        raise refusal
    return found
