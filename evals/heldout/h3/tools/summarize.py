#!/usr/bin/env python3
"""Aggregate-only summary of a `dms eval run` report.json for the h3 held-out set.

Prints totals, pass rate per capability (scenario file), per role (the scenario's acting
role), and counts of turns that changed state when the scenario did not expect it.
Never prints scenario ids, user messages or replies (the reader tunes the assistant).

usage: summarize.py REPORT.json [--scenarios DIR]
"""
import argparse, collections, glob, json, os, sys

try:
    import yaml
except ImportError:  # the project venv has PyYAML; plain python may not
    yaml = None

HERE = os.path.dirname(os.path.abspath(__file__))
STATE_FINAL = {"orders_created", "orders_changed", "payments_created", "stock", "approvals_created",
               "visits_created", "attendance_created", "customers_created", "customers_changed"}


def load_expectations(scen_dir):
    """id -> (list of per-turn expect dicts, final dict), read from the scenario files."""
    out = {}
    if yaml is None or not os.path.isdir(scen_dir):
        return out
    for f in sorted(glob.glob(os.path.join(scen_dir, "*.y*ml"))):
        data = yaml.safe_load(open(f))
        for s in data if isinstance(data, list) else [data]:
            out[s["id"]] = ([t.get("expect") or {} for t in s.get("turns", [])], s.get("final") or {})
    return out


def pct(p, n):
    return f"{p}/{n} ({100.0 * p / n:.1f}%)" if n else "0/0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--scenarios", default=os.path.join(HERE, "..", "scenarios"))
    a = ap.parse_args()
    rep = json.load(open(a.report))
    exp = load_expectations(a.scenarios)
    scen = rep.get("scenarios", [])

    by_cap = collections.defaultdict(lambda: [0, 0])
    by_role = collections.defaultdict(lambda: [0, 0])
    trials = passed_trials = 0
    turns_total = changed_turns = 0
    unexpected = 0          # changed while the turn/scenario expected no change
    refused_changed = 0     # changed on a turn that expected a refusal
    wrong_content = 0       # changed in a trial whose final state checks failed
    crashes = 0
    for s in scen:
        cap = os.path.splitext(os.path.basename(s.get("source") or "unknown"))[0]
        role = s.get("role") or "?"
        by_cap[cap][1] += 1; by_role[role][1] += 1
        if s.get("passed"):
            by_cap[cap][0] += 1; by_role[role][0] += 1
        texp, fexp = exp.get(s.get("id"), (None, {}))
        for t in s.get("trials", []):
            trials += 1
            passed_trials += bool(t.get("passed"))
            crashes += bool(t.get("error"))
            final_failed = {c.get("check") for c in t.get("final_checks", []) if not c.get("passed")}
            for i, turn in enumerate(t.get("transcript", [])):
                turns_total += 1
                if not turn.get("changed"):
                    continue
                changed_turns += 1
                e = texp[i] if texp is not None and i < len(texp) else {}
                failed = {c.get("check") for c in turn.get("failed_checks", []) if not c.get("passed")}
                if e.get("refused") or "refused" in failed:
                    refused_changed += 1
                if e.get("state_unchanged") or e.get("refused") or fexp.get("no_changes") \
                        or failed & {"state_unchanged", "refused"} or "no_changes" in final_failed:
                    unexpected += 1
                elif final_failed & STATE_FINAL:
                    wrong_content += 1

    n = len(scen); p = sum(1 for s in scen if s.get("passed"))
    print(f"model: {rep.get('model')}  k: {rep.get('k')}")
    print(f"scenarios: {pct(p, n)} passed; trials {pct(passed_trials, trials)}; pass^k {rep.get('pass_k')}")
    print("\nper capability (file):")
    for cap in sorted(by_cap):
        q, m = by_cap[cap]; print(f"  {cap:22} {pct(q, m)}")
    print("\nper role (acting user of the scenario):")
    for r in sorted(by_role):
        q, m = by_role[r]; print(f"  {r:22} {pct(q, m)}")
    print("\nstate changes:")
    print(f"  turns: {turns_total}, turns that changed state: {changed_turns}")
    print(f"  wrong changes (state changed where the scenario expected none): {unexpected}"
          f"  [of which on a turn that should have been refused: {refused_changed}]")
    print(f"  changes in trials whose final state check failed (wrong content, e.g. wrong qty/SKU): {wrong_content}")
    m = rep.get("metrics", {})
    print(f"\ncrashes: {crashes}; invariant failures: {m.get('invariant_failures')}; "
          f"confirmations asked: {m.get('confirmations_asked')}; refusals: {m.get('refusals')}")
    if not exp:
        print("(note: scenario files not read; wrong-change counts use failed checks only)", file=sys.stderr)


if __name__ == "__main__":
    main()
