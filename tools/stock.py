"""Stock tools: levels (retailers learn only in stock / not in stock), low stock, and the
changes people ask for in conversation (count adjustments, damage)."""

from collections.abc import Callable
from typing import Any

from core.catalogue import sku_units
from core.errors import Ambiguous, InvalidInput, NotFound
from core.inventory import batches_for
from core.lookup import resolve_sku, resolve_warehouse
from core.quantities import parse_number, read_line, split_quantity
from core.stock import (
    adjust_stock,
    batches_held,
    expiring_stock,
    low_stock,
    record_damage,
    stock_levels,
    warehouse_batches,
)

from . import schemas
from .base import Preview, Table, Tool, ToolContext, ToolResult, dry_run, fingerprint
from .format import base_unit


def _base_names(session, skus: list[str]) -> dict[str, str]:
    """Each SKU's base unit as the world names it (KG, STRIP, PCS), for replies that count stock."""
    units = sku_units(session, list(dict.fromkeys(skus)))
    return {c: base_unit(units.get(c)) for c in skus}


class StockLevels(Tool):
    name = "stock_levels"
    args_model = schemas.StockQuery
    permission = "stock.view"
    description = "Stock of a product or all products (retailers see only in stock / out of stock)."

    def _run(self, ctx: ToolContext, args: schemas.StockQuery) -> ToolResult:
        s = ctx.session
        sku = resolve_sku(s, args.product) if args.product else None
        wh = resolve_warehouse(s, ctx.actor, args.warehouse) if args.warehouse else None
        levels = stock_levels(
            s, ctx.actor, ctx.clock.today(), sku=sku.code if sku else None, warehouse=wh.code if wh else None
        )
        about = f" of {sku.name}" if sku else ""
        if not levels:
            return ToolResult(f"No stock{about} that you can see.", data={"levels": []})
        if levels[0].available is None:  # in stock / not in stock only
            rows = [[lv.sku, lv.sku_name, "in stock" if lv.in_stock else "not in stock"] for lv in levels]
            if sku:
                inside = any(lv.in_stock for lv in levels)
                text = f"{sku.name} is {'in stock' if inside else 'not in stock right now'}."
            else:
                text = "In stock: " + (", ".join(r[1] for r in rows if r[2] == "in stock") or "nothing") + "."
                out = [r[1] for r in rows if r[2] != "in stock"]
                if out:
                    text += "\nNot in stock: " + ", ".join(out) + "."
            return ToolResult(
                text,
                Table(["Code", "Product", "Stock"], rows, "Stock"),
                {"levels": [{"warehouse": lv.warehouse, "sku": lv.sku, "in_stock": lv.in_stock} for lv in levels]},
            )
        rows = [
            [lv.warehouse, lv.sku, lv.sku_name, str(lv.available), str(lv.reserved), str(lv.damaged), str(lv.expired)]
            for lv in levels
        ]
        base = _base_names(s, [lv.sku for lv in levels])
        text = f"Stock{about}:\n" + "\n".join(
            f"- {lv.warehouse} {lv.sku_name} ({lv.sku}): {lv.available} {base[lv.sku]} available, "
            f"{lv.reserved} reserved"
            + (f", {lv.expired} expired" if lv.expired else "")
            + (f", {lv.damaged} damaged" if lv.damaged else "")
            for lv in levels[:25]
        )
        if len(levels) > 25:
            text += f"\n… and {len(levels) - 25} more in the table."
        return ToolResult(
            text,
            Table(["Warehouse", "Code", "Product", "Available", "Reserved", "Damaged", "Expired"], rows, "Stock"),
            {
                "levels": [
                    {
                        "warehouse": lv.warehouse,
                        "sku": lv.sku,
                        "available": lv.available,
                        "reserved": lv.reserved,
                        "damaged": lv.damaged,
                    }
                    for lv in levels
                ]
            },
        )


class LowStock(Tool):
    name = "low_stock"
    args_model = schemas.LowStock
    permission = "stock.quantities"
    description = "Products at or below their reorder level, per warehouse."

    def _run(self, ctx: ToolContext, args: schemas.LowStock) -> ToolResult:
        wh = resolve_warehouse(ctx.session, ctx.actor, args.warehouse) if args.warehouse else None
        rows_ = [
            r for r in low_stock(ctx.session, ctx.actor, ctx.clock.today()) if wh is None or r.warehouse == wh.code
        ]
        where = f" in {wh.name}" if wh else ""
        if not rows_:
            return ToolResult(f"Nothing is at or below its reorder level{where}.", data={"low": []})
        rows = [[r.warehouse, r.sku, r.sku_name, str(r.available), str(r.reorder_level)] for r in rows_]
        base = _base_names(ctx.session, [r.sku for r in rows_])
        text = f"Low stock{where} (at or below the reorder level):\n" + "\n".join(
            f"- {r.warehouse} {r.sku_name} ({r.sku}): {r.available} {base[r.sku]} available, "
            f"reorder level {r.reorder_level} {base[r.sku]}"
            for r in rows_
        )
        return ToolResult(
            text,
            Table(["Warehouse", "Code", "Product", "Available", "Reorder level"], rows, "Low stock"),
            {"low": [{"warehouse": r.warehouse, "sku": r.sku, "available": r.available} for r in rows_]},
        )


class ExpiringStock(Tool):
    name = "expiring_stock"
    args_model = schemas.ExpiringStock
    permission = "stock.quantities"
    description = "Batches that have expired or expire within N days (default 30), soonest first, with quantities."

    def _run(self, ctx, args):
        wh = resolve_warehouse(ctx.session, ctx.actor, args.warehouse) if args.warehouse else None
        sku = resolve_sku(ctx.session, args.product) if args.product else None
        rows_ = expiring_stock(
            ctx.session,
            ctx.actor,
            ctx.clock.today(),
            args.within_days,
            wh.code if wh else None,
            sku.code if sku else None,
        )
        where = (f" of {sku.name}" if sku else "") + (f" in {wh.name}" if wh else "")
        if not rows_:
            return ToolResult(
                f"No stock{where} has expired or expires within {args.within_days} days."
                if args.within_days
                else f"No stock{where} has expired.",
                data={"expiring": []},
            )
        base = _base_names(ctx.session, [r.sku for r in rows_])

        def when(r) -> str:
            return (
                f"expired {r.expiry_date} ({-r.days_left} days ago)"
                if r.days_left < 0
                else f"expires {r.expiry_date} (today)"
                if r.days_left == 0
                else f"expires {r.expiry_date} (in {r.days_left} days)"
            )

        span = (
            "already expired or expiring today"
            if args.within_days == 0
            else f"expired or expiring within {args.within_days} days"
        )
        text = f"Stock{where} {span}:\n" + "\n".join(
            f"- {r.warehouse} {r.sku_name} ({r.sku}) batch {r.batch}: {r.available} {base[r.sku]} available"
            + (f", {r.reserved} reserved" if r.reserved else "")
            + f"; {when(r)}"
            for r in rows_
        )
        rows = [
            [r.warehouse, r.sku, r.sku_name, r.batch, str(r.expiry_date), str(r.available), str(r.reserved)]
            for r in rows_
        ]
        return ToolResult(
            text,
            Table(["Warehouse", "Code", "Product", "Batch", "Expiry", "Available", "Reserved"], rows, "Expiring stock"),
            {
                "expiring": [
                    {
                        "warehouse": r.warehouse,
                        "sku": r.sku,
                        "batch": r.batch,
                        "expiry_date": str(r.expiry_date),
                        "available": r.available,
                    }
                    for r in rows_
                ]
            },
        )


# --- changes: adjustments and damage (core.stock checks role, scope and audits) ------------


def _base_qty(sku, qty, unit: str | None, units: list[tuple[str, int]]) -> int:
    """A signed quantity as said ("-3", "2 cartons", "dedh") in a unit as said ("bags", "peti"),
    read through the core's one vocabulary into whole base units; an unknown unit word is
    refused with the units the SKU has, never taken for the base unit."""
    sign = 1
    if isinstance(qty, str) and qty.strip()[:1] in "-+":
        sign, qty = (-1 if qty.strip()[0] == "-" else 1), qty.strip()[1:]
    number, in_text = split_quantity(qty) if isinstance(qty, str) else (qty, None)
    value = parse_number(number, f"quantity of {sku.name}")
    if value < 0:
        sign, value = -sign, -value
    if in_text is not None and unit is None:
        unit = in_text
    return sign * read_line(sku.code, value, unit, units, sku.name).base_qty


def _batch_words(r) -> str:
    return f"{r.batch} ({r.available} available" + (f", expiry {r.expiry_date}" if r.expiry_date else "") + ")"


def _target(ctx: ToolContext, args: Any, qty: schemas.Quantity | None):
    """(warehouse, sku, batch row, base-unit qty) the request is about. A batch code alone
    names its SKU (in any case: "br1-a" is BR1-A), and a warehouse may be left out when only one
    in scope holds the stock; anything left open is asked about, listing the batches, rather
    than guessed."""
    s = ctx.session
    if not args.product and not (args.batch and args.batch.strip()):
        raise InvalidInput("Which product or batch? Give its name, code or batch code.")
    sku = resolve_sku(s, args.product) if args.product else None
    batch = (args.batch or "").strip()

    def named(r) -> bool:
        return not batch or r.batch.casefold() == batch.casefold()

    if args.warehouse:
        whs = [resolve_warehouse(s, ctx.actor, args.warehouse)]
    else:
        held_in = batches_held(s, ctx.actor, sku.code if sku else None)
        codes = sorted({w for w, b in held_in if not batch or b.casefold() == batch.casefold()})
        if not codes and sku:  # a batch the SKU does not have: where the SKU is, to list its batches
            codes = sorted({w for w, _ in held_in})
        if not codes and batch and not sku:
            raise NotFound(f"No batch {batch} in the stock you can see. Which product is it?")
        if not codes:
            raise InvalidInput("Which warehouse?")
        if len(codes) > 1:
            raise Ambiguous(
                f"Which warehouse? It could be {', '.join(codes)}.",
                [(c, resolve_warehouse(s, ctx.actor, c).name) for c in codes],
                field="warehouse",
            )
        whs = [resolve_warehouse(s, ctx.actor, codes[0])]
    wh = whs[0]
    held = batches_for(s, wh.code, sku.code) if sku else warehouse_batches(s, wh.code)
    rows = [r for r in held if named(r)] if (sku or batch) else []
    what = sku.name if sku else f"batch {batch}"
    if not rows:
        if sku and held:  # the SKU is there, the batch named is not: say which batches there are
            raise Ambiguous(
                f"No batch {batch} of {what} in {wh.name}; its batches there are "
                + ", ".join(_batch_words(r) for r in held)
                + ". Which one?",
                [(r.batch, _batch_words(r)) for r in held],
                field="batch",
            )
        raise NotFound(f"No {'batch ' + batch + ' of ' if batch and sku else ''}{what} in {wh.name}.")
    if len(rows) > 1:
        if sku:
            raise Ambiguous(
                f"Which batch of {what} in {wh.name}? " + ", ".join(_batch_words(r) for r in rows) + ".",
                [(r.batch, _batch_words(r)) for r in rows],
                field="batch",
            )
        raise Ambiguous(
            f"Batch {batch} in {wh.name} holds several products: "
            + ", ".join(f"{r.sku} {_batch_words(r)}" for r in rows)
            + ". Which product?",
            [(r.sku, _batch_words(r)) for r in rows],
        )
    row = rows[0]
    if sku is None:
        sku = resolve_sku(s, row.sku)
    units = sku_units(s, [sku.code]).get(sku.code, [])
    return wh, sku, row, _base_qty(sku, qty, args.unit, units)


def _adjust_target(ctx, args):
    """_target of a correction: a count found is turned into the change from what is recorded."""
    if args.counted is None:
        return _target(ctx, args, args.delta)
    wh, sku, row, counted = _target(ctx, args, args.counted)
    if counted == row.available:
        raise InvalidInput(
            f"Batch {row.batch} of {sku.name} in {wh.name} already shows {counted} available: nothing to correct."
        )
    return wh, sku, row, counted - row.available


def _stock_preview(tool: Tool, ctx: ToolContext, args: Any, verb: Callable[[int], str], change: Callable) -> Preview:
    wh, sku, row, base = _adjust_target(ctx, args) if tool.name == "adjust_stock" else _target(ctx, args, args.qty)
    before = (row.available, row.damaged)
    with dry_run(ctx.session):
        after_row = change(ctx, wh.code, sku.code, row.batch, base, args.reason)
        after = (after_row.available, after_row.damaged)
    unit = _base_names(ctx.session, [sku.code])[sku.code]
    text = (
        f"{verb(base)} {sku.name} ({sku.code}), batch {row.batch} in {wh.name} ({wh.code}), "
        f"reason: {args.reason.strip()}.\nAvailable goes from {before[0]} to {after[0]} {unit}"
        + (f"; damaged from {before[1]} to {after[1]}" if after[1] != before[1] else "")
        + "."
    )
    data = {"warehouse": wh.code, "sku": sku.code, "batch": row.batch, "qty": base, "reason": args.reason.strip()}
    table = Table(
        ["Warehouse", "Code", "Batch", "Available before", "Available after", "Damaged after"],
        [[wh.code, sku.code, row.batch, str(before[0]), str(after[0]), str(after[1])]],
        "Stock change",
    )
    return Preview(
        text,
        table,
        fingerprint([tool.name, data, before]),
        f"{verb(base)} {sku.code} {row.batch}",
        {**data, "available_before": before[0], "available_after": after[0]},
    )


class AdjustStock(Tool):
    name = "adjust_stock"
    args_model = schemas.AdjustStock
    mutating = True
    permission = "stock.adjust"
    description = (
        "Correct a batch's available stock up or down (count corrections), with a reason. Shows a preview "
        "and waits for confirmation."
    )

    @staticmethod
    def _change(ctx, wh, sku, batch, qty, reason):
        return adjust_stock(ctx.session, ctx.actor, ctx.clock, wh, sku, batch, qty, reason)

    def _preview(self, ctx: ToolContext, args: schemas.AdjustStock) -> Preview:
        return _stock_preview(self, ctx, args, lambda n: f"Adjust stock by {n:+d} of", self._change)

    def _execute(self, ctx: ToolContext, args: schemas.AdjustStock) -> ToolResult:
        wh, sku, row, base = _adjust_target(ctx, args)
        after = self._change(ctx, wh.code, sku.code, row.batch, base, args.reason)
        return ToolResult(
            f"Stock of {sku.name} batch {row.batch} in {wh.name} adjusted by {base:+d}: "
            f"{after.available} available now.",
            data={
                "warehouse": wh.code,
                "sku": sku.code,
                "batch": row.batch,
                "delta": base,
                "available": after.available,
            },
            outcome="done",
        )


class RecordDamage(Tool):
    name = "record_damage"
    args_model = schemas.RecordDamage
    mutating = True
    permission = "stock.adjust"
    description = (
        "Move a quantity of a batch from available to damaged, with a reason. Shows a preview and waits for "
        "confirmation."
    )

    @staticmethod
    def _change(ctx, wh, sku, batch, qty, reason):
        return record_damage(ctx.session, ctx.actor, ctx.clock, wh, sku, batch, qty, reason)

    def _preview(self, ctx: ToolContext, args: schemas.RecordDamage) -> Preview:
        return _stock_preview(self, ctx, args, lambda n: f"Mark {n} damaged of", self._change)

    def _execute(self, ctx: ToolContext, args: schemas.RecordDamage) -> ToolResult:
        wh, sku, row, base = _target(ctx, args, args.qty)
        after = self._change(ctx, wh.code, sku.code, row.batch, base, args.reason)
        return ToolResult(
            f"{base} of {sku.name} batch {row.batch} in {wh.name} marked damaged: "
            f"{after.available} available, {after.damaged} damaged now.",
            data={
                "warehouse": wh.code,
                "sku": sku.code,
                "batch": row.batch,
                "qty": base,
                "available": after.available,
                "damaged": after.damaged,
            },
            outcome="done",
        )
