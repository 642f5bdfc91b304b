"""Notification words have one owner (channels/notices.py); channels only render them."""

import json

from channels.notices import WORDS, notice_text
from channels.slack import SlackChannel
from channels.telegram import notification_html
from core.tables.audit import OutboxMessage


def message(event: str, **payload) -> OutboxMessage:
    return OutboxMessage(event=event, recipient="U", payload=json.dumps(payload))


def test_each_channel_renders_the_owners_words():
    status = message("order_status", order_no="SO-7", status="out_for_delivery", total="1200.5")
    assert notice_text(status) == "Your order SO-7 is now out for delivery, ₹1,200.50."
    assert notice_text(status, "telegram") == "Order SO-7 is now out for delivery (total ₹1,200.50)."
    assert notification_html(status) == "Order <b>SO-7</b> is now <b>out for delivery</b> (total ₹1,200.50)."
    slack_text, blocks = SlackChannel.render_notification(None, status)  # no approval: nothing to look up
    assert slack_text == notice_text(status, "slack") == "Order SO-7 is now out for delivery."
    assert blocks[0]["text"]["text"] == slack_text


def test_events_without_words_of_their_own_say_their_values_escaped():
    invoice = message("invoice", invoice_no="INV-1", customer="A & B <x>")
    assert notice_text(invoice) == "invoice: customer A & B <x>, invoice_no INV-1"
    assert notification_html(invoice) == "invoice: customer: A &amp; B &lt;x&gt;, invoice_no: INV-1"
    assert all("*" in words for words in WORDS.values())
