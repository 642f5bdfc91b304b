"""GET /api/v1/reports and /api/v1/reports/{name} in JSON, CSV and XLSX: each format read back
(json, csv, openpyxl) and compared with run_report's figures; scope; sign-in; the session
closed once the file has streamed."""

import csv
import gc
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlmodel import Session

from api_helpers import Api
from core import exports
from core.access import load_actor
from core.report_catalog import REPORTS, ReportQuery, run_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def api(sample, clock):
    return Api(sample, clock)


def expected(engine, clock, user: str, name: str, **query):
    with Session(engine) as s:
        q = ReportQuery(**{k: date.fromisoformat(v) if k in ("start", "end") else v for k, v in query.items()})
        t = run_report(s, load_actor(s, user), clock, name, q)
        return t, [list(r) for r in t.rows], list(t.totals) if t.totals is not None else None


def test_every_filter_of_the_catalogue_is_a_query_parameter_of_the_api_and_the_tool():
    from dataclasses import fields

    from channels.web.api.reports import ReportParams
    from tools.schemas import CatalogueReport, ExportReport

    filters = {f.name for f in fields(ReportQuery)}
    assert filters <= set(ReportParams.model_fields)
    # the file tool takes what show_report takes, and a format
    assert set(CatalogueReport.model_fields) | {"format"} == set(ExportReport.model_fields)


def test_the_list_names_every_report_with_its_filters(api):
    r = api.get("U-RET-101", "/reports")
    assert r.status_code == 200 and r.json()["next"] is None
    assert r.json()["items"] == [
        {"name": s.name, "title": s.title, "filters": sorted(s.filters)} for s in REPORTS.values()
    ]


def test_json_is_the_reports_own_figures(api, sample, clock):
    r = api.get("U-ADM", "/reports/sales", by="customer", sort="-total", **OCTOBER)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert "content-disposition" not in r.headers
    t, rows, totals = expected(sample, clock, "U-ADM", "sales", by="customer", sort="-total", **OCTOBER)
    body = r.json()
    assert (body["name"], body["title"], body["start"], body["end"]) == ("sales", t.title, "2026-10-01", "2026-10-31")
    assert body["columns"] == [{"key": c.key, "title": c.title, "kind": c.kind} for c in t.columns]
    assert [[x[c.key] for c in t.columns] for x in body["rows"]] == [
        [str(v) if isinstance(v, Decimal) else v for v in row] for row in rows
    ]
    assert body["totals"]["total"] == str(totals[5]) and body["totals"]["orders"] == totals[2]


def test_csv_is_the_reports_own_figures(api, sample, clock):
    r = api.get("U-ADM", "/reports/order-lines", format="csv", **OCTOBER)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="order-lines-2026-10-01-2026-10-31.csv"'
    got = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    t, rows, _ = expected(sample, clock, "U-ADM", "order-lines", **OCTOBER)
    assert got[0] == [c.key for c in t.columns]
    assert len(got) == len(rows) + 1 and rows
    for line, row in zip(got[1:], rows):
        assert line[0] == row[0] and line[1] == row[1].isoformat() and int(line[7]) == row[7]
        assert [Decimal(x) for x in line[9:]] == row[9:]
        assert all(x == "" or "," not in x and "₹" not in x for x in line[7:])


def as_cell(value, kind: str):
    """A table value as its XLSX cell holds it: numbers as floats, a percentage as a fraction."""
    if value is None:
        return None
    if kind == "percent":
        return float(Decimal(str(value)) / 100)
    return float(value) if isinstance(value, Decimal) else value


def test_xlsx_is_the_reports_own_figures_typed_and_formatted(api, sample, clock):
    r = api.get("U-MGR-KA", "/reports/sales", by="sku", format="xlsx", **OCTOBER)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == 'attachment; filename="sales-2026-10-01-2026-10-31.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    t, rows, totals = expected(sample, clock, "U-MGR-KA", "sales", by="sku", **OCTOBER)
    keys = [c.key for c in t.columns]
    last_col = openpyxl.utils.get_column_letter(len(keys))
    assert ws["A1"].value.startswith(t.title)
    assert [c.value for c in ws[2]] == [c.title for c in t.columns] and all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:{last_col}{2 + len(rows)}"
    body = [list(x) for x in ws.iter_rows(min_row=3, max_row=2 + len(rows), values_only=True)]
    assert body == [[as_cell(v, c.kind) for v, c in zip(row, t.columns)] for row in rows]
    net = ws.cell(3, keys.index("net") + 1)
    assert net.data_type == "n" and net.number_format == exports.MONEY_FORMAT
    assert ws.cell(3, keys.index("orders") + 1).number_format == exports.COUNT_FORMAT
    last = [c.value for c in ws[3 + len(rows)]]
    i = keys.index("total")
    assert "Total" in last and last[i] == float(totals[i]) and ws.cell(3 + len(rows), i + 1).font.b


def test_order_lines_xlsx_dates_are_dates(api, sample, clock):
    r = api.get("U-RET-101", "/reports/order-lines", format="xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    _, rows, _ = expected(sample, clock, "U-RET-101", "order-lines")
    cells = [ws.cell(3 + i, 2) for i in range(len(rows))]
    assert all(c.is_date and c.number_format == exports.DATE_FORMAT for c in cells)
    assert [c.value for c in cells] == [datetime(r[1].year, r[1].month, r[1].day) for r in rows]


def test_a_retailer_never_sees_another_customers_rows_by_any_filter(api):
    own = {"R-101"}
    tries = [
        {},
        {"customer": "R-101"},
        {"region": "KA"},
        {"region": "BLR-S"},
        {"status": "all"},
        {"sku": "CC-100"},
        {"start": "2026-01-01", "end": "2026-12-31"},
        {"sort": "-total", "limit": "100"},
    ]
    for query in tries:
        for fmt in ("json", "csv"):
            r = api.get("U-RET-101", "/reports/order-lines", format=fmt, **query)
            assert r.status_code == 200, (query, r.text)
            customers = (
                {x["customer"] for x in r.json()["rows"]}
                if fmt == "json"
                else {x["customer"] for x in csv.DictReader(io.StringIO(r.text))}
            )
            assert customers <= own, query
        r = api.get("U-RET-101", "/reports/sales", by="customer", **query)
        if r.status_code == 200:
            assert {x["key"] for x in r.json()["rows"]} <= own, query
    for other in ("R-102", "Fresh Mart", "R-999"):
        for name in ("order-lines", "sales", "orders"):
            r = api.get("U-RET-101", f"/reports/{name}", customer=other)
            assert r.status_code in (403, 404), (name, other)
            told = r.text.replace(other, "")  # besides echoing what was asked, nothing of R-102
            assert "Fresh" not in told and "R-102" not in told


def test_an_unknown_report_and_one_out_of_scope_answer_alike(api):
    unknown = api.get("U-RET-101", "/reports/payroll")
    hidden = api.get("U-RET-101", "/reports/sales", customer="R-102")  # the core: not found for this caller
    for r in (unknown, hidden):
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert {k: v for k, v in unknown.json().items() if k != "detail"} == {
        k: v for k, v in hidden.json().items() if k != "detail"
    }
    no_right = api.get("U-WH-1", "/reports/sales", format="xlsx")
    assert no_right.status_code == 403 and "may not see sales reports" in no_right.json()["detail"]


def test_bad_queries_are_422_problems(api):
    cases = [
        ({"format": "pdf"}, "format"),
        ({"warehouse": "WH-BLR"}, "no filter warehouse"),
        ({"regoin": "KA"}, "regoin"),
        ({"start": "2026-11-01", "end": "2026-10-01"}, "after end"),
        ({"start": "0001-01-01"}, "start"),
        ({"limit": "0"}, "limit"),
        ({"sort": "nope"}, "sort"),
        ({"status": "lost"}, "status"),
    ]
    for query, words in cases:
        r = api.get("U-ADM", "/reports/order-lines", **query)
        assert r.status_code == 422 and words in r.json()["detail"], (query, r.text)


def test_signing_in_is_required(api):
    for path in ("/api/v1/reports", "/api/v1/reports/sales", "/api/v1/reports/order-lines?format=xlsx"):
        r = api.client.get(path)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        r = api.client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401


def test_the_session_stays_open_while_streaming_and_closes_after(api, sample):
    def open_connections() -> int:
        gc.collect()
        return sample.pool.checkedout()

    assert open_connections() == 0
    with api.client.stream("GET", "/api/v1/reports/order-lines?format=csv", headers=api.as_("U-ADM")) as r:
        assert r.status_code == 200
        body = b"".join(r.iter_bytes())
    assert body.count(b"\r\n") > 10 and open_connections() == 0
    with api.client.stream("GET", "/api/v1/reports/order-lines?format=xlsx", headers=api.as_("U-ADM")) as r:
        next(r.iter_bytes())  # the client goes away after the first chunk
    assert open_connections() == 0
    assert api.get("U-ADM", "/reports/nope").status_code == 404 and open_connections() == 0


def test_a_signed_in_browser_downloads_the_exports_the_web_app_links(api, sample, clock):
    from test_dashboard import sign_in

    assert sign_in(api, "U-MGR-KA").status_code == 303  # a session cookie, no bearer token
    r = api.client.get("/api/v1/reports/sales?format=csv&by=customer&start=2026-10-01&end=2026-10-31")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    got = {x["key"] for x in csv.DictReader(io.StringIO(r.text))}
    _, rows, _ = expected(sample, clock, "U-MGR-KA", "sales", by="customer", **OCTOBER)
    assert got == {row[0] for row in rows}
    api.client.cookies.clear()
    assert api.client.get("/api/v1/reports/sales?format=csv").status_code == 401
