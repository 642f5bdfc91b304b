"""One reply structure, read where it lands (issue 11): representative replies through each channel's
real path: Telegram through python-telegram-bot to a fake Bot API, Slack through slack-bolt to a
fake Web API, the web chat's API, the terminal's Rich rendering; the browser is in
test_render_browser.py. The shared rule (channels/render.py) decides which rows a chat app shows."""

import hashlib
import hmac
import io
import json
import re
import time
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rich.console import Console

from agent.reply import Action, Reply, Table
from agent.runtime import Assistant
from channels.cli_chat import render as render_cli
from channels.render import display_width, told_rows, untold_table
from channels.slack import SlackChannel
from channels.telegram import SECRET_HEADER, build_telegram
from channels.telegram_format import LIMIT, PRE_WIDTH, units
from channels.telegram_format import render as render_telegram
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.settings import SlackSettings, TelegramSettings
from tests.fake_slack import FakeSlack
from tests.fake_telegram import FakeTelegram, message_update

GANESH = 900103  # U-RET-103 in the sample world, linked to Telegram
SLACK_USER = "UREP0001"  # a sales rep in the sample world, linked to Slack
LINE_MAX = 60  # characters of a Telegram line outside <pre> that does not come from the reply's text

# --- representative replies ----------------------------------------------------------------------
BUCKETS = ["not yet due", "1-30 days late", "31-60 days late", "61-90 days late", "over 90 days late"]
NAMES = [
    "Anand Kirana Store",
    "Fresh Mart",
    "Ganesh Provisions",
    "New Star Supermarket",
    "Murugan Stores",
    "Old Town Traders",
    "Sri Lakshmi Distributors",
    "Chennai Traders",
    "Lucky General Store",
    "Shah & Sons <Wholesale>",
    "Balaji Agencies",
    "Kaveri Stores 🛒",
    "Sai Ram Provisions",
    "Mahalakshmi Super Bazaar and Departmental Store",
    "Raj Traders",
    "Om Sakthi Stores",
    "Vinayaka Mart",
    "Green Leaf Organics",
    "Karnataka Co-operative Consumers' Society",
    "Sri Venkateshwara Enterprises",
]


def outstanding(n: int = 30, listed: int = 20) -> Reply:
    """The outstanding report as the tool writes it: ten columns, its text listing the first 20 rows."""
    rows = []
    for i in range(n):
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}")
        owed = 1000 + 997 * i * 13 % 90000 + 0.4
        over = round(owed * (i % 3) / 3, 2)
        ages = [owed - over, over, 0, 0, 0] if i % 2 else [owed - over, 0, over, 0, 0]
        rows.append(
            [f"R-{101 + i}", name, f"{owed:.2f}", f"{50000 + 1000 * i:.2f}", f"{over:.2f}", *[f"{a:.2f}" for a in ages]]
        )
    total = sum(float(r[2]) for r in rows)
    text = f"{n} customers owe Rs {total:,.2f} in all:\n" + "\n".join(
        f"- {r[1]} ({r[0]}): Rs {float(r[2]):,.2f}" + (f", overdue Rs {float(r[4]):,.2f}" if float(r[4]) else "")
        for r in rows[:listed]
    )
    return Reply(
        text, table=Table(["Code", "Customer", "Outstanding", "Credit limit", "Overdue", *BUCKETS], rows, "Outstanding")
    )


PREVIEW = [Action("confirm", "Confirm", "p1"), Action("cancel", "Cancel", "p1")]
ORDER = Reply(
    "Dispatch order SO-0905 to Anand Kirana Store from WH-BLR. An invoice of ₹3,463.20 will be due on "
    "2026-12-05.\nReply yes to confirm or no to cancel.",
    outcome="preview",
    table=Table(
        ["Code", "Product", "Qty"],
        [
            ["CC-200", "Crunchy Cream 200g", "72 PCS (1 CASE)"],
            ["GD-1L", "GoldDrop Sunflower Oil 1L", "12 PCS (1 CASE)"],
            ["ST-1K", "Sunleaf Tea 1kg", "12 PCS (1 CASE)"],
        ],
        "Order SO-0905",
    ),
    actions=PREVIEW,
    awaiting_confirmation=True,
)
NARROW = Reply(
    "Cancel order SO-0908 of New Star Supermarket? Reply yes or no.",
    outcome="preview",
    table=Table(
        ["Code", "Product", "Qty"],
        [["ST-1K", "Sunleaf Tea 1kg", "12 PCS"], ["NS-100", "Neem Soap", "144 PCS"]],
        "Order SO-0908",
    ),
)
PLAIN = Reply("No orders are waiting for your approval.")
SPECIAL = Reply(
    "Prices for Tea & Co <b>not bold</b> 🍵 are < Rs 500 & > Rs 100 ✅\nAsk again 👍 <a href='x'>link</a>",
    table=Table(
        ["Code", "Name", "Price"],
        [["T<1>", "Tea & Co 🍵", "120.00"], ["T&2", "<script>alert(1)</script>", "99.50"]],
        "Tea & <co>",
    ),
)
LONG = Reply(
    "\n".join(f"- Item {i} & more 🍵: Rs {i},000.00 <net>" for i in range(300)),
    table=Table(
        [f"Column {c}" for c in range(6)],
        [[f"K-{r}"] + [f"value {r}.{c} & <x>" for c in range(1, 6)] for r in range(120)],
        "Big",
    ),
)
REPLIES = {
    "outstanding": outstanding(),
    "order": ORDER,
    "narrow": NARROW,
    "plain": PLAIN,
    "special": SPECIAL,
    "long": LONG,
}


class Canned:
    """An assistant that answers each message with its prepared reply (the channels' real paths stay)."""

    def __init__(self, replies: dict[str, Reply]):
        self.replies = replies

    def handle(self, turn, text):
        return self.replies[text]


# --- the shared rule --------------------------------------------------------------------------------
def test_rows_the_text_tells_are_found():
    r = outstanding()
    assert told_rows(r.text, r.table) == [True] * 20 + [False] * 10
    shown = untold_table(r)
    assert [row[0] for row in shown.rows] == [f"R-{i}" for i in range(121, 131)]
    assert shown.title == "Outstanding (10 more)" and shown.columns == r.table.columns
    # a single mention of a key (or of a common word) is not the row
    t = Table(
        ["Code", "Customer", "Total"], [["R-101", "Anand Kirana Store", "9576.00"], ["R-102", "Fresh Mart", "12.00"]]
    )
    assert told_rows("Ask R-101 about Fresh Mart.\nAnand Kirana Store", t) == [False, False]
    assert told_rows("Anand Kirana Store owes ₹9,576.00", t) == [True, False]  # thousands separators
    assert told_rows("R-1010 Anand Kirana Stores 9576.001", t) == [False, False]  # whole words only
    # a row with one distinctive cell needs all its cells on one line
    status = Table(["Status", "Orders"], [["confirmed", "2"], ["delivered", "5"]])
    assert told_rows("confirmed: 2\ndelivered: 4", status) == [True, False]
    # a label (or code) and its value: the value is what is told
    offers = Table(["Code", "Offer"], [["SCH-1", "Brisk: 7% off 200 pcs or more"], ["SCH-2", "Tea: 5% off a case"]])
    assert told_rows("Offers:\n- Brisk: 7% off 200 pcs or more (for everyone)", offers) == [True, False]
    assert untold_table(PLAIN) is None and untold_table(Reply("x", table=Table(["a"], []))) is None
    assert untold_table(ORDER).rows == ORDER.table.rows and untold_table(ORDER).title == "Order SO-0905"


# --- Telegram ----------------------------------------------------------------------------------------
TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "tg-spoiler",
    "blockquote",
    "span",
}


class TelegramHTML(HTMLParser):
    """Telegram's HTML: its tags only, each closed in order, entities as named ones, no bare < > &.
    `lines` are what the reader sees: (text, inside <pre>)."""

    def __init__(self, message: str):
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.parts: list[tuple[str, bool]] = []
        self.feed(message)
        self.close()
        assert not self.stack, f"unclosed {self.stack} in {message!r}"
        self.lines: list[tuple[str, bool]] = []
        text, pre = "", False
        for part, in_pre in self.parts:
            for n, piece in enumerate(part.split("\n")):
                if n:
                    self.lines.append((text, pre))
                    text, pre = "", False
                text += piece
                pre = pre or (in_pre and bool(piece))
        self.lines.append((text, pre))
        self.text = "".join(p for p, _ in self.parts)

    def handle_starttag(self, tag, attrs):
        assert tag in TELEGRAM_TAGS and not attrs, tag
        assert not (tag == "pre" and "pre" in self.stack)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        assert not re.search(r"[<>&]", data), f"bare character in {data!r}"
        self.parts.append((data, "pre" in self.stack))

    def handle_entityref(self, name):
        assert name in ("lt", "gt", "amp", "quot"), name
        self.parts.append(({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name], "pre" in self.stack))

    def handle_charref(self, name):
        self.parts.append((chr(int(name[1:], 16) if name[0] in "xX" else int(name)), "pre" in self.stack))

    def unknown_decl(self, data):
        raise AssertionError(data)


def check_telegram(reply: Reply, messages: list[str]) -> str:
    """Every message within the limit and valid HTML; every line outside <pre> from the reply's text
    or at most LINE_MAX characters; every <pre> line within PRE_WIDTH columns. The visible text."""
    text_lines = {ln.strip() for ln in reply.text.splitlines()}
    seen = []
    for m in messages:
        assert units(m) <= LIMIT
        parsed = TelegramHTML(m)
        assert units(parsed.text) <= LIMIT
        for line, pre in parsed.lines:
            if pre:
                assert display_width(line) <= PRE_WIDTH, line
            else:
                assert line.strip() in text_lines or len(line) <= LINE_MAX, line
        seen.append(parsed.text)
    return "\n".join(seen)


@pytest.fixture
def telegram(sample, clock):
    with FakeTelegram() as fake:
        settings = TelegramSettings(bot_token=fake.token, webhook_secret="s", api_url=fake.url)
        router, _ = build_telegram(Canned(REPLIES), sample, clock, settings)
        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as client:

            def ask(key: str) -> list[dict]:
                before = len(fake.sent(chat_id=GANESH))
                r = client.post("/telegram/webhook", json=message_update(GANESH, key), headers={SECRET_HEADER: "s"})
                assert r.status_code == 200
                return fake.sent(chat_id=GANESH)[before:]

            yield ask


def test_telegram_wide_table_becomes_records_of_the_rows_the_text_does_not_tell(telegram):
    reply = REPLIES["outstanding"]
    sent = telegram("outstanding")
    assert all(m["parse_mode"] == "HTML" for m in sent)
    html = "\n".join(m["text"] for m in sent)
    seen = check_telegram(reply, [m["text"] for m in sent])
    for line in reply.text.splitlines():  # the text as written
        assert line in seen
    assert "<pre>" not in html and "<b>Outstanding (10 more)</b>" in html
    for row in reply.table.rows[:20]:  # told by the text: not again
        assert f"<b>{row[0]}</b>" not in html and seen.count(row[0]) == 1
    for row in reply.table.rows[20:]:  # the others as records: bold code, name beside it, label: value
        assert f"<b>{row[0]}</b>" in html
        record = seen[seen.index(row[0]) :].split("\n\n")[0]
        assert record.startswith(f"{row[0]} {row[1]}")
        for column, value in zip(reply.table.columns[2:], row[2:]):
            assert f"{column}: {value}" in record
    assert "<b>R-130</b> Shah &amp; Sons &lt;Wholesale&gt; 29" in html  # escaped inside records too


def test_telegram_small_tables_narrow_pre_or_one_line_records_and_buttons_last(telegram):
    sent = telegram("order")  # three columns, 43 wide: one record line per row
    assert len(sent) == 1
    check_telegram(ORDER, [sent[0]["text"]])
    assert sent[0]["text"].endswith(
        "<b>Order SO-0905</b>\n<b>CC-200</b> Crunchy Cream 200g · Qty: 72 PCS (1 CASE)\n"
        "<b>GD-1L</b> GoldDrop Sunflower Oil 1L · Qty: 12 PCS (1 CASE)\n"
        "<b>ST-1K</b> Sunleaf Tea 1kg · Qty: 12 PCS (1 CASE)"
    )
    keyboard = sent[0]["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in keyboard] == ["Confirm", "Cancel"]

    sent = telegram("narrow")  # fits 40 columns: an aligned <pre> table
    check_telegram(NARROW, [sent[0]["text"]])
    assert sent[0]["text"].endswith(
        "<b>Order SO-0908</b>\n<pre>Code    Product          Qty\n"
        "------  ---------------  -------\nST-1K   Sunleaf Tea 1kg  12 PCS\n"
        "NS-100  Neem Soap        144 PCS</pre>"
    )

    sent = telegram("plain")
    assert [m["text"] for m in sent] == [PLAIN.text] and "reply_markup" not in sent[0]


def test_telegram_escapes_markup_and_keeps_emoji(telegram):
    sent = telegram("special")
    seen = check_telegram(SPECIAL, [m["text"] for m in sent])
    html = sent[0]["text"]
    assert html.startswith(
        "Prices for Tea &amp; Co &lt;b&gt;not bold&lt;/b&gt; 🍵 are &lt; Rs 500 &amp; &gt; Rs 100 ✅"
    )
    assert "<b>Tea &amp; &lt;co&gt;</b>" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SPECIAL.text in seen and "T<1>" in seen and "<script>alert(1)</script>" in seen


def test_telegram_long_reply_is_split_between_lines_within_the_limit(telegram):
    sent = telegram("long")
    messages = [m["text"] for m in sent]
    assert len(messages) >= 4
    seen = check_telegram(LONG, messages)
    lines = seen.split("\n")
    for line in LONG.text.splitlines():  # every line once, whole, in order
        assert lines.count(line) == 1
    assert [ln for ln in lines if ln.startswith("- Item")] == LONG.text.splitlines()
    assert sum(f"<b>K-{r}</b>" in m for m in messages for r in range(50)) == 50  # each record in one message
    assert "<b>K-50</b>" not in "".join(messages) and "… and 70 more rows." in seen
    assert all("reply_markup" not in m for m in sent)


def test_telegram_cuts_lines_longer_than_a_message_at_a_space_not_inside_an_entity():
    reply = Reply(" ".join(["word&<🍵>"] * 2000))
    messages, _ = render_telegram(reply)
    assert len(messages) > 1
    for m in messages:
        assert units(m) <= LIMIT
        TelegramHTML(m)
    assert " ".join(TelegramHTML(m).text for m in messages) == reply.text


class Recorded:
    """The real assistant, keeping each reply it gave (to tell its text from what a channel adds)."""

    def __init__(self, assistant):
        self.assistant, self.replies = assistant, []

    def __getattr__(self, name):
        method = getattr(self.assistant, name)

        def call(*args, **kwargs):
            reply = method(*args, **kwargs)
            self.replies.append(reply)
            return reply

        return call


def test_telegram_real_assistant_replies_read_on_a_phone(sample, clock):
    """The real assistant's replies in the sample world: text as written, no table again."""
    with FakeTelegram() as fake:
        settings = TelegramSettings(bot_token=fake.token, webhook_secret="s", api_url=fake.url)
        assistant = Recorded(Assistant(sample, clock))
        router, _ = build_telegram(assistant, sample, clock, settings)
        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as client:
            for text in (
                "show my orders",
                "what is my outstanding",
                "I want 2 cases of Sunleaf tea 250g",
                "no",
                "show offers",
                "is Crunchy Cream 100g in stock?",
            ):
                before = len(fake.sent(chat_id=GANESH))
                client.post("/telegram/webhook", json=message_update(GANESH, text), headers={SECRET_HEADER: "s"})
                sent = fake.sent(chat_id=GANESH)[before:]
                reply = assistant.replies[-1]
                seen = check_telegram(reply, [m["text"] for m in sent])
                for line in reply.text.splitlines():
                    assert line.strip() in seen
                if reply.table is not None:
                    for row, told in zip(reply.table.rows, told_rows(reply.text, reply.table)):
                        assert (seen.count(row[0]) == reply.text.count(row[0])) if told else row[0] in seen
                if text == "show my orders":
                    assert seen.count("SO-0904") == 1  # listed once by the text, not again in a table
    assert len(assistant.replies) == 6


# --- Slack ------------------------------------------------------------------------------------------
SLACK_SECRET = "render-secret"


@pytest.fixture
def slack(sample, clock):
    with FakeSlack() as fake:
        channel = SlackChannel(
            Canned(REPLIES),
            sample,
            clock,
            SlackSettings(bot_token="xoxb-test", signing_secret=SLACK_SECRET, api_url=fake.url, rate_per_minute=100),
        )
        app = FastAPI()
        app.include_router(channel.router)
        http = TestClient(app)
        n = iter(range(1, 10**6))

        def ask(key: str) -> dict:
            before = len(fake.calls_to("chat.postMessage"))
            i = next(n)
            body = json.dumps(
                {
                    "token": "t",
                    "team_id": "T0001",
                    "api_app_id": "A0001",
                    "type": "event_callback",
                    "event_id": f"EvR{i:04d}",
                    "event_time": int(time.time()),
                    "event": {
                        "type": "message",
                        "channel_type": "im",
                        "channel": "D0001",
                        "user": SLACK_USER,
                        "text": key,
                        "ts": f"1700000000.{i:06d}",
                    },
                }
            ).encode()
            ts = str(int(time.time()))
            sig = "v0=" + hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
            r = http.post(
                "/slack/events",
                content=body,
                headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig},
            )
            assert r.status_code == 200 and channel.drain()
            return fake.wait_for("chat.postMessage", before + 1)[before]

        yield SimpleNamespace(ask=ask, channel=channel)


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if b.get("text"):
            out.append(b["text"]["text"])
        out += [f["text"] for f in b.get("fields", [])]
    return out


def check_slack(post: dict) -> str:
    """Within Block Kit's limits; every text escaped (no bare < >, & only in entities). The texts."""
    blocks = post["blocks"]
    assert 1 <= len(blocks) <= 50
    assert 1 <= len(post["text"]) <= 3000
    for b in blocks:
        assert b["type"] in ("section", "actions")
        if b["type"] == "section":
            assert 1 <= len(b["text"]["text"]) <= 3000 and b["text"]["type"] == "mrkdwn"
            assert len(b.get("fields", [])) <= 10 and all(1 <= len(f["text"]) <= 2000 for f in b.get("fields", []))
    assert [b["type"] for b in blocks].count("actions") <= 1 and all(b["type"] != "actions" for b in blocks[:-1])
    for t in mrkdwn_texts(blocks) + [post["text"]]:
        assert not re.search(r"[<>]|&(?!(amp|lt|gt);)", t), t
    return "\n".join(mrkdwn_texts(blocks))


def slack_esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_slack_text_as_written_then_the_rows_it_does_not_tell(slack):
    reply = REPLIES["outstanding"]
    post = slack.ask("outstanding")
    texts = check_slack(post)
    assert post["text"] == slack_esc(reply.text)
    for line in reply.text.splitlines():
        assert slack_esc(line) in texts
    assert "*Outstanding (10 more)*" in texts
    for row in reply.table.rows[:20]:
        assert f"*{row[0]}*" not in texts
    for row in reply.table.rows[20:]:
        assert f"*{row[0]}*\nCustomer: {slack_esc(row[1])} · Outstanding: {row[2]}" in texts


def test_slack_few_rows_as_fields_narrow_as_code_block_buttons_last(slack):
    post = slack.ask("order")
    check_slack(post)
    blocks = post["blocks"]
    rows = [b for b in blocks if b.get("fields")]
    assert [b["text"]["text"] for b in rows] == ["*CC-200*", "*GD-1L*", "*ST-1K*"]
    assert [f["text"] for f in rows[1]["fields"]] == ["*Product*\nGoldDrop Sunflower Oil 1L", "*Qty*\n12 PCS (1 CASE)"]
    assert blocks[-1]["type"] == "actions"
    assert [(e["action_id"], e["value"]) for e in blocks[-1]["elements"]] == [
        ("dms_confirm", "p1"),
        ("dms_cancel", "p1"),
    ]

    post = slack.ask("narrow")
    check_slack(post)
    code = post["blocks"][-1]["text"]["text"]
    assert code.startswith("```\n") and "NS-100  Neem Soap        144 PCS" in code
    assert max(len(ln) for ln in code.split("\n")) <= 36

    post = slack.ask("plain")
    assert check_slack(post) == PLAIN.text and post["text"] == PLAIN.text

    post = slack.ask("special")
    texts = check_slack(post)
    assert "Tea &amp; Co &lt;b&gt;not bold&lt;/b&gt; 🍵" in texts and "&lt;script&gt;alert(1)&lt;/script&gt;" in texts


def test_slack_long_replies_stay_within_the_limits_and_keep_their_buttons(slack):
    post = slack.ask("long")
    texts = check_slack(post)
    assert "K-39" in texts and "_…and 80 more_" in texts  # 40 rows as cards, then how many more
    from channels.slack import render_reply

    huge = Reply(
        "\n".join(f"line {i} & <more>" for i in range(20000)),
        outcome="preview",
        actions=PREVIEW,
        table=Table(["a", "b"], [["x" * 50, "y" * 3000]] * 3),
    )
    text, blocks = render_reply(huge)
    check_slack({"text": text, "blocks": blocks})
    assert len(blocks) == 50 and blocks[-1]["type"] == "actions" and text.endswith("…")
    assert "does not fit in one Slack message" in blocks[-2]["text"]["text"]


# --- web API --------------------------------------------------------------------------------------
def test_web_api_sends_the_whole_table_and_the_text_as_written(sample, clock):
    with transaction(sample) as s:
        token = issue_token(s, "U-RET-101", clock=clock)
    with TestClient(create_app(sample, clock, Canned(REPLIES))) as client:
        auth = {"Authorization": f"Bearer {token}"}
        session = client.post("/api/signin", headers=auth).json()["session"]
        for key, reply in REPLIES.items():
            body = client.post("/api/chat", json={"text": key}, headers={**auth, "X-Chat-Session": session}).json()
            assert body["text"] == reply.text  # the page shows it with textContent: never as HTML
            if reply.table is None:
                assert body["table"] is None
            else:  # all of it, told rows too: a web page has the room, and it scrolls sideways
                assert body["table"] == {
                    "title": reply.table.title,
                    "columns": reply.table.columns,
                    "rows": reply.table.rows,
                }


def test_web_page_script_builds_tables_with_text_only():
    from channels.web.app import STATIC

    js = (STATIC / "chat.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "table-box" in js
    css = (STATIC / "chat.css").read_text()
    assert re.search(r"\.table-box\s*{[^}]*overflow-x:\s*auto", css)


# --- terminal -------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [60, 80, 200])
def test_terminal_rich_tables_fit_the_terminal_and_never_break_a_number(width):
    for key, reply in REPLIES.items():
        out = Console(width=width, file=io.StringIO(), color_system=None)
        render_cli(reply, out)
        shown = out.file.getvalue()
        assert all(display_width(ln) <= width for ln in shown.splitlines()), key
        assert "<b>not bold</b>" in shown or key != "special"  # text, never markup
        if reply.table is None:
            continue
        for row in reply.table.rows:
            for cell in row:
                if re.fullmatch(r"[\d.]+", cell) or width == 200:
                    assert cell in shown, (key, cell)  # numbers whole at any width
        parts = len(re.findall(rf"^{re.escape(reply.table.title)}( \(\d+/\d+\))?\s*$", shown, re.M))
        if width == 200 or key not in ("outstanding", "long"):
            assert parts == 1, key
        else:  # too many columns for the terminal: groups of columns, each with the first column again
            assert parts > 1 and f"{reply.table.title} (1/{parts})" in shown
            last = reply.table.rows[-1][0]
            assert shown.count(last) == parts
