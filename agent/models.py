"""Model backends: the offline planner (default) or any OpenAI-compatible endpoint, and what
every backend's answers may need before the runtime reads them (tool calls written as text)."""

import json
import re
import uuid
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage

from core.settings import OpenAISettings, read


def make_model(
    spec: str,
    *,
    world=None,
    clock=None,
    timeout: float | None = None,
    max_retries: int | None = None,
    backend: OpenAISettings | None = None,
) -> BaseChatModel:
    """`offline` or `openai:<model>`. An OpenAI-compatible backend takes its key, base URL (with
    its `/v1`), timeout (seconds per request) and retries (the SDK retries timeouts, 429 and 5xx
    with backoff) from `backend`, the settings' `openai` section; without one, from that section
    as the environment says now (OPENAI_API_KEY, OPENAI_BASE_URL, DMS_MODEL_TIMEOUT,
    DMS_MODEL_MAX_RETRIES)."""
    if spec == "offline":
        from .planner import OfflinePlanner

        return OfflinePlanner(world=world, clock=clock)
    if spec.startswith("openai:") and spec.split(":", 1)[1].strip():
        backend = backend or read(OpenAISettings)
        timeout = timeout if timeout is not None else backend.timeout
        max_retries = max_retries if max_retries is not None else backend.max_retries
        # Chat completions only (vLLM, Ollama, llama.cpp speak nothing else), and no streaming:
        # the runtime reads whole messages.
        return _chat_openai()(
            model=spec.split(":", 1)[1].strip(),
            api_key=backend.api_key.get_secret_value() if backend.api_key else "not-needed",
            base_url=backend.base_url or None,
            timeout=timeout,
            max_retries=max_retries,
            use_responses_api=False,
            disable_streaming=True,
            temperature=0,
        )
    raise ValueError(f"unknown model {spec!r}: use 'offline' or 'openai:<model>'")


@lru_cache
def _chat_openai():
    """ChatOpenAI whose token counts never reach tiktoken: it downloads its encodings on first
    use, and nothing here may touch the network. Counts are approximate (LangChain's
    count_tokens_approximately); what a turn really used comes from the server's `usage`."""
    from langchain_core.messages.utils import count_tokens_approximately
    from langchain_core.tools import BaseTool
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from langchain_openai import ChatOpenAI

    class OpenAIChat(ChatOpenAI):
        def get_num_tokens(self, text: str) -> int:
            return count_tokens_approximately([text])

        def get_num_tokens_from_messages(self, messages, tools=None, **kwargs) -> int:
            schemas: list[BaseTool | dict[str, Any]] | None = (
                [convert_to_openai_tool(t) for t in tools] if tools else None
            )
            return count_tokens_approximately(messages, tools=schemas)

        def get_token_ids(self, text: str) -> list[int]:
            raise NotImplementedError(
                "exact token ids need tiktoken's encodings, which are not shipped; use get_num_tokens"
            )

        def _get_encoding_model(self):
            raise NotImplementedError("tiktoken is not used: its encodings would be downloaded")

    return OpenAIChat


# --- tool calls written as text ------------------------------------------------------------
# Small local models (and servers started without a tool-call parser) often write a call into the
# message text instead of the tool-calling interface: a fenced ```json block, bare JSON, or Qwen's
# and Hermes' <tool_call> tags. Such a call is recovered into a real tool call, which the runtime
# then validates like any other; text that is JSON but no call is never shown to a person.

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_FENCED = re.compile(r"```[ \t]*(?:json|JSON|tool_call|javascript|js)?[ \t]*\n?(.*?)(?:```|$)", re.S)
_ARG_KEYS = ("arguments", "parameters", "args", "tool_input", "input")


def _as_call(obj) -> dict | None:
    """{"name": ..., "arguments": {...}} in the shapes models write it; None when it is no call."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("function"), dict):  # {"type": "function", "function": {...}}
        return _as_call(obj["function"])
    name = obj.get("name") or obj.get("tool") or obj.get("tool_name") or obj.get("function")
    if not isinstance(name, str) or not name.strip():
        return None
    keys = [k for k in _ARG_KEYS if k in obj]
    if not keys:
        # {"name": "get_order"} alone is a call with no arguments only when nothing else is there
        return {"name": name.strip(), "args": {}} if set(obj) <= {"name", "type", "id"} and "name" in obj else None
    args = obj[keys[0]]
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return {"name": name.strip(), "args": None, "raw": args}
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return {"name": name.strip(), "args": None, "raw": json.dumps(args)}
    return {"name": name.strip(), "args": args}


def _json_values(text: str) -> list[tuple[int, int, object]]:
    """Every JSON object or array in `text` with its span (start, end, value), outermost first."""
    found: list[tuple[int, int, object]] = []
    decoder, i = json.JSONDecoder(), 0
    while i < len(text):
        if text[i] in "{[":
            try:
                value, end = decoder.raw_decode(text, i)
            except ValueError:
                i += 1
                continue
            if isinstance(value, (dict, list)):
                found.append((i, end, value))
                i = end
                continue
        i += 1
    return found


def text_calls(content: str) -> tuple[list[dict], str] | None:
    """The tool calls written in `content` and the prose around them, or None when it holds none."""
    if not content or ("{" not in content):
        return None
    calls, spans = [], []
    for m in list(_TAGGED.finditer(content)) + list(_FENCED.finditer(content)):
        for _, _, value in _json_values(m.group(1)):
            for item in value if isinstance(value, list) else [value]:
                call = _as_call(item)
                if call:
                    calls.append(call)
                    spans.append(m.span())
    if not calls:
        for start, end, value in _json_values(content):
            items = value if isinstance(value, list) else [value]
            got = [c for c in map(_as_call, items) if c]
            if got and len(got) == len(items):
                calls.extend(got)
                spans.append((start, end))
    if not calls:
        return None
    prose, last = [], 0
    for start, end in sorted(set(spans)):
        if start >= last:
            prose.append(content[last:start])
            last = end
    prose.append(content[last:])
    return calls, " ".join(" ".join(prose).split())


def recover_text_calls(ai: AIMessage) -> AIMessage | None:
    """`ai` with the tool calls written in its text turned into real tool calls (new ids; a call
    whose arguments are not a JSON object becomes an invalid call), or None when there are none."""
    if ai.tool_calls or getattr(ai, "invalid_tool_calls", None):
        return None
    found = text_calls(str(ai.text))
    if not found:
        return None
    calls, invalid = [], []
    for c in found[0]:
        call_id = "text_call_" + uuid.uuid4().hex[:12]
        if c["args"] is None:
            invalid.append(
                {
                    "name": c["name"],
                    "args": c.get("raw"),
                    "id": call_id,
                    "type": "invalid_tool_call",
                    "error": "the arguments are not a JSON object",
                }
            )
        else:
            calls.append({"name": c["name"], "args": c["args"], "id": call_id, "type": "tool_call"})
    meta = {**(ai.response_metadata or {}), "tool_calls_from_text": True}
    # the prose beside a call is the model's aside ("Let me check"), never shown to the user
    return ai.model_copy(
        update={"content": "", "tool_calls": calls, "invalid_tool_calls": invalid, "response_metadata": meta}
    )


_JSONISH = re.compile(r"```|^\s*[\[{]|<tool_call>|[{\[]\s*\"[A-Za-z_]+\"\s*:", re.S)


def looks_like_json(text: str) -> bool:
    """Text a person should never be shown as it is: a code fence, a tool-call tag, or JSON."""
    if not text or not _JSONISH.search(text):
        return False
    if "```" in text or "<tool_call>" in text:
        return True
    return any(
        end - start >= 0.3 * len(text.strip()) or isinstance(v, dict) and len(v) >= 2
        for start, end, v in _json_values(text)
    )
