"""Model backends: the offline planner (default) or any OpenAI-compatible endpoint."""
import os

from langchain_core.language_models import BaseChatModel


def make_model(spec: str, *, world=None, clock=None, timeout: float = 60.0, max_retries: int = 2) -> BaseChatModel:
    """`offline` or `openai:<model>` (OPENAI_API_KEY, OPENAI_BASE_URL honoured)."""
    if spec == "offline":
        from .planner import OfflinePlanner
        return OfflinePlanner(world=world, clock=clock)
    if spec.startswith("openai:"):
        from langchain_openai import ChatOpenAI
        return ChatOpenAI(model=spec.split(":", 1)[1], api_key=os.environ.get("OPENAI_API_KEY", "not-needed"),
                          base_url=os.environ.get("OPENAI_BASE_URL") or None, timeout=timeout,
                          max_retries=max_retries, use_responses_api=False, disable_streaming=True,
                          temperature=0)
    raise ValueError(f"unknown model {spec!r}: use 'offline' or 'openai:<model>'")
