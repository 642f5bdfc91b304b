"""A fake OpenAI-compatible chat completions server on 127.0.0.1, for tests.

Each test scripts a queue of replies (text, tool calls, HTTP errors, slow replies) and reads
back every request body the real openai SDK sent. A request with nothing scripted gets a
400 that the SDK does not retry, and is counted in `unscripted`, so a test notices it.

It behaves as real servers do where models and servers misbehave:
- tool calls written as text (`text_call`: a fenced ```json block, bare JSON, or Qwen's
  <tool_call> tags), as small local models write them; and `calls_as_text=STYLE`, a server with
  no tool-call parser, which sends every scripted call as text in that style;
- a request whose tool calls are not all answered by tool messages (or a tool message that
  answers nothing) gets the 400 OpenAI sends, and is counted in `rejected`;
- anything else a model does (the same call again and again, a refusal in words, a tool that
  does not exist, a made-up order number) is scripted with `text` and `tool_calls`.
"""

from __future__ import annotations

import contextlib
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
    return {
        "kind": "message",
        "content": content,
        "usage": usage,
        "tool_calls": [(name, args if isinstance(args, str) else json.dumps(args)) for name, args in calls],
    }


def text_call(
    name: str, args: dict | str, style: str = "fenced", prose: str | None = None, usage: tuple[int, int] = (80, 20)
) -> dict:
    """A tool call written into the message text instead of the tool-calling interface:
    style "fenced" (```json … ```), "bare" (the JSON alone) or "tagged" (<tool_call>…</tool_call>),
    optionally after some prose ("Let me check that.")."""
    return text(render_call(name, args, style, prose), usage=usage)


def render_call(name: str, args: dict | str, style: str = "fenced", prose: str | None = None) -> str:
    arguments = args if isinstance(args, str) else json.dumps(args)
    body = f'{{"name": {json.dumps(name)}, "arguments": {arguments}}}'
    if style == "fenced":
        body = f"```json\n{body}\n```"
    elif style == "tagged":
        body = f"<tool_call>\n{body}\n</tool_call>"
    elif style != "bare":
        raise ValueError(f"unknown style {style!r}")
    return f"{prose}\n{body}" if prose else body


def error(status: int, message: str = "fake failure", retry_after_ms: int = 10) -> dict:
    """An HTTP error as OpenAI sends it; a short retry-after keeps the SDK's retries fast."""
    return {"kind": "error", "status": status, "message": message, "retry_after_ms": retry_after_ms}


def slow(seconds: float, then: dict | None = None) -> dict:
    """Wait before answering (longer than the client's timeout, to test timeouts)."""
    return {"kind": "slow", "seconds": seconds, "then": then or text("(late answer)")}


class FakeOpenAI:
    def __init__(self, calls_as_text: str | None = None) -> None:
        self.requests: list[dict] = []  # every request body, in order
        self.unscripted = 0
        self.rejected = 0  # requests refused as malformed (unanswered tool calls)
        self.calls_as_text = calls_as_text  # None, or the style a parser-less server writes calls in
        self._queue: list[dict] = []
        self._lock = threading.Lock()
        self._calls = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
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
        calls = [
            {"id": f"call_{self._calls}_{i}", "type": "function", "function": {"name": name, "arguments": args}}
            for i, (name, args) in enumerate(reply["tool_calls"])
        ]
        content = reply["content"]
        if calls and self.calls_as_text:  # a server that does not parse calls: the model's text as it is
            content = "\n".join(
                [content or ""]
                + [render_call(c["function"]["name"], c["function"]["arguments"], self.calls_as_text) for c in calls]
            ).strip()
            calls = []
        message: dict = {"role": "assistant", "content": content}
        if calls:
            message["tool_calls"] = calls
        prompt, completion = reply["usage"]
        return {
            "id": f"chatcmpl-fake-{self._calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": "tool_calls" if calls else "stop"}
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

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
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                    return
                reply = fake._next(body)
                if body.get("stream"):
                    self._send(
                        400,
                        {"error": {"message": "this fake does not stream", "type": "invalid_request_error"}},
                        {"x-should-retry": "false"},
                    )
                    return
                problem = protocol_problem(body)
                if problem:  # as OpenAI answers it: a 400, not retried
                    with fake._lock:
                        fake.rejected += 1
                    self._send(
                        400,
                        {
                            "error": {
                                "message": problem,
                                "type": "invalid_request_error",
                                "param": "messages",
                                "code": None,
                            }
                        },
                        {"x-should-retry": "false"},
                    )
                    return
                if reply is None:
                    with fake._lock:
                        fake.unscripted += 1
                    self._send(
                        400,
                        {"error": {"message": "nothing scripted", "type": "invalid_request_error"}},
                        {"x-should-retry": "false"},
                    )
                    return
                if reply["kind"] == "slow":
                    time.sleep(reply["seconds"])
                    reply = reply["then"]
                if reply["kind"] == "error":
                    self._send(
                        reply["status"],
                        {"error": {"message": reply["message"], "type": "server_error", "code": None, "param": None}},
                        {"retry-after-ms": str(reply["retry_after_ms"])},
                    )
                    return
                self._send(200, fake._completion(body, reply))

        return Handler


def protocol_problem(body: dict) -> str | None:
    """What OpenAI's API refuses in a conversation: tool calls without their tool messages, and
    tool messages that answer no call."""
    open_ids: set[str] = set()
    for m in body.get("messages", []):
        if m.get("role") == "tool":
            if m.get("tool_call_id") not in open_ids:
                return (
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                    "with 'tool_calls'."
                )
            open_ids.discard(m["tool_call_id"])
            continue
        if open_ids:
            return (
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                f"{', '.join(sorted(open_ids))}"
            )
        if m.get("role") == "assistant":
            open_ids = {c["id"] for c in m.get("tool_calls") or []}
    if open_ids:
        return f"The following tool_call_ids did not have response messages: {', '.join(sorted(open_ids))}"
    return None
