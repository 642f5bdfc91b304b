"""Finding things by what people call them: SKUs, customers, regions, warehouses.

Exact identifiers win (code, barcode, exact name, alias); otherwise a fuzzy match over
names and aliases, with pack sizes normalised ("1 litre" = "1L" = "1000 ml") so a size
in the question prefers the SKU of that size. Two near-equal matches are `Ambiguous`,
never a silent guess. Customer lookup never reveals a customer outside the actor's scope.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar, cast

import numpy as np
import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy import Row
from sqlmodel import Session, col, select

from .access import Actor, customer_in_scope
from .beats import team_rep_ids
from .cache import derivation
from .catalogue import sku_meta, split_list
from .errors import Ambiguous, InvalidInput, NotAllowed, NotFound
from .outlets import get_outlet_request, outlet_requests
from .parties import customer_names, region_children, subtree
from .stock import stock_warehouse_codes
from .tables.catalogue import Brand, Category, Product, Sku
from .tables.field import OutletRequest
from .tables.parties import Customer, Region, User, Warehouse
from .units import resolve_unit

MIN_SCORE = 60  # below this a fuzzy match is not taken as meant
MARGIN = 5  # scores this close are "about equal"
SIZE_MATCH, SIZE_MISMATCH = 12, 25  # bonus / penalty when the query names a pack size

# Size words -> (canonical unit, multiplier): weights to grams, volumes to millilitres.
_SIZE_UNITS = {
    "kg": ("g", 1000),
    "kgs": ("g", 1000),
    "kilo": ("g", 1000),
    "kilos": ("g", 1000),
    "kilogram": ("g", 1000),
    "kilograms": ("g", 1000),
    "g": ("g", 1),
    "gm": ("g", 1),
    "gms": ("g", 1),
    "gram": ("g", 1),
    "grams": ("g", 1),
    "gr": ("g", 1),
    "l": ("ml", 1000),
    "lt": ("ml", 1000),
    "ltr": ("ml", 1000),
    "ltrs": ("ml", 1000),
    "litre": ("ml", 1000),
    "litres": ("ml", 1000),
    "liter": ("ml", 1000),
    "liters": ("ml", 1000),
    "ml": ("ml", 1),
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


@lru_cache(maxsize=1 << 16)
def _normalised(name: str) -> str:
    return normalise(name)


def _name_score(query: str, name: str, code: str, cutoff: float = 0) -> float:
    """How well a normalised query matches a name or code; spacing ignored ("tamilnadu").
    A score below `cutoff` may come back as 0."""
    n = _normalised(name)
    return float(
        max(
            fuzz.token_set_ratio(query, n, score_cutoff=cutoff),
            fuzz.ratio(query.replace(" ", ""), n.replace(" ", ""), score_cutoff=cutoff),
            fuzz.ratio(query, code.lower(), score_cutoff=cutoff),
        )
    )


# --- SKUs --------------------------------------------------------------------------------


def _sku_fields(session: Session) -> list[tuple[Row[*tuple[Any, ...]], list[str], set[str]]]:
    """Each SKU (code, name, aliases, barcode) with its searchable texts (normalised) and its
    pack sizes. Rows, not objects: ORM columns, so a transaction's own changes are flushed first."""
    products = {
        p.code: p
        for p in session.execute(
            select(col(Product.code), col(Product.name), col(Product.brand), col(Product.category))
        )
    }
    brands = _path_names(session, Brand)
    categories = _path_names(session, Category)
    out = []
    for sku in session.execute(
        sa.select(col(Sku.code), col(Sku.name), col(Sku.aliases), col(Sku.barcode), col(Sku.product)).order_by(
            col(Sku.code)
        )
    ):
        p = products.get(sku.product)
        texts = [sku.name, sku.code, *split_list(sku.aliases)]
        if p is not None:
            texts.append(f"{p.name} {sku.name}")
            texts.append(f"{brands.get(p.brand, '')} {categories.get(p.category, '')} {p.name} {sku.name}")
        size = sizes(sku.name) or set().union(*(sizes(a) for a in split_list(sku.aliases)))
        out.append((sku, [normalise(t) for t in texts], size))
    return out


def _path_names(session: Session, model: type[Brand] | type[Category]) -> dict[str, str]:
    """Each tree node's name with its ancestors' names, so a SKU is found by any level
    of its brand or category tree ("paints" finds the primers under it)."""
    rows = {code: (name, parent) for code, name, parent in session.exec(select(model.code, model.name, model.parent))}
    out = {}
    for code in rows:
        names: list[str] = []
        seen: set[str] = set()
        c: str | None = code
        while c in rows and c not in seen:
            seen.add(c)
            names.append(rows[c][0])
            c = rows[c][1]
        out[code] = " ".join(reversed(names))
    return out


@dataclass(frozen=True)
class _SkuIndex:
    """Every SKU's searchable texts, derived once per reference token (core.cache)."""

    codes: tuple[str, ...]  # by code
    sizes: tuple[frozenset[str], ...]  # each SKU's pack sizes
    texts: tuple[str, ...]  # every SKU's non-empty normalised texts, one after another
    starts: "np.ndarray"  # where each SKU's texts start in `texts` (-1: it has none)
    exact: dict[str, tuple[str, ...]]  # casefolded code, barcode, name or alias -> the SKUs it names


def _build_sku_index(session: Session) -> _SkuIndex:
    codes: list[str] = []
    size_of: list[frozenset[str]] = []
    texts: list[str] = []
    starts: list[int] = []
    exact: dict[str, tuple[str, ...]] = {}
    for sku, fields, size in _sku_fields(session):
        codes.append(sku.code)
        size_of.append(frozenset(size))
        kept = [f for f in fields if f]
        starts.append(len(texts) if kept else -1)
        texts += kept
        keys = (
            sku.code.casefold(),
            (sku.barcode or "").casefold(),
            sku.name.casefold(),
            *(a.casefold() for a in split_list(sku.aliases)),
        )
        for k in dict.fromkeys(keys):
            exact[k] = exact.get(k, ()) + (sku.code,)
    return _SkuIndex(tuple(codes), tuple(size_of), tuple(texts), np.array(starts, dtype=np.int64), exact)


_sku_index = derivation("lookup.skus", _build_sku_index)


def _best_scores(query: str, index: _SkuIndex, cutoff: float) -> "np.ndarray":
    """Per SKU, the best `fuzz.token_set_ratio` of `query` against its texts (0 for none, and
    possibly for a best below `cutoff`), every pair scored in one call."""
    if not index.texts:
        return np.zeros(len(index.codes))
    pairs = process.cdist([query], index.texts, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, dtype=np.float64)[0]
    has = index.starts >= 0
    best = np.zeros(len(index.codes))
    best[has] = np.maximum.reduceat(pairs, index.starts[has])
    return best


def search_skus(session: Session, text: str, limit: int = 5) -> list[tuple[Sku, float]]:
    """The best matching SKUs with scores (0-100+), best first; exact identifiers score 100+."""
    q = normalise(text or "")
    if not q:
        return []
    raw = (text or "").strip().casefold()
    want = sizes(text)
    index = _sku_index(session)
    named = set(index.exact.get(raw, ()))
    scored: list[tuple[str, float]] = []
    # a score below this cannot reach the list even with the size bonus
    cutoff = MIN_SCORE - 15 - (SIZE_MATCH if want else 0)
    best = _best_scores(q, index, cutoff)
    for k in np.flatnonzero(best >= cutoff).tolist():
        code = index.codes[k]
        if code in named:
            continue
        s = float(best[k])
        size = index.sizes[k]
        if want and size:
            s += SIZE_MATCH if want & size else -SIZE_MISMATCH
        if s >= MIN_SCORE - 15:
            scored.append((code, s))
    scored += [(code, 150.0) for code in named]
    scored.sort(key=lambda x: (-x[1], x[0]))
    # the index is this transaction's view of the catalogue
    return [(cast(Sku, session.get(Sku, code)), s) for code, s in scored[:limit]]


class _Named(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def _pick(text: str, scored: list[tuple[N, float]], label: Callable[[N], str], what: str, hint: str) -> N:
    """The single clear best match, else Ambiguous or NotFound."""
    good = [(x, s) for x, s in scored if s >= MIN_SCORE]
    if not good:
        near = ", ".join(label(x) for x, v in scored[:3] if v >= MIN_SCORE - 15)
        raise NotFound(f"No {what} matching '{text}'. " + (f"Did you mean {near}? " if near else "") + hint)
    best = good[0][1]
    close = [x for x, s in good if best - s < MARGIN]
    if len(close) > 1:
        raise Ambiguous(
            f"'{text}' could be " + ", ".join(label(x) for x in close[:6]) + ". Which one?",
            [(x.code, x.name) for x in close[:6]],
        )
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
        raise Ambiguous(
            f"'{t}' could be " + ", ".join(f"{s.name} ({s.code})" for s in top) + ". Which one?",
            [(s.code, s.name) for s in top],
        )
    return _pick(
        t, scored, lambda s: f"{s.name} ({s.code})", "product", "Try the product's code, its barcode or a shorter name."
    )


def sku_unit(session: Session, sku: str, text: str | None) -> str | None:
    """One of the SKU's units as it is spelt in the catalogue ("boxes" -> "BOX", "peti" ->
    "CASE", "katte" -> "BAG"), read through the one vocabulary of core.units; None = no unit
    word (the base unit). A word that is no unit of the SKU, fits several, or converts into
    another unit ("dozen", "quintal") is returned as said: core.orders.to_base reads it the
    same way and says what is wrong, never taking it for the base unit."""
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
    # codes and names only (an object per customer costs more than the matching); only the
    # customers matched are loaded
    names = session.execute(_CUSTOMER_NAMES).all()
    exact = next((code for code, name in names if folded in (code.casefold(), name.casefold())), None)
    if exact is not None:
        c = cast(Customer, session.get(Customer, exact))  # its code was just read
        if customer_in_scope(session, actor, c):
            return c
        raise _refusal(actor, t)
    q = normalise(t)
    by_score = sorted(
        ((code, _name_score(q, name, code, MIN_SCORE + 10)) for code, name in names), key=lambda x: (-x[1], x[0])
    )
    by_score = [(code, s) for code, s in by_score if s >= MIN_SCORE + 10]
    found: dict[str, Customer] = {}
    for i in range(0, len(by_score), 500):  # bounded IN lists
        chunk = [code for code, _ in by_score[i : i + 500]]
        found.update((c.code, c) for c in session.exec(select(Customer).where(col(Customer.code).in_(chunk))))
    scored = [(found[code], s) for code, s in by_score]
    if not scored:
        raise _refusal(actor, t)
    visible = [(c, s) for c, s in scored if customer_in_scope(session, actor, c)]
    if not visible or visible[0][1] < scored[0][1] - MARGIN:
        raise _refusal(actor, t)  # the best match is someone the actor may not see
    best = visible[0][1]
    close = [c for c, s in visible if best - s < MARGIN and _explains(q, c)]
    if not close:  # "Ghosh Hardware" is not "Salt Lake Hardware Stores": a word said is in no name
        raise _refusal(actor, t)
    if len(close) > 1:
        raise Ambiguous(
            f"'{t}' could be " + ", ".join(f"{c.name} ({c.code})" for c in close[:6]) + ". Which one?",
            [(c.code, c.name) for c in close[:6]],
        )
    return close[0]


def _explains(query: str, c: Customer) -> bool:
    """Every distinctive word said (4 letters or more) is, give or take a typo, a word of the
    customer's name or its code: a name shares more than one trade word with the one meant."""
    own = re.findall(r"\w+", normalise(f"{c.name} {c.code}"))
    return all(any(fuzz.ratio(w, o) >= 75 for o in own) for w in re.findall(r"\w+", query) if len(w) >= 4)


_CUSTOMER_NAMES = select(Customer.code, Customer.name).order_by(Customer.code)


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


def region_and_below(session: Session, text: str | None) -> set[str] | None:
    """The region said and every region under it (an area's orders are in its city's); None
    when no region is said."""
    if not text:
        return None
    return subtree(region_children(session), [resolve_region(session, text).code])


_KIND_WORDS = re.compile(r"\b(?:warehouses?|depots?|godowns?)\b", re.I)


def _place(name: str) -> str:
    """A warehouse's name without the words that say it is one ("Siliguri Matigara Depot" -> "Siliguri Matigara")."""
    return " ".join(_KIND_WORDS.sub(" ", name).split()) or name


def resolve_warehouse(session: Session, actor: Actor, text: str) -> Warehouse:
    """A warehouse whose stock the actor may see; the same refusal for unknown ones."""
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
        scored = sorted(
            ((w, _name_score(q, _place(w.name), w.code)) for w in warehouses), key=lambda x: (-x[1], x[0].code)
        )
        try:
            found = _pick(t, scored, lambda w: f"{w.name} ({w.code})", "warehouse", "")
        except NotFound:
            raise refusal from None
        except Ambiguous as e:
            e.candidates = [c for c in e.candidates if scope is None or c[0] in scope]
            if len(e.candidates) == 1:
                found = cast(Warehouse, session.get(Warehouse, e.candidates[0][0]))  # one of `warehouses`
            elif not e.candidates:
                raise refusal from None
            else:
                raise Ambiguous(
                    f"'{t}' could be " + ", ".join(f"{n} ({c})" for c, n in e.candidates) + ". Which one?", e.candidates
                ) from None
    if scope is not None and found.code not in scope:
        raise refusal
    return found


# --- people and requests of field work ---------------------------------------------------


def resolve_rep(session: Session, actor: Actor, text: str) -> str:
    """A sales rep of the actor's team by name or user id (the same NotFound for one outside it)."""
    team = team_rep_ids(session, actor)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(team)))} if team else {}
    t = text.strip()
    for u in users.values():
        if t.casefold() in (u.id.casefold(), u.name.casefold()):
            return u.id
    q = normalise(t)
    scored = sorted(
        ((u, max(_name_score(q, u.name, u.id), _first_name_score(q, u.name))) for u in users.values()),
        key=lambda x: (-x[1], x[0].id),
    )
    return _pick(
        t,
        [(_Labelled(u.id, u.name), s) for u, s in scored],
        lambda u: f"{u.name} ({u.code})",
        "sales rep",
        "Give the rep's name as in the team list.",
    ).code


def _first_name_score(q: str, name: str) -> float:
    """'ravi' names Ravi Kumar: a person is called by a first name."""
    first = normalise(name).split()
    return 100.0 if first and q == first[0] else 0.0


@dataclass(frozen=True)
class _Labelled:
    """A choice with a code and words to show (satisfies _Named)."""

    code: str
    name: str


def resolve_outlet_request(session: Session, actor: Actor, text: str) -> OutletRequest:
    """A pending outlet request the actor may see, by its id, or by the proposing rep's name or
    the outlet's name ("Ravi's update", "the Patel Stores change"); asked about when several fit."""
    t = text.strip()
    pending = outlet_requests(session, actor)
    for req in pending:
        if req.id.casefold() == t.casefold():
            return req
    if t.casefold() in ("new", "update"):  # "the new shop request": the one pending of that kind
        kind = [r for r in pending if r.kind == t.casefold()]
        if len(kind) == 1:
            return kind[0]
        if not kind:
            raise NotFound(
                f"No pending {'new outlet' if t.casefold() == 'new' else 'outlet update'} request that you can see."
            )
        raise Ambiguous(
            f"Which one? {', '.join(f'{r.id} ({r.customer})' for r in kind)}.", [(r.id, r.customer) for r in kind]
        )
    if re.fullmatch(r"[A-Za-z]{1,4}-?\d+", t):
        return get_outlet_request(session, actor, t)  # a request id: NotFound worded like any other
    reps = (
        {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_({r.proposed_by for r in pending})))}
        if pending
        else {}
    )
    outlets = customer_names(session, {r.customer for r in pending})
    q = normalise(t)
    scored = sorted(
        (
            (
                r,
                max(
                    _name_score(q, outlets.get(r.customer, r.customer), r.customer),
                    _name_score(q, reps.get(r.proposed_by, r.proposed_by), r.proposed_by),
                    _first_name_score(q, reps.get(r.proposed_by, "")),
                ),
            )
            for r in pending
        ),
        key=lambda x: (-x[1], x[0].id),
    )
    named = [
        (
            _Labelled(
                r.id, f"{r.kind} of {outlets.get(r.customer, r.customer)} by {reps.get(r.proposed_by, r.proposed_by)}"
            ),
            s,
        )
        for r, s in scored
    ]
    picked = _pick(
        t, named, lambda n: f"{n.code} ({n.name})", "pending outlet request", "Say 'outlet requests' to list them."
    )
    return next(r for r in pending if r.id == picked.code)
