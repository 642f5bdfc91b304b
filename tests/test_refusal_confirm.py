"""A user whose role or scope changed between a preview and their "yes" gets a refusal (outcome
`refused`, a sentence saying why), never "something went wrong"; nothing changes, and the
preview cannot be confirmed afterwards, by a "yes", the button or the web API."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from agent.runtime import Assistant, Turn
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.settings import ServerSettings
from core.state import snapshot
from core.tables.parties import User

PAYMENT = "record a payment of 5000 from Ganesh Provisions by UPI"
ORDER = "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g"


def change_user(engine, user_id: str, **values) -> None:
    with transaction(engine) as s:
        user = s.get(User, user_id)
        for k, v in values.items():
            setattr(user, k, v)
        s.add(user)


def preview(a: Assistant, turn: Turn, text: str) -> str:
    r = a.handle(turn, text)
    assert r.outcome == "preview", r.text
    return r.actions[0].value


@pytest.mark.parametrize("how", ["yes", "button"])
def test_a_demoted_user_is_refused_at_confirmation(sample, clock, how):
    a = Assistant(sample, clock)
    turn = Turn("U-MGR-KA", "slack", "c-" + uuid.uuid4().hex[:8])
    action = preview(a, turn, PAYMENT)
    before = snapshot(sample)
    change_user(sample, "U-MGR-KA", role="warehouse")  # warehouse staff may not record payments
    r = a.handle(turn, "yes") if how == "yes" else a.confirm(turn, action)
    assert r.outcome == "refused", r.text
    assert "may no longer record payments" in r.text and "Nothing was changed" in r.text
    assert "went wrong" not in r.text
    assert snapshot(sample) == before
    assert not a.awaiting_confirmation(turn)
    change_user(sample, "U-MGR-KA", role="manager")  # promoted back: the old preview stays dead
    assert a.confirm(turn, action).outcome != "done" and a.handle(turn, "yes").outcome != "done"
    assert snapshot(sample) == before


def test_a_user_moved_out_of_the_customers_region_is_refused(sample, clock):
    a = Assistant(sample, clock)
    turn = Turn("U-MGR-KA", "slack", "c-" + uuid.uuid4().hex[:8])
    preview(a, turn, ORDER)
    before = snapshot(sample)
    change_user(sample, "U-MGR-KA", regions="TN")  # Ganesh Provisions (Mysuru) is no longer theirs
    r = a.handle(turn, "yes")
    assert r.outcome == "refused" and "not among the customers you can see" in r.text, r.text
    assert snapshot(sample) == before and not a.awaiting_confirmation(turn)


def test_the_web_confirm_button_refuses_a_demoted_user(sample, clock):
    app = create_app(sample, clock, Assistant(sample, clock), server=ServerSettings(rate_limit_per_minute=100))
    with transaction(sample) as s:
        token = issue_token(s, "U-MGR-KA")
    headers = {"Authorization": f"Bearer {token}", "X-Chat-Session": "s1"}
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"text": PAYMENT}, headers=headers)
        assert r.status_code == 200 and r.json()["outcome"] == "preview"
        action = r.json()["actions"][0]["value"]
        before = snapshot(sample)
        change_user(sample, "U-MGR-KA", role="warehouse")
        r = client.post("/api/confirm", json={"action_id": action}, headers=headers)
        assert r.status_code == 200 and r.json()["outcome"] == "refused", r.text
        assert "may no longer record payments" in r.json()["text"]
        assert snapshot(sample) == before


def test_a_user_removed_after_the_preview_is_refused(sample, clock):
    a = Assistant(sample, clock)
    turn = Turn("U-MGR-KA", "slack", "c-" + uuid.uuid4().hex[:8])
    action = preview(a, turn, PAYMENT)
    before = snapshot(sample)
    with transaction(sample) as s:
        s.delete(s.get(User, "U-MGR-KA"))
    assert a.confirm(turn, action).outcome == "refused"
    assert a.handle(turn, "yes").outcome == "refused"
    assert snapshot(sample) == before
    with Session(sample) as s:
        assert s.get(User, "U-MGR-KA") is None
