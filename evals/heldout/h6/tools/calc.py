#!/usr/bin/env python3
"""Independent calculator for the h6 world, written from shared/spec/rules.md only.

Usage as a library (World(path)) or CLI: `python3 calc.py WORLD_DIR` prints a digest
of figures used by the scenarios (for the scenario author only).
"""
import csv
import os
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal, ROUND_HALF_UP

D2 = Decimal("0.01")
SALES_STATUSES = ("confirmed", "dispatched", "delivered")
OUTSTANDING_STATUSES = ("pending_approval", "confirmed", "dispatched", "delivered")


def q2(x):
    return Decimal(x).quantize(D2, rounding=ROUND_HALF_UP)


def dd(s):
    return date.fromisoformat(s[:10])


def chain(code, parent):
    out = []
    while code:
        out.append(code)
        code = parent.get(code) or ""
    return out


# --------------------------------------------------------------- pricing
def resolve_price(prices, sku, cust, day, region_parent):
    """prices: rows (sku, price, customer_type, region, customer, valid_from, valid_to)
    or dicts; cust: {'code','type','region'}. Returns Decimal or None."""
    best = None
    rchain = chain(cust["region"], region_parent)
    for r in prices:
        if isinstance(r, dict):
            r = (r["sku"], r["price"], r.get("customer_type", ""), r.get("region", ""), r.get("customer", ""), r.get("valid_from", ""), r.get("valid_to", ""))
        s, price, ctype, region, customer, vf, vt = r
        if s != sku:
            continue
        if vf and day < date.fromisoformat(vf):
            continue
        if vt and day > date.fromisoformat(vt):
            continue
        if customer:
            if customer != cust["code"]:
                continue
            spec = (4, 0)
        elif region:
            if region not in rchain:
                continue
            spec = (3, -rchain.index(region))
        elif ctype:
            if ctype != cust["type"]:
                continue
            spec = (2, 0)
        else:
            spec = (1, 0)
        key = (spec, vf or "")
        if best is None or key > best[0]:
            best = (key, Decimal(price))
    return None if best is None else best[1]


def order_totals(lines, taxmap):
    """lines: (order_no, sku, qty, unit_price, discount, free_qty) -> {order_no: total}"""
    out = defaultdict(lambda: Decimal("0.00"))
    for l in lines:
        o, sku, qty, up, disc = l[0], l[1], int(l[2]), Decimal(l[3]), Decimal(l[4] or "0")
        net = q2(qty * up) - disc
        tax = q2(net * Decimal(str(taxmap[sku])) / 100)
        out[o] += net + tax
    return dict(out)


def read(path, name):
    p = os.path.join(path, name)
    if not os.path.exists(p):
        return []
    with open(p, newline="") as f:
        return list(csv.DictReader(f))


class World:
    def __init__(self, path, today=date(2026, 11, 20)):
        self.path = path
        self.today = today
        self.regions = {r["code"]: r for r in read(path, "regions.csv")}
        self.rparent = {k: v["parent"] for k, v in self.regions.items()}
        self.brands = {r["code"]: r for r in read(path, "brands.csv")}
        self.bparent = {k: v["parent"] for k, v in self.brands.items()}
        self.cats = {r["code"]: r for r in read(path, "categories.csv")}
        self.cparent = {k: v["parent"] for k, v in self.cats.items()}
        self.products = {r["code"]: r for r in read(path, "products.csv")}
        self.skus = {r["code"]: r for r in read(path, "skus.csv")}
        for s in self.skus.values():
            s["unitmap"] = {u.split("=")[0]: int(u.split("=")[1]) for u in s["units"].split("|")}
            s["tax"] = Decimal(s["tax_rate"] or "0")
            s["reorder"] = int(s["reorder_level"] or 0)
            p = self.products[s["product"]]
            s["brand"] = p["brand"]
            s["category"] = p["category"]
        self.customers = {r["code"]: r for r in read(path, "customers.csv")}
        self.users = {r["id"]: r for r in read(path, "users.csv")}
        self.warehouses = {r["code"]: r for r in read(path, "warehouses.csv")}
        self.prices = read(path, "prices.csv")
        self.schemes = read(path, "schemes.csv")
        self.rules = read(path, "approval_rules.csv")
        self.stock_rows = read(path, "stock.csv")
        self.orders = {r["order_no"]: r for r in read(path, "orders.csv")}
        self.lines = defaultdict(list)
        for l in read(path, "order_lines.csv"):
            self.lines[l["order_no"]].append(l)
        self.payments = read(path, "payments.csv")
        self.targets = read(path, "targets.csv")
        self.beats = read(path, "beats.csv")
        self.visits = read(path, "visits.csv")
        self.attendance = read(path, "attendance.csv")
        self._reserve()

    # ---------------------------------------------------------- helpers
    def cust(self, code):
        c = self.customers[code]
        return {"code": code, "type": c["type"], "region": c["region"]}

    def region_chain(self, code):
        return chain(code, self.rparent)

    def in_region(self, cust_code, region):
        return region in self.region_chain(self.customers[cust_code]["region"])

    def price(self, sku, cust_code, day=None):
        return resolve_price(self.prices, sku, self.cust(cust_code), day or self.today, self.rparent)

    # ---------------------------------------------------------- orders history
    def order_figs(self, no):
        gross = net = tax = disc = Decimal("0.00")
        for l in self.lines[no]:
            s = self.skus[l["sku"]]
            g = q2(int(l["qty"]) * Decimal(l["unit_price"]))
            d = Decimal(l["discount"] or "0")
            n = g - d
            t = q2(n * s["tax"] / 100)
            gross += g; disc += d; net += n; tax += t
        return {"gross": gross, "discount": disc, "net": net, "tax": tax, "total": net + tax}

    def line_figs(self, l):
        s = self.skus[l["sku"]]
        g = q2(int(l["qty"]) * Decimal(l["unit_price"]))
        n = g - Decimal(l["discount"] or "0")
        t = q2(n * s["tax"] / 100)
        return n, n + t

    def odate(self, no):
        return dd(self.orders[no]["created_at"])

    def sales(self, start, end, cust_filter=None, line_filter=None, statuses=SALES_STATUSES):
        """net, total, order count over [start, end] inclusive"""
        net = tot = Decimal("0.00")
        n = 0
        for no, o in self.orders.items():
            if o["status"] not in statuses:
                continue
            d = self.odate(no)
            if d < start or d > end:
                continue
            if cust_filter and not cust_filter(o["customer"]):
                continue
            hit = False
            for l in self.lines[no]:
                if line_filter and not line_filter(l["sku"]):
                    continue
                a, b = self.line_figs(l)
                net += a; tot += b; hit = True
            if hit:
                n += 1
        return net, tot, n

    def sku_in_brand(self, sku, brand):
        return brand in chain(self.skus[sku]["brand"], self.bparent)

    def sku_in_cat(self, sku, cat):
        return cat in chain(self.skus[sku]["category"], self.cparent)

    def qty_sold(self, start, end, sku, cust_filter=None):
        q = 0
        for no, o in self.orders.items():
            if o["status"] in SALES_STATUSES and start <= self.odate(no) <= end and (not cust_filter or cust_filter(o["customer"])):
                q += sum(int(l["qty"]) for l in self.lines[no] if l["sku"] == sku)
        return q

    # ---------------------------------------------------------- invoices & outstanding
    def invoices(self, cust_code):
        terms = int(self.customers[cust_code]["payment_terms_days"] or 0)
        out = []
        for no, o in sorted(self.orders.items(), key=lambda kv: (kv[1]["created_at"], kv[0])):
            if o["customer"] == cust_code and o["status"] in ("dispatched", "delivered"):
                d = self.odate(no)
                out.append({"order_no": no, "date": d, "due": d + timedelta(days=terms), "amount": self.order_figs(no)["total"]})
        return out

    def settle(self, cust_code):
        """returns (opening_unpaid, [invoices with unpaid], unapplied credit)"""
        opening = Decimal(self.customers[cust_code]["opening_balance"] or "0")
        invs = self.invoices(cust_code)
        for i in invs:
            i["unpaid"] = i["amount"]
        credit = Decimal("0")
        pays = sorted([p for p in self.payments if p["customer"] == cust_code], key=lambda p: p["paid_on"])
        for p in pays:
            amt = Decimal(p["amount"])
            take = min(amt, opening); opening -= take; amt -= take
            for i in invs:
                if amt <= 0:
                    break
                take = min(amt, i["unpaid"]); i["unpaid"] -= take; amt -= take
            credit += amt
        return opening, invs, credit

    def outstanding(self, cust_code):
        c = self.customers[cust_code]
        tot = Decimal(c["opening_balance"] or "0")
        for no, o in self.orders.items():
            if o["customer"] == cust_code and o["status"] in OUTSTANDING_STATUSES:
                tot += self.order_figs(no)["total"]
        tot -= sum((Decimal(p["amount"]) for p in self.payments if p["customer"] == cust_code), Decimal("0"))
        return tot

    def ageing(self, cust_code):
        opening, invs, credit = self.settle(cust_code)
        b = {"not_due": Decimal("0"), "1-30": Decimal("0"), "31-60": Decimal("0"), "61-90": Decimal("0"), "90+": Decimal("0")}
        for i in invs:
            if i["unpaid"] <= 0:
                continue
            late = (self.today - i["due"]).days
            k = "not_due" if late <= 0 else "1-30" if late <= 30 else "31-60" if late <= 60 else "61-90" if late <= 90 else "90+"
            b[k] += i["unpaid"]
        return {"opening_unpaid": opening, "buckets": b, "credit": credit,
                "invoiced_unpaid": sum((i["unpaid"] for i in invs), Decimal("0"))}

    def collections(self, start, end, method=None, cust_filter=None):
        s = Decimal("0"); n = 0
        for p in self.payments:
            d = dd(p["paid_on"])
            if start <= d <= end and (not method or p["method"] == method) and (not cust_filter or cust_filter(p["customer"])):
                s += Decimal(p["amount"]); n += 1
        return s, n

    # ---------------------------------------------------------- stock
    def _alloc_order(self, sku):
        return self.skus[sku]["allocation"] or "FEFO"

    def batches(self, wh, sku, include_expired=False):
        rows = [r for r in self.stock_rows if r["warehouse"] == wh and r["sku"] == sku and (r.get("status") or "available") == "available"]
        if not include_expired:
            rows = [r for r in rows if not r["expiry_date"] or dd(r["expiry_date"]) >= self.today]
        if self._alloc_order(sku) == "FEFO":
            rows.sort(key=lambda r: (r["expiry_date"] or "9999-12-31", r["received_on"] or "", r["batch"]))
        else:
            rows.sort(key=lambda r: (r["received_on"] or "", r["batch"]))
        return rows

    def _reserve(self):
        """reservations of history `confirmed` orders, by allocation rules (at order date)."""
        self.reserved = defaultdict(int)  # (wh, sku, batch)
        for no, o in sorted(self.orders.items(), key=lambda kv: (kv[1]["created_at"], kv[0])):
            if o["status"] != "confirmed":
                continue
            need = defaultdict(int)
            for l in self.lines[no]:
                need[l["sku"]] += int(l["qty"]) + int(l["free_qty"] or 0)
            for sku, q in need.items():
                for b in self.batches(o["warehouse"], sku):
                    free = int(b["qty"]) - self.reserved[(o["warehouse"], sku, b["batch"])]
                    take = min(free, q)
                    if take > 0:
                        self.reserved[(o["warehouse"], sku, b["batch"])] += take
                        q -= take
                assert q == 0, (no, sku)

    def on_hand(self, wh, sku, include_expired=False):
        return sum(int(b["qty"]) for b in self.batches(wh, sku, include_expired))

    def free_stock(self, wh, sku):
        return sum(int(b["qty"]) - self.reserved[(wh, sku, b["batch"])] for b in self.batches(wh, sku))

    def reserved_total(self, wh, sku):
        return sum(v for k, v in self.reserved.items() if k[0] == wh and k[1] == sku)

    def low_stock(self, wh):
        out = []
        for sku in sorted({r["sku"] for r in self.stock_rows if r["warehouse"] == wh}):
            free = self.free_stock(wh, sku)
            onh = self.on_hand(wh, sku)
            out.append((sku, onh, free, self.skus[sku]["reorder"], free <= self.skus[sku]["reorder"], onh <= self.skus[sku]["reorder"]))
        return out

    def expiring(self, days, wh=None):
        lim = self.today + timedelta(days=days)
        out = []
        for r in self.stock_rows:
            if wh and r["warehouse"] != wh:
                continue
            if r["expiry_date"] and self.today <= dd(r["expiry_date"]) <= lim and (r.get("status") or "available") == "available":
                out.append((r["warehouse"], r["sku"], r["batch"], int(r["qty"]), r["expiry_date"]))
        return out

    def expired(self):
        return [(r["warehouse"], r["sku"], r["batch"], int(r["qty"]), r["expiry_date"]) for r in self.stock_rows if r["expiry_date"] and dd(r["expiry_date"]) < self.today]

    # ---------------------------------------------------------- schemes / quote
    def scheme_matches(self, sc, cust_code, day):
        if sc["valid_from"] and day < dd(sc["valid_from"]):
            return False
        if sc["valid_to"] and day > dd(sc["valid_to"]):
            return False
        c = self.customers[cust_code]
        if sc["customer_type"] and sc["customer_type"] != c["type"]:
            return False
        if sc["region"] and sc["region"] not in self.region_chain(c["region"]):
            return False
        return True

    def qualifies(self, sc, sku):
        if sc["sku"]:
            return sku == sc["sku"]
        if sc["product"]:
            return self.skus[sku]["product"] == sc["product"]
        if sc["brand"]:
            return self.sku_in_brand(sku, sc["brand"])
        if sc["category"]:
            return self.sku_in_cat(sku, sc["category"])
        return True

    def quote(self, cust_code, items, day=None, wh=None, extra_outstanding=Decimal("0")):
        """items: list of (sku, base_qty). Returns dict with lines, schemes, totals,
        approval reasons, stock problems."""
        day = day or self.today
        wh = wh or self.customers[cust_code]["warehouse"]
        lines = []
        for sku, qty in items:
            p = self.price(sku, cust_code, day)
            lines.append({"sku": sku, "qty": qty, "price": p, "gross": q2(qty * p) if p is not None else None, "discount": Decimal("0.00"), "free": 0})
        if any(l["price"] is None for l in lines):
            return {"error": "no_price", "lines": lines}
        applied = []
        inexact = []
        active = [s for s in self.schemes if self.scheme_matches(s, cust_code, day)]

        def pick(kind, meets):
            cands = []
            for sc in active:
                if sc["kind"] != kind:
                    continue
                ql = [l for l in lines if self.qualifies(sc, l["sku"])]
                if not ql:
                    continue
                ok, benefit = meets(sc, ql)
                if ok:
                    cands.append((sc, ql, benefit))
            chosen = [c for c in cands if (c[0]["stackable"] or "false") == "true"]
            ns = [c for c in cands if (c[0]["stackable"] or "false") != "true"]
            # non-stackable: per group of touched lines, highest priority, tie larger benefit
            while ns:
                ns.sort(key=lambda c: (int(c[0]["priority"] or 0), c[2]), reverse=True)
                win = ns[0]
                chosen.append(win)
                touched = {id(l) for l in win[1]}
                ns = [c for c in ns[1:] if not ({id(l) for l in c[1]} & touched)]
            return chosen

        # volume
        def vol_meets(sc, ql):
            f = self.skus[ql[0]["sku"]]["unitmap"].get(sc["unit"], 1) if sc["unit"] else 1
            need = int(sc["min_qty"]) * f
            q = sum(l["qty"] for l in ql)
            g = sum(l["gross"] for l in ql)
            ben = g * Decimal(sc["discount_pct"] or "0") / 100 + Decimal(sc["discount_flat"] or "0")
            return q >= need, ben
        vol = pick("volume", vol_meets)
        for sc, ql, ben in vol:
            if sc["discount_pct"]:
                pct = Decimal(sc["discount_pct"])
                tot = Decimal("0")
                for l in ql:
                    raw = l["gross"] * pct / 100
                    if raw != q2(raw):
                        inexact.append((sc["code"], l["sku"], raw))
                    l["discount"] += q2(raw); tot += q2(raw)
            else:
                tot = Decimal(sc["discount_flat"])
                self._spread(ql, tot, "gross")
            applied.append((sc["code"], tot))
        # value
        for l in lines:
            l["net"] = l["gross"] - l["discount"]

        def val_meets(sc, ql):
            v = sum(l["net"] for l in ql)
            ben = v * Decimal(sc["discount_pct"] or "0") / 100 + Decimal(sc["discount_flat"] or "0")
            return v >= Decimal(sc["min_value"]), ben
        val = pick("value", val_meets)
        for sc, ql, ben in val:
            if sc["discount_pct"]:
                pct = Decimal(sc["discount_pct"])
                tot = Decimal("0")
                for l in ql:
                    raw = l["net"] * pct / 100
                    if raw != q2(raw):
                        inexact.append((sc["code"], l["sku"], raw))
                    l["discount"] += q2(raw); tot += q2(raw)
            else:
                tot = Decimal(sc["discount_flat"])
                self._spread(ql, tot, "net")
            applied.append((sc["code"], tot))
        # free goods
        free_lines = {}

        def fg_meets(sc, ql):
            f = self.skus[ql[0]["sku"]]["unitmap"].get(sc["unit"], 1) if sc["unit"] else 1
            N = int(sc["min_qty"]) * f
            fsku = sc["free_sku"] or ql[0]["sku"]
            M = int(sc["free_qty"]) * (self.skus[fsku]["unitmap"].get(sc["free_unit"], 1) if sc["free_unit"] else 1)
            Q = sum(l["qty"] for l in ql)
            rec = (sc["recursive"] or "true") == "true"
            fq = (Q // N) * M if rec else (M if Q >= N else 0)
            return fq > 0, fq
        fg = pick("free_goods", fg_meets)
        for sc, ql, fq in fg:
            fsku = sc["free_sku"] or ql[0]["sku"]
            free_lines[fsku] = free_lines.get(fsku, 0) + fq
            applied.append((sc["code"], fq))
        for fsku, fq in free_lines.items():
            tgt = [l for l in lines if l["sku"] == fsku]
            if tgt:
                tgt[0]["free"] += fq
            else:
                lines.append({"sku": fsku, "qty": 0, "price": Decimal("0"), "gross": Decimal("0.00"), "discount": Decimal("0.00"), "free": fq, "net": Decimal("0.00")})
        # totals
        gross = net = tax = disc = Decimal("0.00")
        for l in lines:
            l["net"] = l["gross"] - l["discount"]
            l["tax"] = q2(l["net"] * self.skus[l["sku"]]["tax"] / 100)
            l["total"] = l["net"] + l["tax"]
            gross += l["gross"]; disc += l["discount"]; net += l["net"]; tax += l["tax"]
        total = net + tax
        # stock
        short = []
        for l in lines:
            need = l["qty"] + l["free"]
            have = self.free_stock(wh, l["sku"])
            if need > have:
                short.append((l["sku"], need, have))
        # approvals
        c = self.customers[cust_code]
        reasons = []
        for r in self.rules:
            w = r["when"]
            if w == "order_total_over" and total > Decimal(r["threshold"]):
                reasons.append((r["code"], w, r["approver_role"]))
            if w == "credit_limit_exceeded" and c["credit_limit"] and self.outstanding(cust_code) + extra_outstanding + total > Decimal(c["credit_limit"]):
                reasons.append((r["code"], w, r["approver_role"]))
            if w == "discount_over_pct" and gross > 0 and disc / gross * 100 > Decimal(r["threshold"]):
                reasons.append((r["code"], w, r["approver_role"]))
            if w == "customer_pending" and c["status"] == "pending":
                reasons.append((r["code"], w, r["approver_role"]))
        return {"lines": lines, "schemes": applied, "gross": gross, "discount": disc, "net": net, "tax": tax, "total": total,
                "short": short, "approval": reasons, "inexact": inexact, "warehouse": wh}

    @staticmethod
    def _spread(ql, tot, base):
        b = sum(l[base] for l in ql)
        shares = [q2(tot * l[base] / b) for l in ql]
        rem = tot - sum(shares)
        i = max(range(len(ql)), key=lambda k: shares[k])
        shares[i] += rem
        for l, s in zip(ql, shares):
            l["discount"] += s

    # ---------------------------------------------------------- scope helpers
    def rep_customers(self, uid):
        u = self.users[uid]
        regs = [r for r in u["regions"].split("|") if r]
        out = {c for c in self.customers if any(self.in_region(c, r) for r in regs)}
        for b in self.beats:
            if b["sales_rep"] == uid:
                out |= set(b["customers"].split("|"))
        return out

    def dist_family(self, dcode):
        return {dcode} | {c for c, r in self.customers.items() if r["distributor"] == dcode}


def fmt(d):
    return f"{d:.2f}"


if __name__ == "__main__":
    w = World(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "world"))
    for m, (a, b) in {"2026-08": (date(2026, 8, 1), date(2026, 8, 31)), "2026-09": (date(2026, 9, 1), date(2026, 9, 30)),
                      "2026-10": (date(2026, 10, 1), date(2026, 10, 31)), "2026-11": (date(2026, 11, 1), date(2026, 11, 30))}.items():
        print(m, [fmt(x) if isinstance(x, Decimal) else x for x in w.sales(a, b)])
    for c in w.customers:
        print(c, fmt(w.outstanding(c)), {k: fmt(v) for k, v in w.ageing(c)["buckets"].items()}, "open", fmt(w.ageing(c)["opening_unpaid"]), "cr", fmt(w.ageing(c)["credit"]))
