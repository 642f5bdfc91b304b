"""Benchmark: generate a large world, then import it into SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_world.py [--skus 10000 --customers 50000 --history-lines 20000]
        [--seed 1] [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--profile sqlite|postgres]

Each step runs in a fresh process and prints: rows, seconds, rows/s, the growth of the
process's peak RSS during the step (getrusage maxrss, after the modules are loaded) and,
with --heap, the Python heap peak (tracemalloc; it slows the step, so time without it).
"""

import argparse
import cProfile
import multiprocessing
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.clock import Clock
from core.db import make_engine
from core.world import import_world
from evals.worldgen import generate_world
from migrations import upgrade

TZ = ZoneInfo("Asia/Kolkata")
CLOCK = Clock(TZ, datetime(2026, 11, 20, 10, 30, tzinfo=TZ))


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _step(label: str, kind: str, arg: dict, heap: bool, profile: bool) -> dict:
    """One measured step, run in a fresh process so its peak RSS is its own."""
    if kind == "generate":

        def fn():
            return sum(generate_world(**arg).values())
    else:
        upgrade(arg["url"])
        engine = make_engine(arg["url"])

        def fn():
            return sum(import_world(engine, arg["world"], clock=CLOCK).counts.values())

    rss0 = maxrss_mb()
    if heap:
        tracemalloc.start()
    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    rows = fn()
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if heap else None
    if prof:
        print(f"\n--- cProfile of {label} (cumulative, top 30) ---")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    if kind != "generate":
        engine.dispose()
    return {
        "step": label,
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds if seconds else 0.0,
        "heap_mb": peak,
        "rss_mb": maxrss_mb() - rss0,
    }


def measure(label: str, kind: str, arg: dict, heap: bool = False, profile: bool = False) -> dict:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_step, (label, kind, arg, heap, profile))


def pg_reachable(admin_url: str) -> str | None:
    """None if PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(admin_url, connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means "skip", with the reason shown
        return str(e).strip().splitlines()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skus", type=int, default=10000)
    ap.add_argument("--customers", type=int, default=50000)
    ap.add_argument("--history-lines", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="an admin connection to PostgreSQL (the benchmark creates and drops its own database)",
    )
    ap.add_argument("--profile", choices=["sqlite", "postgres"], help="print a cProfile of that import")
    ap.add_argument(
        "--heap",
        action="store_true",
        help="also measure the Python heap peak with tracemalloc (slows every step about 2x)",
    )
    args = ap.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="dms-bench-") as tmp:
        world = Path(tmp) / "world"
        results.append(
            measure(
                "generate",
                "generate",
                dict(
                    directory=world,
                    skus=args.skus,
                    customers=args.customers,
                    history_lines=args.history_lines,
                    seed=args.seed,
                ),
                args.heap,
            )
        )
        results.append(
            measure(
                "import sqlite",
                "import",
                {"url": f"sqlite:///{tmp}/bench.db", "world": world},
                args.heap,
                args.profile == "sqlite",
            )
        )

        why = pg_reachable(args.pg)
        if why:
            print(f"PostgreSQL skipped: {args.pg} is unreachable ({why})")
        else:
            import psycopg

            name = f"dms_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                results.append(
                    measure(
                        "import postgresql",
                        "import",
                        {"url": args.pg.rsplit("/", 1)[0] + "/" + name, "world": world},
                        args.heap,
                        args.profile == "postgres",
                    )
                )
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(
        f"\nworld: {args.skus} SKUs, {args.customers} customers, {args.history_lines} history lines, seed {args.seed}"
    )
    print(f"{'step':<18}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'+RSS MB':>10}{'heap MB':>10}")
    for r in results:
        heap = "-" if r["heap_mb"] is None else f"{r['heap_mb']:.1f}"
        print(f"{r['step']:<18}{r['rows']:>10}{r['seconds']:>10.2f}{r['rate']:>10.0f}{r['rss_mb']:>10.1f}{heap:>10}")


if __name__ == "__main__":
    main()
