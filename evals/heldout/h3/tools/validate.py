"""Static checks of the held-out scenarios against the world (no project code)."""
import glob, os, sys, yaml
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_world as W
users = {u[0] for u in W.users}; skus = {s[0] for s in W.skus}; custs = {c[0] for c in W.customers}
orders = {o[0] for o in W.orders}; whs = {w[0] for w in W.warehouses}
batches = {(s[0], s[1], s[2]) for s in W.stock}
ids = set(); n = 0; bad = 0
def err(sid, m):
    global bad; bad += 1; print(f"{sid}: {m}")
for f in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "scenarios", "*.yaml"))):
    for s in yaml.safe_load(open(f)):
        n += 1; sid = s["id"]
        if sid in ids: err(sid, "duplicate id")
        ids.add(sid)
        if s["as"] not in users: err(sid, "unknown user")
        assert os.path.isdir(os.path.join(os.path.dirname(f), s["world"]))
        for t in s["turns"]:
            if t.get("as") and t["as"] not in users: err(sid, "unknown turn user")
            assert isinstance(t["user"], str)
        fin = s.get("final", {})
        for o in fin.get("orders_created", []):
            if o["customer"] not in custs: err(sid, "bad customer")
            if o.get("warehouse") and o["warehouse"] not in whs: err(sid, "bad wh")
            for l in o.get("lines", []):
                if l["sku"] not in skus: err(sid, f"bad sku {l['sku']}")
        for o in fin.get("orders_changed", []):
            if o["order_no"] not in orders: err(sid, "bad order")
        for st in fin.get("stock", []):
            if st["sku"] not in skus or st["warehouse"] not in whs: err(sid, "bad stock")
            if st.get("batch") and (st["warehouse"], st["sku"], st["batch"]) not in batches: err(sid, f"bad batch {st['batch']}")
        for p in fin.get("payments_created", []):
            if p["customer"] not in custs: err(sid, "bad pay customer")
print(n, "scenarios,", bad, "problems")
