"""Catalogue tools: finding products, a product's details, and the offers that apply."""

from core.access import get_customer
from core.catalogue import product_names, sku_units, skus_by_code
from core.errors import Ambiguous, NoPrice
from core.lookup import resolve_customer, resolve_sku, search_skus
from core.parties import region_names
from core.pricing import PriceContext, price_context, price_for, type_plural
from core.quote import schemes_touching
from core.schemes import SchemeRule, describe, running_schemes, schemes_for
from core.stock import stock_levels
from core.tables.catalogue import Sku
from core.tables.parties import Customer

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
    return get_customer(ctx.session, ctx.actor, ctx.actor.customer) if ctx.actor.customer else None


def offers_on(ctx: ToolContext, pctx: PriceContext, skus: list[str] | None) -> list[SchemeRule]:
    """The schemes applicable to this buyer today, those touching one of `skus` when given."""
    rules = schemes_for(ctx.session, pctx, ctx.clock.today())
    return rules if skus is None else schemes_touching(ctx.session, rules, skus)


def products_meant(ctx: ToolContext, text: str) -> list[Sku]:
    """The SKU named, or every SKU an ambiguous name could mean ("crunchy cream" = both sizes)."""
    try:
        return [resolve_sku(ctx.session, text)]
    except Ambiguous as e:
        return skus_by_code(ctx.session, [code for code, _ in e.candidates])


class FindProducts(Tool):
    name = "find_products"
    args_model = schemas.FindProducts
    permission = "catalogue"
    description = "Search the catalogue by name, alias, code, barcode or meaning."

    def _run(self, ctx: ToolContext, args: schemas.FindProducts) -> ToolResult:
        found = search_skus(ctx.session, args.query, limit=8)
        good = [(s, v) for s, v in found if v >= 60] or found[:3]
        if not good:
            return ToolResult(
                f"No product matches '{args.query}'. Try a code, a barcode or another name.", data={"skus": []}
            )
        units = sku_units(ctx.session, [s.code for s, _ in good])
        products = product_names(ctx.session, [s.product for s, _ in good])
        rows = [[s.code, s.name, products.get(s.product, ""), units_text(units.get(s.code, []))] for s, _ in good]
        text = f"Products matching '{args.query}':\n" + "\n".join(f"- {r[1]} ({r[0]}), units {r[3]}" for r in rows)
        return ToolResult(
            text, Table(["Code", "Name", "Product", "Units"], rows, "Products"), {"skus": [s.code for s, _ in good]}
        )


class ProductDetails(Tool):
    name = "product_details"
    args_model = schemas.ProductDetails
    permission = "catalogue"
    description = "A product's units, price for the customer (with the reason), offers and whether it is in stock."

    def _run(self, ctx: ToolContext, args: schemas.ProductDetails) -> ToolResult:
        s = ctx.session
        sku = resolve_sku(s, args.product)
        cust = buyer(ctx, args.customer)
        product = product_names(s, [sku.product]).get(sku.product or "")
        units = sku_units(s, [sku.code]).get(sku.code, [])
        base = units[0][0] if units else "PCS"
        lines = [
            f"{sku.name} ({sku.code}), {product or sku.product}",
            f"Units: {units_text(units)}. Tax {sku.tax_rate}%." + (f" MRP {rs(sku.mrp)}." if sku.mrp else ""),
        ]
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
    args_model = schemas.ListSchemes
    permission = "catalogue"
    description = "Offers and schemes that apply to me or a customer today."

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
        running = running_schemes(ctx.session, ctx.clock.today())
        if skus:
            running = schemes_touching(ctx.session, running, [k.code for k in skus])
        regions = region_names(ctx.session)
        rows = [
            [
                r.code,
                r.name,
                (type_plural(r.customer_type) if r.customer_type else "everyone")
                + (f" in {regions.get(r.region, r.region)}" if r.region else ""),
                r.valid_to.isoformat() if r.valid_to else "-",
            ]
            for r in running
        ]
        if not rows:
            return ToolResult(f"No offers{about} running today.", data={"schemes": []})
        text = f"Offers{about} running today:\n" + "\n".join(f"- {r[1]} (for {r[2]})" for r in rows)
        return ToolResult(
            text, Table(["Code", "Offer", "For", "Until"], rows, "Offers"), {"schemes": [r[0] for r in rows]}
        )
