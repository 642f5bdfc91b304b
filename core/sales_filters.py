"""Which customers and which SKUs a sales report counts, named as people say them.

A report may be narrowed to a customer, a region (any level of the tree, with everything
under it), a beat, a sales rep's customers, a distributor's customers, and to a brand, a
category or a product. Each name is resolved here within the actor's scope: a beat, rep or
customer the actor may not see reads exactly like one that does not exist. The result is a
`SalesFilter` of SQL conditions on `Customer` and on `Sku` that the report services in
core/reports.py (and the invoice readers in core/invoices.py) add to the actor's own scope:
conditions, not lists of codes, so a region of tens of thousands of customers costs a join.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from .access import Actor, beat_customers, customer_scope, load_actor, visible_customer_codes
from .catalogue import split_list
from .errors import Ambiguous, InvalidInput, NotFound, OutOfScope
from .lookup import normalise, resolve_customer, resolve_region, resolve_sku
from .parties import region_children, subtree
from .tables.catalogue import Brand, Category, Product, Sku
from .tables.field import Beat
from .tables.parties import Customer, User

MIN_SCORE = 70  # a fuzzy name match below this is not taken as meant
MARGIN = 5  # scores this close are "about equal": a question, never a guess

Condition = sa.ColumnElement[bool]


@dataclass(frozen=True, eq=False)  # conditions compare as SQL, not as values
class SalesFilter:
    """What a report counts beyond the actor's scope: conditions on `Customer`'s columns and on
    `Sku`'s (all must hold; none = no restriction), and how each filter reads ("in Karnataka",
    "brand Brisk")."""

    customer_where: tuple[Condition, ...] = ()
    sku_where: tuple[Condition, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def filters_skus(self) -> bool:
        return bool(self.sku_where)

    def customers_of(self, column: Mapped[str] | sa.ColumnElement[str]) -> list[Condition]:
        """The customer filters as conditions on a column of customer codes (none: no filter)."""
        return [column.in_(sa.select(col(Customer.code)).where(*self.customer_where))] if self.customer_where else []

    def skus_of(self, column: Mapped[str] | sa.ColumnElement[str]) -> list[Condition]:
        """The SKU filters as conditions on a column of SKU codes (none: no filter)."""
        return [column.in_(sa.select(col(Sku.code)).where(*self.sku_where))] if self.sku_where else []

    @property
    def about(self) -> str:
        """The filters in words, for a report's first line: ' for beat X, brand Y'."""
        return (" for " + ", ".join(self.words)) if self.words else ""

    def narrowed(
        self, customers: Condition | None = None, skus: Condition | None = None, words: str | None = None
    ) -> "SalesFilter":
        """This filter and another restriction (both hold)."""
        return SalesFilter(
            self.customer_where + ((customers,) if customers is not None else ()),
            self.sku_where + ((skus,) if skus is not None else ()),
            self.words + ((words,) if words else ()),
        )


NO_FILTER = SalesFilter()


def build_filter(
    session: Session,
    actor: Actor,
    *,
    customer: str | None = None,
    region: str | None = None,
    beat: str | None = None,
    sales_rep: str | None = None,
    distributor: str | None = None,
    brand: str | None = None,
    category: str | None = None,
    product: str | None = None,
) -> SalesFilter:
    """The filter for what a person named (codes or names; empty = not given)."""
    f = NO_FILTER
    code = col(Customer.code)
    if customer and customer.strip():
        c = resolve_customer(session, actor, customer)
        f = f.narrowed(customers=code == c.code, words=c.name)
    if region and region.strip():
        r = resolve_region(session, region)
        below = subtree(region_children(session), [r.code])
        f = f.narrowed(customers=col(Customer.region).in_(sorted(below)), words=f"in {r.name}")
    if beat and beat.strip():
        b = resolve_beat(session, actor, beat)
        f = f.narrowed(customers=code.in_(sorted(set(split_list(b.customers)))), words=f"beat {b.name}")
    if sales_rep and sales_rep.strip():
        rep = resolve_sales_rep(session, actor, sales_rep)
        f = f.narrowed(customers=rep_customers(session, rep), words=f"{rep.name}'s customers")
    if distributor and distributor.strip():
        d = resolve_customer(session, actor, distributor)
        if d.type != "distributor":
            raise InvalidInput(f"{d.name} ({d.code}) is not a distributor.")
        served = sa.or_(col(Customer.distributor) == d.code, code == d.code)
        f = f.narrowed(customers=served, words=f"customers of {d.name}")
    if brand and brand.strip():
        brand_node = _resolve_tree_node(session, Brand, brand, "brand")
        f = f.narrowed(
            skus=_skus_under(col(Product.brand), _tree_below(session, Brand, brand_node.code)),
            words=f"brand {brand_node.name}",
        )
    if category and category.strip():
        category_node = _resolve_tree_node(session, Category, category, "category")
        below = _tree_below(session, Category, category_node.code)
        f = f.narrowed(skus=_skus_under(col(Product.category), below), words=f"category {category_node.name}")
    if product and product.strip():
        skus, name = product_skus(session, product)
        f = f.narrowed(skus=col(Sku.code).in_(sorted(skus)), words=name)
    return f


# --- beats and sales reps ----------------------------------------------------------------


def _beat_visible(session: Session, actor: Actor, beat: Beat) -> bool:
    if actor.is_admin:
        return True
    if actor.role == "sales_rep":
        return beat.sales_rep == actor.user_id
    if actor.role == "manager":
        rep = session.get(User, beat.sales_rep)
        return rep is not None and _rep_visible(session, actor, rep)
    return False


def _rep_visible(session: Session, actor: Actor, rep: User) -> bool:
    """Admins see every rep; a rep sees only themselves; a manager sees the reps who report to
    them and those whose regions or beat customers are in the manager's regions."""
    if rep.role != "sales_rep":
        return False
    if actor.is_admin:
        return True
    if actor.role == "sales_rep":
        return rep.id == actor.user_id
    if actor.role == "manager":
        if rep.reports_to == actor.user_id:
            return True
        regions = subtree(region_children(session), split_list(rep.regions))
        if regions & actor.regions:
            return True
        mine = visible_customer_codes(session, actor) or set()
        return bool(beat_customers(session, rep.id) & mine)
    return False


def rep_customers(session: Session, rep: User) -> Condition:
    """A rep's customers: those of the rep's regions (with everything below) and of their beats,
    which is the rep's own scope (`core.access.customer_scope`)."""
    scope = customer_scope(session, load_actor(session, rep.id))
    return sa.true() if scope is None else scope


def resolve_beat(session: Session, actor: Actor, text: str) -> Beat:
    """A beat by code or name, among those the actor may see; the same refusal otherwise."""
    beats = list(session.exec(select(Beat).order_by(Beat.code)))
    return _named(text, beats, lambda b: [b.code, b.name], "beat", lambda b: _beat_visible(session, actor, b))


def resolve_sales_rep(session: Session, actor: Actor, text: str) -> User:
    """A sales rep by user id or name, among those the actor may see; the same refusal otherwise."""
    reps = list(session.exec(select(User).where(User.role == "sales_rep").order_by(User.id)))
    return _named(text, reps, lambda u: [u.id, u.name], "sales rep", lambda u: _rep_visible(session, actor, u))


R = TypeVar("R")
Node = TypeVar("Node", Brand, Category)


def _named(
    text: str,
    rows: list[R],
    names: Callable[[R], list[str]],
    what: str,
    visible: Callable[[R], bool],
    scoped: bool = True,
) -> R:
    """The row a person means among `rows` (exact code or name first, then fuzzy), if `visible`.
    A best match the actor may not see is refused in the same words as no match at all."""
    if not text or not text.strip():
        raise InvalidInput(f"Which {what}? Give a name or code.")
    t = text.strip()
    refusal = f"No {what} '{t}' that you can see." if scoped else f"No {what} matching '{t}'."
    folded = t.casefold()
    exact = [r for r in rows if folded in (n.casefold() for n in names(r))]
    if exact:
        if visible(exact[0]):
            return exact[0]
        raise OutOfScope(refusal)
    q = normalise(t)
    scored = sorted(
        ((r, max(fuzz.token_set_ratio(q, normalise(n)) for n in names(r))) for r in rows), key=lambda x: -x[1]
    )
    scored = [(r, s) for r, s in scored if s >= MIN_SCORE]
    if not scored:
        raise NotFound(refusal)
    seen = [(r, s) for r, s in scored if visible(r)]
    if not seen or seen[0][1] < scored[0][1] - MARGIN:
        raise OutOfScope(refusal)
    close = [r for r, s in seen if seen[0][1] - s < MARGIN]
    if len(close) > 1:
        raise Ambiguous(
            f"'{t}' could be " + ", ".join(f"{names(r)[1]} ({names(r)[0]})" for r in close[:6]) + ". Which one?",
            [(names(r)[0], names(r)[1]) for r in close[:6]],
        )
    return close[0]


# --- the catalogue: brands, categories, products -------------------------------------------


def _resolve_tree_node(session: Session, model: type[Node], text: str, what: str) -> Node:
    """A brand or category by code or name (the catalogue is everyone's to see)."""
    rows = list(session.exec(select(model).order_by(col(model.code))))
    return _named(text, rows, lambda r: [r.code, r.name], what, lambda r: True, scoped=False)


def _tree_below(session: Session, model: type[Brand] | type[Category], code: str) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for c, parent in session.exec(select(model.code, model.parent)).all():
        children.setdefault(parent, []).append(c)
    return subtree(children, [code])


def _skus_under(column: Mapped[str | None], codes: set[str]) -> Condition:
    """The SKUs of products under these brands or categories, as a condition on `Sku`."""
    return col(Sku.product).in_(select(Product.code).where(col(column).in_(sorted(codes))))


def product_skus(session: Session, text: str) -> tuple[set[str], str]:
    """The SKUs a product word names: every SKU of a product given by its code or name ("Crunchy
    Cream Biscuits"), or by words that fit several SKUs of that one product equally ("Crunchy
    Cream"); else the one SKU it resolves to ("Crunchy Cream 100g")."""
    t = text.strip().casefold()
    products = {p.code: p for p in session.exec(select(Product).order_by(Product.code))}
    for p in products.values():
        if t in (p.code.casefold(), p.name.casefold()):
            return _product_skus(session, p.code), p.name
    try:
        sku = resolve_sku(session, text)
    except Ambiguous as e:
        owners = {row.product for code, _ in e.candidates if (row := session.get(Sku, code))}
        if len(owners) == 1 and (owner := owners.pop()) in products:
            return _product_skus(session, owner), products[owner].name
        raise
    return {sku.code}, sku.name


def _product_skus(session: Session, product: str) -> set[str]:
    return set(session.exec(select(Sku.code).where(Sku.product == product)).all())
