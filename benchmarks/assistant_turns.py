"""Benchmark: the assistant's turn time with the offline planner, over scenario suites.

    .venv/bin/python benchmarks/assistant_turns.py [PATH ...]   (default: evals/sample evals/suites)

Runs every scenario once through the evaluation runner (the same agent, tools and core as
the channels) and prints the number of turns and the median / p95 / max turn time.
"""
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.runner import Runner  # noqa: E402
from evals.scenario import load_paths  # noqa: E402


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [ROOT / "evals" / "sample", ROOT / "evals" / "suites"]
    with Runner() as runner:
        result = runner.run(load_paths(paths))
    turns = sorted(t.latency_ms for r in result.results for tr in r.trials for t in tr.turns)
    p95 = turns[min(len(turns) - 1, int(round(0.95 * (len(turns) - 1))))]
    passed = sum(r.passed for r in result.results)
    print(f"{len(result.results)} scenarios ({passed} pass), {len(turns)} turns: median "
          f"{statistics.median(turns):.1f} ms, p95 {p95:.1f} ms, max {turns[-1]:.1f} ms")


if __name__ == "__main__":
    main()
