"""Files from chat: the `export_report` tool, its attachment through the runtime, and every channel
delivering it, each with its real SDK against the local fakes (Slack Web API, Telegram Bot API,
OpenAI-compatible server): the model's tool call comes from the fake OpenAI server, so no planner
words are needed. Each file that arrives is parsed and compared with the report's own figures."""

import csv
import io
import time
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from agent.runtime import Assistant, Turn
from api_helpers import Api
from channels.telegram import SECRET_HEADER, build_telegram
from channels.web.files import FileStore
from conftest import NOW
from core.access import load_actor
from core.errors import NotAllowed, NotFound
from core.report_catalog import ReportQuery, run_report
from core.settings import TelegramSettings
from fake_slack import FakeSlack
from test_slack import Harness
from tests.fake_openai import FakeOpenAI, text, tool_calls
from tests.fake_telegram import FakeTelegram, message_update
from tool_helpers import run
from tools import exports as export_tool
from tools.report_tables import report_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31", "label": "October"}
SALES_BY_CUSTOMER = {"report": "sales", "by": "customer", "period": OCTOBER}
SALES_FILE = "sales-2026-10-01-2026-10-31.xlsx"


def report_rows(engine, clock, user, name, **query):
    with Session(engine) as s:
        t = run_report(s, load_actor(s, user), clock, name, ReportQuery(**query))
        return [list(r) for r in t.rows], list(t.totals) if t.totals is not None else None


def xlsx_rows(content: bytes) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in ws[2]]
    return header, [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]


def assert_sales_by_customer(engine, clock, user, content: bytes) -> None:
    """The file is the October sales by customer of `user`, as the report computes them."""
    with Session(engine) as s:
        q = ReportQuery(by="customer", start=date(2026, 10, 1), end=date(2026, 10, 31))
        t = run_report(s, load_actor(s, user), clock, "sales", q)
        rows, totals = [list(r) for r in t.rows], list(t.totals)
    header, got = xlsx_rows(content)
    assert header == [c.title for c in t.columns] and header[:3] == ["customer", "Name", "Orders"]

    def cell(v, kind):
        if v is None:
            return None
        return float(Decimal(str(v)) / 100) if kind == "percent" else float(v) if isinstance(v, Decimal) else v

    assert got[:-1] == [[cell(v, c.kind) for v, c in zip(r, t.columns)] for r in rows]
    i = [c.key for c in t.columns].index("total")
    assert "Total" in got[-1] and got[-1][i] == float(totals[i])


# --- the tool ------------------------------------------------------------------------------------


def test_the_tool_makes_the_reports_file(sample, clock):
    r = run(sample, clock, "U-ADM", "export_report", **SALES_BY_CUSTOMER)
    [f] = r.attachments
    assert (f.filename, f.media_type) == (SALES_FILE, XLSX)
    assert_sales_by_customer(sample, clock, "U-ADM", f.content)
    assert SALES_FILE in r.text and "3 rows" in r.text and r.data["rows"] == 3

    r = run(sample, clock, "U-RET-101", "export_report", report="Order lines", format="csv")
    [f] = r.attachments
    assert f.filename == "order-lines.csv" and f.media_type.startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(f.content.decode())))
    rows, _ = report_rows(sample, clock, "U-RET-101", "order-lines")
    assert [(x["order_no"], x["sku"], Decimal(x["total"])) for x in lines] == [(r[0], r[5], r[13]) for r in rows]
    assert {x["customer"] for x in lines} == {"R-101"}


def test_the_tool_refuses_as_the_core_does(sample, clock):
    with pytest.raises(NotFound, match="No report named 'payroll'"):
        run(sample, clock, "U-ADM", "export_report", report="payroll")
    with pytest.raises(NotAllowed, match="may not see sales reports"):
        run(sample, clock, "U-WH-1", "export_report", report="sales")
    with pytest.raises(NotAllowed, match="only see your own account"):
        run(sample, clock, "U-RET-101", "export_report", report="order-lines", customer="Fresh Mart")
    with pytest.raises(Exception, match="no filter brand"):
        run(sample, clock, "U-ADM", "export_report", report="orders", brand="Brisk")


def test_a_report_too_large_for_a_chat_is_sent_to_the_rest_api(sample, clock, monkeypatch):
    monkeypatch.setattr(export_tool, "MAX_ROWS", 5)
    r = run(sample, clock, "U-ADM", "export_report", report="order-lines")
    assert r.attachments == [] and "too large" in r.text and "/api/v1/reports/order-lines?format=xlsx" in r.text


def test_report_names_as_a_model_may_write_them():
    assert [report_name(x) for x in ("Order lines", "order_lines", " Sales report ", "ORDERS")] == [
        "order-lines",
        "order-lines",
        "sales",
        "orders",
    ]


# --- the runtime, driven by an OpenAI-compatible model (the fake server) --------------------------


@pytest.fixture
def llm(monkeypatch):
    server = FakeOpenAI().start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("DMS_MODEL_TIMEOUT", "10")
    yield server
    server.stop()


def script_export(llm, args=None) -> None:
    llm.script(tool_calls(("export_report", args or SALES_BY_CUSTOMER)), text("Here is the sales report as Excel."))


def test_the_runtime_hands_the_file_with_the_reply(sample, clock, llm):
    script_export(llm)
    reply = Assistant(sample, clock, model="openai:test-model").handle(
        Turn("U-MGR-KA", "slack", "c1"), "send me last month's sales by customer as Excel"
    )
    assert reply.outcome == "answered" and [c.name for c in reply.tool_calls] == ["export_report"]
    [f] = reply.attachments
    assert f.filename == SALES_FILE
    assert_sales_by_customer(sample, clock, "U-MGR-KA", f.content)
    # the model saw the tool's words, never the bytes
    [tool_message] = [m for m in llm.requests[1]["messages"] if m["role"] == "tool"]
    assert SALES_FILE in tool_message["content"] and "PK" not in tool_message["content"]


# --- Slack ------------------------------------------------------------------------------------------


def slack(engine, clock, fake: FakeSlack) -> Harness:
    return Harness(engine, clock, fake, assistant=Assistant(engine, clock, model="openai:test-model"))


def test_slack_uploads_the_file_into_the_conversation(sample, clock, llm):
    with FakeSlack() as fake:
        h = slack(sample, clock, fake)
        script_export(llm)
        h.dm("UMGR0001", "send me last month's sales by customer as Excel")
        [posted] = fake.calls_to("chat.postMessage")
        assert "Excel" in posted["text"]
        [step1] = fake.calls_to("files.getUploadURLExternal")
        assert step1["filename"] == SALES_FILE
        [shared] = fake.shared
        assert (shared["filename"], shared["title"], shared["channel"]) == (SALES_FILE, SALES_FILE, "D0001")
        assert len(shared["content"]) == int(step1["length"])
        assert_sales_by_customer(sample, clock, "U-MGR-KA", shared["content"])

        # in a channel, the file goes into the thread of the mention, beside the answer
        script_export(llm, {**SALES_BY_CUSTOMER, "format": "csv"})
        h.mention("UMGR0001", "export last month's sales by customer to csv", channel="C0042")
        thread = fake.calls_to("chat.postMessage")[-1]["thread_ts"]
        shared = fake.shared[-1]
        assert (shared["channel"], shared["thread_ts"]) == ("C0042", thread)
        assert shared["filename"] == "sales-2026-10-01-2026-10-31.csv"
        assert next(csv.reader(io.StringIO(shared["content"].decode())))[:4] == ["key", "name", "orders", "net"]
        assert all(c["auth"] == "Bearer xoxb-test" for c in fake.calls)


def test_slack_sends_a_slash_commands_file_to_the_askers_direct_messages(sample, clock, llm):
    from urllib.parse import urlencode

    with FakeSlack() as fake:
        h = slack(sample, clock, fake)
        script_export(llm)
        body = {
            "command": "/dms",
            "text": "last month's sales by customer in a spreadsheet",
            "user_id": "UMGR0001",
            "channel_id": "C0PUBLIC",
            "response_url": fake.response_url,
            "trigger_id": "t",
            "team_id": "T0001",
        }
        h.post(urlencode(body).encode(), "application/x-www-form-urlencoded")
        [shared] = fake.shared
        assert shared["channel"] == "DMGR0001" and shared["channel"] != "C0PUBLIC"
        assert_sales_by_customer(sample, clock, "U-MGR-KA", shared["content"])
        said = [c["params"].get("text", "") for c in fake.calls if c["method"].startswith("response_url")]
        assert any("direct messages" in t for t in said)


def test_slack_says_so_when_an_upload_fails(sample, clock, llm):
    with FakeSlack() as fake:
        fake.failures["files.getUploadURLExternal"] = "not_allowed_token_type"
        h = slack(sample, clock, fake)
        script_export(llm)
        h.dm("UMGR0001", "sales by customer as excel")
        assert fake.shared == []
        assert "could not send the file" in fake.calls_to("chat.postMessage")[-1]["text"]


# --- Telegram ---------------------------------------------------------------------------------------


def test_telegram_sends_the_file_as_a_document(sample, clock, llm):
    with FakeTelegram() as fake:
        settings = TelegramSettings(bot_token=fake.token, webhook_secret="s", api_url=fake.url)
        router, _ = build_telegram(Assistant(sample, clock, model="openai:test-model"), sample, clock, settings)
        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as client:
            script_export(llm, {"report": "order-lines", "format": "csv", "period": OCTOBER})
            update = message_update(900101, "order lines of last month as csv")
            assert client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "s"}).status_code == 200
            [doc] = fake.sent("sendDocument", chat_id=900101)
            f = doc["document"]
            assert f["filename"] == "order-lines-2026-10-01-2026-10-31.csv"
            rows, _ = report_rows(
                sample, clock, "U-RET-101", "order-lines", start=date(2026, 10, 1), end=date(2026, 10, 31)
            )
            got = list(csv.DictReader(io.StringIO(f["content"].decode())))
            assert [(x["order_no"], x["sku"], Decimal(x["net"])) for x in got] == [(r[0], r[5], r[11]) for r in rows]
            assert {x["customer"] for x in got} == {"R-101"}
            assert fake.methods().index("sendMessage") < fake.methods().index("sendDocument")  # the words first


# --- web chat ---------------------------------------------------------------------------------------


def test_web_chat_links_the_file_for_the_same_user_only(sample, clock, llm):
    api = Api(sample, clock)
    api.client.app.state.assistant = Assistant(sample, clock, model="openai:test-model")
    script_export(llm)
    chat = api.client.post(
        "/api/chat", json={"text": "sales by customer for last month in excel"}, headers=api.as_("U-MGR-KA")
    )
    assert chat.status_code == 200
    [link] = chat.json()["files"]
    assert (link["name"], link["media_type"]) == (SALES_FILE, XLSX) and link["url"].startswith("/api/files/")
    got = api.client.get(link["url"], headers=api.as_("U-MGR-KA"))
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert got.headers["content-disposition"].startswith(f'attachment; filename="{SALES_FILE}"')
    assert link["size"] == len(got.content)
    assert_sales_by_customer(sample, clock, "U-MGR-KA", got.content)
    # another user, no token, a made-up id: nothing
    assert api.client.get(link["url"], headers=api.as_("U-ADM")).status_code == 404
    assert api.client.get(link["url"]).status_code == 401
    assert api.client.get("/api/files/" + "x" * 32, headers=api.as_("U-MGR-KA")).status_code == 404
    assert (
        api.client.get(link["url"], headers=api.as_("U-ADM")).json()
        == api.client.get("/api/files/nope", headers=api.as_("U-ADM")).json()
    )
    # a reply without files has an empty list
    llm.script(text("Hello."))
    assert api.client.post("/api/chat", json={"text": "hi"}, headers=api.as_("U-MGR-KA")).json()["files"] == []


def test_web_files_expire():
    from agent.reply import Attachment

    now = [1000.0]
    store = FileStore(ttl=60, max_bytes=10, now=lambda: now[0])
    key = store.put("U-1", Attachment("a.csv", "text/csv", b"12345"))
    assert store.get("U-1", key).content == b"12345" and store.get("U-2", key) is None
    now[0] += 61
    assert store.get("U-1", key) is None
    first = store.put("U-1", Attachment("a.csv", "text/csv", b"123456"))
    second = store.put("U-1", Attachment("b.csv", "text/csv", b"123456"))  # past 10 bytes: the oldest goes
    assert store.get("U-1", first) is None and store.get("U-1", second) is not None


def test_web_files_expire_in_the_app(sample, clock, llm):
    api = Api(sample, clock)
    api.client.app.state.assistant = Assistant(sample, clock, model="openai:test-model")
    now = [time.monotonic()]
    api.client.app.state.files = FileStore(ttl=30, now=lambda: now[0])
    script_export(llm)
    [link] = api.client.post("/api/chat", json={"text": "sales as xlsx"}, headers=api.as_("U-ADM")).json()["files"]
    assert api.client.get(link["url"], headers=api.as_("U-ADM")).status_code == 200
    now[0] += 31
    assert api.client.get(link["url"], headers=api.as_("U-ADM")).status_code == 404


# --- the terminal chat ----------------------------------------------------------------------------


@pytest.mark.db
def test_terminal_chat_saves_the_file_and_says_where(sample, clock, llm, tmp_path, monkeypatch):
    from channels.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", NOW.isoformat())
    monkeypatch.setenv("DMS_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "files"
    out.mkdir()
    (out / SALES_FILE).write_bytes(b"an older file")
    script_export(llm)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            ["chat", "--as", "U-MGR-KA", "--model", "openai:test-model", "--out", str(out)],
            input="send me last month's sales by customer as Excel\nexit\n",
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    saved = out / "sales-2026-10-01-2026-10-31 (2).xlsx"  # the older file is kept
    assert f"Saved {saved}\n" in result.output
    assert (out / SALES_FILE).read_bytes() == b"an older file"
    assert_sales_by_customer(sample, clock, "U-MGR-KA", saved.read_bytes())


def test_the_fake_slack_takes_a_file_only_as_declared():
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        made = client.files_upload_v2(channel="D1", content=b"a,b\r\n1,2\r\n", filename="x.csv", title="x.csv")
        assert made["ok"] and made["file"]["id"] == fake.shared[0]["id"]
        assert (fake.shared[0]["content"], fake.shared[0]["channel"]) == (b"a,b\r\n1,2\r\n", "D1")
        with pytest.raises(SlackApiError, match="file_not_found"):  # completing an upload that never came
            client.files_completeUploadExternal(files=[{"id": "F404", "title": "x"}], channel_id="D1")


# --- the offline planner's words for files ------------------------------------------------------


def test_the_offline_planner_reads_a_report_asked_for_as_a_file(sample, clock):
    a = Assistant(sample, clock)
    cases = [
        ("send me last month's sales as Excel", "sales", "xlsx", {"period": "2026-10-01"}),
        ("sales by customer this month in a spreadsheet", "sales", "xlsx", {"by": "customer"}),
        ("last month sales by brand csv mein bhejo", "sales", "csv", {"by": "brand"}),
        ("how many orders last month as csv", "orders", "csv", {"period": "2026-10-01"}),
        ("order lines of last month as csv", "order-lines", "csv", {"period": "2026-10-01"}),
    ]
    for i, (said, report, fmt, more) in enumerate(cases):
        r = a.handle(Turn("U-MGR-KA", "web", f"f{i}"), said)
        [call] = r.tool_calls
        assert call.name == "export_report" and (call.args["report"], call.args["format"]) == (report, fmt), said
        for k, v in more.items():
            got = call.args[k]["start"] if k == "period" else call.args[k]
            assert got == v, (said, call.args)
        [f] = r.attachments
        assert f.filename.startswith(report) and f.filename.endswith("." + fmt) and f.filename in r.text


def test_send_that_as_a_file_takes_the_last_report(sample, clock):
    a = Assistant(sample, clock)
    turn = Turn("U-MGR-KA", "web", "that")
    first = a.handle(turn, "sales by customer last month")
    assert [c.name for c in first.tool_calls] == ["sales_report"] and not first.attachments
    r = a.handle(turn, "xlsx bhejo")
    [call] = r.tool_calls
    assert call.args["report"] == "sales" and call.args["by"] == "customer"
    assert call.args["period"]["start"] == "2026-10-01"
    [f] = r.attachments
    assert_sales_by_customer(sample, clock, "U-MGR-KA", f.content)
    again = a.handle(turn, "send that as csv")
    assert again.tool_calls[0].args["format"] == "csv" and again.attachments[0].filename.endswith(".csv")
    assert Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "new"), "excel").outcome == "clarify"


def test_a_file_no_report_gives_is_answered_in_the_chat_saying_so(sample, clock):
    r = Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "o"), "price of crunchy cream 100g as excel")
    assert [c.name for c in r.tool_calls] == ["product_details"] and not r.attachments
    assert "I can send these reports as a file" in r.text and "Crunchy Cream 100g" in r.text


def test_a_name_with_a_file_word_in_an_order_stays_an_order(sample, clock):
    a = Assistant(sample, clock)
    r = a.handle(Turn("U-MGR-KA", "web", "x"), "2 boxes of crunchy cream 100g for Ganesh Provisions in excel")
    assert r.outcome == "preview" and r.tool_calls[0].name == "create_order"


def test_a_warehouse_asking_sales_as_a_file_is_refused_by_the_core(sample, clock):
    r = Assistant(sample, clock).handle(Turn("U-WH-1", "web", "w"), "sales as excel")
    assert r.outcome == "refused" and "may not see sales reports" in r.text and not r.attachments


def test_telegram_file_from_the_offline_planner(sample, clock):
    with FakeTelegram() as fake:
        settings = TelegramSettings(bot_token=fake.token, webhook_secret="s", api_url=fake.url)
        router, _ = build_telegram(Assistant(sample, clock), sample, clock, settings)
        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as client:
            update = message_update(900101, "my order lines in excel")
            assert client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "s"}).status_code == 200
            [doc] = fake.sent("sendDocument", chat_id=900101)
            assert doc["document"]["filename"] == "order-lines.xlsx"
            _, rows = xlsx_rows(doc["document"]["content"])
            assert {r[2] for r in rows[:-1]} == {"R-101"} and rows[-1][0] == "Total"
