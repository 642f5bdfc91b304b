"""Stock tools: levels (retailers learn only in stock / not in stock) and low stock."""
from core.lookup import resolve_sku, resolve_warehouse
from core.stock import low_stock, stock_levels

from .base import Table, Tool, ToolResult


class StockLevels(Tool):
    name = "stock_levels"

    def _run(self, ctx, args):
        s = ctx.session
        sku = resolve_sku(s, args.product) if args.product else None
        wh = resolve_warehouse(s, ctx.actor, args.warehouse) if args.warehouse else None
        levels = stock_levels(s, ctx.actor, ctx.clock.today(), sku=sku.code if sku else None,
                              warehouse=wh.code if wh else None)
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
            return ToolResult(text, Table(["Code", "Product", "Stock"], rows, "Stock"),
                              {"levels": [{"warehouse": lv.warehouse, "sku": lv.sku, "in_stock": lv.in_stock}
                                          for lv in levels]})
        rows = [[lv.warehouse, lv.sku, lv.sku_name, str(lv.available), str(lv.reserved), str(lv.damaged),
                 str(lv.expired)] for lv in levels]
        text = f"Stock{about}:\n" + "\n".join(
            f"- {lv.warehouse} {lv.sku_name} ({lv.sku}): {lv.available} available, {lv.reserved} reserved"
            + (f", {lv.expired} expired" if lv.expired else "") + (f", {lv.damaged} damaged" if lv.damaged else "")
            for lv in levels[:25])
        if len(levels) > 25:
            text += f"\n… and {len(levels) - 25} more in the table."
        return ToolResult(text, Table(["Warehouse", "Code", "Product", "Available", "Reserved", "Damaged",
                                       "Expired"], rows, "Stock"),
                          {"levels": [{"warehouse": lv.warehouse, "sku": lv.sku, "available": lv.available,
                                       "reserved": lv.reserved, "damaged": lv.damaged} for lv in levels]})


class LowStock(Tool):
    name = "low_stock"

    def _run(self, ctx, args):
        wh = resolve_warehouse(ctx.session, ctx.actor, args.warehouse) if args.warehouse else None
        rows_ = [r for r in low_stock(ctx.session, ctx.actor, ctx.clock.today()) if wh is None or r.warehouse == wh.code]
        where = f" in {wh.name}" if wh else ""
        if not rows_:
            return ToolResult(f"Nothing is at or below its reorder level{where}.", data={"low": []})
        rows = [[r.warehouse, r.sku, r.sku_name, str(r.available), str(r.reorder_level)] for r in rows_]
        text = f"Low stock{where} (at or below the reorder level):\n" + "\n".join(
            f"- {r.warehouse} {r.sku_name} ({r.sku}): {r.available} available, reorder level {r.reorder_level}"
            for r in rows_)
        return ToolResult(text, Table(["Warehouse", "Code", "Product", "Available", "Reorder level"], rows,
                                      "Low stock"),
                          {"low": [{"warehouse": r.warehouse, "sku": r.sku, "available": r.available} for r in rows_]})
