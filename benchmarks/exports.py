"""Benchmark: the order-lines report exported as CSV and XLSX through core.exports, against
hand-written baselines of the same file, on PostgreSQL.

    .venv/bin/python benchmarks/exports.py                          # 10k SKUs, 50k customers, 1M order lines
    .venv/bin/python benchmarks/exports.py --history-lines 100000 --skus 1000 --customers 5000
    .venv/bin/python benchmarks/exports.py --keep                   # keep the database; --url URL re-times it

It generates a world (`evals.worldgen`, as benchmarks/reports.py does, with its clock and day),
imports it into a PostgreSQL database of its own (created through --pg, dropped at the end
unless --keep), runs ANALYZE, then measures each export in a fresh process of its own (so its
peak memory is its own: `getrusage` maxrss), writing the file to a temporary folder:

- core csv / core xlsx: `run_report(..., "order-lines")` as the admin, its rows streamed from the
  database (yield_per: a server-side cursor), through `core.exports.csv_chunks` / `xlsx_chunks`;
- core empty: the same as core csv for a day with no order: the product loaded, no row read (what
  the other core figures pay before their first row);
- COPY csv: psycopg `COPY (SELECT … the same columns and order …) TO STDOUT (FORMAT csv, HEADER)`;
- plain xlsx: an XlsxWriter loop (constant_memory) over a psycopg server-side cursor of the same
  query: typed cells, a header, nothing else (no title, widths, filter or totals).

It prints, per export: wall time, rows, file size and peak RSS; and whether the core's CSV holds
the same rows as COPY's (parsed, value by value) and the core's XLSX as many rows as the plain one.
"""

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# benchmarks/reports.py gives the day and clock of the generated world (`from reports import CLOCK,
# TODAY`); imported where needed only, so a baseline's process loads nothing of the product.

LIMIT_MB = 200  # issue 14: an export's peak memory
SQL = """
SELECT o.order_no AS order_no,
       CAST((o.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata' AS date) AS date,
       o.customer AS customer, COALESCE(c.name, o.customer) AS customer_name, o.status AS status,
       l.sku AS sku, COALESCE(s.name, l.sku) AS sku_name, l.qty AS qty, l.free_qty AS free_qty,
       l.unit_price AS unit_price, l.discount AS discount, l.line_total - l.tax AS net, l.tax AS tax,
       l.line_total AS total
FROM orders o JOIN order_line l ON l.order_no = o.order_no
LEFT JOIN customer c ON c.code = o.customer LEFT JOIN sku s ON s.code = l.sku
ORDER BY o.created_at, o.order_no, l.line_no, l.id
"""
KINDS = ("core empty", "core csv", "COPY csv", "core xlsx", "plain xlsx")
NO_LINES = "2000-01-01"  # a day before the generated history: what loading the product costs, with no row


# --- one measurement (a child process) -------------------------------------------------------------


def _pg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def measure(kind: str, url: str, out: Path) -> dict:
    t0 = time.perf_counter()
    rows = 0
    if kind.startswith("core"):
        from reports import CLOCK
        from sqlmodel import Session

        from core import exports
        from core.access import load_actor
        from core.db import make_engine
        from core.report_catalog import ReportQuery, run_report

        engine = make_engine(url)
        with Session(engine) as s, open(out, "wb") as f:
            from datetime import date

            q = ReportQuery(start=date.fromisoformat(NO_LINES), end=date.fromisoformat(NO_LINES))
            table = run_report(
                s, load_actor(s, "U-ADM-1"), CLOCK, "order-lines", q if kind == "core empty" else ReportQuery()
            )
            counted = [0]

            def counting(rs):
                for r in rs:
                    counted[0] += 1
                    yield r

            table.rows = counting(table.rows)
            for chunk in exports.chunks(table, "xlsx" if kind == "core xlsx" else "csv"):
                f.write(chunk)
            rows = counted[0]
            s.rollback()
    elif kind == "COPY csv":
        import psycopg

        with psycopg.connect(_pg(url)) as conn, open(out, "wb") as f:
            with conn.cursor().copy(f"COPY ({SQL}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for data in copy:
                    f.write(data)
            rows = -1  # counted by the parent when it compares
    elif kind == "plain xlsx":
        import psycopg
        import xlsxwriter

        book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "tmpdir": str(out.parent)})
        ws = book.add_worksheet("order-lines")
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        with psycopg.connect(_pg(url)) as conn, conn.cursor(name="lines") as cur:
            cur.itersize = 2000
            cur.execute(SQL)
            ws.write_row(0, 0, [d.name for d in cur.description])
            for rows, r in enumerate(cur, start=1):
                for i, v in enumerate(r):
                    if v is None:
                        continue
                    if i == 1:
                        ws.write_datetime(rows, i, v, day)
                    elif i >= 9:
                        ws.write_number(rows, i, float(v), money)
                    elif i in (7, 8):
                        ws.write_number(rows, i, v)
                    else:
                        ws.write_string(rows, i, v)
        book.close()
    return {
        "kind": kind,
        "seconds": time.perf_counter() - t0,
        "rows": rows,
        "bytes": out.stat().st_size,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "hwm_mb": _hwm_mb(),
    }


def _hwm_mb() -> float:
    """The kernel's peak resident set of this process image (VmHWM), a cross-check of maxrss."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _child(*args: str) -> dict:
    """Run this script with `args` in a fresh process; its last line of output, as JSON. The parent
    stays small (it never loads the product), because Linux carries a process's peak RSS across
    fork and exec into the child's getrusage maxrss."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run -----------------------------------------------------------------------------------------


def same_csv(core: Path, copy: Path) -> tuple[bool, int]:
    """The two CSV files hold the same rows, value by value (numbers compared as numbers)."""
    n = 0
    with open(core, newline="") as a, open(copy, newline="") as b:
        ra, rb = csv.reader(a), csv.reader(b)
        if next(ra) != next(rb):
            return False, 0
        for x, y in zip(ra, rb, strict=False):
            n += 1
            if x[:9] != y[:9] or [Decimal(v) for v in x[9:]] != [Decimal(v) for v in y[9:]]:
                return False, n
        return next(ra, None) is None and next(rb, None) is None, n


def run(url: str, kinds: tuple[str, ...]) -> None:
    lines = _child("--count", "--url", url)["lines"]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\norder lines in the database: {lines:,}; each export in a fresh process (this one: {own:.0f} MB)")
    print(f"{'export':<12}{'seconds':>9}{'rows':>11}{'MB file':>9}{'peak RSS MB':>13}{'VmHWM MB':>10}  rows/s")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="dms-bench-exports-") as tmp:
        for kind in kinds:
            out = Path(tmp) / (kind.replace(" ", "-") + (".xlsx" if kind.endswith("xlsx") else ".csv"))
            r = _child("--measure", kind, "--url", url, "--out", str(out))
            if kind == "COPY csv":
                r["rows"] = lines
            results[kind] = r
            print(
                f"{kind:<12}{r['seconds']:>9.1f}{r['rows']:>11,}{r['bytes'] / 2**20:>9.1f}{r['rss_mb']:>13.0f}"
                f"{r['hwm_mb']:>10.0f}  {r['rows'] / r['seconds']:>9,.0f}"
            )
        for a, b in (("core csv", "COPY csv"), ("core xlsx", "plain xlsx")):
            if a in results and b in results:
                print(f"{a} / {b}: {results[a]['seconds'] / results[b]['seconds']:.2f}x the time")
        if "core csv" in results and "COPY csv" in results:
            same, n = same_csv(Path(tmp) / "core-csv.csv", Path(tmp) / "COPY-csv.csv")
            print(f"core csv and COPY csv: {'the same' if same else 'DIFFER'} ({n:,} rows compared)")
        if "core xlsx" in results and "plain xlsx" in results:
            print(f"xlsx rows: core {results['core xlsx']['rows']:,}, plain {results['plain xlsx']['rows']:,}")
        worst = max(r["rss_mb"] for r in results.values() if r["kind"].startswith("core"))
        if "core empty" in results:
            print(f"the product loaded, no row: {results['core empty']['rss_mb']:.0f} MB")
        print(f"core peak RSS {worst:.0f} MB: {'within' if worst < LIMIT_MB else 'OVER'} the {LIMIT_MB} MB target")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skus", type=int, default=10_000)
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--history-lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="an admin connection")
    ap.add_argument("--url", help="a database already holding a generated world (nothing generated or dropped)")
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed) for --url")
    ap.add_argument("--only", choices=KINDS, action="append", help="only these exports (repeatable)")
    ap.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)  # a child process: one measurement
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--count", action="store_true", help=argparse.SUPPRESS)  # a child: the lines in --url
    ap.add_argument("--setup", help=argparse.SUPPRESS)  # a child: create, generate and import this database
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.url, args.out)))
        return
    if args.count:
        import psycopg

        with psycopg.connect(_pg(args.url)) as conn:
            print(json.dumps({"lines": conn.execute("SELECT count(*) FROM order_line").fetchone()[0]}))
        return
    if args.setup:
        print(json.dumps(setup(args.setup, args)))
        return
    kinds = tuple(args.only) if args.only else KINDS
    if args.url:
        run(args.url, kinds)
        return
    import psycopg

    url = args.pg.rsplit("/", 1)[0] + "/" + f"dms_bench_{uuid.uuid4().hex[:8]}"
    try:
        extra = ["--skus", str(args.skus), "--customers", str(args.customers)]
        extra += ["--history-lines", str(args.history_lines), "--seed", str(args.seed), "--pg", args.pg]
        made = _child("--setup", url, *extra)
        print(
            f"world: {args.skus} SKUs, {args.customers} customers, {args.history_lines} history lines, "
            f"seed {args.seed}: generated in {made['generated']:.1f} s, imported in {made['imported']:.1f} s"
        )
        run(url, kinds)
    finally:
        if args.keep:
            print(f"kept: --url {url}")
        else:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def setup(url: str, args: argparse.Namespace) -> dict:
    """A fresh database at `url` holding a generated world, analysed."""
    import psycopg
    from reports import fill_world

    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    return fill_world(url, args)


if __name__ == "__main__":
    main()
