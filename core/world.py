"""World import and export: the folder-of-CSV format of spec/world.md.

Import reads and validates everything first, collecting every problem as
`file:line: column: reason`; only a clean world is written, in one transaction and with
bulk inserts (worlds of tens of thousands of rows). Export writes the same format back.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from . import models
from .approvals import RULE_KINDS
from .audit import record
from .billing import PAYMENT_METHODS, invoice_order_key, settle
from .catalogue import format_units, parse_units, split_list
from .clock import Clock, make_clock
from .db import transaction
from .errors import InvalidInput
from .field_world import check_field, export_field, write_field
from .inventory import BatchStock, plan_allocation, usable
from .parties import CUSTOMER_STATUSES, CUSTOMER_TYPES, ROLES
from .schemes import SCHEME_KINDS, SchemeRule, scheme_conflicts
from .tables.approvals import ApprovalRule
from .tables.billing import DeliveryNote, Invoice, Payment
from .tables.catalogue import Brand, Category, Product, Sku, SkuUnit
from .tables.counters import Counter
from .tables.field import NO_ORDER_REASONS, OUTLET_CLASSES, VISIT_OUTCOMES, Beat
from .tables.inventory import OrderAllocation, StockBalance, StockMovement
from .tables.orders import Order, OrderLine
from .tables.parties import Customer, Region, User, Warehouse
from .tables.pricing import Price
from .tables.schemes import Scheme
from .types import money, table_of

Record = dict[str, Any]  # a row as plain data: column -> value
M = TypeVar("M", bound=SQLModel)
ZERO = Decimal("0")
HISTORY_STATUSES = ("confirmed", "dispatched", "delivered", "cancelled")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WorldErrors(InvalidInput):
    """Every problem of a world, each `file:line: column: reason`."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s) in the world; nothing was imported:\n" + "\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)  # `file:line: column: reason`; imported all the same


# --- cell parsers: raw text -> value, or ValueError with the reason ---------------------------

# Bounds that keep every value, and what is computed from it, inside its column: whole numbers
# are the databases' INTEGER (PostgreSQL's 32 bits); money is text of at most 40 characters on
# SQLite (NUMERIC on PostgreSQL), which a line's qty x price plus tax, summed over an order,
# stays within; dates stay
# far enough from year 9999 that a due date or a time zone shift cannot overflow Python's dates.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MONEY_MAX = Decimal("999999999999999.99")
MONEY_PLACES = 4
YEARS = (1900, 2999)
MAX_CELL = 131_072  # characters; what Python's csv module allowed before (it raised past it)
MAX_SHOWN = 300  # characters of a value or reason echoed in an error line
# The csv module's own limit raises one error for the whole file, without the column: let it
# read any cell, and report cells over MAX_CELL ourselves, each with its column.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

_MONEY = re.compile(r"\d+(\.\d+)?", re.ASCII)
_INT = re.compile(r"[+-]?\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def p_text(s: str) -> str:
    return s


def p_money(s: str, most: Decimal = MONEY_MAX) -> Decimal:
    if not _MONEY.fullmatch(s):
        raise ValueError(f"{s!r} is not a decimal amount (digits, optional decimal point, not negative)")
    if len(s.partition(".")[2]) > MONEY_PLACES:
        raise ValueError(f"{s!r} has more than {MONEY_PLACES} decimal places")
    value = Decimal(s)
    if value > most:
        raise ValueError(f"{s!r} is out of range (at most {most})")
    return value


def p_percent(most: int) -> Callable[[str], Decimal]:
    return lambda s: p_money(s, Decimal(most))


def p_int(s: str, least: int = INT_MIN, most: int = INT_MAX) -> int:
    if not _INT.fullmatch(s):
        raise ValueError(f"{s!r} is not a whole number")
    # the length first: int() refuses strings of over 4300 digits with a message about itself
    n = int(s) if len(s) <= 20 or len(s.lstrip("+-0")) <= 20 else (most + 1 if s[0] != "-" else least - 1)
    if not least <= n <= most:
        raise ValueError(f"{s!r} is out of range ({least} to {most})")
    return n


def p_count(s: str, most: int = INT_MAX) -> int:
    if s.startswith("-") and _INT.fullmatch(s) and s.strip("-0"):
        raise ValueError(f"{s!r} must not be negative")
    return p_int(s, 0, most)


def p_days(s: str) -> int:
    return p_count(s, 3650)  # ten years; a due date must stay a date


def _in_years(s: str, d: date | datetime) -> None:
    if not YEARS[0] <= d.year <= YEARS[1]:
        raise ValueError(f"{s!r} is out of range (years {YEARS[0]} to {YEARS[1]})")


def p_date(s: str) -> date:
    if not _DATE.fullmatch(s):
        raise ValueError(f"{s!r} is not a date (YYYY-MM-DD)")
    try:
        d = date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{s!r} is not a valid date") from None
    _in_years(s, d)
    return d


def p_timestamp(s: str) -> datetime:
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{s!r} is not an ISO 8601 timestamp") from None
    _in_years(s, t)
    return t


def p_bool(s: str) -> bool:
    if s.lower() not in ("true", "false"):
        raise ValueError(f"{s!r} is not true or false")
    return s.lower() == "true"


def p_enum(*values: str, upper: bool = False) -> Callable[[str], str]:
    def parse(s: str) -> str:
        v = s.upper() if upper else s
        if v not in values:
            raise ValueError(f"{s!r} is not one of {', '.join(values)}")
        return v

    return parse


def p_list(s: str) -> list[str]:
    return split_list(s)


def p_units(s: str) -> list[tuple[str, int]]:
    return parse_units(s)


def p_unit(s: str) -> str:
    return s.upper()


def p_degrees(most: int) -> Callable[[str], Decimal]:
    """Decimal degrees within ±most (latitude 90, longitude 180), kept exact."""

    def parse(s: str) -> Decimal:
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", s, re.ASCII):
            raise ValueError(f"{s!r} is not decimal degrees (such as 12.9716)")
        value = Decimal(s)
        if not -most <= value <= most:
            raise ValueError(f"{s!r} is out of range (-{most} to {most})")
        return value

    return parse


def p_month(s: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}", s, re.ASCII) or not 1 <= int(s[5:]) <= 12:
        raise ValueError(f"{s!r} is not a month (YYYY-MM)")
    _in_years(s, date(int(s[:4]), 1, 1))
    return s


# --- the format: files, columns, keys -------------------------------------------------------


@dataclass(frozen=True)
class Col:
    name: str
    parse: Callable[[str], object] = p_text
    required: bool = False


@dataclass(frozen=True)
class FileSpec:
    cols: tuple[Col, ...]
    key: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> list[str]:
        return [c.name for c in self.cols]


def _spec(cols: str, key: tuple[str, ...] = (), required: bool = False, **parsers: Callable[[str], object]) -> FileSpec:
    """Columns as `a* b c*` (`*` = required), with a parser per column where not text."""
    out = []
    for word in cols.split():
        name = word.rstrip("*")
        out.append(Col(name, parsers.get(name, p_text), word.endswith("*")))
    return FileSpec(tuple(out), key, required)


_roles = p_enum(*ROLES)
FILES: dict[str, FileSpec] = {
    "brands": _spec("code* name* parent", ("code",), True),
    "categories": _spec("code* name* parent", ("code",), True),
    "products": _spec("code* name* brand* category*", ("code",), True),
    "skus": _spec(
        "code* product* name* units* tax_rate mrp allocation reorder_level aliases barcode",
        ("code",),
        True,
        units=p_units,
        tax_rate=p_percent(1000),
        mrp=p_money,
        allocation=p_enum("FEFO", "FIFO", upper=True),
        reorder_level=p_count,
    ),
    "regions": _spec("code* name* parent level", ("code",), True),
    "warehouses": _spec("code* name* region* owner", ("code",), True),
    "customers": _spec(
        "code* name* type* region* distributor warehouse* credit_limit payment_terms_days "
        "opening_balance phone status contact_person latitude longitude class",
        ("code",),
        True,
        type=p_enum(*CUSTOMER_TYPES),
        credit_limit=p_money,
        payment_terms_days=p_days,
        opening_balance=p_money,
        status=p_enum(*CUSTOMER_STATUSES),
        latitude=p_degrees(90),
        longitude=p_degrees(180),
        **{"class": p_enum(*OUTLET_CLASSES)},
    ),
    "users": _spec(
        "id* name* role* customer regions reports_to slack_id telegram_id email",
        ("id",),
        True,
        role=_roles,
        regions=p_list,
    ),
    "prices": _spec(
        "sku* price* customer_type region customer valid_from valid_to",
        ("sku", "customer_type", "region", "customer", "valid_from"),
        price=p_money,
        customer_type=p_enum(*CUSTOMER_TYPES),
        valid_from=p_date,
        valid_to=p_date,
    ),
    "schemes": _spec(
        "code* name* kind* sku product brand category customer_type region min_qty unit "
        "min_value discount_pct discount_flat free_sku free_qty free_unit recursive valid_from "
        "valid_to priority stackable",
        ("code",),
        kind=p_enum(*SCHEME_KINDS),
        customer_type=p_enum(*CUSTOMER_TYPES),
        min_qty=p_count,
        unit=p_unit,
        min_value=p_money,
        discount_pct=p_percent(100),
        discount_flat=p_money,
        free_qty=p_count,
        free_unit=p_unit,
        recursive=p_bool,
        valid_from=p_date,
        valid_to=p_date,
        priority=p_int,
        stackable=p_bool,
    ),
    "stock": _spec(
        "warehouse* sku* batch* qty* mfg_date expiry_date received_on status",
        ("warehouse", "sku", "batch", "status"),
        qty=p_count,
        mfg_date=p_date,
        expiry_date=p_date,
        received_on=p_date,
        status=p_enum("available", "damaged"),
    ),
    "approval_rules": _spec(
        "code* when* threshold approver_role* escalate_after_hours escalate_to_role",
        ("code",),
        when=p_enum(*RULE_KINDS),
        threshold=p_money,
        approver_role=_roles,
        escalate_after_hours=p_count,
        escalate_to_role=_roles,
    ),
    "beats": _spec("code* name* sales_rep* weekday customers*", ("code",), weekday=p_enum(*WEEKDAYS), customers=p_list),
    "targets": _spec("month* user customer target*", ("month", "user", "customer"), month=p_month, target=p_money),
    "orders": _spec(
        "order_no* customer* warehouse* created_at* status* created_by",
        ("order_no",),
        created_at=p_timestamp,
        status=p_enum(*HISTORY_STATUSES),
    ),
    "order_lines": _spec(
        "order_no* sku* qty* unit_price* discount free_qty",
        qty=p_count,
        unit_price=p_money,
        discount=p_money,
        free_qty=p_count,
    ),
    "payments": _spec(
        "customer* amount* paid_on* method reference", amount=p_money, paid_on=p_date, method=p_enum(*PAYMENT_METHODS)
    ),
    "attendance": _spec(
        "user* check_in* check_out latitude longitude",
        ("user", "check_in"),
        check_in=p_timestamp,
        check_out=p_timestamp,
        latitude=p_degrees(90),
        longitude=p_degrees(180),
    ),
    "visits": _spec(
        "id* user* customer* started_at* ended_at outcome reason order_no latitude longitude notes",
        ("id",),
        started_at=p_timestamp,
        ended_at=p_timestamp,
        outcome=p_enum(*VISIT_OUTCOMES),
        reason=p_enum(*NO_ORDER_REASONS),
        latitude=p_degrees(90),
        longitude=p_degrees(180),
    ),
}
ORDER = list(FILES)  # dependency order; errors are reported in this order


class Row(dict[str, Any]):
    """One parsed CSV row: column -> value (None = not given or unparsable)."""

    def __init__(self, fname: str, line: int) -> None:
        super().__init__()
        self.fname = fname
        self.line = line


class Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, int, str]] = []

    def add(self, fname: str, line: int, column: str, reason: str) -> None:
        rank = ORDER.index(fname.removesuffix(".csv")) + 1 if fname.removesuffix(".csv") in FILES else 0
        self.items.append((rank, line, f"{_clip(fname)}:{line}: {_clip(column)}: {_clip(reason)}"))

    def at(self, row: Row, column: str, reason: str) -> None:
        self.add(row.fname, row.line, column, reason)

    def sorted(self) -> list[str]:
        return [text for _, _, text in sorted(self.items, key=lambda t: (t[0], t[1]))]


def _clip(text: str) -> str:
    """One readable line of bounded length, whatever a hostile cell or header held."""
    text = text.replace("\x00", "\\x00").replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + f"… ({len(text)} characters)"


# --- reading ------------------------------------------------------------------------------


def read_world(path: Path, errors: Errors) -> dict[str, list[Row]]:
    """Parse every file of the world; problems go to `errors`, good cells into rows."""
    path = Path(path)
    tables: dict[str, list[Row]] = {name: [] for name in FILES}
    if not path.is_dir():
        errors.add(path.name or str(path), 1, "-", "the world folder does not exist")
        return tables
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name == "knowledge":
            continue  # Markdown documents: the assistant indexes the folder itself
        if entry.suffix != ".csv" or entry.stem not in FILES or entry.is_dir():
            errors.add(entry.name, 1, "-", "unknown file (world.md lists the files a world may hold)")
    for name, spec in FILES.items():
        file = path / f"{name}.csv"
        if not file.is_file():
            if spec.required:
                errors.add(file.name, 1, "-", "required file is missing")
            continue
        tables[name] = read_csv(file, spec, errors)
    return tables


def read_csv(file: Path, spec: FileSpec, errors: Errors) -> list[Row]:
    fname = file.name
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        errors.add(fname, 1, "-", f"not UTF-8 text ({e.reason})")
        return []
    # newline="": lines end only at \n or \r (str.splitlines would also end them inside a cell at
    # \x0c, \x1c, \u2028 and the like, which the csv writer does not quote)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        errors.add(fname, 1, "-", "the file is empty (no header row)")
        return []
    header = [h.strip() for h in header]
    known = {c.name: c for c in spec.cols}
    for i, h in enumerate(header):
        if h not in known:
            errors.add(fname, 1, h or f"column {i + 1}", "unknown column")
        elif header.index(h) != i:
            errors.add(fname, 1, h, "column appears twice")
    for c in spec.cols:
        if c.required and c.name not in header:
            errors.add(fname, 1, c.name, "required column is missing")
    # which cell feeds which column, decided once per file (worlds have 100k-row files)
    plan = [
        (i, h, known[h].parse, known[h].required) for i, h in enumerate(header) if h in known and header.index(h) == i
    ]
    absent = [c.name for c in spec.cols if c.name not in header]
    # PostgreSQL text cannot hold NUL. These checks run on the few rows that could need them.
    long_file, has_nul, has_quote = len(text) > MAX_CELL, "\x00" in text, "'" in text
    rows: list[Row] = []
    for cells in reader:
        line = reader.line_num
        joined = "".join(cells)
        if not joined.strip():
            continue  # blank line
        suspect = (long_file and len(joined) > MAX_CELL) or (has_nul and "\x00" in joined)
        quoted = has_quote and "'" in joined
        if len(cells) != len(header):
            errors.add(fname, line, "-", f"row has {len(cells)} cells, the header has {len(header)}")
        row = Row(fname, line)
        n = len(cells)
        for i, h, parse, required in plan:
            raw = cells[i].strip() if i < n else ""
            if suspect and (len(raw) > MAX_CELL or "\x00" in raw):
                row[h] = None
                errors.add(fname, line, h, _bad_cell(raw))
            elif not raw:
                row[h] = None
                if required:
                    errors.add(fname, line, h, "a value is required")
            else:
                if quoted and raw[0] == "'":  # as export_world's escape_formula wrote it
                    raw = unescape_formula(raw)
                try:
                    row[h] = raw if parse is p_text else parse(raw)
                except ValueError as e:
                    row[h] = None
                    errors.add(fname, line, h, str(e))
        for h in absent:
            row[h] = None
        rows.append(row)
    return rows


def _bad_cell(raw: str) -> str:
    if len(raw) > MAX_CELL:
        return f"the value is {len(raw)} characters long (at most {MAX_CELL})"
    return "the value contains a NUL character (\\x00)"


# --- validation ---------------------------------------------------------------------------


def index_by_key(rows: list[Row], key: tuple[str, ...], errors: Errors) -> dict[Any, Row]:
    """Rows by key; duplicates are errors on the later row. Rows lacking a key part are skipped
    (their own error is already reported) unless the part is optional (a price's scope)."""
    seen: dict[Any, Row] = {}  # by the key's value, or its values when it has several
    for row in rows:
        parts = tuple(row.get(c) for c in key)
        if row.get(key[0]) is None:
            continue
        k = parts[0] if len(key) == 1 else parts
        if k in seen:
            shown = " ".join(str(v) for v in (k if isinstance(k, tuple) else (k,)) if v is not None)
            errors.at(row, key[0], f"duplicate {shown!r} (first on line {seen[k].line})")
        else:
            seen[k] = row
    return seen


def check_ref(errors: Errors, row: Row, column: str, index: dict[Any, Row], what: str) -> None:
    value = row.get(column)
    if value is not None and value not in index:
        errors.at(row, column, f"unknown {what} {value!r}")


def check_tree(index: dict[str, Row], errors: Errors) -> None:
    """Parents must not loop back: report each cycle once, on its earliest line."""
    done: set[str] = set()
    for start in index:
        path: list[str] = []
        on_path: set[str] = set()
        cur: str | None = start
        while cur is not None and cur in index and cur not in done and cur not in on_path:
            path.append(cur)
            on_path.add(cur)
            cur = index[cur].get("parent")
        if cur in on_path:
            cycle = path[path.index(cur) :]
            first = min(cycle, key=lambda c: index[c].line)
            i = cycle.index(first)
            cycle = cycle[i:] + cycle[:i]
            errors.at(index[first], "parent", "cycle in the tree: " + " > ".join(cycle + [first]))
        done.update(path)


@dataclass
class ValidatedWorld:
    """A validated world, ready to write."""

    rows: dict[str, list[Row]]
    idx: dict[str, dict[Any, Row]]
    units: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    lines_of: dict[str, list[Row]] = field(default_factory=dict)
    # (warehouse, sku, batch) -> balance dict; filled from stock.csv, then reservations
    balances: dict[tuple[str, str, str], Record] = field(default_factory=dict)
    receipts: list[Record] = field(default_factory=list)
    reservations: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # order, wh, sku, batch, n


def validate(rows: dict[str, list[Row]], clock: Clock, errors: Errors) -> ValidatedWorld:
    idx = {name: index_by_key(rows[name], spec.key, errors) for name, spec in FILES.items() if spec.key}
    w = ValidatedWorld(rows, idx)
    _check_catalogue(w, errors)
    _check_parties(w, errors)
    _check_commercial(w, errors)
    _check_stock(w, errors)
    _check_history(w, clock, errors)
    check_field(rows, w.idx, clock.tz, errors)
    return w


def _check_catalogue(w: ValidatedWorld, errors: Errors) -> None:
    brands, cats = w.idx["brands"], w.idx["categories"]
    for name, index, what in (("brands", brands, "brand"), ("categories", cats, "category")):
        for row in w.rows[name]:
            check_ref(errors, row, "parent", index, what)
        check_tree(index, errors)
    for row in w.rows["products"]:
        check_ref(errors, row, "brand", brands, "brand")
        check_ref(errors, row, "category", cats, "category")
    for row in w.rows["skus"]:
        check_ref(errors, row, "product", w.idx["products"], "product")
        if row["units"] is not None and row["code"] is not None:
            w.units[row["code"]] = row["units"]


def _check_parties(w: ValidatedWorld, errors: Errors) -> None:
    regions, customers, users = w.idx["regions"], w.idx["customers"], w.idx["users"]
    for row in w.rows["regions"]:
        check_ref(errors, row, "parent", regions, "region")
    check_tree(regions, errors)
    for row in w.rows["warehouses"]:
        check_ref(errors, row, "region", regions, "region")
        check_ref(errors, row, "owner", customers, "customer")
    for row in w.rows["customers"]:
        check_ref(errors, row, "region", regions, "region")
        check_ref(errors, row, "warehouse", w.idx["warehouses"], "warehouse")
        check_ref(errors, row, "distributor", customers, "customer")
        dist = customers.get(row["distributor"])
        if dist is not None and dist["type"] not in (None, "distributor"):
            errors.at(row, "distributor", f"{row['distributor']!r} is a {dist['type']}, not a distributor")
        if (row["latitude"] is None) != (row["longitude"] is None):
            errors.at(
                row,
                "longitude" if row["longitude"] is None else "latitude",
                "give both latitude and longitude, or neither",
            )
    for row in w.rows["users"]:
        check_ref(errors, row, "customer", customers, "customer")
        check_ref(errors, row, "reports_to", users, "user")
        for code in row["regions"] or []:
            if code not in regions:
                errors.at(row, "regions", f"unknown region {code!r}")
        if row["role"] in ("distributor", "retailer") and row["customer"] is None:
            errors.at(row, "customer", f"a {row['role']} user needs a customer")


def _check_commercial(w: ValidatedWorld, errors: Errors) -> None:
    skus, customers, regions = w.idx["skus"], w.idx["customers"], w.idx["regions"]
    for row in w.rows["prices"]:
        check_ref(errors, row, "sku", skus, "SKU")
        check_ref(errors, row, "region", regions, "region")
        check_ref(errors, row, "customer", customers, "customer")
        given = [c for c in ("customer_type", "region", "customer") if row[c] is not None]
        if len(given) > 1:
            errors.at(row, given[1], "give at most one of customer_type, region, customer")
        _check_period(row, errors)
    for row in w.rows["schemes"]:
        _check_scheme(w, row, errors)
    for row in w.rows["approval_rules"]:
        if row["when"] in ("order_total_over", "discount_over_pct") and row["threshold"] is None:
            errors.at(row, "threshold", f"{row['when']} needs a threshold")
        if row["when"] == "discount_over_pct" and row["threshold"] is not None and row["threshold"] > 100:
            errors.at(row, "threshold", f"{row['threshold']} is out of range for a percentage (at most 100)")
    for row in w.rows["beats"]:
        check_ref(errors, row, "sales_rep", w.idx["users"], "user")
        for code in row["customers"] or []:
            if code not in customers:
                errors.at(row, "customers", f"unknown customer {code!r}")


def _check_period(row: Row, errors: Errors) -> None:
    if row["valid_from"] and row["valid_to"] and row["valid_to"] < row["valid_from"]:
        errors.at(row, "valid_to", "ends before valid_from")


def _check_scheme(w: ValidatedWorld, row: Row, errors: Errors) -> None:
    refs = {
        "sku": ("skus", "SKU"),
        "product": ("products", "product"),
        "brand": ("brands", "brand"),
        "category": ("categories", "category"),
        "region": ("regions", "region"),
        "free_sku": ("skus", "SKU"),
    }
    for col, (table, what) in refs.items():
        check_ref(errors, row, col, w.idx[table], what)
    quals = [c for c in ("sku", "product", "brand", "category") if row[c] is not None]
    if len(quals) > 1:
        errors.at(row, quals[1], "give at most one of sku, product, brand, category")
    kind = row["kind"]
    if kind in ("volume", "free_goods") and row["min_qty"] is None:
        errors.at(row, "min_qty", f"a {kind} scheme needs min_qty")
    if kind == "value" and row["min_value"] is None:
        errors.at(row, "min_value", "a value scheme needs min_value")
    if kind in ("volume", "value") and row["discount_pct"] is None and row["discount_flat"] is None:
        errors.at(row, "discount_pct", f"a {kind} scheme needs discount_pct or discount_flat")
    if row["unit"] is not None and row["sku"] in w.units and row["unit"] not in dict(w.units[row["sku"]]):
        errors.at(row, "unit", f"{row['unit']} is not a unit of {row['sku']}")
    free_sku = row["free_sku"] or row["sku"]
    if kind == "free_goods":
        if row["free_qty"] is None:
            errors.at(row, "free_qty", "a free_goods scheme needs free_qty")
        if free_sku is None:
            errors.at(row, "free_sku", "a free_goods scheme without a sku needs free_sku")
    if row["free_unit"] is not None and free_sku in w.units and row["free_unit"] not in dict(w.units[free_sku]):
        errors.at(row, "free_unit", f"{row['free_unit']} is not a unit of {free_sku}")
    _check_period(row, errors)


def _check_stock(w: ValidatedWorld, errors: Errors) -> None:
    first: dict[tuple[Any, ...], Row] = {}
    for row in w.rows["stock"]:
        check_ref(errors, row, "warehouse", w.idx["warehouses"], "warehouse")
        check_ref(errors, row, "sku", w.idx["skus"], "SKU")
        key = (row["warehouse"], row["sku"], row["batch"])
        if None in key or row["qty"] is None:
            continue
        dates = {c: row[c] for c in ("mfg_date", "expiry_date", "received_on")}
        prev = first.get(key)
        if prev is not None:
            for c, v in dates.items():
                if prev[c] != v:
                    errors.at(row, c, f"differs from the same batch on line {prev.line}")
        else:
            first[key] = row
            w.balances[key] = {
                "warehouse": key[0],
                "sku": key[1],
                "batch": key[2],
                **dates,
                "available": 0,
                "reserved": 0,
                "damaged": 0,
            }
        damaged = row["status"] == "damaged"
        w.balances[key]["damaged" if damaged else "available"] += row["qty"]
        if row["qty"]:
            w.receipts.append({"key": key, "damaged": damaged, "qty": row["qty"]})


def _check_history(w: ValidatedWorld, clock: Clock, errors: Errors) -> None:
    orders = w.idx["orders"]
    for row in w.rows["orders"]:
        check_ref(errors, row, "customer", w.idx["customers"], "customer")
        check_ref(errors, row, "warehouse", w.idx["warehouses"], "warehouse")
        check_ref(errors, row, "created_by", w.idx["users"], "user")
        if row["created_at"] is not None and row["created_at"].tzinfo is None:
            row["created_at"] = row["created_at"].replace(tzinfo=clock.tz)  # local business time
    for row in w.rows["order_lines"]:
        check_ref(errors, row, "order_no", orders, "order")
        check_ref(errors, row, "sku", w.idx["skus"], "SKU")
        qty, free = row["qty"], row["free_qty"] or 0
        if qty is not None and qty + free == 0:
            errors.at(row, "qty", "a line needs a quantity (or free goods)")
        if (
            qty is not None
            and row["unit_price"] is not None
            and row["discount"] is not None
            and row["discount"] > money(qty * row["unit_price"])
        ):
            errors.at(row, "discount", "is more than the line's gross")
        if row["order_no"] in orders:
            w.lines_of.setdefault(row["order_no"], []).append(row)
    for row in w.rows["payments"]:
        check_ref(errors, row, "customer", w.idx["customers"], "customer")
        if row["amount"] is not None and row["amount"] <= 0:
            errors.at(row, "amount", "must be more than 0")
    _reserve_confirmed(w, clock.today(), errors)


def _reserve_confirmed(w: ValidatedWorld, today: date, errors: Errors) -> None:
    """Confirmed orders reserve their lines (sold and free) from the imported stock, oldest first."""
    by_place: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for bal in w.balances.values():
        by_place[(bal["warehouse"], bal["sku"])].append(bal)
    confirmed = [
        o
        for o in w.rows["orders"]
        if o["status"] == "confirmed" and o["created_at"] is not None and w.idx["orders"].get(o["order_no"]) is o
    ]
    for order in sorted(confirmed, key=lambda o: (o["created_at"], o["order_no"])):
        for line in w.lines_of.get(order["order_no"], []):
            sku, wh = line["sku"], order["warehouse"]
            if sku not in w.idx["skus"] or line["qty"] is None:
                continue
            need = line["qty"] + (line["free_qty"] or 0)
            rows = by_place.get((wh, sku), [])
            stock = [BatchStock(b["batch"], b["available"], b["expiry_date"], b["received_on"]) for b in rows]
            method = w.idx["skus"][sku]["allocation"] or "FEFO"
            try:
                plan = plan_allocation(stock, need, method, today)
            except ValueError:
                have = sum(b.available for b in usable(stock, today))
                errors.at(
                    line,
                    "qty",
                    f"confirmed order {order['order_no']} cannot reserve {need} of {sku} in {wh}: {have} available",
                )
                continue
            for batch, n in plan:
                bal = w.balances[(wh, sku, batch)]
                bal["available"] -= n
                bal["reserved"] += n
                w.reservations.append((order["order_no"], wh, sku, batch, n))


# --- writing ------------------------------------------------------------------------------


@dataclass
class WorldCheck:
    """What an import would say, before it writes anything."""

    errors: list[str]  # `file:line: column: reason`
    rows: dict[str, int]  # file -> rows (a clean world only)
    warnings: list[str]


def check_world(path: str | Path, *, clock: Clock) -> WorldCheck:
    """The world at `path` read and validated as import_world does, with no database."""
    errors = Errors()
    world = validate(read_world(Path(path), errors), clock, errors)
    if errors.items:
        return WorldCheck(errors.sorted(), {}, [])
    return WorldCheck([], {f"{k}.csv": len(v) for k, v in world.rows.items() if v}, scheme_warnings(world))


def import_world(
    engine: Engine,
    path: str | Path,
    *,
    clock: Clock,
    replace: bool = False,
    user_id: str | None = None,
    channel: str = "import",
) -> ImportReport:
    """Import the world at `path`: all or nothing. Raises WorldErrors listing every problem.
    `user_id` and `channel`: who imported it and how (the web's admin page: "web"), for the audit."""
    path = Path(path)
    errors = Errors()
    world = validate(read_world(path, errors), clock, errors)
    if errors.items:
        raise WorldErrors(errors.sorted())
    with transaction(engine) as session:
        if holds_data(session):
            if not replace:
                raise WorldErrors(
                    [
                        f"{path.name}:1: -: the database already holds data; "
                        "import with replace (dms import --replace) to replace it"
                    ]
                )
            for table in reversed(models.metadata.sorted_tables):
                session.execute(table.delete())
        counts = _write(session, world, clock, user_id)
        record(
            session,
            at=clock.now(),
            user_id=user_id,
            channel=channel,
            action="world.import",
            entity="world",
            entity_id=path.name,
            counts=counts,
            replaced=replace,
        )
    return ImportReport(counts, scheme_warnings(world))


def scheme_warnings(w: ValidatedWorld) -> list[str]:
    """Schemes that can meet on the same lines with only the benefit choosing between them
    (core.schemes.scheme_conflicts), each reported on the later of the two rows."""
    rows = {row["code"]: row for row in w.rows["schemes"]}
    rules = [
        SchemeRule(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            sku=r["sku"],
            product=r["product"],
            brand=r["brand"],
            category=r["category"],
            customer_type=r["customer_type"],
            region=r["region"],
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            priority=_opt(r, "priority", 0),
            stackable=_opt(r, "stackable", False),
        )
        for r in rows.values()
    ]
    warnings = Errors()
    for a, b, message in scheme_conflicts(rules):
        warnings.at(max(rows[a.code], rows[b.code], key=lambda r: r.line), "priority", message)
    return warnings.sorted()


def holds_data(session: Session) -> bool:
    """Whether any table holds rows (those the database has: an older schema lacks newer tables)."""
    present = set(sa_inspect(session.connection()).get_table_names())
    return any(
        session.execute(select(func.count()).select_from(t)).scalar()
        for t in models.metadata.sorted_tables
        if t.name in present
    )


def _bulk(session: Session, model: type[SQLModel], rows: list[Record]) -> None:
    if rows:
        session.execute(insert(table_of(model)), rows)


def _opt(row: Row, col: str, default: Any = None) -> Any:
    v = row.get(col)
    return default if v is None else v


def _write(session: Session, w: ValidatedWorld, clock: Clock, user_id: str | None) -> dict[str, int]:
    r = w.rows
    now = clock.now()
    _bulk(session, Brand, [{"code": x["code"], "name": x["name"], "parent": x["parent"]} for x in r["brands"]])
    _bulk(session, Category, [{"code": x["code"], "name": x["name"], "parent": x["parent"]} for x in r["categories"]])
    _bulk(session, Product, [{k: x[k] for k in ("code", "name", "brand", "category")} for x in r["products"]])
    _bulk(
        session,
        Sku,
        [
            {
                "code": x["code"],
                "product": x["product"],
                "name": x["name"],
                "tax_rate": _opt(x, "tax_rate", ZERO),
                "mrp": x["mrp"],
                "allocation": _opt(x, "allocation", "FEFO"),
                "reorder_level": _opt(x, "reorder_level", 0),
                "aliases": x["aliases"] or "",
                "barcode": x["barcode"],
            }
            for x in r["skus"]
        ],
    )
    _bulk(
        session,
        SkuUnit,
        [
            {"sku": x["code"], "unit": u, "factor": f, "position": i}
            for x in r["skus"]
            for i, (u, f) in enumerate(x["units"])
        ],
    )
    _bulk(session, Region, [{k: x[k] for k in ("code", "name", "parent", "level")} for x in r["regions"]])
    _bulk(session, Warehouse, [{k: x[k] for k in ("code", "name", "region", "owner")} for x in r["warehouses"]])
    _bulk(
        session,
        User,
        [
            {
                "id": x["id"],
                "name": x["name"],
                "role": x["role"],
                "customer": x["customer"],
                "regions": "|".join(x["regions"] or []),
                "reports_to": x["reports_to"],
                "slack_id": x["slack_id"],
                "telegram_id": x["telegram_id"],
                "email": x["email"],
                "token_hash": None,
            }
            for x in r["users"]
        ],
    )
    _bulk(
        session,
        Price,
        [
            {k: x[k] for k in ("sku", "price", "customer_type", "region", "customer", "valid_from", "valid_to")}
            for x in r["prices"]
        ],
    )
    _bulk(
        session,
        Scheme,
        [
            {
                **{k: x[k] for k in FILES["schemes"].names()},
                "recursive": _opt(x, "recursive", True),
                "priority": _opt(x, "priority", 0),
                "stackable": _opt(x, "stackable", False),
            }
            for x in r["schemes"]
        ],
    )
    _bulk(session, ApprovalRule, [{k: x[k] for k in FILES["approval_rules"].names()} for x in r["approval_rules"]])
    _bulk(
        session,
        Beat,
        [
            {
                "code": x["code"],
                "name": x["name"],
                "sales_rep": x["sales_rep"],
                "weekday": x["weekday"],
                "customers": "|".join(x["customers"]),
            }
            for x in r["beats"]
        ],
    )
    _write_stock(session, w, now, user_id)
    invoices = _write_orders(session, w, clock)
    _write_money(session, w, invoices)
    write_field(session, r, w.idx, clock.tz)
    return {name: len(rows) for name, rows in r.items() if rows}


def _write_stock(session: Session, w: ValidatedWorld, now: datetime, user_id: str | None) -> None:
    _bulk(session, StockBalance, list(w.balances.values()))
    common = {"at": now, "user_id": user_id, "channel": "import", "reason": "world import"}
    moves = [
        {
            **common,
            "warehouse": k[0],
            "sku": k[1],
            "batch": k[2],
            "kind": "receipt",
            "order_no": None,
            "d_available": 0 if rc["damaged"] else rc["qty"],
            "d_reserved": 0,
            "d_damaged": rc["qty"] if rc["damaged"] else 0,
        }
        for rc in w.receipts
        for k in (rc["key"],)
    ]
    moves += [
        {
            **common,
            "warehouse": wh,
            "sku": sku,
            "batch": batch,
            "kind": "reservation",
            "order_no": order_no,
            "d_available": -n,
            "d_reserved": n,
            "d_damaged": 0,
        }
        for order_no, wh, sku, batch, n in w.reservations
    ]
    _bulk(session, StockMovement, moves)
    alloc: dict[tuple[str, str, str], int] = defaultdict(int)
    for order_no, _, sku, batch, n in w.reservations:
        alloc[(order_no, sku, batch)] += n
    _bulk(session, OrderAllocation, [{"order_no": o, "sku": s, "batch": b, "qty": n} for (o, s, b), n in alloc.items()])


def _write_orders(session: Session, w: ValidatedWorld, clock: Clock) -> list[Record]:
    """Orders with their lines and totals as given; dispatched/delivered ones get an invoice
    and a delivery note, numbered by creation time."""
    skus, customers = w.idx["skus"], w.idx["customers"]
    orders, lines = [], []
    for o in w.rows["orders"]:
        totals = {"gross": ZERO, "discount": ZERO, "tax": ZERO, "total": ZERO}
        for i, ln in enumerate(w.lines_of.get(o["order_no"], []), start=1):
            gross = money(ln["qty"] * ln["unit_price"])
            discount = money(_opt(ln, "discount", ZERO))
            net = gross - discount
            tax = money(net * (skus[ln["sku"]]["tax_rate"] or ZERO) / 100)
            lines.append(
                {
                    "order_no": o["order_no"],
                    "line_no": i,
                    "sku": ln["sku"],
                    "qty": ln["qty"],
                    "free_qty": _opt(ln, "free_qty", 0),
                    "unit_price": ln["unit_price"],
                    "gross": gross,
                    "discount": discount,
                    "tax": tax,
                    "line_total": net + tax,
                }
            )
            for k, v in (("gross", gross), ("discount", discount), ("tax", tax), ("total", net + tax)):
                totals[k] += v
        orders.append(
            {
                "order_no": o["order_no"],
                "customer": o["customer"],
                "warehouse": o["warehouse"],
                "status": o["status"],
                "created_at": o["created_at"],
                "created_by": o["created_by"],
                "channel": None,
                "updated_at": None,
                **totals,
            }
        )
    _bulk(session, Order, orders)
    _bulk(session, OrderLine, lines)
    shipped = sorted(
        (o for o in orders if o["status"] in ("dispatched", "delivered")),
        key=lambda o: (o["created_at"], o["order_no"]),
    )
    invoices, notes = [], []
    for n, order in enumerate(shipped, start=1):
        issued = order["created_at"].astimezone(clock.tz).date()
        terms = _opt(customers[order["customer"]], "payment_terms_days", 0)
        invoices.append(
            {
                "invoice_no": f"INV-{n:04d}",
                "order_no": order["order_no"],
                "customer": order["customer"],
                "amount": order["total"],
                "issued_on": issued,
                "due_date": issued + timedelta(days=terms),
                "paid": ZERO,
            }
        )
        notes.append(
            {
                "note_no": f"DN-{n:04d}",
                "order_no": order["order_no"],
                "dispatched_at": order["created_at"],
                "dispatched_by": None,
            }
        )
    _bulk(session, DeliveryNote, notes)
    suffixes = [int(m.group(1)) for o in orders if (m := re.search(r"(\d+)$", o["order_no"]))]
    _bulk(
        session,
        Counter,
        [
            {"name": "order", "value": max(suffixes, default=0)},
            {"name": "invoice", "value": len(invoices)},
            {"name": "delivery_note", "value": len(notes)},
        ],
    )
    return invoices


def _write_money(session: Session, w: ValidatedWorld, invoices: list[Record]) -> None:
    """Customers and invoices are written already settled: the same computation as
    billing.resettle, done in memory so a large world needs no query per customer."""
    paid_total: dict[str, Decimal] = defaultdict(Decimal)
    for p in w.rows["payments"]:
        paid_total[p["customer"]] += p["amount"]
    inv_of: dict[str, list[Record]] = defaultdict(list)
    for inv in invoices:
        inv_of[inv["customer"]].append(inv)
    customers = []
    for c in w.rows["customers"]:
        own = sorted(inv_of.get(c["code"], []), key=lambda i: invoice_order_key(i["issued_on"], i["invoice_no"]))
        opening = _opt(c, "opening_balance", ZERO)
        opening_paid, paid, _ = settle(opening, [i["amount"] for i in own], paid_total.get(c["code"], ZERO))
        for inv, inv_paid in zip(own, paid):
            inv["paid"] = inv_paid
        customers.append(
            {
                "code": c["code"],
                "name": c["name"],
                "type": c["type"],
                "region": c["region"],
                "distributor": c["distributor"],
                "warehouse": c["warehouse"],
                "credit_limit": c["credit_limit"],
                "payment_terms_days": _opt(c, "payment_terms_days", 0),
                "opening_balance": opening,
                "opening_paid": opening_paid,
                "phone": c["phone"],
                "status": _opt(c, "status", "active"),
                "contact_person": c["contact_person"],
                "latitude": c["latitude"],
                "longitude": c["longitude"],
                "class": c["class"],
            }
        )
    _bulk(session, Customer, customers)
    _bulk(session, Invoice, invoices)
    _bulk(
        session,
        Payment,
        [
            {
                "customer": p["customer"],
                "amount": p["amount"],
                "paid_on": p["paid_on"],
                "method": p["method"],
                "reference": p["reference"],
                "recorded_by": None,
                "channel": "import",
                "recorded_at": None,
            }
            for p in w.rows["payments"]
        ],
    )


# --- export -------------------------------------------------------------------------------

EXPORT_STATUS = {"pending_approval": "confirmed", "rejected": "cancelled"}  # see docs/world-format.md
# OWASP's CSV injection advice: a spreadsheet runs a cell starting with these as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """A leading apostrophe for text a spreadsheet would run as a formula, and also for text
    that is apostrophes then such a character, so that `unescape_formula` undoes exactly this."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unescape_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START) else text


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):  # text only: numbers such as -5 are written as they are
        return escape_formula(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def export_world(engine: Engine, path: str | Path, *, clock: Clock | None = None) -> dict[str, int]:
    """Write the database as a world folder (world.md). Timestamps are written in the
    clock's time zone (the configured one by default). Returns rows per file written."""
    if clock is None:
        clock = make_clock()
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with Session(engine) as s:
        data = _export_rows(s, clock)
    written = {}
    for name, rows in data.items():
        if not rows and not FILES[name].required:
            continue
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(FILES[name].names())
            out.writerows([[_cell(row.get(c)) for c in FILES[name].names()] for row in rows])
        written[name] = len(rows)
    return written


def _all(s: Session, model: type[M], *order: Any) -> list[M]:  # `order`: columns, which SQLModel types as values
    return list(s.scalars(select(model).order_by(*order)))


def _export_rows(s: Session, clock: Clock) -> dict[str, list[Record]]:
    def plain(model: type[SQLModel], *order: Any) -> list[Record]:
        return [m.model_dump() for m in _all(s, model, *order)]

    units: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for u in _all(s, SkuUnit, SkuUnit.sku, SkuUnit.position):
        units[u.sku].append((u.unit, u.factor))
    skus = [{**x, "units": format_units(units[x["code"]])} for x in plain(Sku, Sku.code)]
    users = plain(User, User.id)
    stock = []
    for b in _all(s, StockBalance, StockBalance.warehouse, StockBalance.sku, StockBalance.batch):
        base = {
            "warehouse": b.warehouse,
            "sku": b.sku,
            "batch": b.batch,
            "mfg_date": b.mfg_date,
            "expiry_date": b.expiry_date,
            "received_on": b.received_on,
        }
        on_hand = b.available + b.reserved  # confirmed orders reserve again from it on import
        if on_hand or not b.damaged:
            stock.append({**base, "qty": on_hand, "status": "available"})
        if b.damaged:
            stock.append({**base, "qty": b.damaged, "status": "damaged"})
    orders = [
        {**x, "status": EXPORT_STATUS.get(x["status"], x["status"]), "created_at": x["created_at"].astimezone(clock.tz)}
        for x in plain(Order, Order.order_no)
    ]
    payments = [x for x in plain(Payment, Payment.customer, Payment.paid_on, Payment.id)]
    return {
        "brands": plain(Brand, Brand.code),
        "categories": plain(Category, Category.code),
        "products": plain(Product, Product.code),
        "skus": skus,
        "regions": plain(Region, Region.code),
        "warehouses": plain(Warehouse, Warehouse.code),
        "customers": [{**x, "class": x["outlet_class"]} for x in plain(Customer, Customer.code)],
        "users": users,
        "prices": plain(Price, Price.id),
        "schemes": plain(Scheme, Scheme.code),
        "stock": stock,
        "approval_rules": plain(ApprovalRule, ApprovalRule.code),
        "beats": plain(Beat, Beat.code),
        "orders": orders,
        "order_lines": plain(OrderLine, OrderLine.order_no, OrderLine.line_no),
        "payments": payments,
        **export_field(s, clock.tz),
    }


@dataclass(frozen=True)
class WorldSize:
    """How much a database holds: what `dms demo` prints."""

    skus: int
    customers: int
    available: int
    reserved: int
    damaged: int


def world_size(session: Session) -> WorldSize:
    b = table_of(StockBalance).c
    skus = session.execute(select(func.count()).select_from(table_of(Sku))).scalar_one()
    customers = session.execute(select(func.count()).select_from(table_of(Customer))).scalar_one()
    available, reserved, damaged = session.execute(
        select(
            func.coalesce(func.sum(b.available), 0),
            func.coalesce(func.sum(b.reserved), 0),
            func.coalesce(func.sum(b.damaged), 0),
        )
    ).one()
    return WorldSize(int(skus), int(customers), int(available), int(reserved), int(damaged))


def data_counts(session: Session) -> dict[str, int]:
    """What a replace would delete, in the words people count it by."""
    tables: dict[str, type[SQLModel]] = {
        "orders": Order,
        "customers": Customer,
        "users": User,
        "SKUs": Sku,
        "payments": Payment,
    }
    return {
        name: int(session.execute(select(func.count()).select_from(table_of(m))).scalar_one())
        for name, m in tables.items()
    }
