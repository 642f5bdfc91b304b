"""The last step before "I didn't understand": how close a message is in meaning to a few
example requests of each reading tool, with the local MiniLM embeddings (agent/embeddings.py;
no network, deterministic). A message goes to a tool only when its best example is close
(MIN_SCORE) and clearly closer than any other tool's (MARGIN); otherwise the user gets help.
Changing tools are never chosen this way: a change must be asked for in words the rules read.

The examples are how people ask in general, never a world's names."""

from __future__ import annotations

import contextlib
import threading

import numpy as np

MIN_SCORE, MARGIN = 0.62, 0.06

EXAMPLES: dict[str, tuple[str, ...]] = {
    "outstanding": (
        "how much do I owe",
        "what is my balance",
        "what are my dues",
        "how much money is pending from me",
        "my account balance",
        "amount payable",
        "how much is outstanding",
        "what do I have to pay",
        "my pending payment",
        "total dues",
    ),
    "payment_due": (
        "when do I have to pay",
        "payment due date",
        "how much credit do I have left",
        "what is my credit limit left",
        "by when should I pay",
        "next payment date",
    ),
    "list_orders": (
        "show my orders",
        "my recent orders",
        "what did I order",
        "list of orders",
        "order history",
        "previous orders",
        "all my orders this month",
        "which orders are open",
    ),
    "low_stock": (
        "what is running out",
        "items about to finish",
        "which products are low",
        "what needs refilling",
        "stock running short",
        "what should we reorder",
    ),
    "expiring_stock": (
        "what is expiring soon",
        "which batches are about to expire",
        "expired stock",
        "short dated stock",
        "near expiry items",
    ),
    "stock_levels": (
        "how much stock do we have",
        "what is in stock",
        "stock position",
        "inventory levels",
        "is it available",
        "current stock",
    ),
    "list_schemes": (
        "any offers",
        "what discounts are there",
        "current schemes",
        "any deals running",
        "what promotions do you have",
        "free goods offers",
    ),
    "sales_report": (
        "how were sales",
        "sales figures",
        "total business this month",
        "revenue report",
        "how much did we sell",
        "sales numbers",
    ),
    "pending_approvals": (
        "anything waiting for my approval",
        "what needs my approval",
        "pending approvals",
        "orders to approve",
        "requests waiting for me",
    ),
    "list_invoices": ("show my invoices", "my bills", "unpaid invoices", "list of bills", "billing history"),
    "sales_ranking": (
        "best selling products",
        "top customers",
        "which items sell the most",
        "slowest moving items",
        "biggest buyers",
        "least sold products",
    ),
    "inactive_customers": (
        "which shops stopped ordering",
        "customers with no recent orders",
        "dormant customers",
        "who has not ordered lately",
        "inactive retailers",
    ),
    "find_products": (
        "what products do you have",
        "show me the catalogue",
        "what do you sell",
        "product list",
        "which items are available to buy",
    ),
}

_lock = threading.Lock()
_matrix: tuple[list[str], np.ndarray] | None = None


def _examples() -> tuple[list[str], np.ndarray]:
    global _matrix
    with _lock:
        if _matrix is None:
            from agent.embeddings import embed

            labels = [tool for tool, says in EXAMPLES.items() for _ in says]
            _matrix = (labels, embed([s for says in EXAMPLES.values() for s in says]))
        return _matrix


def warm() -> None:
    """Embed the example requests now (a server does it at start, not in its first user's turn)."""
    from agent.embeddings import EmbeddingModelMissing

    with contextlib.suppress(EmbeddingModelMissing):  # the planner then places requests by its rules alone
        _examples()


def closest_tool(text: str, allowed: set[str]) -> tuple[str | None, float, float]:
    """(tool, its score, margin over the next tool) among `allowed`; tool None when no tool is
    close enough or clearly closest."""
    from agent.embeddings import EmbeddingModelMissing, embed

    try:
        labels, matrix = _examples()
        vec = embed([text])[0]
    except EmbeddingModelMissing:
        return None, 0.0, 0.0
    best: dict[str, float] = {}
    for label, score in zip(labels, matrix @ vec):
        if (not allowed or label in allowed) and score > best.get(label, -1.0):
            best[label] = float(score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not ranked:
        return None, 0.0, 0.0
    top, score = ranked[0]
    margin = score - (ranked[1][1] if len(ranked) > 1 else 0.0)
    if score < MIN_SCORE or margin < MARGIN:
        return None, score, margin
    return top, score, margin
