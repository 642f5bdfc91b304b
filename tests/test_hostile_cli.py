"""Hostile command lines against the real `dms` CLI on the test database (SQLite or PostgreSQL):
each is one `error: …` line on stderr, a non-zero exit code, no traceback, and no change; an
out-of-scope thing and a thing that does not exist get the same line and the same exit code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from channels.cli import app
from conftest import NOW, SAMPLE_WORLD
from core.state import snapshot
from core.tables.audit import AuditEntry

BIG = str(2**63)
DMS = Path(sys.executable).with_name("dms")


@pytest.fixture
def env(sample, tmp_path, monkeypatch):
    """The CLI's environment: the sample world's database, a fixed clock, a data folder of its own."""
    from core.settings import get_settings

    values = {"DMS_DATABASE_URL": sample.url_string, "DMS_NOW": NOW.isoformat(), "DMS_DATA_DIR": str(tmp_path / "data")}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def state(engine) -> tuple:
    with Session(engine) as s:
        audits = s.exec(select(func.count()).select_from(AuditEntry)).one()
    return snapshot(engine), audits


def refused(engine, args: list[str], code: int) -> str:
    """Run `dms ARGS`: exit `code`, nothing on stdout, one error line on stderr, nothing changed."""
    before = state(engine)
    result = CliRunner().invoke(app, args, prog_name="dms")
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
    assert state(engine) == before
    return lines[0]


AS_ADMIN = ["--as", "U-ADM"]
PAY = ["payment", "record", "R-101"]
BAD_VALUES = [
    # amounts
    (
        PAY + ["abc", "--method", "upi", *AS_ADMIN],
        "dms payment record: Invalid value for 'AMOUNT': 'abc' is not a "
        "decimal amount (digits, optional decimal point, not negative)",
    ),
    (PAY + ["NaN", "--method", "upi", *AS_ADMIN], "'NaN' is not a decimal amount"),
    (PAY + ["inf", "--method", "upi", *AS_ADMIN], "'inf' is not a decimal amount"),
    (PAY + ["1e30", "--method", "upi", *AS_ADMIN], "'1e30' is not a decimal amount"),
    (PAY + ["-5", "--method", "upi", *AS_ADMIN], "'-5' is not a decimal amount"),
    (PAY + [BIG, "--method", "upi", *AS_ADMIN], f"'{BIG}' is out of range (at most 999999999999999.99)"),
    (PAY + ["10.00001", "--method", "upi", *AS_ADMIN], "'10.00001' has more than 4 decimal places"),
    (
        PAY + ["10", "--method", "bitcoin", *AS_ADMIN],
        "Invalid value for '--method': 'bitcoin' is not one of cash, upi, bank_transfer, cheque",
    ),
    # quantities
    (
        ["order", "create", "CC-100:abc", "--customer", "R-101", "--as", "U-RET-101"],
        "dms order create: Invalid value for 'SKU:QTY[:UNIT]...': 'CC-100:abc' is not SKU:QTY or SKU:QTY:UNIT",
    ),
    (
        ["order", "create", f"CC-100:{BIG}", "--customer", "R-101", "--as", "U-RET-101"],
        f"'CC-100:{BIG}': the quantity must be 1 to 2147483647",
    ),
    (["order", "preview", "CC-100:0", "--as", "U-RET-101"], "'CC-100:0': the quantity must be 1 to 2147483647"),
    (["order", "preview", "CC-100:١٢", "--as", "U-RET-101"], "is not SKU:QTY or SKU:QTY:UNIT"),  # not ASCII digits
    (
        ["stock", "adjust", "WH-BLR", "CC-100", "CC-2609", "abc", "--reason", "x", *AS_ADMIN],
        "dms stock adjust: Invalid value for 'delta': 'abc' is not a whole number",
    ),
    (
        ["stock", "adjust", "WH-BLR", "CC-100", "CC-2609", BIG, "--reason", "x", *AS_ADMIN],
        f"'{BIG}' is out of range (-2147483647 to 2147483647)",
    ),
    (
        ["stock", "adjust", "WH-BLR", "CC-100", "CC-2609", "-" + BIG, "--reason", "x", *AS_ADMIN],
        f"'-{BIG}' is out of range (-2147483647 to 2147483647)",
    ),
    # dates and report dimensions
    (
        ["report", "sales", "--start", "2026-13-01", *AS_ADMIN],
        "dms report sales: Invalid value for '--start': '2026-13-01' is not a valid date",
    ),
    (["report", "sales", "--end", "yesterday", *AS_ADMIN], "'yesterday' is not a date (YYYY-MM-DD)"),
    (["report", "sales", "--start", "9999-01-01", *AS_ADMIN], "'9999-01-01' is out of range (years 1900 to 2999)"),
    (
        ["report", "sales", "--by", "colour", *AS_ADMIN],
        "dms report sales: Invalid value for '--by': 'colour' is not "
        "one of customer, sku, product, brand, category, region, day, month",
    ),
    (["order", "list", "--status", "lost", *AS_ADMIN], "Invalid value for '--status': 'lost' is not one of"),
    # paths
    (
        ["import", "/nonexistent/world"],
        "dms import: Invalid value for 'world': dir '/nonexistent/world' does not exist.",
    ),
    (["chat", "--as", "U-RET-101", "--world", "/nonexistent"], "dir '/nonexistent' does not exist."),
    (["eval", "compare", "/nonexistent/a.json", "/nonexistent/b.json"], "/nonexistent/a.json"),
]


@pytest.mark.parametrize("args,expected", BAD_VALUES, ids=[" ".join(a[:4]) for a, _ in BAD_VALUES])
def test_bad_values_are_one_line_at_parse_time(env, sample, args, expected):
    line = refused(sample, args, 2)
    assert expected in line, line


def test_paths_that_cannot_be_written_are_one_line(env, sample, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert refused(sample, ["export", str(blocker / "out")], 1) == f"error: {blocker / 'out'}: Not a directory"
    assert refused(sample, ["world", "generate", str(blocker / "w")], 1) == f"error: {blocker / 'w'}: Not a directory"
    assert refused(sample, ["import", str(blocker)], 2).endswith(f"dir '{blocker}' is a file.")


def test_the_cores_refusals_are_one_line(env, sample):
    assert refused(sample, ["users", "token", "NOPE"], 1) == "error: No user 'NOPE'."
    assert (
        refused(sample, PAY + ["0", "--method", "upi", *AS_ADMIN], 1) == "error: A payment must be a positive amount."
    )
    assert refused(sample, ["order", "list", "--as", "NOPE"], 1) == "error: No user 'NOPE'."
    long = refused(sample, ["order", "create", "CC-100:2147483647", "--customer", "R-101", "--as", "U-RET-101"], 1)
    assert long.startswith("error: Not enough stock in WH-BLR") and len(long) > 80  # not wrapped at 80 columns
    assert (
        refused(sample, ["stock", "adjust", "WH-BLR", "CC-100", "CC-2609", "5", "--reason", "x", "--as", "U-REP-1"], 1)
        == "error: A sales rep may not change stock."
    )


# (command with {} for the thing, out-of-scope thing, nonexistent thing)
SAME = [
    (["order", "cancel", "{}", "--as", "U-RET-101"], "SO-0908", "SO-9999"),  # R-104's order
    (["order", "cancel", "{}", "--as", "U-MGR-TN"], "SO-0905", "SO-9999"),  # a Bengaluru order, a Chennai manager
    (["order", "preview", "CC-100:1", "--customer", "{}", "--as", "U-MGR-KA"], "R-105", "R-999"),
    (["order", "list", "--customer", "{}", "--as", "U-REP-1"], "R-105", "R-999"),
    (["payment", "record", "{}", "10", "--method", "upi", "--as", "U-MGR-KA"], "R-105", "R-999"),
    (["report", "outstanding", "--customer", "{}", "--as", "U-MGR-KA"], "R-105", "R-999"),
    (["approval", "approve", "{}", "--as", "U-MGR-TN"], "SO-0905", "SO-9999"),
    (["stock", "levels", "--warehouse", "{}", "--as", "U-WH-1"], "WH-CHN", "WH-XXX"),
]


@pytest.mark.parametrize("args,hidden,missing", SAME, ids=[" ".join(a[:2]) + " " + h for a, h, _ in SAME])
def test_out_of_scope_and_nonexistent_look_the_same(env, sample, args, hidden, missing):
    fill = lambda thing: [a.replace("{}", thing) for a in args]  # noqa: E731
    out_of_scope = refused(sample, fill(hidden), 1)
    nonexistent = refused(sample, fill(missing), 1)
    assert out_of_scope.replace(hidden, "X") == nonexistent.replace(missing, "X")


def test_the_installed_command_prints_one_line(env, sample):
    """The `dms` entry point itself (a new process): no traceback for a bad value or a refusal."""
    before = state(sample)
    for args, code, line in [
        (
            ["payment", "record", "R-101", "NaN", "--method", "upi", *AS_ADMIN],
            2,
            "error: dms payment record: Invalid value for 'AMOUNT': 'NaN' is not a decimal amount (digits, "
            "optional decimal point, not negative)",
        ),
        (
            ["report", "sales", "--by", "colour", *AS_ADMIN],
            2,
            "error: dms report sales: Invalid value for '--by': "
            "'colour' is not one of customer, sku, product, brand, category, region, day, month",
        ),
        (["order", "cancel", "SO-0908", "--as", "U-RET-101"], 1, "error: No order SO-0908 that you can see."),
    ]:
        done = subprocess.run(
            [str(DMS), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env, "COLUMNS": "60"}
        )
        assert (done.returncode, done.stderr, done.stdout) == (code, line + "\n", ""), args
    assert state(sample) == before


def test_a_hostile_world_is_reported_in_single_lines(engine, tmp_path, monkeypatch):
    from core.settings import get_settings

    world = tmp_path / "world"
    shutil.copytree(SAMPLE_WORLD, world)
    for name, old, new in [
        ("users.csv", "Asha Rao", "Asha\x00Rao"),
        ("stock.csv", "CC-2609,1000,", f"CC-2609,{BIG},"),
        ("prices.csv", "CC-100,10.00,", "CC-100,1e30,"),
    ]:
        text = (world / name).read_text()
        assert old in text
        (world / name).write_text(text.replace(old, new, 1))
    monkeypatch.setenv("DMS_DATABASE_URL", engine.url_string)
    monkeypatch.setenv("DMS_NOW", NOW.isoformat())
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", str(world)], prog_name="dms")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [  # one line each, however long, in the order of world.md
        "users.csv:2: name: the value contains a NUL character (\\x00)",
        "prices.csv:2: price: '1e30' is not a decimal amount (digits, optional decimal point, not negative)",
        f"stock.csv:2: qty: '{BIG}' is out of range (0 to 2147483647)",
        "error: 3 error(s); nothing was imported",
    ]
    assert snapshot(engine)["orders"] == []


def test_a_taken_port_and_an_unknown_chat_user_are_one_line_before_anything_starts(env, sample):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(sample, ["serve", "--port", str(port)], 2)
    assert f"127.0.0.1:{port} is already in use" in line
    assert "no user 'U-NOPE'" in refused(sample, ["chat", "--as", "U-NOPE"], 2)
