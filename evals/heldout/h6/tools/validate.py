#!/usr/bin/env python3
"""Static checks of the h6 scenarios against shared/spec/scenarios.md and the world.

Usage: python3 tools/validate.py [SCENARIO_DIR]   (default: ../scenarios)
Prints problems (file, scenario id, what) and a count; exit 1 if any. Never runs the product.
"""
import csv
import os
import re
import sys
from datetime import datetime

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_KEYS = {"id", "world", "as", "channel", "now", "tags", "turns", "final"}
TURN_KEYS = {"user", "as", "channel", "expect"}
EXPECT_KEYS = {"reply_contains", "reply_contains_any", "reply_not_contains", "reply_matches",
               "confirmation_requested", "refused", "state_unchanged"}
FINAL_KEYS = {"orders_created", "orders_changed", "no_changes", "payments_created", "stock", "approvals_created",
              "visits_created", "attendance_created", "customers_created", "customers_changed"}
CHANNELS = {"cli", "web", "slack", "telegram"}
ORDER_STATUSES = {"pending_approval", "confirmed", "rejected", "dispatched", "delivered", "cancelled"}
RULE_CODES = {"order_total_over", "credit_limit_exceeded", "discount_over_pct", "customer_pending"}
REASONS = {"stock_sufficient", "shop_closed", "owner_absent", "credit_issue", "price_issue", "competitor", "other"}


def load_world(path):
    def rows(name):
        p = os.path.join(path, name)
        if not os.path.exists(p):
            return []
        with open(p, newline="") as f:
            return list(csv.DictReader(f))
    return {
        "users": {r["id"]: r for r in rows("users.csv")},
        "skus": {r["code"] for r in rows("skus.csv")},
        "customers": {r["code"] for r in rows("customers.csv")},
        "warehouses": {r["code"] for r in rows("warehouses.csv")},
        "batches": {(r["warehouse"], r["sku"], r["batch"]) for r in rows("stock.csv")},
        "batch_codes": {r["batch"] for r in rows("stock.csv")},
        "orders": {r["order_no"] for r in rows("orders.csv")},
    }


def main():
    sdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "scenarios")
    problems = []
    ids = set()
    worlds = {}
    n = 0
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(sdir) for f in fs if f.endswith((".yaml", ".yml")))
    for fp in files:
        rel = os.path.relpath(fp, sdir)
        try:
            with open(fp) as fh:
                data = yaml.safe_load(fh)
        except yaml.YAMLError as e:
            problems.append((rel, "-", f"YAML error: {e}"))
            continue
        scs = data if isinstance(data, list) else [data]
        for s in scs:
            n += 1
            sid = s.get("id", "?") if isinstance(s, dict) else "?"

            def bad(msg):
                problems.append((rel, sid, msg))
            if not isinstance(s, dict):
                bad("scenario is not a mapping"); continue
            for k in set(s) - TOP_KEYS:
                bad(f"unknown key {k}")
            for k in ("id", "world", "as", "turns"):
                if k not in s:
                    bad(f"missing {k}")
            if sid in ids:
                bad("duplicate id")
            ids.add(sid)
            wp = os.path.normpath(os.path.join(os.path.dirname(fp), s.get("world", "")))
            if not os.path.isdir(wp):
                bad(f"world folder missing: {wp}"); continue
            if wp not in worlds:
                worlds[wp] = load_world(wp)
            w = worlds[wp]
            if s.get("as") not in w["users"]:
                bad(f"unknown user {s.get('as')}")
            if s.get("channel", "cli") not in CHANNELS:
                bad("bad channel")
            try:
                datetime.fromisoformat(str(s.get("now")))
            except ValueError:
                bad("bad now")
            if not s.get("tags"):
                bad("no tags")
            turns = s.get("turns") or []
            if not turns:
                bad("no turns")
            for i, t in enumerate(turns):
                if not isinstance(t, dict) or "user" not in t:
                    bad(f"turn {i}: no user"); continue
                for k in set(t) - TURN_KEYS:
                    bad(f"turn {i}: unknown key {k}")
                if "as" in t and t["as"] not in w["users"]:
                    bad(f"turn {i}: unknown user {t['as']}")
                if t.get("channel", "cli") not in CHANNELS:
                    bad(f"turn {i}: bad channel")
                for on in re.findall(r"\bSO-\d+\b", t["user"]):
                    if on not in w["orders"]:
                        bad(f"turn {i}: order {on} not in world")
                for tok in re.findall(r"\b[A-Z]{2}-[A-Z0-9]+-[A-Z0-9]+\b", t["user"]):
                    if tok not in w["skus"] and tok not in w["customers"]:
                        bad(f"turn {i}: code {tok} not in world")
                ex = t.get("expect") or {}
                for k in set(ex) - EXPECT_KEYS:
                    bad(f"turn {i}: unknown expect {k}")
                for k in ("reply_contains", "reply_contains_any", "reply_not_contains", "reply_matches"):
                    if k in ex and (not isinstance(ex[k], list) or not all(isinstance(x, str) for x in ex[k])):
                        bad(f"turn {i}: {k} must be a list of strings")
                for rx in ex.get("reply_matches", []) or []:
                    try:
                        re.compile(rx)
                    except re.error as e:
                        bad(f"turn {i}: bad regex {rx}: {e}")
                for k in ("reply_contains", "reply_contains_any"):
                    for x in ex.get(k, []) or []:
                        for on in re.findall(r"\bSO-\d+\b", x):
                            if on not in w["orders"]:
                                bad(f"turn {i}: expected order {on} not in world")
                        if re.fullmatch(r"[A-Z0-9]+-[A-Z]\d{4}[A-Z]?", x) and x not in w["batch_codes"]:
                            bad(f"turn {i}: batch {x} not in world")
                for k in ("confirmation_requested", "refused", "state_unchanged"):
                    if k in ex and not isinstance(ex[k], bool):
                        bad(f"turn {i}: {k} must be boolean")
            fin = s.get("final") or {}
            for k in set(fin) - FINAL_KEYS:
                bad(f"final: unknown key {k}")
            for o in fin.get("orders_created", []) or []:
                if o.get("customer") and o["customer"] not in w["customers"]:
                    bad(f"final: customer {o['customer']}")
                if o.get("warehouse") and o["warehouse"] not in w["warehouses"]:
                    bad(f"final: warehouse {o['warehouse']}")
                for st in o.get("status", []) or []:
                    if st not in ORDER_STATUSES:
                        bad(f"final: status {st}")
                for l in o.get("lines", []) or []:
                    if l.get("sku") not in w["skus"]:
                        bad(f"final: sku {l.get('sku')}")
            for o in fin.get("orders_changed", []) or []:
                if o.get("order_no") not in w["orders"]:
                    bad(f"final: order {o.get('order_no')} not in world")
                if o.get("status") not in ORDER_STATUSES:
                    bad(f"final: status {o.get('status')}")
            for p in fin.get("payments_created", []) or []:
                if p.get("customer") not in w["customers"]:
                    bad(f"final: payment customer {p.get('customer')}")
                if p.get("method") and p["method"] not in {"cash", "upi", "bank_transfer", "cheque"}:
                    bad("final: payment method")
            for st in fin.get("stock", []) or []:
                if st.get("warehouse") not in w["warehouses"] or st.get("sku") not in w["skus"]:
                    bad(f"final: stock {st}")
                if "batch" in st and (st["warehouse"], st["sku"], st["batch"]) not in w["batches"]:
                    bad(f"final: batch {st['batch']} not in world")
            for a in fin.get("approvals_created", []) or []:
                if a.get("order_customer") not in w["customers"]:
                    bad("final: approval customer")
                for r in a.get("reasons", []) or []:
                    if r not in RULE_CODES:
                        bad(f"final: reason {r}")
            for v in fin.get("visits_created", []) or []:
                if v.get("user") not in w["users"] or (v.get("customer") and v["customer"] not in w["customers"]):
                    bad("final: visit refs")
                if v.get("reason") and v["reason"] not in REASONS:
                    bad("final: visit reason")
            for a in fin.get("attendance_created", []) or []:
                if a.get("user") not in w["users"]:
                    bad("final: attendance user")
            if "no_changes" in fin and fin["no_changes"] is not True:
                bad("final: no_changes must be true")
    for p in problems:
        print(*p, sep=" | ")
    print(f"{len(files)} files, {n} scenarios, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
