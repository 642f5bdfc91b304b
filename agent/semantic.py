"""Semantic search over chromadb collections, embedded with the local model.

A collection is synced from a list of (id, text, metadata) items; a content hash kept
in the collection's metadata lets a restart (or a second process on the same
directory) skip re-embedding when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings

from agent.embeddings import MODEL_ID, LocalEmbeddingFunction

HASH_KEY = "dms:content_sha256"
Item = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    score: float  # cosine similarity clipped to 0..1
    metadata: dict[str, Any] = field(default_factory=dict)


def content_hash(items: list[Item]) -> str:
    """Order-independent hash of ids, texts and metadata (and the model that embeds them)."""
    rows = sorted((i, t, json.dumps(m or {}, sort_keys=True, default=str)) for i, t, m in items)
    return hashlib.sha256(json.dumps([MODEL_ID, rows]).encode()).hexdigest()


class SemanticIndex:
    """chromadb client, persistent at `directory` or in memory when it is None."""

    def __init__(self, directory: str | Path | None = None) -> None:
        settings = Settings(anonymized_telemetry=False, allow_reset=False)
        if directory is None:
            # chromadb shares one in-memory system per process: a database of our own
            # keeps two ephemeral indexes (two worlds, two tests) from seeing each other.
            database = f"ephemeral-{uuid.uuid4().hex}"
            chromadb.AdminClient(settings).create_database(database)
            self.client = chromadb.EphemeralClient(settings=settings, database=database)
        else:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(directory), settings=settings)
        self.embedding_function = LocalEmbeddingFunction()
        self._lock = threading.Lock()  # one sync at a time per index
        self.embedded = 0  # texts embedded by index() in this instance (for tests, metrics)

    def _collection(self, name: str):
        return self.client.get_or_create_collection(
            name,
            # chromadb types this for documents or images; a text-only function, like its own defaults, is what it takes
            embedding_function=self.embedding_function,  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )

    def has(self, collection: str) -> bool:
        return collection in {c.name for c in self.client.list_collections()}

    def index(self, collection: str, items: list[Item], *, prune: bool = True) -> int:
        """Make `collection` hold `items`; returns how many texts were embedded.

        Upserts by id and embeds only new or changed texts. With `prune` (default) ids
        not in `items` are deleted, so the collection mirrors its source exactly.
        """
        ids = [i for i, _, _ in items]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate ids in items for collection {collection!r}: {dupes}")
        digest = content_hash(items)
        with self._lock:
            col = self._collection(collection)
            if prune and (col.metadata or {}).get(HASH_KEY) == digest:
                return 0
            existing = col.get(ids=ids, include=["documents", "metadatas"]) if ids else None
            known = {}
            if existing:
                for i, doc, meta in zip(existing["ids"], existing["documents"], existing["metadatas"]):
                    known[i] = (doc, meta or {})
            changed = [(i, t, m) for i, t, m in items if known.get(i, (None,))[0] != t]
            relabelled = [
                (i, t, m) for i, t, m in items if i in known and known[i][0] == t and known[i][1] != (_meta(m) or {})
            ]
            if changed:
                col.upsert(
                    ids=[i for i, _, _ in changed],
                    documents=[t for _, t, _ in changed],
                    metadatas=[_meta(m) for _, _, m in changed],
                )
            if relabelled:  # same text, new metadata: no need to embed again
                col.update(ids=[i for i, _, _ in relabelled], metadatas=[_meta(m) for _, _, m in relabelled])
            if prune:
                stale = [i for i in col.get(include=[])["ids"] if i not in set(ids)]
                if stale:
                    col.delete(ids=stale)
                col.modify(metadata={**_user_metadata(col.metadata), HASH_KEY: digest})
            elif HASH_KEY in (col.metadata or {}):
                # The collection may now hold more than any one item list: drop the hash.
                col.modify(metadata=_user_metadata(col.metadata) or {"dms:synced": False})
            self.embedded += len(changed)
            return len(changed)

    def search(self, collection: str, query: str, k: int = 5, where: dict | None = None) -> list[Hit]:
        """The `k` nearest items to `query`, best first; [] for a missing/empty collection."""
        if not query.strip() or not self.has(collection):
            return []
        col = self._collection(collection)
        count = col.count()
        if count == 0:
            return []
        res = col.query(
            query_texts=[query],
            n_results=min(k, count),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(id=i, text=doc, score=max(0.0, min(1.0, 1.0 - dist)), metadata=dict(meta or {}))
            for i, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])
        ]

    def drop(self, collection: str) -> None:
        if self.has(collection):
            self.client.delete_collection(collection)


def _meta(m: dict[str, Any] | None) -> dict[str, Any] | None:
    """chromadb rejects empty metadata dicts and non-scalar values."""
    if not m:
        return None
    return {k: v if isinstance(v, (str, int, float, bool)) else str(v) for k, v in m.items() if v is not None}


def _user_metadata(meta: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (meta or {}).items() if k != HASH_KEY}
