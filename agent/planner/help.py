"""Help that teaches: what this user can ask, with 4-6 examples made from their own world (their
products, their customers, their units), so every example works as written."""

from __future__ import annotations

from collections.abc import Callable

from core.access import PERMISSIONS


def _products(world, n: int) -> list[tuple[str, str]]:
    """(name, a unit above the base one, or the base) of a few SKUs, in code order."""
    out = []
    for code in sorted(world.sku_names)[:40]:
        units = world.units.get(code) or []
        unit = next((u for u, f in units if f > 1), units[0][0] if units else "")
        out.append((world.sku_names[code], unit))
    step = max(1, len(out) // max(n, 1))
    return out[::step][:n]


def _customers(world, n: int) -> list[str]:
    return [e.name for e in world.lexicon.entries if e.kind == "customer"][:n]


def examples(world, tools: set[str], role: str) -> list[str]:
    """Examples that use only tools this user has and names in their scope."""
    can: Callable[[str], bool] = lambda t: not tools or t in tools  # noqa: E731
    prods = _products(world, 3) or [("<product>", "")]
    (p1, u1), (p2, _), (p3, _) = (prods * 3)[:3]
    custs = _customers(world, 2)
    staff = role not in ("retailer", "distributor")
    out: list[str] = []
    if can("start_day") and role == "sales rep":  # a rep's day comes first for a rep
        out += ["start my day", "what's my beat today?"]
        if custs:
            out.append(f"I'm at {custs[0]}")
    if can("visit_compliance") and role in ("manager", "admin"):
        out.append("how did my team do on visits this week?")
    if can("create_order"):
        who = f" for {custs[0]}" if staff and custs else ""
        out.append(f"2 {u1.lower() or 'pieces'} {p1}{who}".replace("  ", " "))
    if can("pending_approvals"):
        out.append("anything waiting for my approval?")
    if can("dispatch_order"):
        out.append("which orders are ready to dispatch?")
    if can("outstanding"):
        out.append(
            f"what does {custs[1] if len(custs) > 1 else custs[0]} owe?" if staff and custs else "how much do I owe?"
        )
    if can("product_details"):
        out.append(f"price of {p2}")
    if can("list_schemes"):
        out.append(f"any offers on {p3}?")
    if can("low_stock"):
        out.append("show low stock")
    elif can("stock_levels"):
        out.append(f"is {p2} in stock?")
    if can("sales_report") and "reports" in PERMISSIONS.get(role.replace(" ", "_"), ()):
        out.append("sales this month by product")
    if can("list_orders"):
        out.append("show my orders" if not staff or not custs else f"orders of {custs[0]} this month")
    return list(dict.fromkeys(out))[:6]


def help_text(world, tools: set[str], role: str, *, opening: str) -> str:
    shown = examples(world, tools, role)
    lines = "\n".join(f"- {e}" for e in shown)
    return (
        f"{opening} You can write as you would to a colleague, in English or Hinglish. For example:\n{lines}"
    ).strip()
