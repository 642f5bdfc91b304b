#!/usr/bin/env python3
"""Aggregate-only summary of a `dms eval run` report.

Usage: python3 tools/summarize.py REPORT_DIR_OR_JSON

Prints pass counts overall, per file, per tag and per role; the number of turns that
changed state where the scenario expected no change ("wrong-change turns"); and the
number of failing scenarios whose state changed. It never prints scenario text,
scenario ids, replies or transcripts.

A turn "expected no change" when its expect has `state_unchanged: true` or
`refused: true`, or the scenario's final has `no_changes: true`. Expectations are read
from the scenario files named in the report (`source`), matched by scenario id.
"""
import json
import os
import sys
from collections import defaultdict

import yaml


def load_report(p):
    if os.path.isdir(p):
        p = os.path.join(p, "report.json")
    with open(p) as f:
        return json.load(f)


def scenario_expectations(sources):
    exp = {}
    for src in sources:
        try:
            with open(src) as f:
                data = yaml.safe_load(f)
        except (OSError, yaml.YAMLError):
            continue
        for s in data if isinstance(data, list) else [data]:
            if not isinstance(s, dict):
                continue
            nochg = bool((s.get("final") or {}).get("no_changes"))
            flags = []
            for t in s.get("turns") or []:
                e = t.get("expect") or {}
                flags.append(nochg or bool(e.get("state_unchanged")) or bool(e.get("refused")))
            exp[(src, s.get("id"))] = flags
    return exp


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    r = load_report(sys.argv[1])
    scs = r["scenarios"]
    exp = scenario_expectations({s.get("source") for s in scs if s.get("source")})
    by_file = defaultdict(lambda: [0, 0])
    by_tag = defaultdict(lambda: [0, 0])
    by_role = defaultdict(lambda: [0, 0])
    wrong_change_turns = 0
    expected_nochange_turns = 0
    fail_changed = 0
    failing = 0
    crashes = 0
    trials_total = trials_passed = 0
    for s in scs:
        ok = bool(s.get("passed"))
        fn = os.path.basename(s.get("source") or "?")
        for key, d in ((fn, by_file), (s.get("role") or "?", by_role)):
            d[key][1] += 1
            d[key][0] += ok
        for t in s.get("tags") or []:
            by_tag[t][1] += 1
            by_tag[t][0] += ok
        flags = exp.get((s.get("source"), s.get("id")), [])
        changed_any = False
        for tr in s.get("trials") or []:
            trials_total += 1
            trials_passed += bool(tr.get("passed"))
            if tr.get("error"):
                crashes += 1
            for i, turn in enumerate(tr.get("transcript") or []):
                changed = bool(turn.get("changed"))
                changed_any = changed_any or changed
                if i < len(flags) and flags[i]:
                    expected_nochange_turns += 1
                    if changed:
                        wrong_change_turns += 1
        if not ok:
            failing += 1
            if changed_any:
                fail_changed += 1

    def pct(a, b):
        return f"{100.0 * a / b:5.1f}%" if b else "  n/a"

    n = len(scs)
    passed = sum(1 for s in scs if s.get("passed"))
    print(f"model: {r.get('model')}  k: {r.get('k')}  started: {r.get('started_at')}  duration_s: {r.get('duration_s')}")
    print(f"OVERALL scenarios passed: {passed}/{n} ({pct(passed, n).strip()}); trials passed {trials_passed}/{trials_total}; pass^k {r.get('pass_k')}")
    print(f"wrong-change turns (state changed where no change was expected): {wrong_change_turns} of {expected_nochange_turns} such turns")
    print(f"failing scenarios whose state changed: {fail_changed} of {failing} failing")
    print(f"trials with a crash/error: {crashes}")
    m = r.get("metrics") or {}
    if m:
        print(f"tool calls: {(m.get('tool_calls') or {}).get('total')}  confirmations asked: {m.get('confirmations_asked')}  refusals: {m.get('refusals')}  invariant failures: {len(m.get('invariant_failures') or {})}")
        oc = m.get("outcomes") or {}
        if oc:
            print("turn outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(oc.items())))
    for title, d in (("PER FILE", by_file), ("PER ROLE", by_role), ("PER TAG", by_tag)):
        print(f"\n{title}")
        for k in sorted(d):
            a, b = d[k]
            print(f"  {k:32s} {a:4d}/{b:<4d} {pct(a, b)}")


if __name__ == "__main__":
    main()
