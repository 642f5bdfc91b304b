"""The local embedding model and the chromadb index built on it (no network, no DB)."""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from agent import embeddings
from agent.embeddings import DIMENSIONS, LocalEmbeddingFunction, embed
from agent.semantic import SemanticIndex
from tests.conftest import SAMPLE_WORLD


@pytest.fixture(autouse=True)
def no_default_embedding(monkeypatch):
    """Tripwire: chromadb's default function downloads a model; it must never run."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    def refuse(self, input):
        raise AssertionError("chromadb's default (downloading) embedding function was used")

    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__call__", refuse)


def sku_items() -> list[tuple[str, str, dict]]:
    """Sample SKUs as (code, name + product + aliases, metadata): test data only."""
    with open(SAMPLE_WORLD / "products.csv", newline="") as f:
        products = {r["code"]: r["name"] for r in csv.DictReader(f)}
    with open(SAMPLE_WORLD / "skus.csv", newline="") as f:
        return [
            (
                r["code"],
                "; ".join([r["name"], products[r["product"]], *r["aliases"].split("|")]),
                {"product": r["product"]},
            )
            for r in csv.DictReader(f)
        ]


def test_vectors_are_unit_length_and_independent_of_batching():
    texts = ["washing powder", "Brisk Detergent Powder 1kg", "", "a much longer sentence " * 5]
    together = embed(texts)
    assert together.shape == (4, DIMENSIONS) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([embed([t]) for t in texts])
    # Padding inside a batch must not change a text's vector (mask-aware pooling).
    assert np.allclose(together, one_by_one, atol=1e-4)
    # Sorting by length inside embed() must not reorder the output.
    assert np.allclose(embed(texts[::-1])[::-1], together, atol=1e-4)


def test_meaning_is_captured():
    detergent, oil, powder = embed(["detergent", "sunflower oil", "washing powder"])
    assert powder @ detergent > powder @ oil + 0.2


def test_long_text_is_truncated_not_rejected():
    long = embed(["return policy " * 1000])  # ~2000 tokens, model limit is 512
    assert long.shape == (1, DIMENSIONS)
    assert np.allclose(long, embed(["return policy " * 200]), atol=1e-5)  # both cut at 256 tokens


def test_model_loads_once_across_threads(monkeypatch):
    monkeypatch.setattr(embeddings, "_model", None)
    loads = []
    real_load = embeddings._load
    monkeypatch.setattr(embeddings, "_load", lambda: loads.append(1) or real_load())
    got = []
    threads = [threading.Thread(target=lambda: got.append(embeddings._get_model())) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len({id(m) for m in got}) == 1


def test_chromadb_protocol():
    ef = LocalEmbeddingFunction()
    assert not ef.is_legacy()  # chromadb stores its config rather than a "legacy" marker
    assert LocalEmbeddingFunction.build_from_config(ef.get_config()) == ef
    out = ef(["tea leaves"])
    assert len(out) == 1 and len(out[0]) == DIMENSIONS
    from chromadb.utils.embedding_functions import known_embedding_functions

    assert known_embedding_functions[ef.name()] is LocalEmbeddingFunction


def test_throughput(capsys):
    """Prints names/s (timing depends on the machine, so it is reported, not asserted)."""
    full = ([text for _, text, _ in sku_items()] * 40)[:480]  # name; product; aliases
    bare = [text.split(";")[0] for text in full]  # SKU name only
    embed(full[:8])  # warm-up: the model load is not throughput
    for label, names in (("name+product+aliases", full), ("SKU names", bare)):
        start = time.perf_counter()
        vectors = embed(names)
        seconds = time.perf_counter() - start
        with capsys.disabled():
            print(
                f"\n[embeddings] {len(names)} {label} in {seconds:.2f}s = "
                f"{len(names) / seconds:.0f}/s on {os.cpu_count()} cores"
            )
        assert vectors.shape == (len(names), DIMENSIONS)


def test_semantic_product_match():
    index = SemanticIndex(None)
    assert index.index("products", sku_items()) == 12
    expected = {
        "washing powder": {"BR-1K", "BR-500"},
        "cooking oil": {"GD-1L", "GD-5L"},
        "tea leaves": {"ST-250", "ST-1K"},
        "soap for bathing": {"NS-100"},
        "instant noodles": {"NOOD-70"},
    }
    for query, codes in expected.items():
        hits = index.search("products", query, k=3)
        assert hits[0].id in codes, (query, hits)
        assert 0.0 <= hits[-1].score <= hits[0].score <= 1.0
        assert hits[0].metadata["product"]  # metadata travels with the hit


def test_index_is_idempotent_and_syncs_changes():
    index = SemanticIndex(None)
    items = [("a1", "washing powder", {"n": 1}), ("b2", "cooking oil", {}), ("c3", "tea leaves", {"n": 3})]
    assert index.index("things", items) == 3
    assert index.index("things", list(reversed(items))) == 0  # same content, any order
    # A changed text is re-embedded; changed metadata alone is not; a removed id goes.
    changed = [("a1", "detergent powder", {"n": 1}), ("b2", "cooking oil", {"n": 2})]
    assert index.index("things", changed) == 1
    col = index.client.get_collection("things")
    assert sorted(col.get()["ids"]) == ["a1", "b2"]
    assert index.search("things", "cooking oil", k=1)[0].metadata == {"n": 2}
    # prune=False only adds.
    assert index.index("things", [("d4", "bath soap", {})], prune=False) == 1
    assert col.count() == 3
    with pytest.raises(ValueError, match="duplicate ids"):
        index.index("things", [("x", "one", {}), ("x", "two", {})])


def test_search_on_missing_or_empty_collection():
    index = SemanticIndex(None)
    assert index.search("nothing-here", "tea") == []
    index.index("empty-one", [])
    assert index.search("empty-one", "tea") == []
    assert index.search("empty-one", "   ") == []


@pytest.mark.db  # chromadb's store on disk
def test_persistence_without_reembedding(tmp_path):
    first = SemanticIndex(tmp_path / "chroma")
    assert first.index("products", sku_items()) == 12
    before = [h.id for h in first.search("products", "cooking oil", k=2)]

    # A new process (chromadb caches clients per path inside one process) must find the
    # collection on disk, skip embedding, and query through our function: the stored
    # config rebuilds it even when the collection is opened without naming it.
    script = f"""
import json, sys
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2
ONNXMiniLM_L6_V2.__call__ = None  # tripwire: the default function must not run
from agent.semantic import SemanticIndex
from tests.test_embeddings import sku_items
index = SemanticIndex({str(tmp_path / "chroma")!r})
embedded = index.index("products", sku_items())
hits = [h.id for h in index.search("products", "cooking oil", k=2)]
raw = index.client.get_collection("products").query(query_texts=["tea leaves"], n_results=1)
print(json.dumps([embedded, index.embedded, hits, raw["ids"][0][0]]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    embedded, counted, hits, raw = json.loads(out.stdout.strip().splitlines()[-1])
    assert embedded == 0 and counted == 0
    assert hits == before
    assert raw in {"ST-250", "ST-1K"}


def test_ephemeral_indexes_are_separate():
    a, b = SemanticIndex(None), SemanticIndex(None)
    a.index("products", [("x1", "tea leaves", {})])
    assert not b.has("products") and b.search("products", "tea") == []
