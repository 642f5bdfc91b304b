"""Catalogue, prices with their reason, schemes and stock: reads, each through the core as the caller."""

from fastapi import APIRouter, Query
from sqlmodel import Session

from core.access import Actor, get_customer
from core.catalogue import product_names, sku_codes, sku_units, skus_by_code
from core.clock import Clock
from core.errors import NoPrice, NotAllowed, NotFound
from core.lookup import resolve_warehouse, search_skus
from core.pricing import PriceContext, price_context, price_for
from core.quote import schemes_touching
from core.schemes import SchemeRule, describe, running_schemes, schemes_for
from core.stock import stock_levels
from core.tables.catalogue import Sku
from core.tables.parties import Customer

from . import models as m
from .base import Caller, CallerDep, read
from .paging import CursorQuery, LimitQuery, page

router = APIRouter(tags=["catalogue"])
LIST_PRICE = PriceContext(customer="", customer_type="", regions=())  # no customer: default rows only

CustomerQuery = Query(None, max_length=100, description="A customer code; yours if you are a customer.")


def _sku_out(s: Session, skus: list[Sku]) -> list[m.SkuOut]:
    units = sku_units(s, [k.code for k in skus])
    products = product_names(s, [k.product for k in skus])
    return [
        m.SkuOut(
            code=k.code,
            name=k.name,
            product=k.product,
            product_name=products.get(k.product, k.product),
            units=[m.Unit(unit=u, factor=f) for u, f in units.get(k.code, [])],
            tax_rate=str(k.tax_rate),
            mrp=m.money(k.mrp),
            barcode=k.barcode,
        )
        for k in skus
    ]


def _sku(s: Session, code: str) -> Sku:
    """A SKU by its exact code (the API takes codes, not names)."""
    found = skus_by_code(s, [code.strip().upper()])
    if not found:
        raise NotFound(f"No SKU {code}; GET /api/v1/skus lists the catalogue.")
    return found[0]


def _warehouse(s: Session, actor: Actor, code: str) -> str:
    """A warehouse by its exact code, if the caller may see its stock. The core refuses one out
    of scope in the same words as one that does not exist; here both are a 404, like any thing
    the caller cannot see, and a near name never stands in for the code asked."""
    try:
        found = resolve_warehouse(s, actor, code)
    except NotAllowed as e:
        raise NotFound(e.message) from None
    if found.code != code.strip().upper():
        raise NotFound(f"'{code.strip()}' is not among the warehouses you can see.")
    return found.code


def _buyer(s: Session, actor: Actor, code: str | None) -> Customer | None:
    """The customer asked for (in scope, or the same 404 as one that does not exist), else the
    caller's own account, else None (staff asking in general)."""
    if code:
        return get_customer(s, actor, code.strip().upper())
    return get_customer(s, actor, actor.customer) if actor.customer else None


@router.get("/skus", response_model=m.SkuPage, summary="The catalogue, or the SKUs matching a search")
def list_skus(
    who: Caller = CallerDep,
    search: str | None = Query(None, max_length=200, description="A name, alias, code or barcode."),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.SkuPage:
        actor.require("catalogue", "see the catalogue")
        if search and search.strip():
            found = [k for k, score in search_skus(s, search, limit=50) if score >= 60]
            ranked = list(enumerate(found))  # best first; the rank is the key
            rows, nxt = page(ranked, lambda r: [r[0], r[1].code], cursor, limit)
            return m.SkuPage(items=_sku_out(s, [k for _, k in rows]), next=nxt)
        codes, nxt = page(sku_codes(s), lambda c: [c], cursor, limit)
        return m.SkuPage(items=_sku_out(s, skus_by_code(s, codes)), next=nxt)

    return read(who, go)


@router.get("/skus/{code}", response_model=m.SkuOut, summary="One SKU by code")
def get_sku(code: str, who: Caller = CallerDep):
    def go(s: Session, actor: Actor, clock: Clock) -> m.SkuOut:
        actor.require("catalogue", "see the catalogue")
        return _sku_out(s, [_sku(s, code)])[0]

    return read(who, go)


@router.get("/prices", response_model=m.PricePage, summary="Prices for a customer, each with the reason")
def list_prices(
    who: Caller = CallerDep,
    sku: str | None = Query(None, max_length=100, description="A SKU code; every SKU if omitted."),
    customer: str | None = CustomerQuery,
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.PricePage:
        actor.require("prices", "see prices")
        cust = _buyer(s, actor, customer)
        codes, nxt = page([_sku(s, sku).code] if sku else sku_codes(s), lambda c: [c], cursor, limit)
        ctx = price_context(s, cust) if cust else LIST_PRICE
        units = sku_units(s, codes)
        items = []
        for code in codes:
            per = units[code][0][0] if units.get(code) else "PCS"
            try:
                choice = price_for(s, code, ctx, clock.today())
                items.append(
                    m.PriceOut(
                        sku=code,
                        customer=cust.code if cust else None,
                        price=str(choice.price),
                        per=per,
                        scope=choice.scope,
                        reason=choice.reason,
                    )
                )
            except NoPrice as e:
                items.append(
                    m.PriceOut(
                        sku=code,
                        customer=cust.code if cust else None,
                        price=None,
                        per=per,
                        scope=None,
                        reason=e.message,
                    )
                )
        return m.PricePage(items=items, next=nxt)

    return read(who, go)


def _scheme_out(r: SchemeRule) -> m.SchemeOut:
    return m.SchemeOut(
        code=r.code, name=r.name, kind=r.kind, description=describe(r), valid_from=r.valid_from, valid_to=r.valid_to
    )


@router.get("/schemes", response_model=m.SchemePage, summary="Schemes valid today (for a customer: those that apply)")
def list_schemes(
    who: Caller = CallerDep,
    customer: str | None = CustomerQuery,
    sku: str | None = Query(None, max_length=100, description="Only schemes touching this SKU code."),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.SchemePage:
        actor.require("catalogue", "see schemes")
        cust = _buyer(s, actor, customer)
        today = clock.today()
        rules = schemes_for(s, price_context(s, cust), today) if cust else running_schemes(s, today)
        if sku:
            rules = schemes_touching(s, rules, [_sku(s, sku).code])
        rows, nxt = page(sorted(rules, key=lambda r: r.code), lambda r: [r.code], cursor, limit)
        return m.SchemePage(items=[_scheme_out(r) for r in rows], next=nxt)

    return read(who, go)


@router.get("/stock", response_model=m.StockPage, summary="Stock levels (a retailer learns only in or out of stock)")
def list_stock(
    who: Caller = CallerDep,
    sku: str | None = Query(None, max_length=100, description="A SKU code."),
    warehouse: str | None = Query(None, max_length=100, description="A warehouse code."),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.StockPage:
        code = _sku(s, sku).code if sku else None
        wh = _warehouse(s, actor, warehouse) if warehouse else None
        levels = stock_levels(s, actor, clock.today(), sku=code, warehouse=wh)
        rows, nxt = page(levels, lambda lv: [lv.warehouse, lv.sku], cursor, limit)
        items = [
            m.StockOut(
                warehouse=lv.warehouse,
                sku=lv.sku,
                sku_name=lv.sku_name,
                in_stock=lv.in_stock,
                available=lv.available,
                reserved=lv.reserved,
                damaged=lv.damaged,
                expired=lv.expired,
            )
            for lv in rows
        ]
        return m.StockPage(items=items, next=nxt)

    return read(who, go)
