"""Independent calculator of expected figures, written from shared/spec/rules.md only."""
from decimal import Decimal as D, ROUND_HALF_UP
import datetime as dt
import build_world as W

def r2(x): return D(x).quantize(D("0.01"), rounding=ROUND_HALF_UP)

SKU = {s[0]: s for s in W.skus}
def units(sku):
    return {u.split("=")[0]: int(u.split("=")[1]) for u in SKU[sku][3].split("|")}
PROD = {p[0]: p for p in W.products}
BRAND_PARENT = {b[0]: b[2] for b in W.brands}
CAT_PARENT = {c[0]: c[2] for c in W.categories}
REG_PARENT = {r[0]: r[2] for r in W.regions}
CUST = {c[0]: c for c in W.customers}

def ancestors(code, parent):
    out = []
    while code:
        out.append(code); code = parent.get(code) or ""
    return out

def price_rows():
    rows = []
    for s in W.skus:
        if s[10]: rows.append((s[0], s[10], "", "", "", "2026-01-01", ""))
        rows.append((s[0], s[11], "distributor", "", "", "2026-01-01", ""))
    return rows + W.extra_prices

def price(sku, cust, date):
    c = CUST[cust]; ctype, region = c[2], c[3]
    regs = ancestors(region, REG_PARENT)
    best = None
    for (s, p, ct, rg, cu, vf, vt) in price_rows():
        if s != sku: continue
        if vf and date < vf: continue
        if vt and date > vt: continue
        if cu: spec = (4, 0) if cu == cust else None
        elif rg: spec = (3, -regs.index(rg)) if rg in regs else None
        elif ct: spec = (2, 0) if ct == ctype else None
        else: spec = (1, 0)
        if spec is None: continue
        key = (spec, vf)
        if best is None or key > best[0]: best = (key, D(p))
    return best[1] if best else None

def qualifies(s, sku):
    prod = SKU[sku][1]; brand = PROD[prod][2]; cat = PROD[prod][3]
    if s.get("sku"): return s["sku"] == sku
    if s.get("product"): return s["product"] == prod
    if s.get("brand"): return s["brand"] in ancestors(brand, BRAND_PARENT)
    if s.get("category"): return s["category"] in ancestors(cat, CAT_PARENT)
    return True

def scheme_ok(s, cust, date):
    c = CUST[cust]
    if s.get("valid_from") and date < s["valid_from"]: return False
    if s.get("valid_to") and date > s["valid_to"]: return False
    if s.get("customer_type") and s["customer_type"] != c[2]: return False
    if s.get("region") and s["region"] not in ancestors(c[3], REG_PARENT): return False
    return True

def base_min(s, sku_for_unit):
    u = s.get("unit")
    n = int(s.get("min_qty") or 0)
    if u: n *= units(s.get("sku") or sku_for_unit)[u]
    return n

def quote(cust, items, date="2026-12-16"):
    """items: list of (sku, qty in base units). Returns dict with lines and total."""
    lines = {}
    for sku, q in items:
        p = price(sku, cust, date)
        assert p is not None, f"no price {sku} for {cust}"
        lines[sku] = dict(sku=sku, qty=q, free=0, price=p, gross=r2(p * q), disc=D(0), schemes=[])
    applied = []
    # volume
    vol = [s for s in W.schemes if s["kind"] == "volume" and scheme_ok(s, cust, date)]
    fired = []
    for s in vol:
        ql = [l for l in lines.values() if qualifies(s, l["sku"])]
        if not ql: continue
        Q = sum(l["qty"] for l in ql)
        if Q >= base_min(s, ql[0]["sku"]): fired.append((s, ql))
    # conflicts per line
    per_line = {}
    for s, ql in fired:
        for l in ql: per_line.setdefault(l["sku"], []).append(s)
    chosen = set()
    for sku, ss in per_line.items():
        st = [s["code"] for s in ss if str(s.get("stackable", "false")) == "true"]
        ns = [s for s in ss if str(s.get("stackable", "false")) != "true"]
        chosen.update(st)
        if ns:
            ns.sort(key=lambda s: -int(s.get("priority") or 0))
            top = [s for s in ns if int(s.get("priority") or 0) == int(ns[0].get("priority") or 0)]
            if len(top) > 1: print("WARNING tie", [s["code"] for s in top])
            chosen.add(top[0]["code"])
    for s, ql in fired:
        if s["code"] not in chosen: continue
        applied.append(s["code"])
        if s.get("discount_pct"):
            for l in ql:
                d = r2(l["gross"] * D(str(s["discount_pct"])) / 100); l["disc"] += d
        else:
            flat = D(s["discount_flat"]); tot = sum(l["gross"] for l in ql)
            shares = [(l, r2(flat * l["gross"] / tot)) for l in ql]
            rem = flat - sum(x for _, x in shares)
            big = max(shares, key=lambda t: t[1])[0]
            for l, x in shares: l["disc"] += x
            big["disc"] += rem
    # value
    for s in [s for s in W.schemes if s["kind"] == "value" and scheme_ok(s, cust, date)]:
        ql = [l for l in lines.values() if qualifies(s, l["sku"])]
        net = sum(l["gross"] - l["disc"] for l in ql)
        if ql and net >= D(s["min_value"]):
            applied.append(s["code"])
            for l in ql:
                l["disc"] += r2((l["gross"] - l["disc"]) * D(str(s["discount_pct"])) / 100)
    # free goods
    for s in [s for s in W.schemes if s["kind"] == "free_goods" and scheme_ok(s, cust, date)]:
        ql = [l for l in lines.values() if qualifies(s, l["sku"])]
        if not ql: continue
        Q = sum(l["qty"] for l in ql)
        N = base_min(s, ql[0]["sku"])
        fsku = s.get("free_sku") or s["sku"]
        M = int(s["free_qty"]) * (units(fsku)[s["free_unit"]] if s.get("free_unit") else 1)
        free = (Q // N) * M if str(s.get("recursive", "true")) == "true" else (M if Q >= N else 0)
        if free:
            applied.append(s["code"])
            if fsku not in lines:
                lines[fsku] = dict(sku=fsku, qty=0, free=0, price=D(0), gross=D(0), disc=D(0), schemes=[])
            lines[fsku]["free"] += free
    total = D(0); gross = D(0); disc = D(0); net_t = D(0)
    for l in lines.values():
        rate = D(SKU[l["sku"]][4])
        l["net"] = l["gross"] - l["disc"]; l["tax"] = r2(l["net"] * rate / 100)
        l["total"] = l["net"] + l["tax"]; total += l["total"]; gross += l["gross"]; disc += l["disc"]; net_t += l["net"]
    return dict(lines=list(lines.values()), total=total, gross=gross, disc=disc, net=net_t, schemes=applied,
                disc_pct=(disc / gross * 100 if gross else D(0)))

def show(cust, items, date="2026-12-16"):
    q = quote(cust, items, date)
    for l in q["lines"]:
        print(f"  {l['sku']:10} qty {l['qty']:5} free {l['free']:3} @ {l['price']} gross {l['gross']} disc {l['disc']} net {l['net']} tax {l['tax']} total {l['total']}")
    print(f"  schemes {q['schemes']} gross {q['gross']} disc {q['disc']} ({q['disc_pct']:.2f}%) net {q['net']} TOTAL {q['total']}")
    return q

def outstanding(cust, extra_orders=()):
    c = CUST[cust]; o = D(c[8])
    tot = {}
    for l in W.order_lines:
        sku = l[1]; net = r2(D(l[3]) * l[2]) - D(l[4]); tax = r2(net * D(SKU[sku][4]) / 100)
        tot[l[0]] = tot.get(l[0], D(0)) + net + tax
    for on, cu, wh, ts, st, by in W.orders:
        if cu == cust and st in ("confirmed", "dispatched", "delivered"): o += tot[on]
    for p in W.payments:
        if p[0] == cust: o -= D(p[1])
    return o + sum(extra_orders, D(0))

def order_totals():
    tot = {}; net = {}
    for l in W.order_lines:
        sku = l[1]; n = r2(D(l[3]) * l[2]) - D(l[4]); tax = r2(n * D(SKU[sku][4]) / 100)
        tot[l[0]] = tot.get(l[0], D(0)) + n + tax; net[l[0]] = net.get(l[0], D(0)) + n
    return net, tot

if __name__ == "__main__":
    for c in CUST:
        print(c, CUST[c][1], "outstanding", outstanding(c), "limit", CUST[c][6])
