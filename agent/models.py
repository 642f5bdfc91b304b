"""Model backends: the offline planner (default) or any OpenAI-compatible endpoint."""
import os
from functools import lru_cache

from langchain_core.language_models import BaseChatModel


def _env_number(name: str, default, kind):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def make_model(spec: str, *, world=None, clock=None, timeout: float | None = None,
               max_retries: int | None = None) -> BaseChatModel:
    """`offline` or `openai:<model>`: OPENAI_API_KEY and OPENAI_BASE_URL (with its `/v1`) are
    honoured; DMS_MODEL_TIMEOUT (seconds per request, default 60) and DMS_MODEL_MAX_RETRIES
    (default 2; the SDK retries timeouts, 429 and 5xx with backoff) tune the calls."""
    if spec == "offline":
        from .planner import OfflinePlanner
        return OfflinePlanner(world=world, clock=clock)
    if spec.startswith("openai:") and spec.split(":", 1)[1].strip():
        timeout = timeout if timeout is not None else _env_number("DMS_MODEL_TIMEOUT", 60.0, float)
        max_retries = max_retries if max_retries is not None else _env_number("DMS_MODEL_MAX_RETRIES", 2, int)
        # Chat completions only (vLLM, Ollama, llama.cpp speak nothing else), and no streaming:
        # the runtime reads whole messages.
        return _chat_openai()(
            model=spec.split(":", 1)[1].strip(), api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
            base_url=os.environ.get("OPENAI_BASE_URL") or None, timeout=timeout, max_retries=max_retries,
            use_responses_api=False, disable_streaming=True, temperature=0)
    raise ValueError(f"unknown model {spec!r}: use 'offline' or 'openai:<model>'")


@lru_cache
def _chat_openai():
    """ChatOpenAI whose token counts never reach tiktoken: it downloads its encodings on first
    use, and nothing here may touch the network. Counts are approximate (LangChain's
    count_tokens_approximately); what a turn really used comes from the server's `usage`."""
    from langchain_core.messages.utils import count_tokens_approximately
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from langchain_openai import ChatOpenAI

    class OpenAIChat(ChatOpenAI):
        def get_num_tokens(self, text: str) -> int:
            return count_tokens_approximately([text])

        def get_num_tokens_from_messages(self, messages, tools=None, **kwargs) -> int:
            schemas = [convert_to_openai_tool(t) for t in tools] if tools else None
            return count_tokens_approximately(messages, tools=schemas)

        def get_token_ids(self, text: str) -> list[int]:
            raise NotImplementedError("exact token ids need tiktoken's encodings, which are not shipped; "
                                      "use get_num_tokens")

        def _get_encoding_model(self):
            raise NotImplementedError("tiktoken is not used: its encodings would be downloaded")

    return OpenAIChat
