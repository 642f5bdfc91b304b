"""The admin section over HTTP: every other role refused exactly like an unknown page; a world
uploaded as a .zip (checked, every error listed with file, line and column, nothing written on
any error; hostile zips refused in one line; confirmed, then imported and audited as the admin on
channel web); users' tokens, sign-in links and sessions, each confirmed, audited and checked
against the API and the sign-in pages."""

import io
import re
import stat
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from channels.web.admin_import import MAX_ENTRIES, MAX_UNPACKED
from core.state import snapshot
from core.tables.audit import AuditEntry
from core.tables.catalogue import Brand
from core.tables.parties import User
from core.world import data_counts
from tests.api_helpers import Api
from tests.conftest import SAMPLE_WORLD

OTHERS = ["U-MGR-KA", "U-REP-1", "U-WH-1", "U-DIST-BLR", "U-RET-101"]
ADMIN_PATHS = ["/admin", "/admin/import", "/admin/users", "/admin/evals"]


@pytest.fixture
def api(sample, clock):
    return Api(sample, clock)


def sign_in(api: Api, user: str, client: TestClient | None = None) -> TestClient:
    """A browser signed in as the user through the form; returns its client."""
    c = client or api.client
    c.cookies.clear()
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)[1]
    token = api.as_(user)["Authorization"].split()[1]
    r = c.post("/signin", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def csrf(c: TestClient) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/dashboard").text)[1]


def world_zip(edits: dict[str, str] | None = None, folder: str | None = "sample", extra=None) -> bytes:
    """The sample world as a zip (in a folder, as people zip one), with some files' text replaced."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(SAMPLE_WORLD.rglob("*")):
            if f.is_file():
                rel = f.relative_to(SAMPLE_WORLD).as_posix()
                text = (edits or {}).get(rel, f.read_text())
                zf.writestr(f"{folder}/{rel}" if folder else rel, text)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def upload(c: TestClient, data: bytes, replace: bool = True, name: str = "world.zip", token: str | None = None):
    form = {"csrf": token if token is not None else csrf(c)} | ({"replace": "yes"} if replace else {})
    return c.post("/admin/import", data=form, files={"world": (name, data, "application/zip")})


def confirm(c: TestClient, page: str, **extra: str):
    key = re.search(r'name="key" value="([^"]+)"', page)[1]
    form = {"csrf": csrf(c), "key": key, "replace": "yes", "confirm": "yes"} | extra
    return c.post("/admin/import", data=form)


def state(engine) -> tuple:
    """What an import would change: the core's snapshot, counts, brands, tokens and the audit log."""
    with Session(engine) as s:  # closed before the snapshot's own (SQLite: one writer at a time)
        brands = sorted((b.code, b.name) for b in s.exec(select(Brand)))
        tokens = sorted((u.id, u.token_hash or "") for u in s.exec(select(User)))
        audit = len(s.exec(select(AuditEntry)).all())
        counts = data_counts(s)
    return snapshot(engine), counts, brands, tokens, audit


def audits(engine, action: str) -> list[AuditEntry]:
    """The audit rows of the action written from the web (the fixtures write theirs as cli, import)."""
    with Session(engine) as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.channel == "web")).all())


def brand_name(engine, code: str) -> str | None:
    with Session(engine) as s:
        b = s.get(Brand, code)
        return b.name if b else None


# --- who may see it ----------------------------------------------------------------------------------


def test_every_other_role_gets_what_an_unknown_page_gets(api):
    for user in OTHERS:
        c = sign_in(api, user)
        token = csrf(c)
        unknown = c.get("/no-such-page")
        assert unknown.status_code == 404
        for path in ADMIN_PATHS:
            r = c.get(path)
            assert (r.status_code, r.text, r.headers["content-type"]) == (
                unknown.status_code,
                unknown.text,
                unknown.headers["content-type"],
            ), (user, path)
        unknown_post = c.post("/no-such-page", data={"csrf": token})
        for path in ("/admin/import", "/admin/users"):
            r = c.post(path, data={"csrf": token, "user": "U-ADM", "action": "token", "confirm": "yes"})
            assert (r.status_code, r.text) == (unknown_post.status_code, unknown_post.text), (user, path)
        assert 'href="/admin"' not in c.get("/dashboard").text
    assert audits(api.engine, "user.token_issued") == []


def test_the_admin_sees_the_section_and_a_stranger_is_sent_to_sign_in(api):
    r = api.client.get("/admin/users", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=")
    c = sign_in(api, "U-ADM")
    home = c.get("/admin")
    assert home.status_code == 200 and 'href="/admin/import"' in home.text and 'href="/admin/evals"' in home.text
    assert 'href="/admin"' in c.get("/dashboard").text
    users = c.get("/admin/users")
    assert users.status_code == 200
    row = re.search(r'<tr data-user="U-RET-101">(.*?)</tr>', users.text, re.S)[1]
    assert "Anand" in row and "customer R-101" in row
    assert "regions KA" in re.search(r'<tr data-user="U-MGR-KA">(.*?)</tr>', users.text, re.S)[1]


# --- import a world ----------------------------------------------------------------------------------------


def test_a_good_zip_is_checked_confirmed_and_imported(api, sample):
    c = sign_in(api, "U-ADM")
    brands = (SAMPLE_WORLD / "brands.csv").read_text().replace("Kaveri Foods,", "Kaveri Foods Ltd,")
    data = world_zip({"brands.csv": brands}, extra={"__MACOSX/sample/._brands.csv": b"\x00\x05"})
    before = state(sample)
    checked = upload(c, data)
    assert checked.status_code == 200 and "This will replace all data" in checked.text
    assert "8 orders" in checked.text and "<td>brands.csv</td>" in checked.text
    assert state(sample) == before  # the check wrote nothing
    done = confirm(c, checked.text)
    assert done.status_code == 200 and "world.zip imported" in done.text, done.text
    assert re.search(r"<td>orders</td><td class=\"num\">8</td>", done.text), done.text
    assert "knowledge/: the documents were not installed" in done.text  # a note, not an error
    assert brand_name(sample, "KAVERI") == "Kaveri Foods Ltd"
    (entry,) = audits(sample, "world.import")
    assert (entry.user_id, entry.channel, entry.entity_id) == ("U-ADM", "web", "world")  # world.zip
    # the replace ended every session; the new world's U-ADM is this browser again (a new session)
    assert "you are signed in again as Asha Rao (U-ADM)" in done.text
    assert c.get("/admin/users").status_code == 200


def test_a_replace_by_an_admin_the_new_world_lacks_signs_them_out(api, sample):
    c = sign_in(api, "U-ADM")
    users = (SAMPLE_WORLD / "users.csv").read_text().replace("U-ADM,", "U-BOSS,")
    done = confirm(c, upload(c, world_zip({"users.csv": users})).text)
    assert done.status_code == 200 and "the new world has no admin U-ADM" in done.text and "Sign in again" in done.text
    r = c.get("/admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_a_world_at_the_top_of_the_zip_imports_too_and_a_confirmation_is_used_once(api, sample):
    c = sign_in(api, "U-ADM")
    checked = upload(c, world_zip(folder=None))
    assert checked.status_code == 200
    key_page = checked.text
    assert confirm(c, key_page, confirm="").status_code == 400  # the box was not ticked
    assert audits(sample, "world.import") == []
    assert confirm(c, key_page).status_code == 200
    again = confirm(c, key_page)  # signed in again as the new world's U-ADM
    assert again.status_code == 410 and "expired or was already imported" in again.text
    assert len(audits(sample, "world.import")) == 1


def test_errors_in_several_files_are_each_listed_and_nothing_is_written(api, sample):
    c = sign_in(api, "U-ADM")
    edits = {
        "brands.csv": (SAMPLE_WORLD / "brands.csv").read_text() + "NEW-BRAND,,\n",
        "skus.csv": (SAMPLE_WORLD / "skus.csv").read_text().replace(",18,12.00,", ",lots,12.00,", 1),
        "customers.csv": (SAMPLE_WORLD / "customers.csv")
        .read_text()
        .replace(",distributor,BLR,", ",distributor,NOWHERE,", 1),
    }
    data = world_zip(edits, extra={"sample/notes.txt": "hello"})
    before = state(sample)
    r = upload(c, data)
    assert r.status_code == 422 and "nothing was imported" in r.text
    cells = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", r.text)
    files = {f for f, *_ in cells}
    assert {"brands.csv", "skus.csv", "customers.csv", "notes.txt"} <= files, cells
    brand_line = len((SAMPLE_WORLD / "brands.csv").read_text().splitlines()) + 1
    assert ("brands.csv", str(brand_line), "name") in {(f, ln, col) for f, ln, col, _ in cells}
    assert any(f == "skus.csv" and ln == "2" and col == "tax_rate" for f, ln, col, _ in cells), cells
    assert any(f == "customers.csv" and ln == "2" and col == "region" for f, ln, col, _ in cells), cells
    assert any(f == "notes.txt" and "unknown file" in why for f, _, _, why in cells)
    assert state(sample) == before


def test_past_a_thousand_errors_the_rest_are_counted(api, sample):
    c = sign_in(api, "U-ADM")
    brands = (SAMPLE_WORLD / "brands.csv").read_text() + "".join(f"B{i},,\n" for i in range(1200))
    r = upload(c, world_zip({"brands.csv": brands}))
    assert r.status_code == 422 and "1200 errors in world.zip; nothing was imported" in r.text
    assert r.text.count("a value is required") == 1000 and "… and 200 more errors" in r.text


def test_a_replace_must_be_asked_for(api, sample):
    c = sign_in(api, "U-ADM")
    before = state(sample)
    r = upload(c, world_zip(), replace=False)
    assert r.status_code == 409 and "tick “replace the current data”" in r.text
    assert state(sample) == before


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a name twice is the point of one of them
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _bomb() -> bytes:
    """A few hundred KB that unpack to more than the limit: zeros, streamed into the zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("brands.csv", "w", force_zip64=True) as f:
        chunk = b"\0" * 2**20
        for _ in range(MAX_UNPACKED // 2**20 + 1):
            f.write(chunk)
    return buf.getvalue()


def _symlink() -> bytes:
    link = zipfile.ZipInfo("brands.csv")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _zip([(link, b"/etc/passwd")])


HOSTILE = {
    "traversal": (_zip([("../brands.csv", b"code,name\n")]), "unsafe path, '../brands.csv'"),
    "deep traversal": (_zip([("w/../../x.csv", b"x")]), "unsafe path"),
    "absolute": (_zip([("/etc/brands.csv", b"code,name\n")]), "unsafe path, '/etc/brands.csv'"),
    "windows": (_zip([("..\\brands.csv", b"code,name\n")]), "unsafe path"),
    "symlink": (_symlink(), "symbolic link"),
    "not a zip": (b"code,name\nKAVERI,Kaveri\n", "not a .zip file"),
    "empty zip": (_zip([]), "holds no files"),
    "too many": (_zip([(f"f{i}.csv", b"") for i in range(MAX_ENTRIES + 1)]), f"at most {MAX_ENTRIES}"),
    "twice": (_zip([("brands.csv", b"a"), ("brands.csv", b"b")]), "'brands.csv' twice"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_zip_is_one_line_and_writes_nothing(api, sample, kind):
    c = sign_in(api, "U-ADM")
    data, words = HOSTILE[kind]
    before = state(sample)
    outside = Path(tempfile.gettempdir()) / "brands.csv"  # where '../brands.csv' would land
    existed = outside.exists()
    r = upload(c, data)
    assert r.status_code == 400, r.text
    error = re.search(r'<p class="error" role="alert" id="import-error">([^<]*)</p>', r.text)[1]
    assert words in error.replace("&#39;", "'") and "\n" not in error, error
    assert state(sample) == before
    assert outside.exists() == existed


def test_a_zip_bomb_is_refused_by_its_size(api, sample):
    c = sign_in(api, "U-ADM")
    before = state(sample)
    r = upload(c, _bomb())
    assert r.status_code == 400 and f"more than {MAX_UNPACKED // 2**20} MB" in r.text and "zip bomb" in r.text
    assert state(sample) == before


def test_the_body_limit_is_raised_for_the_upload_only(api):
    c = sign_in(api, "U-ADM")
    big = b"x" * (200 * 1024)  # over the default 64 KB, far under the upload's limit
    assert upload(c, big).status_code == 400  # read, and refused as not a zip
    assert c.post("/admin/users", data={"csrf": "x", "pad": big.decode()}).status_code == 413


# --- users and their access --------------------------------------------------------------------------------


def user_action(c: TestClient, user: str, action: str, confirmed: bool = True, token: str | None = None):
    form = {"csrf": token if token is not None else csrf(c), "user": user, "action": action}
    return c.post("/admin/users", data=form | ({"confirm": "yes"} if confirmed else {}))


def bearer(api: Api, token: str) -> int:
    return api.client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_new_token_is_shown_once_and_replaces_the_old(api, sample):
    old = api.as_("U-MGR-KA")["Authorization"].split()[1]
    c = sign_in(api, "U-ADM", TestClient(api.client.app))
    assert bearer(api, old) == 200
    preview = user_action(c, "U-MGR-KA", "token", confirmed=False)
    assert preview.status_code == 200 and "It replaces Kiran Shetty’s current token" in preview.text
    assert bearer(api, old) == 200  # the preview changed nothing
    done = user_action(c, "U-MGR-KA", "token")
    new = re.search(r'id="secret" class="secret" value="([^"]+)"', done.text)[1]
    assert done.headers["cache-control"] == "no-store" and "shown only this once" in done.text
    assert bearer(api, new) == 200 and bearer(api, old) == 401
    (entry,) = audits(sample, "user.token_issued")
    assert (entry.user_id, entry.entity_id) == ("U-ADM", "U-MGR-KA")
    assert new not in c.get("/admin/users").text  # never shown again


def test_revoke_and_the_admins_own_token(api, sample):
    token = api.as_("U-REP-1")["Authorization"].split()[1]
    c = sign_in(api, "U-ADM", TestClient(api.client.app))
    assert bearer(api, token) == 200
    assert user_action(c, "U-REP-1", "revoke").status_code == 200
    assert bearer(api, token) == 401
    (entry,) = audits(sample, "user.token_revoked")
    assert (entry.user_id, entry.channel, entry.entity_id) == ("U-ADM", "web", "U-REP-1")
    own = api.as_("U-ADM")["Authorization"].split()[1]
    refused = user_action(c, "U-ADM", "revoke")
    assert refused.status_code == 409 and "cannot revoke your own token" in refused.text
    assert bearer(api, own) == 200 and len(audits(sample, "user.token_revoked")) == 1


def test_a_sign_in_link_is_a_full_url_that_works_once(api, sample):
    c = sign_in(api, "U-ADM", TestClient(api.client.app))
    done = user_action(c, "U-RET-101", "link")
    url = re.search(r'id="secret" class="secret" value="([^"]+)"', done.text)[1]
    assert url.startswith("http://testserver/signin/link?t=dmsl_")
    browser = TestClient(api.client.app)
    page = browser.get(url.removeprefix("http://testserver"))
    form = {"link": url.split("t=", 1)[1], "csrf": re.search(r'name="csrf" value="([^"]+)"', page.text)[1]}
    assert browser.post("/signin/link", data=form, follow_redirects=False).status_code == 303
    assert "Anand" in browser.get("/dashboard").text
    browser.cookies.clear()
    page = browser.get(url.removeprefix("http://testserver"))
    form["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    assert browser.post("/signin/link", data=form).status_code == 401
    (entry,) = audits(sample, "user.signin_link_issued")
    assert (entry.user_id, entry.channel, entry.entity_id) == ("U-ADM", "web", "U-RET-101")


def test_ending_sessions_signs_the_user_out_everywhere(api, sample):
    manager = sign_in(api, "U-MGR-KA", TestClient(api.client.app))
    assert manager.get("/dashboard", follow_redirects=False).status_code == 200
    c = sign_in(api, "U-ADM", TestClient(api.client.app))
    assert 'value="sessions"' in re.search(r'<tr data-user="U-MGR-KA">(.*?)</tr>', c.get("/admin/users").text, re.S)[1]
    assert user_action(c, "U-MGR-KA", "sessions").status_code == 200
    r = manager.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    (entry,) = audits(sample, "user.sessions_ended")
    assert (entry.user_id, entry.channel, entry.entity_id, entry.detail) == (
        "U-ADM",
        "web",
        "U-MGR-KA",
        '{"sessions": 1}',
    )
    assert c.get("/admin/users").status_code == 200  # the admin's own session is untouched
    # ending their own: the page says so, without an error
    mine = user_action(c, "U-ADM", "sessions")
    assert mine.status_code == 200 and "sign in again" in mine.text
    assert c.get("/admin", follow_redirects=False).status_code == 303


def test_without_the_csrf_token_nothing_changes(api, sample):
    token = api.as_("U-MGR-KA")["Authorization"].split()[1]
    c = sign_in(api, "U-ADM", TestClient(api.client.app))
    before = state(sample)
    for action in ("token", "revoke", "link", "sessions"):
        for bad in ("", "wrong"):
            assert user_action(c, "U-MGR-KA", action, token=bad).status_code == 403
    assert upload(c, world_zip(), token="").status_code == 403
    assert state(sample) == before and bearer(api, token) == 200


def test_unknown_user_or_action_is_one_line(api):
    c = sign_in(api, "U-ADM")
    r = user_action(c, "U-NOBODY", "token")
    assert r.status_code == 404 and "No user &#39;U-NOBODY&#39;." in r.text
    r = user_action(c, "U-MGR-KA", "delete")
    assert r.status_code == 400 and "Choose what to do" in r.text
