"""Two runs' reports side by side: regressions (passed, now fails), fixes, new and removed
scenarios, and how the metrics moved. What `dms eval compare OLD.json NEW.json` prints."""

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Change:
    id: str
    old: str | None  # "pass" | "fail" | None (absent)
    new: str | None
    failure: str | None = None  # the new run's first failure (or the old one's, for a fix)


@dataclass
class Comparison:
    old_model: str
    new_model: str
    regressions: list[Change] = field(default_factory=list)
    fixes: list[Change] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    unchanged_passing: int = 0
    unchanged_failing: int = 0
    metrics: dict[str, tuple] = field(default_factory=dict)  # name -> (old, new, delta)

    def to_dict(self) -> dict:
        def rows(xs):
            return [vars(x) for x in xs]

        return {
            "old_model": self.old_model,
            "new_model": self.new_model,
            "regressions": rows(self.regressions),
            "fixes": rows(self.fixes),
            "added": rows(self.added),
            "removed": rows(self.removed),
            "unchanged_passing": self.unchanged_passing,
            "unchanged_failing": self.unchanged_failing,
            "metrics": {k: {"old": o, "new": n, "delta": d} for k, (o, n, d) in self.metrics.items()},
        }


def load_report(path: Path) -> dict:
    """A report.json of `dms eval run`; a clear error for anything else."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list) or "metrics" not in data:
        raise ValueError(f"{path}: not a report of `dms eval run` (no scenarios/metrics)")
    return data


def _get(report: dict, *keys):
    value = report
    for k in keys:
        if not isinstance(value, dict) or value.get(k) is None:
            return None
        value = value[k]
    return value


# (name, path in the report, unit): the metrics the comparison reports
METRICS = [
    ("pass rate", ("pass_rate",), "%"),
    ("pass^k", ("pass_k",), "%"),
    ("tool calls per scenario", ("metrics", "tool_calls", "per_scenario"), ""),
    ("failed tool calls", ("metrics", "tool_calls", "failed"), ""),
    ("confirmations asked", ("metrics", "confirmations_asked"), ""),
    ("refusals", ("metrics", "refusals"), ""),
    ("crashes", ("metrics", "crashes"), ""),
    ("latency p50 ms", ("metrics", "latency_ms", "p50"), ""),
    ("latency p95 ms", ("metrics", "latency_ms", "p95"), ""),
    ("tokens", ("metrics", "tokens", "total"), ""),
    ("cost USD", ("metrics", "cost", "total"), ""),
]


def _number(x):
    if x is None:
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def compare(old: dict, new: dict) -> Comparison:
    was = {s["id"]: s for s in old["scenarios"]}
    now = {s["id"]: s for s in new["scenarios"]}
    c = Comparison(old.get("model", "?"), new.get("model", "?"))
    for sid, s in now.items():
        state = "pass" if s["passed"] else "fail"
        if sid not in was:
            c.added.append(Change(sid, None, state, s.get("failure")))
            continue
        before = "pass" if was[sid]["passed"] else "fail"
        if before == "pass" and state == "fail":
            c.regressions.append(Change(sid, before, state, s.get("failure")))
        elif before == "fail" and state == "pass":
            c.fixes.append(Change(sid, before, state, was[sid].get("failure")))
        elif state == "pass":
            c.unchanged_passing += 1
        else:
            c.unchanged_failing += 1
    c.removed = [Change(sid, "pass" if s["passed"] else "fail", None) for sid, s in was.items() if sid not in now]
    for name, path, _ in METRICS:
        o, n = _number(_get(old, *path)), _number(_get(new, *path))
        c.metrics[name] = (o, n, None if o is None or n is None else round(n - o, 6))
    for group in ("by_tag", "by_role"):
        tags = sorted(set(_get(old, "metrics", group) or {}) | set(_get(new, "metrics", group) or {}))
        for t in tags:
            o, n = _get(old, "metrics", group, t, "pass_rate"), _get(new, "metrics", group, t, "pass_rate")
            if o != n:
                c.metrics[f"pass rate {group[3:]} {t}"] = (o, n, None if o is None or n is None else round(n - o, 6))
    return c


def _fmt(x, unit: str) -> str:
    if x is None:
        return "-"
    return f"{x * 100:.1f}%" if unit == "%" else (f"{x:g}" if isinstance(x, float) else str(x))


def to_text(c: Comparison) -> str:
    units = {name: unit for name, _, unit in METRICS}
    out = [f"old: {c.old_model}   new: {c.new_model}", ""]
    for title, rows in (
        ("Regressions (passed, now failing)", c.regressions),
        ("Fixes (failed, now passing)", c.fixes),
        ("New scenarios", c.added),
        ("Removed scenarios", c.removed),
    ):
        out.append(f"{title}: {len(rows)}")
        for r in rows:
            state = r.new or r.old
            out.append(
                f"  - {r.id}"
                + (f" [{state}]" if title.startswith(("New", "Removed")) else "")
                + (f": {r.failure}" if r.failure and title.startswith(("Regr", "New")) else "")
            )
    out += ["", f"unchanged: {c.unchanged_passing} passing, {c.unchanged_failing} failing", "", "Metrics (old → new):"]
    for name, (o, n, d) in c.metrics.items():
        unit = units.get(name, "%" if name.startswith("pass rate") else "")
        delta = (
            ""
            if d is None
            else (f" ({'+' if d >= 0 else ''}{d * 100:.1f} pts)" if unit == "%" else f" ({'+' if d >= 0 else ''}{d:g})")
        )
        out.append(f"  {name}: {_fmt(o, unit)} → {_fmt(n, unit)}{delta}")
    return "\n".join(out) + "\n"


__all__ = ["Change", "Comparison", "compare", "load_report", "to_text"]
