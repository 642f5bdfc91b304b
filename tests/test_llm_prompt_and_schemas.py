"""What a model is offered: each role sees only the arguments it can use (the tool still checks what
arrives), every argument is documented, errors say how to fix a call, and the prompt puts the
static part (instructions, tools) before the per-user, per-day part so a server's prompt cache
holds across users and days. Through the real openai SDK against tests/fake_openai.py."""

from datetime import datetime
from zoneinfo import ZoneInfo

from agent.runtime import Assistant, Turn
from core.clock import Clock
from core.state import snapshot
from tests.fake_openai import text, tool_calls
from tests.test_openai_backend import MANAGER, RETAILER, assistant, fake, no_tiktoken, tool_messages  # noqa: F401

PARTY_ARGS = {"customer", "region", "beat", "sales_rep", "distributor", "warehouse"}


def params(body: dict) -> dict[str, dict]:
    return {t["function"]["name"]: t["function"]["parameters"].get("properties", {}) for t in body["tools"]}


def test_a_retailer_is_offered_no_customer_or_region_arguments(assistant, fake):
    fake.script(text("Hello."), text("Hello."))
    assistant.handle(RETAILER, "hi")
    assistant.handle(MANAGER, "hi")
    retailer, manager = (params(b) for b in fake.requests)
    for name, props in retailer.items():
        assert not PARTY_ARGS & set(props), f"{name} offers a retailer {PARTY_ARGS & set(props)}"
    assert "items" in retailer["create_order"] and "status" in retailer["list_orders"]
    assert {"customer", "warehouse"} <= set(manager["create_order"]) and "region" in manager["list_orders"]


def test_the_tool_still_checks_an_argument_the_role_was_not_offered(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(tool_calls(("list_orders", {"customer": "Fresh Mart"})), text("Fresh Mart has no orders."))
    r = assistant.handle(RETAILER, "orders of Fresh Mart")
    assert r.outcome == "refused" and "Fresh Mart" not in r.text and snapshot(sample) == before


def test_every_argument_is_documented_for_a_model():
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from agent.runtime import RUNTIME_TOOLS
    from tools.registry import ALL_TOOLS, langchain_tools

    for tool in convert_to_openai_tool_list(langchain_tools(list(ALL_TOOLS.values())), convert_to_openai_tool):
        fn = tool["function"]
        assert len(fn["description"]) >= 20, fn["name"]
        for arg, schema in fn["parameters"].get("properties", {}).items():
            assert schema.get("description"), f"{fn['name']}.{arg} has no description"
    from tools.registry import TOOL_SPECS

    assert set(RUNTIME_TOOLS).isdisjoint(TOOL_SPECS)


def convert_to_openai_tool_list(tools, convert):
    return [convert(t) for t in tools]


def test_descriptions_say_to_pass_the_users_own_words():
    from tools.registry import TOOL_SPECS

    docs = {name: (spec[0].model_json_schema(), spec[3]) for name, spec in TOOL_SPECS.items()}
    order = str(docs["create_order"][0])
    assert "cartons" in order and "as the user" in order
    assert "YYYY-MM-DD" in str(docs["sales_report"][0]) and "SO-" in str(docs["get_order"][0])


def test_a_validation_error_names_the_argument_and_the_accepted_values(assistant, fake):
    fake.script(
        tool_calls(("record_payment", {"customer": "Ganesh Provisions", "amount": "500", "method": "gpay"})),
        text("Which method: cash, UPI, bank transfer or cheque?"),
    )
    assistant.handle(MANAGER, "Ganesh paid 500 by gpay")
    [err] = tool_messages(fake.requests[1])
    content = err["content"]
    assert content.startswith("Invalid arguments for record_payment") and "- method:" in content
    assert all(v in content for v in ("'cash'", "'upi'", "'bank_transfer'", "'cheque'")) and '"gpay"' in content
    assert "ask_user" in content


def test_a_missing_argument_is_named_with_its_doc(assistant, fake):
    fake.script(tool_calls(("create_order", {"items": [{"qty": 2}]})), text("Which product?"))
    assistant.handle(RETAILER, "2 of them")
    [err] = tool_messages(fake.requests[1])
    assert "items.0.product: Field required (missing)" in err["content"]
    assert "items.0.product is" in err["content"]


def test_an_argument_the_core_cannot_read_comes_back_with_a_hint(assistant, fake):
    fake.script(tool_calls(("list_orders", {"period": {"start": "last month"}})), text("Which dates?"))
    assistant.handle(RETAILER, "orders last month")
    [err] = tool_messages(fake.requests[1])
    assert "period.start" in err["content"] and "YYYY-MM-DD" in err["content"]
    assert "call list_orders again" in err["content"]


def test_the_prompt_is_static_first_per_user_and_per_day_last(sample, fake):
    """Two users on two days: the first system message and the tool block are the same bytes for
    everyone of a role; the user's name and the date come only after them."""

    def clock(day):
        return Clock(tz=ZoneInfo("Asia/Kolkata"), fixed=datetime(2026, 11, day, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))

    fake.script(*[text("Hello.") for _ in range(3)])
    Assistant(sample, clock(20), model="openai:m").handle(Turn("U-REP-1", "slack", "a"), "hi")
    Assistant(sample, clock(21), model="openai:m").handle(Turn("U-REP-2", "slack", "b"), "hi")
    Assistant(sample, clock(21), model="openai:m").handle(Turn("U-MGR-KA", "slack", "c"), "hi")
    one, two, manager = fake.requests
    assert one["messages"][0] == two["messages"][0] == manager["messages"][0]
    assert one["tools"] == two["tools"]
    head = str(one["messages"][0]) + str(one["tools"])
    for word in ("2026-11-20", "2026-11-21", "U-REP", "sales rep)"):
        assert word not in head
    assert "2026-11-20" in one["messages"][1]["content"] and "2026-11-21" in two["messages"][1]["content"]
    assert one["messages"][1]["content"] != two["messages"][1]["content"]
    assert [m["role"] for m in one["messages"]] == ["system", "system", "user"]


def test_the_offline_planner_still_reads_the_user_and_the_day(sample, clock):
    """The per-user line moved after the instructions; the planner still finds role and date in it."""
    a = Assistant(sample, clock)
    r = a.handle(RETAILER, "show my orders")
    assert r.outcome == "answered" and r.tool_calls and r.tool_calls[0].name == "list_orders"
