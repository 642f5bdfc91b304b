"""Chat model wrappers: count tokens, record every request/response, replay a recording.

A run made once against a real model (`RecordingModel`) is replayed later with no network
and no key (`ReplayModel`), so CI reproduces it and compares it with the offline planner.

A request is keyed by a stable hash of its messages (type, content, tool calls by name and
arguments; never ids, which differ run by run) and the names of the tools bound. One
request may occur several times in a run (two scenarios that start alike, k trials): the
recording keeps every response in order and the replay gives them back in that order.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, messages_from_dict, messages_to_dict
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

MANIFEST = "recording.json"
REQUESTS = "requests"


class NotRecorded(LookupError):
    """A replayed run asked for something the recording does not hold."""


@dataclass
class Usage:
    """Tokens as the backend reported them (`usage_metadata`), over every call of a model."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    def add(self, ai: BaseMessage) -> None:
        self.calls += 1
        u = getattr(ai, "usage_metadata", None) or {}
        i, o = int(u.get("input_tokens", 0) or 0), int(u.get("output_tokens", 0) or 0)
        self.input_tokens += i
        self.output_tokens += o
        self.total_tokens += int(u.get("total_tokens", 0) or 0) or i + o

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.calls, self.input_tokens, self.output_tokens, self.total_tokens


def tool_name(tool: Any) -> str:
    return convert_to_openai_tool(tool)["function"]["name"]


def _canonical(m: BaseMessage) -> dict:
    calls = [{"name": c.get("name"), "args": c.get("args")} for c in (getattr(m, "tool_calls", None) or [])]
    return {"type": m.type, "content": m.content, "tool_calls": calls}


def request_key(messages: list[BaseMessage], tool_names: list[str] | tuple[str, ...]) -> str:
    """Stable across runs and processes: the same conversation and tools give the same key."""
    payload = {"tools": sorted(tool_names), "messages": [_canonical(m) for m in messages]}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class _Wrapper(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool_names: tuple[str, ...] = ()
    usage: Any = None  # a Usage shared by every copy bind_tools makes

    def model_post_init(self, context: Any) -> None:
        if self.usage is None:
            self.usage = Usage()

    def _result(self, ai: AIMessage) -> ChatResult:
        self.usage.add(ai)
        return ChatResult(generations=[ChatGeneration(message=ai)])


class MeteredModel(_Wrapper):
    """Passes every call to `inner` (tools bound through) and counts the tokens it reports."""

    inner: Any
    bound: Any = None  # inner with the tools bound

    @property
    def _llm_type(self) -> str:
        return "dms-metered"

    def for_actor(self, actor):
        """The inner model scoped to a user, when it can be (the offline planner)."""
        scoped = getattr(self.inner, "for_actor", None)
        return self.model_copy(update={"inner": scoped(actor)}) if callable(scoped) else self

    def bind_tools(self, tools, **kwargs):
        return self.model_copy(
            update={"bound": self.inner.bind_tools(tools, **kwargs), "tool_names": tuple(tool_name(t) for t in tools)}
        )

    def _call_inner(self, messages: list[BaseMessage], stop=None) -> AIMessage:
        runnable = self.bound if self.bound is not None else self.inner
        return runnable.invoke(messages, stop=stop) if stop else runnable.invoke(messages)

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        return self._result(self._call_inner(messages, stop))


class RecordingModel(MeteredModel):
    """A pass-through that stores every request and its response under `directory`."""

    directory: Path
    lock: Any = None

    def __init__(self, inner: BaseChatModel, directory: Path | str, **kwargs):
        super().__init__(inner=inner, directory=Path(directory), **kwargs)

    def model_post_init(self, context: Any) -> None:
        super().model_post_init(context)
        if self.lock is None:
            self.lock = threading.Lock()
        (self.directory / REQUESTS).mkdir(parents=True, exist_ok=True)

    @property
    def _llm_type(self) -> str:
        return "dms-recording"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        ai = self._call_inner(messages, stop)
        key = request_key(messages, self.tool_names)
        path = self.directory / REQUESTS / f"{key}.json"
        with self.lock:
            if path.is_file():
                entry = json.loads(path.read_text(encoding="utf-8"))
            else:
                entry = {
                    "key": key,
                    "tools": sorted(self.tool_names),
                    "messages": [_canonical(m) for m in messages],
                    "responses": [],
                }
            entry["responses"].append(messages_to_dict([ai])[0])
            path.write_text(json.dumps(entry, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        return self._result(ai)


class ReplayModel(_Wrapper):
    """Answers from a recording, with no network: the n-th occurrence of a request gets the
    n-th recorded response. A request not recorded raises NotRecorded (and is kept in
    `misses`, since the assistant turns model errors into a polite reply)."""

    directory: Path
    store: Any = None  # shared by every bound copy: responses and cursors
    misses: Any = None

    def __init__(self, directory: Path | str, **kwargs):
        super().__init__(directory=Path(directory), **kwargs)

    def model_post_init(self, context: Any) -> None:
        super().model_post_init(context)
        if self.store is None:
            folder = self.directory / REQUESTS
            if not folder.is_dir():
                raise FileNotFoundError(
                    f"{self.directory} holds no recording (no {REQUESTS}/ folder); make one with --record"
                )
            responses = {}
            for f in sorted(folder.glob("*.json")):
                entry = json.loads(f.read_text(encoding="utf-8"))
                responses[entry["key"]] = entry["responses"]
            self.store = {"responses": responses, "cursor": {}, "lock": threading.Lock()}
        if self.misses is None:
            self.misses = []

    @property
    def _llm_type(self) -> str:
        return "dms-replay"

    @property
    def recorded_model(self) -> str | None:
        """The model the recording was made with, when the recorder said so."""
        manifest = self.directory / MANIFEST
        if manifest.is_file():
            return json.loads(manifest.read_text(encoding="utf-8")).get("model")
        return None

    def bind_tools(self, tools, **kwargs):
        return self.model_copy(update={"tool_names": tuple(tool_name(t) for t in tools)})

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        key = request_key(messages, self.tool_names)
        with self.store["lock"]:
            found = self.store["responses"].get(key)
            if not found:
                last = messages[-1] if messages else None
                what = f"{last.type}: {str(last.content)[:80]!r}" if last is not None else "no messages"
                message = (
                    f"no recorded response for this request in {self.directory} (key {key}; last message "
                    f"{what}; {len(self.tool_names)} tools bound); record the run again with --record"
                )
                self.misses.append(message)
                raise NotRecorded(message)
            n = self.store["cursor"].get(key, 0)
            self.store["cursor"][key] = n + 1
            data = found[n % len(found)]
        [ai] = messages_from_dict([data])
        return self._result(cast(AIMessage, ai))  # a recording holds the model's answers


def write_manifest(directory: Path | str, model: str) -> None:
    """Say which model a recording holds (read back by ReplayModel.recorded_model)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).write_text(json.dumps({"format": 1, "model": model}, indent=1) + "\n", encoding="utf-8")


__all__ = [
    "Usage",
    "MeteredModel",
    "RecordingModel",
    "ReplayModel",
    "NotRecorded",
    "request_key",
    "write_manifest",
    "tool_name",
]
