"""Goods receipt: stock arriving into a batch, previewed then recorded (ledger movement `receipt`)."""

from datetime import date

from core.catalogue import sku_units
from core.errors import InvalidInput
from core.lookup import resolve_sku, resolve_warehouse, sku_unit
from core.receipts import receive_goods

from . import schemas
from .base import Preview, Table, Tool, ToolContext, ToolResult, dry_run, fingerprint
from .format import in_units


def _date(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD).") from None


class ReceiveStock(Tool):
    name = "receive_stock"
    args_model = schemas.ReceiveStock
    mutating = True
    permission = "stock.adjust"
    description = (
        "Goods receipt: receive stock of a product into a batch in a warehouse (any unit; manufacturing and "
        "expiry dates optional). Shows a preview and waits for confirmation."
    )

    def _request(self, ctx, args) -> dict:
        s = ctx.session
        sku = resolve_sku(s, args.product)
        warehouse = resolve_warehouse(s, ctx.actor, args.warehouse).code if args.warehouse else None
        return dict(
            sku=sku.code,
            qty=args.qty,
            unit=sku_unit(s, sku.code, args.unit),
            batch=args.batch or "",
            warehouse=warehouse,
            mfg_date=_date(args.mfg_date, "mfg_date"),
            expiry_date=_date(args.expiry_date, "expiry_date"),
            note=args.note,
        )

    def _receive(self, ctx, args):
        return receive_goods(ctx.session, ctx.actor, ctx.clock, **self._request(ctx, args))

    def _preview(self, ctx: ToolContext, args: schemas.ReceiveStock) -> Preview:
        with dry_run(ctx.session):
            r = self._receive(ctx, args)
        asked = self._request(ctx, args)["unit"]
        how_much = in_units(r.qty, sku_units(ctx.session, [r.sku]).get(r.sku, []), asked)
        dates = ", ".join(
            x
            for x in (
                f"mfg {r.mfg_date}" if r.mfg_date else "",
                f"expiry {r.expiry_date}" if r.expiry_date else "no expiry date",
            )
            if x
        )
        text = (
            f"Receive {how_much} of {r.sku_name} ({r.sku}) into {'new ' if r.new_batch else ''}batch {r.batch} "
            f"in {r.warehouse} ({dates})"
            + (f", note: {args.note.strip()}" if args.note and args.note.strip() else "")
            + f".\nBatch {r.batch} available goes from {r.batch_before} to {r.batch_after}; {r.sku} available to "
            f"orders in {r.warehouse} from {r.usable_before} to {r.usable_after}."
        )
        if r.expired:
            text += f"\nNote: batch {r.batch} is past its expiry date, so no order can take it."
        data = {
            "warehouse": r.warehouse,
            "sku": r.sku,
            "batch": r.batch,
            "qty": r.qty,
            "new_batch": r.new_batch,
            "mfg_date": str(r.mfg_date or ""),
            "expiry_date": str(r.expiry_date or ""),
            "batch_before": r.batch_before,
            "batch_after": r.batch_after,
        }
        table = Table(
            ["Warehouse", "Code", "Batch", "Received", "Batch before", "Batch after", "Expiry"],
            [
                [
                    r.warehouse,
                    r.sku,
                    r.batch,
                    str(r.qty),
                    str(r.batch_before),
                    str(r.batch_after),
                    str(r.expiry_date or "-"),
                ]
            ],
            "Goods receipt",
        )
        return Preview(
            text,
            table,
            fingerprint([self.name, data, (args.note or "").strip()]),
            f"Receive {r.qty} {r.sku} into {r.batch}",
            data,
        )

    def _execute(self, ctx: ToolContext, args: schemas.ReceiveStock) -> ToolResult:
        r = self._receive(ctx, args)
        return ToolResult(
            f"Received {r.qty} {r.base_unit} of {r.sku_name} into batch {r.batch} in {r.warehouse}: "
            f"{r.batch_after} available in the batch, {r.usable_after} of {r.sku} available to orders.",
            data={"warehouse": r.warehouse, "sku": r.sku, "batch": r.batch, "qty": r.qty, "available": r.batch_after},
            outcome="done",
        )
