"""Catalogue tools: finding products, a product's details, and the offers that apply."""
from decimal import Decimal

from sqlmodel import select

from core.catalogue import sku_units
from core.errors import Ambiguous, NoPrice
from core.lookup import resolve_customer, resolve_sku, search_skus
from core.pricing import PriceChoice, PriceContext, price_context, price_for, type_plural, valid_on
from core.quote import qualifies, quote_lines
from core.schemes import describe, schemes_for
from core.tables.catalogue import Product, Sku
from core.tables.parties import Customer, Region
from core.tables.schemes import Scheme

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult
from .format import rs

LIST_PRICE = PriceContext(customer="", customer_type="", regions=())  # no customer: default rows only


def units_text(units: list[tuple[str, int]]) -> str:
    return ", ".join(u if f == 1 else f"{u} of {f}" for u, f in units) or "PCS"


def buyer(ctx: ToolContext, text: str | None) -> Customer | None:
    """The customer named, else the user's own account, else None (staff asking in general)."""
    if text:
        return resolve_customer(ctx.session, ctx.actor, text)
    return ctx.session.get(Customer, ctx.actor.customer) if ctx.actor.customer else None


def offers_on(ctx: ToolContext, pctx: PriceContext, skus: list[str] | None):
    """The schemes applicable to this buyer today, those touching one of `skus` when given."""
    rules = schemes_for(ctx.session, pctx, ctx.clock.today())
    if skus is None:
        return rules
    lines = quote_lines(ctx.session, [(c, 1) for c in skus],
                        {c: PriceChoice(c, Decimal(0), "default", "") for c in skus})
    return [r for r in rules if any(qualifies(r, line) for line in lines)]


def products_meant(ctx: ToolContext, text: str) -> list[Sku]:
    """The SKU named, or every SKU an ambiguous name could mean ("crunchy cream" = both sizes)."""
    try:
        return [resolve_sku(ctx.session, text)]
    except Ambiguous as e:
        return [sku for code, _ in e.candidates if (sku := ctx.session.get(Sku, code)) is not None]


class FindProducts(Tool):
    name = "find_products"

    def _run(self, ctx: ToolContext, args: schemas.FindProducts) -> ToolResult:
        found = search_skus(ctx.session, args.query, limit=8)
        good = [(s, v) for s, v in found if v >= 60] or found[:3]
        if not good:
            return ToolResult(f"No product matches '{args.query}'. Try a code, a barcode or another name.",
                              data={"skus": []})
        units = sku_units(ctx.session, [s.code for s, _ in good])
        products = dict(ctx.session.exec(select(Product.code, Product.name)).all())
        rows = [[s.code, s.name, products.get(s.product, ""), units_text(units.get(s.code, []))] for s, _ in good]
        text = f"Products matching '{args.query}':\n" + "\n".join(f"- {r[1]} ({r[0]}), units {r[3]}" for r in rows)
        return ToolResult(text, Table(["Code", "Name", "Product", "Units"], rows, "Products"),
                          {"skus": [s.code for s, _ in good]})


class ProductDetails(Tool):
    name = "product_details"

    def _run(self, ctx: ToolContext, args: schemas.ProductDetails) -> ToolResult:
        from core.stock import stock_levels

        s = ctx.session
        sku = resolve_sku(s, args.product)
        cust = buyer(ctx, args.customer)
        product = s.get(Product, sku.product)
        units = sku_units(s, [sku.code]).get(sku.code, [])
        base = units[0][0] if units else "PCS"
        lines = [f"{sku.name} ({sku.code}), {product.name if product else sku.product}",
                 f"Units: {units_text(units)}. Tax {sku.tax_rate}%." + (f" MRP {rs(sku.mrp)}." if sku.mrp else "")]
        data: dict = {"sku": sku.code, "units": units}
        pctx = price_context(s, cust) if cust else LIST_PRICE
        if ctx.actor.can("prices"):
            try:
                choice = price_for(s, sku.code, pctx, ctx.clock.today())
                who = f" for {cust.name}" if cust and cust.code != ctx.actor.customer else ""
                lines.append(f"Price{who}: {rs(choice.price)} per {base}, {choice.reason}.")
                data.update(price=str(choice.price), price_reason=choice.reason)
            except NoPrice as e:
                lines.append(e.message)
                data["price"] = None
        offers = offers_on(ctx, pctx, [sku.code]) if cust else []
        if offers:
            lines.append("Offers: " + "; ".join(describe(r) for r in offers) + ".")
        data["offers"] = [r.code for r in offers]
        levels = stock_levels(s, ctx.actor, ctx.clock.today(), sku=sku.code)
        if levels and levels[0].available is None:
            mine = [lv for lv in levels if cust is None or lv.warehouse == cust.warehouse] or levels
            inside = any(lv.in_stock for lv in mine)
            lines.append("In stock." if inside else "Not in stock right now.")
            data["in_stock"] = inside
        elif levels:
            lines.append("Stock: " + ", ".join(f"{lv.warehouse} {lv.available} {base}" for lv in levels) + ".")
            data["stock"] = {lv.warehouse: lv.available for lv in levels}
        return ToolResult("\n".join(lines), data=data)


class ListSchemes(Tool):
    name = "list_schemes"

    def _run(self, ctx: ToolContext, args: schemas.ListSchemes) -> ToolResult:
        s = ctx.session
        skus = products_meant(ctx, args.product) if args.product else None
        cust = buyer(ctx, args.customer)
        about = f" on {' / '.join(k.name for k in skus)}" if skus else ""
        if cust is None:
            return self._all_running(ctx, skus, about)
        rules = offers_on(ctx, price_context(s, cust), [k.code for k in skus] if skus else None)
        if not rules:
            return ToolResult(f"No offers{about} for {cust.name} today.", data={"schemes": []})
        rows = [[r.code, describe(r)] for r in rules]
        text = f"Offers{about} for {cust.name} today:\n" + "\n".join(f"- {r[1]}" for r in rows)
        return ToolResult(text, Table(["Code", "Offer"], rows, "Offers"), {"schemes": [r.code for r in rules]})

    def _all_running(self, ctx, skus, about):
        """Staff asking in general: every scheme valid today, with whom it is for."""
        today = ctx.clock.today()
        regions = dict(ctx.session.exec(select(Region.code, Region.name)).all())
        rows = []
        for sc in ctx.session.exec(select(Scheme).order_by(Scheme.code)):
            if not valid_on(sc.valid_from, sc.valid_to, today):
                continue
            if skus and not any(self._touches(ctx, sc, k) for k in skus):
                continue
            who = (type_plural(sc.customer_type) if sc.customer_type else "everyone") \
                + (f" in {regions.get(sc.region, sc.region)}" if sc.region else "")
            rows.append([sc.code, sc.name, who, sc.valid_to.isoformat() if sc.valid_to else "-"])
        if not rows:
            return ToolResult(f"No offers{about} running today.", data={"schemes": []})
        text = f"Offers{about} running today:\n" + "\n".join(f"- {r[1]} (for {r[2]})" for r in rows)
        return ToolResult(text, Table(["Code", "Offer", "For", "Until"], rows, "Offers"),
                          {"schemes": [r[0] for r in rows]})

    @staticmethod
    def _touches(ctx, sc: Scheme, sku: Sku) -> bool:
        line = quote_lines(ctx.session, [(sku.code, 1)], {sku.code: PriceChoice(sku.code, Decimal(0), "default", "")})[0]
        return (sc.sku in (None, sku.code) and sc.product in (None, line.product) and (sc.brand is None or sc.brand in line.brands)
                and (sc.category is None or sc.category in line.categories))
