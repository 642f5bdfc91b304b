"""Clarifying questions offer only what the user may see: when a name fits several customers,
the choices are those in the user's scope, and one outside it is never named (neither by the
assistant's question nor by a tool's). With one customer left in scope, there is nothing to ask.

The world: the sample world plus three shops called "Sagar Stores ...", one in Karnataka, one in
Tamil Nadu and one in a third state (Kerala), and a manager of Karnataka and Tamil Nadu."""

import uuid
from decimal import Decimal

import pytest
from sqlmodel import Session

from agent.planner import OfflinePlanner
from agent.runtime import Assistant, Turn
from agent.world import WorldView
from core.access import load_actor
from core.db import transaction
from core.errors import Ambiguous
from core.tables.parties import Customer, Region, User
from tools.base import ToolContext
from tools.registry import get_tool

SHOPS = {
    "R-801": ("Sagar Stores Indiranagar", "BLR-N", "WH-BLR"),
    "R-802": ("Sagar Stores Adyar", "CHN", "WH-CHN"),
    "R-803": ("Sagar Stores Kochi", "KOC", "WH-CHN"),
}
THIRD_STATE = ("R-803", "Sagar Stores Kochi", "Kochi")


@pytest.fixture
def world(sample):
    with transaction(sample) as s:
        s.add(Region(code="KL", name="Kerala", parent="IN", level="state"))
        s.add(Region(code="KOC", name="Kochi", parent="KL", level="city"))
        for code, (name, region, wh) in SHOPS.items():
            s.add(
                Customer(
                    code=code,
                    name=name,
                    type="retailer",
                    region=region,
                    warehouse=wh,
                    credit_limit=Decimal("50000"),
                    payment_terms_days=15,
                )
            )
        s.add(User(id="U-MGR-2S", name="Two States", role="manager", regions="KA|TN"))
    return sample


def says(engine, clock, user, text):
    return Assistant(engine, clock).handle(Turn(user, "slack", "c-" + uuid.uuid4().hex[:8]), text)


def no_third_state(text: str):
    for word in THIRD_STATE:
        assert word not in text, f"{word!r} offered to a user who may not see it: {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "order 2 cases of marie gold for Sagar Stores",
        "what does Sagar Stores owe?",
        "show orders of Sagar Stores",
        "record a payment of 500 from Sagar Stores by cash",
    ],
)
def test_choices_are_only_customers_in_scope(world, clock, text):
    r = says(world, clock, "U-MGR-2S", text)
    assert r.outcome == "clarify", r.text
    assert "Sagar Stores Indiranagar" in r.text and "Sagar Stores Adyar" in r.text
    no_third_state(r.full_text())


def test_the_one_customer_in_scope_needs_no_question(world, clock):
    r = says(world, clock, "U-MGR-KA", "order 2 cases of marie gold for Sagar Stores")
    assert r.outcome == "preview" and "Sagar Stores Indiranagar (R-801)" in r.text
    for word in ("Adyar", "R-802", *THIRD_STATE):
        assert word not in r.full_text()


def test_the_tools_offer_only_customers_in_scope(world, clock):
    with Session(world) as s:
        ctx = ToolContext(s, load_actor(s, "U-MGR-2S"), clock)
        with pytest.raises(Ambiguous) as e:
            get_tool("list_orders").run(ctx, {"customer": "Sagar Stores"})
        assert sorted(c for c, _ in e.value.candidates) == ["R-801", "R-802"]
        no_third_state(e.value.message)


def test_the_planner_knows_only_the_names_in_scope(world, clock):
    """The same planner, with and without the user's scope: an admin is offered all three."""
    view = WorldView(world)
    with Session(world) as s:
        manager, admin = load_actor(s, "U-MGR-2S"), load_actor(s, "U-ADM")
    assert view.get(manager).lexicon.get("customer", "R-803") is None
    assert view.get(manager).lexicon.get("customer", "R-802") is not None
    assert view.get(admin).lexicon.get("customer", "R-803") is not None
    from langchain_core.messages import HumanMessage, SystemMessage

    system = SystemMessage(content=f"policy\nThe user is X (admin). Today is {clock.today().isoformat()}.")
    planner = OfflinePlanner(world=view, clock=clock).bind_tools([{"name": "outstanding"}])
    r = planner.for_actor(admin).invoke([system, HumanMessage(content="what does Sagar Stores owe?")])
    assert "Sagar Stores Kochi" in r.content
    r = planner.for_actor(manager).invoke([system, HumanMessage(content="what does Sagar Stores owe?")])
    assert "Sagar Stores Adyar" in r.content
    no_third_state(r.content)
