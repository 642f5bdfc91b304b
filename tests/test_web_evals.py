"""/admin/evals: an admin runs a suite from the web app (a real run of the offline planner in the
server's background thread), watches its progress, opens its report; one run at a time, across
processes too; everyone else gets what an unknown address gets; bad input starts nothing."""

import json
import re
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

import tests.racing as racing
from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.settings import ServerSettings, load_settings
from core.tables.audit import AuditEntry
from core.tables.evals import EvalRun
from evals import web_runs
from evals.scenario import load_paths
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "evals" / "sample"
NON_ADMINS = ["U-MGR-KA", "U-REP-1", "U-WH-1", "U-DIST-BLR", "U-RET-101"]


class Browser:
    """One signed-in browser session (the sign-in form, cookies, the page's CSRF token)."""

    def __init__(self, client: TestClient, engine, clock, user: str):
        self.client = client
        with transaction(engine) as s:
            token = issue_token(s, user, clock=clock)
        page = client.get("/signin")
        nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = client.post("/signin", data={"token": token, "csrf": nonce}, follow_redirects=False)
        assert r.status_code == 303, r.text
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/dashboard").text).group(1)

    def start(self, suite: str, model: str = "offline", csrf: str | None = None):
        data = {"suite": suite, "model": model, "csrf": self.csrf if csrf is None else csrf}
        return self.client.post("/admin/evals", data=data, follow_redirects=False)


@pytest.fixture
def make_client(sample, clock, tmp_path):
    clients = []

    def make(*suites: Path) -> TestClient:
        settings = load_settings(data_dir=tmp_path / "data", eval_suites=list(suites))
        server = ServerSettings(signin_failures_per_minute=1000)
        client = TestClient(create_app(sample, clock, Assistant(sample, clock), settings, server=server))
        clients.append(client)
        return client

    yield make
    # a run still going must not outlive its database
    wait_until_idle(sample)
    for c in clients:
        c.close()


def runs(engine) -> list[EvalRun]:
    with Session(engine) as s:
        return list(s.exec(select(EvalRun).order_by(col(EvalRun.id))))


def audits(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)))


def wait_until_idle(engine, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while any(r.status == "running" for r in runs(engine)):
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.5)


def error_line(html: str) -> str:
    m = re.search(r'<p class="error" role="alert" id="eval-error">([^<]*)</p>', html)
    assert m, html
    return unescape(m.group(1))


def test_admin_runs_the_sample_suite_and_opens_its_report(make_client, sample, clock):
    client = make_client(SAMPLE)
    admin = Browser(client, sample, clock, "U-ADM")
    page = client.get("/admin/evals")
    assert page.status_code == 200 and '<option value="evals/sample"' in page.text and "No runs yet." in page.text
    ids = [s.id for s in load_paths([SAMPLE])]
    assert len(ids) == 21

    r = admin.start("evals/sample")
    assert r.status_code == 303, r.text
    run_url = r.headers["location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    # a second start while it runs is refused in one line and starts nothing
    again = admin.start("evals/sample")
    assert again.status_code == 409
    line = error_line(again.text)
    assert line.startswith("An evaluation run is already going") and f"run {run_id}" in line and "\n" not in line
    assert len(runs(sample)) == 1

    page = client.get(run_url)
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.text
    seen = set()
    deadline = time.monotonic() + 600
    while True:
        fragment = client.get(run_url + "/progress")
        assert fragment.status_code == 200
        status = re.search(r'data-status="(\w+)"', fragment.text).group(1)
        seen.add(int(re.search(r"(\d+) of 21 scenarios run", fragment.text).group(1)))
        if status != "running":
            break
        assert 'hx-trigger="every 1s"' in fragment.text and time.monotonic() < deadline
        time.sleep(0.5)
    assert status in ("passed", "failed") and "hx-trigger" not in fragment.text  # polling stops
    assert 21 in seen and len(seen) > 1  # the count moved while we watched
    (run,) = runs(sample)
    assert (run.done, run.total) == (21, 21) and run.finished_at == clock.now() and run.started_by == "U-ADM"
    rate = f"{100 * run.passed / 21:.1f}%"
    assert f'<b id="eval-rate">{rate}</b>' in fragment.text
    failing = json.loads(run.failures)
    assert status == ("passed" if not failing else "failed")
    for f in failing:  # the failing ones with their first failure
        assert f["id"] in fragment.text

    report = client.get(run_url + "/report.html")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    csp = report.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    assert all(i in report.text for i in ids)
    assert "http://" not in report.text and "https://" not in report.text  # nothing from the internet
    data = client.get(run_url + "/report.json")
    assert data.status_code == 200 and "attachment" in data.headers["content-disposition"]
    assert data.json()["passed"] == run.passed and data.json()["total"] == 21
    md = client.get(run_url + "/report.md")
    assert md.status_code == 200 and md.text.startswith("# Evaluation report")
    assert client.get(run_url + "/report.exe").status_code == 404

    listing = client.get("/admin/evals").text
    row = re.search(rf'<tr data-run="{run_id}">.*?</tr>', listing, re.S).group(0)
    assert "evals/sample" in row and "U-ADM" in row and rate in row and "report.html" in row
    (started,) = audits(sample, "eval_run.started")
    assert (started.user_id, started.channel, started.entity_id, started.at) == (
        "U-ADM",
        "web",
        str(run_id),
        clock.now(),
    )
    assert json.loads(started.detail) == {"suite": "evals/sample", "model": "offline", "scenarios": 21}
    assert [a.entity_id for a in audits(sample, "eval_run.finished")] == [str(run_id)]


def test_other_roles_get_what_an_unknown_address_gets(make_client, sample, clock):
    client = make_client(SAMPLE)
    for user in NON_ADMINS:
        client.cookies.clear()
        b = Browser(client, sample, clock, user)
        unknown_get, unknown_post = client.get("/admin/nothing-here"), client.post("/admin/nothing-here")
        assert unknown_get.status_code == 404
        for path in (
            "/admin/evals",
            "/admin/evals/runs/1",
            "/admin/evals/runs/abc",
            "/admin/evals/runs/1/progress",
            "/admin/evals/runs/1/report.html",
            "/admin/evals/runs/1/report.json",
        ):
            r = client.get(path)
            assert (r.status_code, r.text, r.headers["content-type"]) == (
                unknown_get.status_code,
                unknown_get.text,
                unknown_get.headers["content-type"],
            ), (user, path)
        r = b.start("evals/sample")
        assert (r.status_code, r.text) == (unknown_post.status_code, unknown_post.text), user
        for method in ("PUT", "DELETE", "PATCH"):
            for path in ("/admin/evals", "/admin/evals/runs/1"):
                r, unknown = client.request(method, path), client.request(method, "/admin/nothing-here")
                assert (r.status_code, r.text) == (unknown.status_code, unknown.text), (user, method, path)
    assert runs(sample) == [] and audits(sample, "eval_run.started") == []
    # no one signed in: the sign-in page, as for every page of the app
    client.cookies.clear()
    r = client.get("/admin/evals", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=")


def test_a_start_without_the_csrf_token_is_refused(make_client, sample, clock):
    client = make_client(SAMPLE)
    admin = Browser(client, sample, clock, "U-ADM")
    for csrf in ("", "forged"):
        r = admin.start("evals/sample", csrf=csrf)
        assert r.status_code == 403 and "expired" in r.text
    assert runs(sample) == [] and audits(sample, "eval_run.started") == []


def test_unknown_suites_and_models_start_nothing(make_client, sample, clock):
    client = make_client(SAMPLE)
    admin = Browser(client, sample, clock, "U-ADM")
    for suite in ("evals/nope", "/etc", "../../../etc/passwd", str(ROOT / "evals" / "suites"), ""):
        r = admin.start(suite)
        assert r.status_code == 400 and error_line(r.text) == f"No suite named {suite!r} on this server."
    r = admin.start("evals/sample", model="openai:gpt-4o")
    assert r.status_code == 400 and error_line(r.text) == "This server does not run the model 'openai:gpt-4o'."
    assert runs(sample) == []


def test_a_suite_whose_files_do_not_load_starts_nothing(make_client, sample, clock, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("id: [unclosed\nturns: -\n", encoding="utf-8")
    (broken / "odd.yaml").write_text("id: odd\nworld: ./nowhere\nas: U-RET-1\nturns: []\n", encoding="utf-8")
    client = make_client(broken)
    admin = Browser(client, sample, clock, "U-ADM")
    label = web_runs.suites(client.app.state.settings)
    assert list(label.values()) == [broken.resolve()]
    r = admin.start(next(iter(label)))
    assert r.status_code == 400
    assert error_line(r.text).endswith(
        "problem(s) in the scenario files of " + next(iter(label)) + "; nothing was run."
    )
    problems = re.search(r'<ul class="eval-problems">(.*?)</ul>', r.text, re.S).group(1)
    assert "bad.yaml: not valid YAML" in problems and "odd.yaml" in problems
    assert runs(sample) == []


def test_suites_come_from_the_configured_folders(tmp_path):
    top = tmp_path / "scenarios"
    (top / "one").mkdir(parents=True)
    (top / "one" / "a.yaml").write_text("id: a\n")
    (top / "empty").mkdir()
    settings = load_settings(data_dir=tmp_path, eval_suites=[SAMPLE, top, tmp_path / "missing"])
    assert web_runs.suites(settings) == {"evals/sample": SAMPLE, (top / "one").as_posix(): top / "one"}
    default = load_settings(data_dir=tmp_path)
    found = web_runs.suites(default)
    assert found["evals/sample"] == SAMPLE and found["evals/suites"] == ROOT / "evals" / "suites"
    assert web_runs.models(default) == ["offline"] + ([default.model] if default.model != "offline" else [])


def test_a_run_whose_server_died_is_closed_by_the_next_start(sample, clock):
    first = web_runs.start(sample, clock, user_id="U-ADM", suite="evals/sample", model="offline", total=3)
    with pytest.raises(web_runs.RunRefused):
        web_runs.start(sample, clock, user_id="U-ADM", suite="evals/sample", model="offline", total=3)
    with transaction(sample) as s:  # its heartbeat stopped long ago
        s.execute(update(EvalRun).values(beat_at=web_runs.wall_now() - web_runs.STALE - timedelta(seconds=1)))
    second = web_runs.start(sample, clock, user_id="U-ADM", suite="evals/sample", model="offline", total=3)
    old, new = runs(sample)
    assert (old.id, old.status, old.finished_at) == (first.id, "error", clock.now()) and "stopped" in old.error
    assert (new.id, new.status) == (second.id, "running")
    assert [a.entity_id for a in audits(sample, "eval_run.abandoned")] == [str(first.id)]


# --- one running row, whatever the number of processes starting one at once ---------------------


def _eval_start(engine, clock, user):
    def go():
        return web_runs.start(engine, clock, user_id=user, suite="evals/sample", model="offline", total=21).id

    return go


racing.OPS["eval_start"] = _eval_start  # forked children inherit it


@pytest.mark.parametrize("trial", range(2))
def test_one_of_eight_simultaneous_starts_wins(databases, sample_template, trial):
    engine = databases.clone(sample_template)
    try:
        results = racing.race(engine.url_string, NOW, [("eval_start", ("U-ADM",))] * 8)
        assert [r.detail for r in results if r.kind == "error"] == []
        won = [r for r in results if r.kind == "won"]
        assert len(won) == 1, results
        assert all("already going" in r.detail for r in results if r.kind == "refused")
        (run,) = runs(engine)
        assert run.status == "running" and str(run.id) == won[0].detail
        assert [a.entity_id for a in audits(engine, "eval_run.started")] == [won[0].detail]
    finally:
        databases.release(engine)
