"""A refusal leaks nothing: a thing outside the user's scope and a thing that does not exist
look the same, in words, outcome and status code.

For every world in worlds/ and one user of each role there (retailer, distributor, sales rep,
manager, warehouse), pairs are generated: an existing thing the user may not see (a customer
by name and by code, an order, an invoice, a warehouse by name and by code) against a made-up
thing of the same shape (a plausible name, code or number that exists nowhere). The same
request goes through every path with each of the two:

- the assistant itself (`agent.runtime.Assistant.handle`),
- the web chat API over HTTP (`POST /api/chat` through FastAPI's TestClient),
- the tools (`tools.*`), called directly as a model would call them.

A pair is *distinguishable* when, with the thing's own words replaced by a placeholder, the
reply texts differ, the outcomes differ or the HTTP statuses differ, or when a reply names
another out-of-scope customer, order or balance (`evals.scope`). Every pair must be
indistinguishable. `pytest -s` prints the counts per world.

How the made-up name is made: every word of the real name that the user may legitimately
know (a word of a product, brand, category, region, or of a customer, warehouse or user in
their own scope) is kept, the others are replaced by invented words; so both names share what
the user could know and differ only in what they could not. When that leaves nothing to replace,
or the result is still near a real name, known words are replaced too, from the left. A made-up
name is near no real name (judged here with rapidfuzz, not by the lookup under test), and a
made-up code or number has the real one's prefix and length and exists nowhere in the world.

Measured on the code before this test was written: 1875 pairs, 897 distinguishable (assistant
442, web API 442, tools 13). After: 0.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from rapidfuzz import fuzz
from sqlmodel import Session, select

from agent.nlu.text import tokenize
from agent.runtime import Assistant, Turn
from channels.web.app import create_app
from core.access import load_actor
from core.catalogue import split_list
from core.clock import Clock
from core.db import transaction
from core.errors import DomainError, NotAllowed, NotFound
from core.identities import issue_token
from core.lookup import resolve_customer, resolve_warehouse
from core.settings import ServerSettings
from core.stock import stock_warehouse_codes
from core.tables.billing import Invoice
from core.tables.catalogue import Brand, Category, Product, Sku, SkuUnit
from core.tables.inventory import StockBalance
from core.tables.orders import Order
from core.tables.parties import Customer, Region, User, Warehouse
from core.world import import_world
from evals.scope import build_guard
from tests.conftest import NOW
from tools.base import ToolContext
from tools.registry import get_tool

ROOT = Path(__file__).resolve().parents[1]
WORLDS = ("demo", "pharma", "hardware")
ROLES = ("retailer", "distributor", "sales_rep", "manager", "warehouse")
CLOCK = Clock(ZoneInfo("Asia/Kolkata"), NOW)
PLACEHOLDER = "<THING>"
# invented words for made-up names, and letters for made-up warehouse codes
NAME_WORDS = (
    "Gurukrupa",
    "Kamdhenu",
    "Parijat",
    "Saptagiri",
    "Jyotirling",
    "Venkatesa",
    "Omkareshwar",
    "Triveni",
    "Annapoorna",
    "Dhanvantari",
    "Rukmini",
    "Sahyadri",
)
CODE_LETTERS = ("NGP", "KOC", "VZG", "IDR", "BPL", "RPR", "JDH", "UDP")

# The requests, by the family of the thing they name ({x}, or {x_lower} as typed in lower case);
# {sku} and {units} name a product.
TEMPLATES: dict[str, list[str]] = {
    "customer": [
        "place an order for {x}: 2 {units} of {sku}",
        "2 {units} of {sku} for {x}",
        "what does {x} owe?",
        "balance of {x}",
        "show orders of {x}",
        "record a payment of 500 from {x} by cash",
        "sales of {x} this month",
        "price of {sku} for {x}",
        "offers for {x}",
        "how many orders did {x} place this month?",
        "how much does {x_lower} owe?",
        "show {x_lower}'s orders",
        "{x} ke orders dikhao",
        "{x} ke liye 2 {units} {sku} laga do",
        "{x} ka outstanding kitna hai?",
        "{x} outstanding?",
    ],
    "order": [
        "show order {x}",
        "what is the status of {x}?",
        "cancel order {x}",
        "approve {x}",
        "reject {x} because the price is wrong",
        "dispatch {x}",
        "mark {x} delivered",
    ],
    "invoice": [
        "show invoice {x}",
        "is invoice {x} paid?",
    ],
    "warehouse": [
        "stock of {sku} at {x}",
        "low stock in {x}",
        "adjust stock of {sku} at {x} down by 3, count correction",
    ],
}

# The same requests as a model would make them: (tool, arguments); "{x}" is the thing.
TOOL_CALLS: dict[str, list[tuple[str, dict]]] = {
    "customer": [
        ("list_orders", {"customer": "{x}"}),
        ("outstanding", {"customer": "{x}"}),
        ("create_order", {"items": [{"product": "{sku_code}", "qty": 1}], "customer": "{x}"}),
        ("record_payment", {"customer": "{x}", "amount": "500", "method": "cash"}),
        ("product_details", {"product": "{sku_code}", "customer": "{x}"}),
        ("list_schemes", {"customer": "{x}"}),
        ("sales_report", {"customer": "{x}"}),
        ("order_summary", {"customer": "{x}"}),
    ],
    "order": [
        ("get_order", {"order_no": "{x}"}),
        ("cancel_order", {"order_no": "{x}"}),
        ("approve_order", {"order_no": "{x}"}),
        ("reject_order", {"order_no": "{x}", "reason": "the price is wrong"}),
        ("dispatch_order", {"order_no": "{x}"}),
        ("deliver_order", {"order_no": "{x}"}),
    ],
    "invoice": [
        ("get_order", {"order_no": "{x}"}),
    ],
    "warehouse": [
        ("stock_levels", {"product": "{sku_code}", "warehouse": "{x}"}),
        ("low_stock", {"warehouse": "{x}"}),
        ("adjust_stock", {"warehouse": "{x}", "product": "{sku_code}", "delta": -3, "reason": "count correction"}),
        ("record_damage", {"warehouse": "{x}", "product": "{sku_code}", "qty": 1, "reason": "torn"}),
    ],
}


@dataclass(frozen=True)
class Thing:
    kind: str  # customer name | customer code | order | invoice | warehouse name | warehouse code
    real: str  # exists, outside the user's scope
    fake: str  # of the same shape, exists nowhere

    @property
    def family(self) -> str:
        return self.kind.split()[0]


@dataclass
class Finding:
    world: str
    user: str
    thing: Thing
    path: str  # assistant | http | tool:<name>
    request: str
    why: str
    real: str
    fake: str

    def __str__(self) -> str:
        return (
            f"[{self.world} {self.user} {self.thing.kind} {self.path}] {self.request!r}: {self.why}\n"
            f"    real {self.thing.real!r}: {self.real[:300]!r}\n    fake {self.thing.fake!r}: {self.fake[:300]!r}"
        )


@dataclass
class Tally:
    pairs: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def distinguishable(self) -> int:
        return len({(f.user, f.thing, f.path, f.request) for f in self.findings})


# --- the world's words, the user's scope, made-up things ---------------------------------------


def _tokens(*names: str) -> set[str]:
    return {t.text for n in names if n for t in tokenize(n)}


def _is_known(word: str, vocab: set[str]) -> bool:
    """Would the user's own world explain this word (exactly, or as a near spelling)?"""
    toks = tokenize(word)
    return bool(toks) and all(t.text in vocab or any(fuzz.ratio(t.text, v) >= 75 for v in vocab) for t in toks)


def _near_anything(word: str, vocab: set[str]) -> bool:
    return any(fuzz.ratio(t.text, v) >= 65 for t in tokenize(word) for v in vocab)


@dataclass
class WorldFacts:
    customers: list[Customer]
    warehouses: list[Warehouse]
    orders: list[Order]
    invoices: list[Invoice]
    users: list[User]
    codes: set[str]  # every code and number of the world, upper case
    common: set[str]  # words of the catalogue and the regions: everyone may know them
    everything: set[str]  # every word of every name of the world
    sku: Sku
    units: str

    @classmethod
    def read(cls, s: Session) -> WorldFacts:
        customers = list(s.exec(select(Customer).order_by(Customer.code)))
        warehouses = list(s.exec(select(Warehouse).order_by(Warehouse.code)))
        orders = list(s.exec(select(Order).order_by(Order.order_no)))
        invoices = list(s.exec(select(Invoice).order_by(Invoice.invoice_no)))
        users = list(s.exec(select(User).order_by(User.id)))
        skus = list(s.exec(select(Sku).order_by(Sku.code)))
        catalogue = [n for sk in skus for n in [sk.name, *split_list(sk.aliases)]]
        catalogue += [n for m in (Product, Brand, Category, Region) for n in s.exec(select(m.name))]
        codes = {c.code for c in customers} | {w.code for w in warehouses} | {o.order_no for o in orders}
        codes |= {i.invoice_no for i in invoices} | {u.id for u in users} | {sk.code for sk in skus}
        codes |= set(s.exec(select(Region.code))) | set(s.exec(select(StockBalance.batch)))
        common = _tokens(*catalogue)
        everything = common | _tokens(
            *[c.name for c in customers], *[w.name for w in warehouses], *[u.name for u in users]
        )
        # the product named in requests: one with a unit above its base unit, held in stock
        held = set(s.exec(select(StockBalance.sku)))
        units = {}
        for u in s.exec(select(SkuUnit).order_by(SkuUnit.position)):
            units.setdefault(u.sku, []).append(u.unit)
        sku = next(sk for sk in skus if sk.code in held and len(units.get(sk.code, [])) > 1)
        unit = units[sku.code][1].lower()
        plural = unit + ("es" if unit.endswith(("x", "s", "ch", "sh")) else "s")
        return cls(
            customers, warehouses, orders, invoices, users, {c.upper() for c in codes}, common, everything, sku, plural
        )


def _made_up_code(real: str, taken: set[str], letters: tuple[str, ...] = ()) -> str:
    """Same prefix and digit count, a number nobody has (or other letters for letter codes)."""
    m = re.fullmatch(r"(.*?)(\d+)", real)
    if m:
        prefix, digits = m[1], m[2]
        n = int(digits)
        for step in range(37, 10 ** len(digits), 37):
            candidate = f"{prefix}{(n + step) % 10 ** len(digits):0{len(digits)}d}"
            if candidate.upper() not in taken:
                return candidate
    prefix = real.rsplit("-", 1)[0] + "-" if "-" in real else ""
    return next(prefix + x for x in letters if (prefix + x).upper() not in taken)


def _made_up_names(real: str, known: set[str], facts: WorldFacts):
    """The real name with every word the user could not know replaced by invented ones (each
    candidate with other invented words); then, for names that would still match something
    (all words known, or a known place word naming the real thing), known words too, from the left."""
    words = real.split()
    keep = [_is_known(w, known) for w in words]
    fresh = [w for w in NAME_WORDS if not _near_anything(w, facts.everything)]
    for extra in range(len(words)):
        if extra and not any(keep):
            return
        if extra:
            keep[keep.index(True)] = False
        if all(keep):
            continue
        for start in range(len(fresh)):
            pool = iter(fresh[start:] + fresh[:start])
            yield " ".join(w if k else next(pool) for w, k in zip(words, keep))


def things_for(engine, user: str, facts: WorldFacts) -> list[Thing]:
    """One out-of-scope thing of each kind, with its made-up twin."""
    guard = build_guard(engine, user, CLOCK)
    hidden_customers = {x.owner for x in guard.secrets if x.kind == "customer code"}
    hidden_orders = {x.text for x in guard.secrets if x.kind == "order number"}
    with Session(engine) as s:
        actor = load_actor(s, user)
        whs = stock_warehouse_codes(s, actor)
        seen_customers = [c for c in facts.customers if c.code not in hidden_customers]
        seen_whs = [w for w in facts.warehouses if whs is None or w.code in whs]
        own_users = [u for u in facts.users if not u.customer or u.customer not in hidden_customers]
        known = facts.common | _tokens(
            *[c.name for c in seen_customers], *[w.name for w in seen_whs], *[u.name for u in own_users]
        )
        out: list[Thing] = []
        hidden = [c for c in facts.customers if c.code in hidden_customers]
        for c in hidden:  # by name: the first whose name has a word the user cannot know
            fake = next(
                (
                    f
                    for f in _made_up_names(c.name, known, facts)
                    if _far_from_all(f, [x.name for x in facts.customers])
                ),
                None,
            )
            if fake is not None:
                out.append(Thing("customer name", c.name, fake))
                break
        if hidden:  # by code: a numbered one when there is one (R-105 rather than D-CHN)
            c = sorted(hidden, key=lambda c: (not c.code[-1].isdigit(), c.code))[0]
            out.append(Thing("customer code", c.code, _made_up_code(c.code, facts.codes, CODE_LETTERS)))
        orders = [o for o in facts.orders if o.order_no in hidden_orders]
        orders.sort(key=lambda o: (o.status not in ("confirmed", "pending_approval"), o.order_no))
        if orders:
            out.append(Thing("order", orders[0].order_no, _made_up_code(orders[0].order_no, facts.codes)))
            invoices = [i for i in facts.invoices if i.order_no in hidden_orders]
            if invoices:
                out.append(Thing("invoice", invoices[0].invoice_no, _made_up_code(invoices[0].invoice_no, facts.codes)))
        hidden_whs = [w for w in facts.warehouses if whs is not None and w.code not in whs]
        for w in hidden_whs:
            fake = next(
                (
                    f
                    for f in _made_up_names(w.name, known, facts)
                    if _far_from_all(f, [x.name for x in facts.warehouses])
                ),
                None,
            )
            if fake is not None:
                out.append(Thing("warehouse name", w.name, fake))
                break
        if hidden_whs:
            out.append(
                Thing(
                    "warehouse code", hidden_whs[0].code, _made_up_code(hidden_whs[0].code, facts.codes, CODE_LETTERS)
                )
            )
        s.rollback()
    for t in out:
        assert t.fake.upper() not in facts.codes and t.fake.casefold() not in {
            n.casefold() for n in [*(c.name for c in facts.customers), *(w.name for w in facts.warehouses)]
        }
    return out


_KIND_WORDS = re.compile(r"\b(?:warehouses?|depots?|godowns?)\b", re.I)


def _far_from_all(name: str, names: list[str]) -> bool:
    """A made-up name must be near no real name (judged here, not by the lookup under test):
    no real name shares most of its words, the words saying what kind of place it is aside."""

    def plain(n: str) -> str:
        return " ".join(_KIND_WORDS.sub(" ", n).lower().split()) or n.lower()

    return all(fuzz.token_set_ratio(plain(name), plain(n)) < 70 for n in names)


def users_by_role(engine) -> list[str]:
    with Session(engine) as s:
        users = list(s.exec(select(User).order_by(User.id)))
    first = {}
    for u in users:
        first.setdefault(u.role, u.id)
    return [first[r] for r in ROLES if r in first]


# --- comparing ----------------------------------------------------------------------------


def neutral(text: str, thing: str) -> str:
    """The reply with the thing's own words (as typed, any case) replaced by a placeholder."""
    return re.sub(re.escape(thing), PLACEHOLDER, text or "", flags=re.I)


def _fill(value, x: str, facts: WorldFacts):
    if isinstance(value, str):
        return value.replace("{x}", x).replace("{sku_code}", facts.sku.code)
    if isinstance(value, list):
        return [_fill(v, x, facts) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, x, facts) for k, v in value.items()}
    return value


class Paths:
    """The three ways in, for one world."""

    def __init__(self, engine):
        self.engine = engine
        self.assistant = Assistant(engine, CLOCK)
        self.app = create_app(engine, CLOCK, self.assistant, server=ServerSettings(rate_limit_per_minute=10**6))
        self.client = TestClient(self.app)
        self.tokens: dict[str, str] = {}

    def close(self):
        self.client.close()

    def assistant_says(self, user: str, text: str) -> tuple[str, str]:
        r = self.assistant.handle(Turn(user, "slack", "pair-" + uuid.uuid4().hex[:12]), text)
        return r.outcome, r.full_text()

    def http_says(self, user: str, text: str) -> tuple[int, dict]:
        if user not in self.tokens:
            with transaction(self.engine) as s:
                self.tokens[user] = issue_token(s, user)
        r = self.client.post(
            "/api/chat",
            json={"text": text},
            headers={"Authorization": f"Bearer {self.tokens[user]}", "X-Chat-Session": uuid.uuid4().hex},
        )
        body = r.json()
        for a in body.get("actions") or []:
            a["value"] = "<action>"  # pending action ids are random
        return r.status_code, body

    def tool_says(self, user: str, name: str, args: dict) -> tuple[str, str]:
        tool = get_tool(name)
        with Session(self.engine) as s:
            ctx = ToolContext(s, load_actor(s, user), CLOCK)
            try:
                if tool.mutating:
                    p = tool.preview(ctx, args)
                    return "preview", p.text
                r = tool.run(ctx, args)
                table = json.dumps([r.table.columns, r.table.rows]) if r.table else ""
                return r.outcome, r.text + table
            except DomainError as e:
                return "error " + e.code, e.message
            finally:
                s.rollback()


def compare_pairs(world: str, engine, paths: Paths, users: list[str]) -> Tally:
    with Session(engine) as s:
        facts = WorldFacts.read(s)
    tally = Tally()
    for user in users:
        guard = build_guard(engine, user, CLOCK)
        for thing in things_for(engine, user, facts):

            def check(
                path,
                request_real,
                request_fake,
                real,
                fake,
                texts_real,
                texts_fake,
                user=user,
                thing=thing,
                guard=guard,
            ):
                tally.pairs += 1
                if real != fake:
                    tally.findings.append(
                        Finding(world, user, thing, path, request_real, "differ", str(real), str(fake))
                    )
                for said, texts in ((request_real, texts_real), (request_fake, texts_fake)):
                    for text in texts:
                        leaked = guard.leaks(text, [said])
                        if leaked:
                            tally.findings.append(
                                Finding(
                                    world, user, thing, path, said, "leaks " + ", ".join(map(str, leaked)), text, ""
                                )
                            )

            for template in TEMPLATES[thing.family]:
                fill = {"sku": facts.sku.code, "units": facts.units}
                req_real = template.format(x=thing.real, x_lower=thing.real.lower(), **fill)
                req_fake = template.format(x=thing.fake, x_lower=thing.fake.lower(), **fill)
                a_real, a_fake = paths.assistant_says(user, req_real), paths.assistant_says(user, req_fake)
                check(
                    "assistant",
                    req_real,
                    req_fake,
                    (a_real[0], neutral(a_real[1], thing.real)),
                    (a_fake[0], neutral(a_fake[1], thing.fake)),
                    [a_real[1]],
                    [a_fake[1]],
                )
                h_real, h_fake = paths.http_says(user, req_real), paths.http_says(user, req_fake)
                check(
                    "http",
                    req_real,
                    req_fake,
                    (h_real[0], neutral(json.dumps(h_real[1]), thing.real)),
                    (h_fake[0], neutral(json.dumps(h_fake[1]), thing.fake)),
                    [json.dumps(h_real[1])],
                    [json.dumps(h_fake[1])],
                )
            for name, args in TOOL_CALLS[thing.family]:
                t_real = paths.tool_says(user, name, _fill(args, thing.real, facts))
                t_fake = paths.tool_says(user, name, _fill(args, thing.fake, facts))
                check(
                    "tool:" + name,
                    f"{name}({thing.real})",
                    f"{name}({thing.fake})",
                    (t_real[0], neutral(t_real[1], thing.real)),
                    (t_fake[0], neutral(t_fake[1], thing.fake)),
                    [t_real[1]],
                    [t_fake[1]],
                )
    return tally


# --- the tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=WORLDS)
def world(request, databases):
    name = request.param
    template = databases.template(f"pairs_{name}", lambda e: import_world(e, ROOT / "worlds" / name, clock=CLOCK))
    engine = databases.clone(template)
    yield name, engine
    databases.release(engine)


def test_out_of_scope_and_nonexistent_things_look_the_same(world):
    name, engine = world
    paths = Paths(engine)
    try:
        users = users_by_role(engine)
        assert len(users) == len(ROLES), users
        tally = compare_pairs(name, engine, paths, users)
    finally:
        paths.close()
    kinds = Counter(f.thing.kind for f in tally.findings)
    where = Counter(f.path.split(":")[0] for f in tally.findings)
    print(
        f"\n{name}: {tally.pairs} pairs, {tally.distinguishable} distinguishable "
        f"(by kind {dict(kinds)}, by path {dict(where)})"
    )
    assert tally.pairs > 100
    assert not tally.findings, f"{tally.distinguishable} of {tally.pairs} pairs are distinguishable:\n" + "\n".join(
        map(str, tally.findings[:40])
    )


def test_made_up_things_exist_nowhere_and_real_ones_are_out_of_scope(world):
    """The generator's own check: each real thing is refused to its user by the core; a made-up
    customer is unknown even to an admin, a made-up order exists nowhere, and a made-up warehouse
    is refused to the user too."""
    name, engine = world
    with Session(engine) as s:
        facts = WorldFacts.read(s)
    kinds = set()
    for user in users_by_role(engine):
        for t in things_for(engine, user, facts):
            kinds.add(t.kind)
            with Session(engine) as s:
                actor, admin = load_actor(s, user), load_actor(s, "U-ADM")
                if t.family == "customer":
                    with pytest.raises(NotAllowed):
                        resolve_customer(s, actor, t.real)
                    with pytest.raises((NotAllowed, NotFound)):
                        resolve_customer(s, admin, t.fake)
                    assert resolve_customer(s, admin, t.real)
                if t.family == "order":
                    assert s.get(Order, t.real) is not None and s.get(Order, t.fake) is None
                if t.family == "warehouse":  # both refused to the user
                    for said in (t.real, t.fake):
                        with pytest.raises(NotAllowed):
                            resolve_warehouse(s, actor, said)
                s.rollback()
    assert {"customer name", "customer code", "order", "invoice", "warehouse name", "warehouse code"} <= kinds
