"""A fake OpenAI-compatible chat completions server on 127.0.0.1, for tests.

Each test scripts a queue of replies (text, tool calls, HTTP errors, slow replies) and reads
back every request body the real openai SDK sent. A request with nothing scripted gets a
400 that the SDK does not retry, and is counted in `unscripted`, so a test notices it.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def text(content: str, usage: tuple[int, int] = (50, 10)) -> dict:
    """A plain assistant answer; usage is (prompt_tokens, completion_tokens)."""
    return {"kind": "message", "content": content, "tool_calls": [], "usage": usage}


def tool_calls(*calls: tuple[str, Any], content: str | None = None, usage: tuple[int, int] = (80, 20)) -> dict:
    """An assistant message calling tools: (name, arguments) where arguments is a dict (sent
    as JSON) or a raw string (sent as is, so it may be malformed JSON)."""
    return {"kind": "message", "content": content, "usage": usage,
            "tool_calls": [(name, args if isinstance(args, str) else json.dumps(args)) for name, args in calls]}


def error(status: int, message: str = "fake failure", retry_after_ms: int = 10) -> dict:
    """An HTTP error as OpenAI sends it; a short retry-after keeps the SDK's retries fast."""
    return {"kind": "error", "status": status, "message": message, "retry_after_ms": retry_after_ms}


def slow(seconds: float, then: dict | None = None) -> dict:
    """Wait before answering (longer than the client's timeout, to test timeouts)."""
    return {"kind": "slow", "seconds": seconds, "then": then or text("(late answer)")}


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict] = []  # every request body, in order
        self.unscripted = 0
        self._queue: list[dict] = []
        self._lock = threading.Lock()
        self._calls = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: dict) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        return len(self._queue)

    def _next(self, body: dict) -> dict | None:
        with self._lock:
            self.requests.append(body)
            self._calls += 1
            return self._queue.pop(0) if self._queue else None

    def _completion(self, body: dict, reply: dict) -> dict:
        calls = [{"id": f"call_{self._calls}_{i}", "type": "function",
                  "function": {"name": name, "arguments": args}}
                 for i, (name, args) in enumerate(reply["tool_calls"])]
        message: dict = {"role": "assistant", "content": reply["content"]}
        if calls:
            message["tool_calls"] = calls
        prompt, completion = reply["usage"]
        return {"id": f"chatcmpl-fake-{self._calls}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                    return
                reply = fake._next(body)
                if body.get("stream"):
                    self._send(400, {"error": {"message": "this fake does not stream",
                                               "type": "invalid_request_error"}}, {"x-should-retry": "false"})
                    return
                if reply is None:
                    with fake._lock:
                        fake.unscripted += 1
                    self._send(400, {"error": {"message": "nothing scripted", "type": "invalid_request_error"}},
                               {"x-should-retry": "false"})
                    return
                if reply["kind"] == "slow":
                    time.sleep(reply["seconds"])
                    reply = reply["then"]
                if reply["kind"] == "error":
                    self._send(reply["status"], {"error": {"message": reply["message"], "type": "server_error",
                                                           "code": None, "param": None}},
                               {"retry-after-ms": str(reply["retry_after_ms"])})
                    return
                self._send(200, fake._completion(body, reply))

        return Handler
