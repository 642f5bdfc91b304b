"""The benchmarks still run: a small world, a few orders, every variant on this run's database."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND, PG_ADMIN

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.db  # the benchmark imports a world into a database
def test_order_benchmark_runs_every_variant_without_refusals():
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "orders.py"),
            "--skus",
            "300",
            "--customers",
            "60",
            "--orders",
            "6",
            "--only",
            BACKEND,
            "--pg",
            PG_ADMIN,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = re.findall(r"\] (\d) client\(s\) (.+?) +(\d+) orders/s .*?; (\d+) ok, (\d+) refused", out.stdout)
    variants = {name for _, name, *_ in rows}
    assert variants == {
        "core (preview + create)",
        "hand-written SQL, SQLAlchemy",
        "hand-written SQL, driver only",
        "hand-written create only",
    }, out.stdout
    for clients, name, rate, ok, refused in rows:
        assert int(ok) == (6 if clients == "1" else 12) and refused == "0" and int(rate) > 0, (clients, name)
    assert len(re.findall(r"/ core = \d+\.\d\dx", out.stdout)) == 4


@pytest.mark.db  # the benchmark imports a world into a database
@pytest.mark.skipif(BACKEND != "sqlite", reason="the assistant benchmark runs on SQLite only")
def test_assistant_turn_benchmark_runs_every_role_and_kind(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "assistant_turns.py"),
            "--skus",
            "200",
            "--customers",
            "300",
            "--history-lines",
            "300",
            "--rounds",
            "1",
            "--cache",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    startup = re.findall(r"^(\w+) +\d+ +\d+ +(\w+) ", out.stdout, re.M)
    assert {r for r, _ in startup} == {"admin", "manager", "sales_rep", "warehouse", "distributor", "retailer"}
    steady = out.stdout.split("steady state", 1)[1]
    for label in (
        "admin",
        "manager",
        "sales_rep",
        "warehouse",
        "distributor",
        "retailer",
        "all",
        "order",
        "confirm",
        "outstanding",
        "orders list",
        "price",
        "offers",
        "stock",
        "product search",
        "low stock",
        "outstanding report",
        "sales by brand",
        "sales by region",
        "approvals",
    ):
        assert re.search(rf"^{label} +\d+ ", steady, re.M), label
    assert "turns ended as error" not in out.stdout, out.stdout
    assert re.search(r"hand-written SQL, sales by brand .*: [\d.]+ ms, \d+ brands", out.stdout)


@pytest.mark.db  # the benchmark imports a world into a PostgreSQL database of its own
@pytest.mark.skipif(BACKEND != "postgres", reason="the export benchmark runs on PostgreSQL only")
def test_export_benchmark_measures_every_export_and_the_files_agree():
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "exports.py"),
            "--skus",
            "100",
            "--customers",
            "60",
            "--history-lines",
            "2000",
            "--pg",
            PG_ADMIN,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for kind in ("core empty", "core csv", "COPY csv", "core xlsx", "plain xlsx"):
        assert re.search(rf"^{kind} +[\d.]+ +[\d,]+ +[\d.]+ +\d+ +\d+ ", out.stdout, re.M), (kind, out.stdout)
    assert "core csv and COPY csv: the same" in out.stdout, out.stdout
    assert "within the 200 MB target" in out.stdout, out.stdout


@pytest.mark.db  # the benchmark imports a world into a PostgreSQL database of its own
@pytest.mark.skipif(BACKEND != "postgres", reason="the reports benchmark runs on PostgreSQL only")
def test_reports_benchmark_agrees_with_its_hand_written_sql():
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "reports.py"),
            "--skus",
            "40",
            "--customers",
            "120",
            "--history-lines",
            "2000",
            "--runs",
            "1",
            "--pg",
            PG_ADMIN,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = re.findall(r"^(admin|manager): (.+?) +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+x  (\w+)", out.stdout, re.M)
    assert {r for _, r, _ in rows} >= {"month", "month by customer", "month by sku", "orders by status", "outstanding"}
    assert len(rows) == 2 * len({r for _, r, _ in rows}), out.stdout
    assert all(same == "same" for *_, same in rows), out.stdout
