"""Benchmark: the assistant's turn time with the offline planner.

    .venv/bin/python benchmarks/assistant_turns.py                  # a generated world at scale, every role
    .venv/bin/python benchmarks/assistant_turns.py --skus 2000 --customers 4000 --rounds 2
    .venv/bin/python benchmarks/assistant_turns.py --profile        # also a cProfile of the slowest turns
    .venv/bin/python benchmarks/assistant_turns.py --suites [PATH ...]   (default: evals/sample evals/suites)

At scale: generates a world with `evals.worldgen` (10,000 SKUs, 20,000 customers, 20,000
history lines, seed 1 by default), imports it once into a SQLite template kept under
out/bench-world/ (reused while the generator, the parameters and the schema are the same), then
on a copy of that template:

1. start-up: for each role, a fresh process imports the product, builds the `Assistant` and
   times its first turn (what a user waits for right after a server starts);
2. steady state: one process serves every role (two users each, so scopes change as in a
   server) a mix of realistic requests, `--rounds` times; every turn is timed, and right after
   it the same tool calls are run again directly through the tools (`tool.run`, or
   `tool.preview` / `tool.execute` rolled back), with no planner and no runtime: the
   "tools only" baseline, so the assistant's own overhead is visible;
3. the heaviest report (sales by brand over the whole history, every customer) written by hand
   as one SQL statement through sqlite3: the floor of that query.

Figures per role and per request kind: turns, first (the kind's or role's first turn in the
warm process), median, p95, max, and the baseline's median / p95.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import multiprocessing
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=TZ)  # the generator's default "today"
ROLES = ("admin", "manager", "sales_rep", "warehouse", "distributor", "retailer")


# --- the world, generated and imported once ----------------------------------------------------


def _cache_key(skus: int, customers: int, history: int, seed: int) -> str:
    h = hashlib.sha256()
    for f in ("evals/worldgen.py", "core/world.py"):
        h.update((ROOT / f).read_bytes())
    for f in sorted((ROOT / "migrations").rglob("*.py")):
        h.update(f.read_bytes())
    return f"s{skus}-c{customers}-h{history}-seed{seed}-{h.hexdigest()[:10]}"


def prepare_world(cache: Path, skus: int, customers: int, history: int, seed: int) -> tuple[Path, str]:
    """The imported template database (generated and imported on the first run only)."""
    from core.clock import Clock
    from core.db import engine_for, make_engine
    from core.world import import_world
    from evals.worldgen import generate_world
    from migrations import upgrade

    key = _cache_key(skus, customers, history, seed)
    folder = cache / key
    template = folder / "template.db"
    if (folder / "READY").exists() and template.exists():
        return template, f"cached {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    generate_world(folder / "world", skus=skus, customers=customers, history_lines=history, seed=seed)
    url = f"sqlite:///{template}"
    upgrade(url)
    engine = make_engine(url)
    import_world(engine, folder / "world", clock=Clock(TZ, NOW))
    engine.dispose()
    engine_for(url).dispose()  # upgrade's engine
    with sqlite3.connect(template) as con:  # everything in the main file, so a byte copy is whole
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (folder / "READY").write_text(key + "\n")
    return template, f"generated and imported in {time.perf_counter() - t0:.1f} s into {folder}"


# --- who asks what ---------------------------------------------------------------------------


def copy_db(src: Path, dst: Path) -> None:
    """A whole copy of a SQLite database (through the backup API, so a WAL is included)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def plan_requests(db: Path) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """role -> [(user id, [(kind, message), ...])], from the world's own names, deterministic."""
    con = sqlite3.connect(db)
    q = con.execute

    def one(sql, *a):
        r = q(sql, a).fetchone()
        return r[0] if r else None

    def sku_for(warehouse: str | None, skip: int) -> tuple[str, str, str]:
        """(alias, short noun, a pack unit) of a SKU stocked in `warehouse` (any when None)."""
        rows = q(
            """SELECT s.code, s.aliases, s.name FROM sku s
                    WHERE s.aliases LIKE '%|%' AND s.aliases NOT LIKE '% of %' AND s.aliases NOT LIKE '%pack%'
                      AND EXISTS (SELECT 1 FROM stock_balance b WHERE b.sku = s.code
                      AND b.available > 200 AND (? IS NULL OR b.warehouse = ?))
                    ORDER BY s.code LIMIT 1 OFFSET ?""",
            (warehouse, warehouse, skip),
        ).fetchone()
        code, aliases, _name = rows
        alias = aliases.split("|")[1]  # "sagarkart macaroni 200g"
        noun = aliases.split("|")[0].rsplit(" ", 1)[0]  # "macaroni"
        units = [u for (u,) in q("SELECT unit FROM skuunit WHERE sku = ? ORDER BY position", (code,))]
        return alias, noun, (units[1] if len(units) > 1 else units[0]).lower()

    def customer_in(where: str, *a) -> tuple[str, str]:
        """(code, how to call it) of an active customer: its name if unique in the world, else its code."""
        code, name = q(
            f"SELECT code, name FROM customer WHERE status = 'active' AND {where} ORDER BY code LIMIT 1", a
        ).fetchone()
        dupes = one("SELECT count(*) FROM customer WHERE name = ?", name)
        return code, (name if dupes == 1 else code)

    brand_month = "October sales brand-wise please"
    region_month = "break down this month's sales by region"
    plan: dict[str, list] = {r: [] for r in ROLES}
    users = {
        "admin": [u for (u,) in q("SELECT id FROM user WHERE role = 'admin' ORDER BY id LIMIT 2")],
        "manager": [u for (u,) in q("SELECT id FROM user WHERE role = 'manager' ORDER BY id LIMIT 2")],
        "sales_rep": [u for (u,) in q("SELECT id FROM user WHERE role = 'sales_rep' ORDER BY id LIMIT 2")],
        "warehouse": [u for (u,) in q("SELECT id FROM user WHERE role = 'warehouse' ORDER BY id LIMIT 2")],
        "distributor": [u for (u,) in q("SELECT id FROM user WHERE role = 'distributor' ORDER BY id LIMIT 2")],
        "retailer": [
            u
            for (u,) in q("""SELECT u.id FROM user u JOIN customer c ON c.code = u.customer
                                       WHERE u.role = 'retailer' AND c.status = 'active' ORDER BY u.id LIMIT 2""")
        ],
    }
    for role, ids in users.items():
        for n, uid in enumerate(ids):
            regions = one("SELECT regions FROM user WHERE id = ?", uid) or ""
            own = one("SELECT customer FROM user WHERE id = ?", uid)
            wh = one("SELECT warehouse FROM customer WHERE code = ?", own) if own else None
            if role in ("manager", "warehouse", "sales_rep") and regions:
                first = regions.split("|")[0]
                wh = one(
                    """SELECT w.code FROM warehouse w JOIN region r ON r.code = w.region
                            WHERE r.code = ? OR r.parent = ? OR r.code = (SELECT parent FROM region WHERE code = ?)
                            ORDER BY w.code LIMIT 1""",
                    first,
                    first,
                    first,
                )
            alias, noun, unit = sku_for(wh, 3 + 7 * n)
            alias2, noun2, _ = sku_for(wh, 40 + 11 * n)
            reqs: list[tuple[str, str]] = []
            if role in ("admin", "manager", "sales_rep", "distributor"):
                if role == "admin":
                    code, cname = customer_in("type = 'retailer' AND warehouse = ?", wh or "WH-BLR")
                elif role == "distributor":
                    code, cname = customer_in("distributor = ?", own)
                else:
                    code, cname = customer_in(
                        "type = 'retailer' AND region IN (WITH RECURSIVE t(c) AS (SELECT value FROM "
                        "json_each('[\"' || replace(?, '|', '\",\"') || '\"]') UNION SELECT r.code FROM region r "
                        "JOIN t ON r.parent = t.c) SELECT c FROM t)",
                        regions,
                    )
                reqs += [
                    ("order", f"{cname} needs 2 {unit}s of {alias}"),
                    ("confirm", "yes"),
                    ("outstanding", f"how much does {cname} owe?"),
                    ("orders list", f"show orders of {cname}"),
                ]
            elif role == "retailer":
                reqs += [
                    ("order", f"I need 2 {unit}s of {alias}"),
                    ("confirm", "yes"),
                    ("outstanding", "how much do I owe?"),
                ]
            if role != "warehouse":
                reqs += [
                    ("price", f"what is the price of {alias}?"),
                    ("offers", "any offers for me?"),
                    ("offers", f"any offers on {alias2}?"),
                ]
            reqs += [
                ("stock", f"how much {alias2} do we have?"),
                ("product search", f"do you have {noun}?"),
                ("product search", f"search {noun2}"),
                ("orders list", "show open orders"),
            ]
            if role != "retailer":
                reqs += [("low stock", "show low stock")]
            if role in ("admin", "manager", "sales_rep", "distributor"):
                reqs += [("outstanding report", "who owes us money?")]
            if role in ("admin", "manager"):
                reqs += [
                    ("sales by brand", brand_month),
                    ("sales by brand", "sales by brand this year"),
                    ("sales by region", region_month),
                    ("approvals", "anything waiting for my approval?"),
                    ("orders list", "show my pending orders"),
                ]
            if role in ("sales_rep", "distributor"):
                reqs += [("sales by brand", "sales by brand this month")]
            plan[role].append((uid, reqs))
    con.close()
    return plan


# --- one process: start-up, or the steady state --------------------------------------------------


def _assistant(db: Path):
    from agent.runtime import Assistant
    from core.clock import Clock
    from core.db import make_engine

    engine = make_engine(f"sqlite:///{db}")
    return Assistant(engine, Clock(TZ, NOW), model="offline")


def startup(db: str, user: str, text: str) -> dict:
    """In a fresh process: import, build the assistant, time its first turn."""
    t0 = time.perf_counter()
    from agent.runtime import Turn

    assistant = _assistant(Path(db))
    assistant.warm()  # as `dms serve` does before it accepts anyone
    t1 = time.perf_counter()
    reply = assistant.handle(Turn(user, "bench", f"start-{user}"), text)
    t2 = time.perf_counter()
    assistant.engine.dispose()
    return {
        "import_ms": (t1 - t0) * 1000,
        "first_ms": (t2 - t1) * 1000,
        "outcome": reply.outcome,
        "tools": [c.name for c in reply.tool_calls],
    }


def _baseline(engine, clock, user: str, calls) -> float | None:
    """The same tool calls, run directly through the tools (no planner, no runtime), in ms."""
    from sqlmodel import Session

    from core.access import load_actor
    from core.errors import DomainError
    from tools.base import ToolContext
    from tools.registry import ALL_TOOLS

    todo = [(ALL_TOOLS[c.name], c.args) for c in calls if c.name in ALL_TOOLS]
    if not todo:
        return None
    t0 = time.perf_counter()
    with Session(engine) as s:
        actor = load_actor(s, user, "bench")
        ctx = ToolContext(s, actor, clock, None)
        for tool, args in todo:
            try:
                if not tool.mutating:
                    tool.run(ctx, args)
                else:
                    with s.begin_nested() as sp:
                        tool.preview(ctx, args)
                        sp.rollback()
            except DomainError:
                pass
        s.rollback()
    return (time.perf_counter() - t0) * 1000


def steady(db: str, plan: dict, rounds: int, profile_top: int) -> dict:
    """In one process: every role's requests, `rounds` times; each turn timed, then its baseline."""
    from agent.runtime import Turn

    assistant = _assistant(Path(db))
    engine, clock = assistant.engine, assistant.clock
    # warm the process as a server is after its first request
    admin = plan["admin"][0][0]
    assistant.handle(Turn(admin, "bench", "warm"), "show low stock")
    turns: list[dict] = []
    profiles: list[tuple[float, str, str, str]] = []
    last_tool: dict[str, tuple] = {}
    for r in range(rounds):
        for role in ROLES:
            for uid, reqs in plan[role]:
                conv = Turn(uid, "bench", f"bench-{uid}-{r}")
                for kind, text in reqs:
                    prof = cProfile.Profile() if profile_top else None
                    t0 = time.perf_counter()
                    if prof:
                        prof.enable()
                    reply = assistant.handle(conv, text)
                    if prof:
                        prof.disable()
                    ms = (time.perf_counter() - t0) * 1000
                    calls = list(reply.tool_calls)
                    if kind == "confirm":
                        # the confirmed change: its preview's call again, then execute, as the runtime does
                        prev = last_tool.get(uid)
                        base = _confirm_baseline(engine, clock, uid, prev) if prev else None
                    else:
                        base = _baseline(engine, clock, uid, calls)
                    for c in calls:
                        if c.name in ("create_order",):
                            last_tool[uid] = (c.name, c.args)
                    turns.append(
                        {
                            "round": r,
                            "role": role,
                            "user": uid,
                            "kind": kind,
                            "text": text,
                            "ms": ms,
                            "base": base,
                            "outcome": reply.outcome,
                            "tools": [c.name for c in calls],
                        }
                    )
                    if prof:
                        out = io.StringIO()
                        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
                        profiles.append((ms, role, text, out.getvalue()))
    profiles.sort(key=lambda p: -p[0])
    assistant.engine.dispose()
    return {"turns": turns, "profiles": profiles[:profile_top]}


def _confirm_baseline(engine, clock, user: str, prev) -> float | None:
    """preview + execute of the confirmed call, rolled back (the runtime's confirm re-previews too)."""
    from sqlmodel import Session

    from core.access import load_actor
    from core.errors import DomainError
    from tools.base import ToolContext
    from tools.registry import ALL_TOOLS

    tool, args = ALL_TOOLS[prev[0]], prev[1]
    with Session(engine) as s:
        actor = load_actor(s, user, "bench")
        ctx = ToolContext(s, actor, clock, None)
        try:
            with s.begin_nested() as sp:
                fp = tool.preview(ctx, args).fingerprint
                sp.rollback()
        except DomainError:
            return None
        t0 = time.perf_counter()
        try:
            with s.begin_nested() as sp:
                tool.execute(ctx, args, fp)
                sp.rollback()
        except DomainError:
            pass
        ms = (time.perf_counter() - t0) * 1000
        s.rollback()
    return ms


def raw_sales_by_brand(db: Path, repeat: int = 5) -> tuple[float, int]:
    """The heaviest report by hand: sales by brand, all history, every customer, one SQL statement."""
    con = sqlite3.connect(db)
    sql = """SELECT b.code, b.name, count(DISTINCT o.order_no), sum(l.line_total - l.tax), sum(l.line_total)
             FROM order_line l JOIN orders o ON o.order_no = l.order_no JOIN sku s ON s.code = l.sku
             JOIN product p ON p.code = s.product JOIN brand b ON b.code = p.brand
             WHERE o.status IN ('confirmed', 'dispatched', 'delivered')
             GROUP BY b.code ORDER BY 5 DESC"""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    con.close()
    return statistics.median(times), len(rows)


# --- figures -----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def row(label: str, ts: list[dict], width: int = 18) -> str:
    ms = [t["ms"] for t in ts]
    base = [t["base"] for t in ts if t["base"] is not None]
    b = f"{statistics.median(base):9.1f}{pct(base, 0.95):9.1f}" if base else f"{'-':>9}{'-':>9}"
    return (
        f"{label:<{width}}{len(ms):>6}{ms[0]:>9.1f}{statistics.median(ms):>9.1f}{pct(ms, 0.95):>9.1f}{max(ms):>9.1f}{b}"
    )


def report(turns: list[dict]) -> None:
    head = f"{'':<18}{'turns':>6}{'first':>9}{'median':>9}{'p95':>9}{'max':>9}{'tools50':>9}{'tools95':>9}"
    print(
        "\nsteady state, ms per turn (first = the first turn of that role/kind in the warm process; "
        "tools = the same tool calls without the assistant)"
    )
    print(head.replace(" " * 18, f"{'role':<18}", 1))
    for role in ROLES:
        ts = [t for t in turns if t["role"] == role]
        if ts:
            print(row(role, ts))
    print(row("all", turns))
    print(head.replace(" " * 18, f"{'kind':<18}", 1))
    for kind in dict.fromkeys(t["kind"] for t in turns):
        print(row(kind, [t for t in turns if t["kind"] == kind]))


def run_suites(paths: list[Path]) -> None:
    from evals.runner import Runner
    from evals.scenario import load_paths

    with Runner() as runner:
        result = runner.run(load_paths(paths))
    turns = sorted(t.latency_ms for r in result.results for tr in r.trials for t in tr.turns)
    passed = sum(r.passed for r in result.results)
    print(
        f"{len(result.results)} scenarios ({passed} pass), {len(turns)} turns: median "
        f"{statistics.median(turns):.1f} ms, p95 {pct(turns, 0.95):.1f} ms, max {turns[-1]:.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--suites",
        nargs="*",
        metavar="PATH",
        help="instead: every scenario of these suites once (default: evals/sample evals/suites)",
    )
    ap.add_argument("--skus", type=int, default=10000)
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--history-lines", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="times every role's requests are asked (default 3)")
    ap.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "out" / "bench-world",
        help="where the generated world and its imported template are kept between runs",
    )
    ap.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=5,
        default=0,
        metavar="N",
        help="print a cProfile of the N slowest steady turns (default 5; profiling slows every turn)",
    )
    ap.add_argument("--verbose", action="store_true", help="print every turn")
    args = ap.parse_args()
    if args.suites is not None:
        run_suites([Path(p) for p in args.suites] or [ROOT / "evals" / "sample", ROOT / "evals" / "suites"])
        return

    template, how = prepare_world(args.cache, args.skus, args.customers, args.history_lines, args.seed)
    print(
        f"world: {args.skus} SKUs, {args.customers} customers, {args.history_lines} history lines, "
        f"seed {args.seed} ({how})"
    )
    plan = plan_requests(template)
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="dms-turns-") as tmp:
        print(
            "\nstart-up, one fresh process per role (import + Assistant + warm-up as dms serve does, then its first turn), ms"
        )
        print(f"{'role':<14}{'startup':>9}{'first':>9}  outcome   tools  message")
        firsts = []
        for role in ROLES:
            uid, reqs = plan[role][0]
            kind, text = next((k, t) for k, t in reqs if k not in ("order", "confirm"))
            db = Path(tmp) / f"start-{role}.db"
            copy_db(template, db)
            with ctx.Pool(1) as pool:
                s = pool.apply(startup, (str(db), uid, text))
            firsts.append(s["first_ms"])
            print(
                f"{role:<14}{s['import_ms']:>9.0f}{s['first_ms']:>9.0f}  {s['outcome']:<9} "
                f"{','.join(s['tools']) or '-'}  {text!r}"
            )
            db.unlink()
        db = Path(tmp) / "steady.db"
        copy_db(template, db)
        with ctx.Pool(1) as pool:
            result = pool.apply(steady, (str(db), plan, args.rounds, args.profile))
        turns = result["turns"]
        raw_ms, raw_rows = raw_sales_by_brand(db)
    if args.verbose:
        for t in turns:
            base = "-" if t["base"] is None else f"{t['base']:.1f}"
            print(
                f"r{t['round']} {t['user']:<14} {t['kind']:<15} {t['ms']:8.1f} {base:>8}  {t['outcome']:<14} "
                f"{','.join(t['tools']) or '-':<28} {t['text']}"
            )
    report(turns)
    bad = [t for t in turns if t["outcome"] in ("error", "not_understood")]
    print(
        f"\nfirst turn after start-up: max {max(firsts):.0f} ms over the roles (target <= 1000); steady p95 "
        f"{pct([t['ms'] for t in turns], 0.95):.1f} ms (target <= 100)"
    )
    print(f"hand-written SQL, sales by brand over all history (sqlite3): {raw_ms:.1f} ms, {raw_rows} brands")
    if bad:
        print(
            f"{len(bad)} turns ended as error / not understood: "
            + "; ".join(sorted({f"{t['role']}: {t['text']!r} ({t['outcome']})" for t in bad}))
        )
    for ms, role, text, prof in result["profiles"]:
        print(f"\n--- cProfile: {ms:.0f} ms, {role}: {text!r} ---\n{prof}")


if __name__ == "__main__":
    main()
