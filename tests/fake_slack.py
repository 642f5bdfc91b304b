"""A local stand-in for the Slack Web API on 127.0.0.1: answers what the Slack channel calls
and records every call, so tests assert on what Slack would have received.

Files go as slack_sdk's `files_upload_v2` sends them: `files.getUploadURLExternal` (a name and a
length) hands out an upload URL on this server, the bytes are POSTed there, and
`files.completeUploadExternal` shares the uploaded files in a channel or thread; `shared`
holds what arrived, checked against the declared length."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qsl, urlparse

BOT_USER = "UBOT0001"


class FakeSlack:
    def __init__(self):
        self.calls: list[dict] = []  # {"method", "params", "auth"}
        self.failures: dict[str, str] = {}  # method -> Slack error code to answer with
        self.uploads: dict[str, dict] = {}  # file id -> {"filename", "length", "content"}
        self.shared: list[dict] = []  # files shared by completeUploadExternal, with channel and thread
        self._cond = threading.Condition()
        self._ts = count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlparse(self.path).path
                if path.startswith("/upload/"):  # step 2 of files_upload_v2: the file's bytes, as they are
                    ok = fake._receive(path.removeprefix("/upload/"), data)
                    body = (b"OK - %d" % len(data)) if ok else b"unknown upload"
                    self.send_response(200 if ok else 404)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                raw = data.decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url" + path
                answer = fake._answer(method, params)
                fake._record(method, params, answer, self.headers.get("Authorization"))
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/respond/1"

    def __enter__(self) -> "FakeSlack":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, method: str, params: dict) -> dict:
        if method in self.failures:
            return {"ok": False, "error": self.failures[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Test",
                "user": "dms",
                "team_id": "T0001",
                "user_id": BOT_USER,
                "bot_id": "B0001",
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"1800000000.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"ts": ts, "text": params.get("text"), "blocks": params.get("blocks")},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).removeprefix("U")}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            with self._cond:
                self.uploads[file_id] = {
                    "filename": params.get("filename"),
                    "length": int(params.get("length") or 0),
                    "content": None,
                }
            port = self.server.server_address[1]
            return {"ok": True, "upload_url": f"http://127.0.0.1:{port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files") or "[]")
            with self._cond:
                got = [self.uploads.get(f.get("id")) for f in files]
                if not files or any(u is None or u["content"] is None for u in got):
                    return {"ok": False, "error": "file_not_found"}
                for f, u in zip(files, got):
                    self.shared.append(
                        {
                            **u,
                            "id": f["id"],
                            "title": f.get("title"),
                            "channel": params.get("channel_id"),
                            "thread_ts": params.get("thread_ts"),
                        }
                    )
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method.startswith("response_url"):
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    def _receive(self, file_id: str, data: bytes) -> bool:
        with self._cond:
            upload = self.uploads.get(file_id)
            if upload is None or len(data) != upload["length"]:
                return False
            upload["content"] = data
            return True

    def _record(self, method: str, params: dict, answer: dict, auth: str | None) -> None:
        # what was sent, plus the ts the fake gave the message (a later click carries it)
        if answer.get("ts"):
            params = {**params, "ts": answer["ts"]}
        with self._cond:
            self.calls.append({"method": method, "params": params, "auth": auth})
            self._cond.notify_all()

    def calls_to(self, method: str) -> list[dict]:
        with self._cond:
            return [c["params"] for c in self.calls if c["method"] == method]

    def wait_for(self, method: str, n: int = 1, timeout: float = 10.0) -> list[dict]:
        """The first `n` calls to `method`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [c["params"] for c in self.calls if c["method"] == method]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {n} call(s) to {method}, got {len(got)}: {[c['method'] for c in self.calls]}"
                    )
                self._cond.wait(left)
