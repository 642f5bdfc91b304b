"""The benchmarks still run: a small world, a few orders, every variant on this run's database."""
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import BACKEND, PG_ADMIN

ROOT = Path(__file__).resolve().parents[1]


def test_order_benchmark_runs_every_variant_without_refusals():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "orders.py"), "--skus", "300", "--customers", "60",
         "--orders", "6", "--only", BACKEND, "--pg", PG_ADMIN],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = re.findall(r"\] (\d) client\(s\) (.+?) +(\d+) orders/s .*?; (\d+) ok, (\d+) refused", out.stdout)
    variants = {name for _, name, *_ in rows}
    assert variants == {"core (preview + create)", "hand-written SQL, SQLAlchemy", "hand-written SQL, driver only",
                        "hand-written create only"}, out.stdout
    for clients, name, rate, ok, refused in rows:
        assert int(ok) == (6 if clients == "1" else 12) and refused == "0" and int(rate) > 0, (clients, name)
    assert len(re.findall(r"/ core = \d+\.\d\dx", out.stdout)) == 4
