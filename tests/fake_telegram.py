"""A local fake of the Telegram Bot API (http://127.0.0.1:PORT/bot<token>/<method>) for tests.

It records every call with its parameters (form-encoded, JSON or multipart bodies; `reply_markup`
and other objects arrive as JSON strings and are decoded; a file part of a multipart body, as
sendDocument sends it, becomes {"filename", "content_type", "content"}), answers like the Bot API
does, and serves queued updates to getUpdates for long polling.
"""

import contextlib
import email
import email.policy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

BOT = {
    "id": 424242,
    "is_bot": True,
    "first_name": "DMS",
    "username": "dms_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
OBJECT_FIELDS = ("reply_markup", "entities", "allowed_updates", "link_preview_options", "reply_parameters")


class FakeTelegram:
    def __init__(self, token: str = "123:TEST"):
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self.fail: dict[str, str] = {}  # method -> description: answer it with a 400 error
        self._cond = threading.Condition()
        self._message_id = 1000
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._serve(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"  # TELEGRAM_API_URL
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what tests read ------------------------------------------------------------------
    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict]:
        with self._cond:
            return [
                p for m, p in self.calls if m == method and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
            ]

    def methods(self) -> list[str]:
        with self._cond:
            return [m for m, _ in self.calls]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0, chat_id: int | None = None) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent(method, chat_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{method} x{count} not received; calls: {self.methods()}")
                self._cond.wait(left)
            return self.sent(method, chat_id)

    def push_update(self, update: dict) -> None:
        with self._cond:
            self.updates.append(update)
            self._cond.notify_all()

    # --- serving ---------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return self._answer(h, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = path[len(prefix) :]
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        params = self._params(h.headers.get("Content-Type", ""), raw)
        with self._cond:
            self.calls.append((method, params))
            self._cond.notify_all()
        if method in self.fail:
            return self._answer(h, 400, {"ok": False, "error_code": 400, "description": self.fail[method]})
        result = self._result(method, params)
        if result is None:
            return self._answer(h, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        self._answer(h, 200, {"ok": True, "result": result})

    @staticmethod
    def _multipart(content_type: str, raw: bytes) -> dict:
        msg = email.message_from_bytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw, policy=email.policy.HTTP
        )
        params: dict = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True)
            filename = part.get_filename()
            if filename is not None:
                params[name] = {"filename": filename, "content_type": part.get_content_type(), "content": content}
            else:
                params[name] = content.decode()
        return params

    @classmethod
    def _params(cls, content_type: str, raw: bytes) -> dict:
        if not raw:
            return {}
        if content_type.startswith("multipart/form-data"):
            params = cls._multipart(content_type, raw)
        elif "json" in content_type:
            params = json.loads(raw)
        else:
            params = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in OBJECT_FIELDS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _message(self, params: dict, text: str | None = None) -> dict:
        with self._cond:
            self._message_id += 1
            mid = self._message_id
        msg = {
            "message_id": int(params.get("message_id") or mid),
            "date": int(time.time()),
            "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
            "from": BOT,
        }
        if text is not None:
            msg["text"] = text
        return msg

    def _result(self, method: str, params: dict):
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageText"):
            return self._message(params, params.get("text", ""))
        if method == "editMessageReplyMarkup":
            return self._message(params)
        if method == "sendDocument":
            doc = params.get("document")
            if not isinstance(doc, dict):  # a file id or URL: not what this fake serves
                return None
            msg = self._message(params)
            msg["document"] = {
                "file_id": f"doc-{msg['message_id']}",
                "file_unique_id": f"u{msg['message_id']}",
                "file_name": doc["filename"],
                "mime_type": doc["content_type"],
                "file_size": len(doc["content"]),
            }
            return msg
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands"):
            return True
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), 0.5)  # long polling, kept short for tests
            deadline = time.monotonic() + wait
            with self._cond:
                while True:
                    ready = [u for u in self.updates if u["update_id"] >= offset]
                    left = deadline - time.monotonic()
                    if ready or left <= 0:
                        return ready
                    self._cond.wait(left)
        return None

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a long poll the client gave up on
            h.wfile.write(data)


# --- updates as Telegram sends them -----------------------------------------------------------
_ids = iter(range(5000, 10**9))


def user(uid: int, name: str = "Test") -> dict:
    return {"id": uid, "is_bot": False, "first_name": name}


def message_update(
    uid: int,
    text: str | None = None,
    *,
    update_id: int | None = None,
    chat_type: str = "private",
    chat_id: int | None = None,
    contact: dict | None = None,
    location: dict | None = None,
) -> dict:
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "from": user(uid),
        "chat": {"id": chat_id or uid, "type": chat_type},
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):  # commands carry a bot_command entity, as Telegram sends them
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if contact is not None:
        msg["contact"] = contact
    if location is not None:  # Telegram's location message: {"latitude": …, "longitude": …}
        msg["location"] = location
    return {"update_id": update_id or next(_ids), "message": msg}


def callback_update(uid: int, data: str, *, message_id: int = 1, chat_id: int | None = None) -> dict:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(uid),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "from": BOT,
                "chat": {"id": chat_id or uid, "type": "private"},
                "text": "preview",
            },
        },
    }
