"""core.exports (a report table as CSV, JSON and XLSX, streamed) and core.order_lines (the
order-lines report): files read back with the csv module, json and openpyxl."""

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from core import exports
from core.access import load_actor
from core.errors import InvalidInput, NotAllowed
from core.orders import list_orders
from core.report_catalog import ReportQuery, run_report
from core.tabular import Column, Table

COLS = (
    Column("no", "Order no"),
    Column("day", "Date", "date"),
    Column("qty", "Qty", "quantity"),
    Column("amount", "Amount", "money"),
    Column("share", "Share", "percent"),
)
ROWS = [
    ("SO-1", date(2026, 10, 5), 144, Decimal("123456.5"), Decimal("12.5")),
    ("=1+1", date(2026, 10, 6), -3, Decimal("-12345678.00"), None),
    ("SO-3", None, 1_234_567, Decimal("7"), Decimal("0.25")),
]
TOTALS = (None, None, 1_234_708, Decimal("-12222214.50"), None)


def table(rows=None, totals=TOTALS) -> Table:
    return Table(
        "sales", "Sales", COLS, iter(ROWS if rows is None else rows), totals, date(2026, 10, 1), date(2026, 10, 31)
    )


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


# --- files without a database ------------------------------------------------------------------


def test_csv_has_keys_and_plain_machine_values():
    text = b"".join(exports.csv_chunks(table())).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["no", "day", "qty", "amount", "share"]
    assert rows[1] == ["SO-1", "2026-10-05", "144", "123456.50", "12.5"]
    assert rows[2] == ["=1+1", "2026-10-06", "-3", "-12345678.00", ""]  # no symbol, no grouping
    assert rows[3] == ["SO-3", "", "1234567", "7.00", "0.25"]
    assert text.endswith("\r\n") and len(rows) == 4  # RFC 4180 lines, no totals row in CSV


def test_csv_streams_in_chunks_reading_the_rows_once():
    many = [(f"SO-{i}", date(2026, 10, 1), i, Decimal(i) / 4, None) for i in range(5000)]
    chunks = list(exports.csv_chunks(table(many), chunk_size=4096))
    assert len(chunks) > 10 and all(len(c) < 4096 + 200 for c in chunks)
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 5001 and rows[-1] == ["SO-4999", "2026-10-01", "4999", "1249.75", ""]


def test_plain_decimal_keeps_every_place_and_at_least_two():
    assert [exports.plain_decimal(Decimal(x)) for x in ("5", "5.5", "1E+3", "0.125", "-0.10")] == [
        "5.00",
        "5.50",
        "1000.00",
        "0.125",
        "-0.10",
    ]


def test_json_is_the_table_with_money_as_decimal_strings():
    body = json.loads(b"".join(exports.json_chunks(table(), chunk_size=10)))
    assert body["name"] == "sales" and (body["start"], body["end"]) == ("2026-10-01", "2026-10-31")
    assert body["columns"][3] == {"key": "amount", "title": "Amount", "kind": "money"}
    assert body["rows"][0] == {"no": "SO-1", "day": "2026-10-05", "qty": 144, "amount": "123456.50", "share": "12.5"}
    assert body["rows"][2]["day"] is None
    assert body["totals"] == {"no": None, "day": None, "qty": 1234708, "amount": "-12222214.50", "share": None}
    assert json.loads(b"".join(exports.json_chunks(table([], None)))) | {"columns": []} == {
        "name": "sales",
        "title": "Sales",
        "start": "2026-10-01",
        "end": "2026-10-31",
        "columns": [],
        "rows": [],
        "totals": None,
    }


def test_xlsx_is_typed_formatted_frozen_and_filtered():
    ws = workbook(b"".join(exports.xlsx_chunks(table()))).active
    assert ws.title == "sales"
    assert ws["A1"].value == "Sales (2026-10-01 to 2026-10-31)" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["Order no", "Date", "Qty", "Amount", "Share"]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:E5"
    first = ws[3]
    assert first[0].value == "SO-1" and first[0].data_type == "s"
    assert first[1].value.date() == date(2026, 10, 5) and first[1].is_date
    assert first[2].value == 144 and first[2].data_type == "n"
    assert first[3].value == 123456.5 and first[3].number_format == exports.MONEY_FORMAT
    assert first[4].value == 0.125 and first[4].number_format.endswith("%")
    # a name that looks like a formula stays text; negative amounts get the mirror format
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s"
    assert ws["D4"].value == -12345678 and ws["D4"].number_format == exports.MONEY_NEGATIVE
    assert ws["C4"].number_format == exports.COUNT_NEGATIVE and ws["C5"].number_format == exports.COUNT_FORMAT
    # the totals row, after the filtered range, in bold with a label
    totals = [c.value for c in ws[6]]
    assert totals == ["Total", None, 1234708, -12222214.5, None] and ws["D6"].font.b
    # columns sized for what they show (money with its ₹ and grouping), never the default width
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["D"] >= len("-₹1,22,22,214.50") and widths["A"] >= len("Order no")


def test_indian_grouping_formats_have_a_section_for_crores_and_lakhs():
    assert exports.MONEY_FORMAT.startswith('[>=10000000]"₹"##\\,##\\,##\\,##0.00;[>=100000]"₹"##\\,##\\,##0.00;')
    assert exports.MONEY_NEGATIVE.startswith("[<=-10000000]-")


def test_xlsx_rows_past_a_sheet_continue_on_the_next_with_the_header(tmp_path):
    many = [(f"SO-{i}", date(2026, 10, 1), i, Decimal(i), None) for i in range(25)]
    data = b"".join(exports.xlsx_chunks(table(many), sheet_rows=10, tmpdir=str(tmp_path)))
    book = workbook(data)
    assert book.sheetnames == ["sales", "sales (2)", "sales (3)", "sales (4)"]
    values = [r[0] for ws in book.worksheets for r in ws.iter_rows(min_row=3, values_only=True)]
    assert values == [f"SO-{i}" for i in range(25)] + ["Total"]
    assert [c.value for c in book.worksheets[1][2]] == ["Order no", "Date", "Qty", "Amount", "Share"]
    assert os.listdir(tmp_path) == []  # nothing left behind


def test_xlsx_temporary_files_go_when_the_download_is_abandoned_or_fails(tmp_path):
    many = [(f"SO-{i}", date(2026, 10, 1), i, Decimal(i), None) for i in range(3000)]
    it = exports.xlsx_chunks(table(many), chunk_size=1024, tmpdir=str(tmp_path))
    next(it)
    assert len(os.listdir(tmp_path)) == 1
    it.close()
    assert os.listdir(tmp_path) == []

    def broken() -> Iterator[tuple]:
        yield ROWS[0]
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        b"".join(exports.xlsx_chunks(table(broken()), tmpdir=str(tmp_path)))
    assert os.listdir(tmp_path) == []


def test_file_names_carry_the_report_and_its_period():
    assert exports.filename(table(), "xlsx") == "sales-2026-10-01-2026-10-31.xlsx"
    t = Table("order-lines", "x", COLS, [], None, None, date(2026, 11, 1))
    assert exports.filename(t, "csv") == "order-lines-to-2026-11-01.csv"
    assert exports.filename(Table("a/../b c", "x", COLS, []), "csv") == "a-b-c.csv"


def test_a_file_for_chat_has_a_ceiling():
    made = exports.export_bytes(table(), "csv", max_bytes=10_000, max_rows=10)
    assert made is not None and made[1] == 3 and made[0].startswith(b"no,day")
    assert exports.export_bytes(table(), "csv", max_bytes=10_000, max_rows=2) is None
    assert exports.export_bytes(table(), "xlsx", max_bytes=100, max_rows=10) is None


# --- the order-lines report ----------------------------------------------------------------------


def lines_in_db(session: Session) -> list[tuple]:
    return list(
        session.execute(
            sa.text(
                "SELECT l.order_no, l.sku, l.qty, l.line_total FROM order_line l JOIN orders o ON o.order_no = l.order_no"
            )
        ).all()
    )


def test_order_lines_are_every_line_in_scope_streamed_in_a_stable_order(sample, clock):
    with Session(sample) as s:
        t = run_report(s, load_actor(s, "U-ADM"), clock, "order-lines", ReportQuery())
        assert isinstance(t.rows, Iterator)  # streamed, not a list
        rows = list(t.rows)
        assert [c.key for c in t.columns] == [
            "order_no",
            "date",
            "customer",
            "customer_name",
            "status",
            "sku",
            "sku_name",
            "qty",
            "free_qty",
            "unit_price",
            "discount",
            "net",
            "tax",
            "total",
        ]
        db = lines_in_db(s)
        assert sorted((r[0], r[5], r[7], r[13]) for r in rows) == sorted((r[0], r[1], r[2], Decimal(r[3])) for r in db)
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # the sample's orders are numbered in time order
        assert all(r[11] + r[12] == r[13] for r in rows)  # net + tax = total
        assert t.totals[13] == sum(r[13] for r in rows) and t.totals[7] == sum(r[7] for r in rows)
        again = list(run_report(s, load_actor(s, "U-ADM"), clock, "order-lines", ReportQuery()).rows)
        assert again == rows


def test_order_lines_are_scoped_like_the_order_list(sample, clock):
    with Session(sample) as s:
        for user in ("U-RET-101", "U-DIST-BLR", "U-MGR-TN", "U-WH-1", "U-REP-2"):
            actor = load_actor(s, user)
            rows = list(run_report(s, actor, clock, "order-lines", ReportQuery()).rows)
            orders = {o.order_no for o in list_orders(s, actor, limit=10_000)}
            assert {r[0] for r in rows} == orders, user


def test_order_lines_filters_sort_and_limit(sample, clock):
    with Session(sample) as s:
        admin = load_actor(s, "U-ADM")

        def run(**kw):
            t = run_report(s, admin, clock, "order-lines", ReportQuery(**kw))
            return t, list(t.rows)

        t, rows = run(start=date(2026, 10, 1), end=date(2026, 10, 31))
        assert rows and all(r[1].month == 10 for r in rows)
        t, rows = run(customer="Anand Kirana Store")
        assert {r[2] for r in rows} == {"R-101"} and "Anand" in t.title
        t, rows = run(status="delivered")
        assert rows and {r[4] for r in rows} == {"delivered"}
        t, rows = run(status="open")
        assert {r[4] for r in rows} <= {"pending_approval", "confirmed", "dispatched"}
        t, rows = run(sku="GD-5L")
        assert {r[5] for r in rows} == {"GD-5L"}
        t, rows = run(sort="-total", limit=3)
        assert len(rows) == 3 and [r[13] for r in rows] == sorted((r[13] for r in rows), reverse=True)
        everything = sorted((r[13] for r in run()[1]), reverse=True)
        assert [r[13] for r in rows] == everything[:3]
        assert t.totals[13] == sum(r[13] for r in rows)  # the totals of the lines shown
        t, rows = run(sort="qty")
        assert [r[7] for r in rows] == sorted(r[7] for r in rows)
        with pytest.raises(InvalidInput, match="no order status 'shipped'"):
            run(status="shipped")
        with pytest.raises(InvalidInput, match="sort: no column 'price'"):
            run(sort="price")
        with pytest.raises(InvalidInput, match="no filter brand"):
            run(brand="Brisk")


def test_order_lines_refuse_another_customer_as_they_refuse_one_that_does_not_exist(sample, clock):
    with Session(sample) as s:
        retailer, manager = load_actor(s, "U-RET-101"), load_actor(s, "U-MGR-TN")
        refusals = []
        for actor, name in ((retailer, "R-102"), (retailer, "R-999"), (manager, "R-101"), (manager, "R-999")):
            with pytest.raises(NotAllowed) as e:
                run_report(s, actor, clock, "order-lines", ReportQuery(customer=name))
            refusals.append(e.value.message.replace(name, "?"))
        assert refusals[0] == refusals[1] == "You can only see your own account."
        assert refusals[2] == refusals[3]
