"""Knowledge documents: splitting, semantic search, cited answers (no network, no DB)."""

import shutil

import pytest

from agent.knowledge import ANSWER_THRESHOLD, KnowledgeBase, split_document
from agent.semantic import SemanticIndex
from tests.conftest import SAMPLE_WORLD

KNOWLEDGE = SAMPLE_WORLD / "knowledge"
RELATED = [
    "can I return damaged goods?",
    "when are cheques charged",
    "what if a cheque bounces",
    "minimum order for free delivery",
    "do you deliver on sunday",
    "what happens if I exceed my credit limit",
]
UNRELATED = [
    "what is the price of oil",
    "what is the weather today",
    "who won the cricket match",
    "show me my orders",
    "how much stock of tea do we have",
    "add 2 cartons of marie",
    "hello",
]


@pytest.fixture(scope="module")
def kb():
    base = KnowledgeBase(SemanticIndex(None))
    assert base.load(KNOWLEDGE) == 8
    return base


def test_split_keeps_title_and_joins_continuation_lines():
    text = (KNOWLEDGE / "returns-and-delivery.md").read_text()
    passages = split_document("returns-and-delivery.md", text)
    assert len(passages) == 4
    assert {p.title for p in passages} == {"Returns, damages and delivery"}
    damaged = passages[1]
    assert damaged.text.startswith("Retailers can return goods that arrive damaged within 48 hours")
    assert "delivery, with a photo." in damaged.text  # wrapped line joined with one space


def test_split_sections_paragraphs_and_untitled_documents():
    md = (
        "Intro paragraph without a title\nthat wraps.\n\n"
        "## Schemes\n\n1. Buy 10 get 1.\n2) Festive offer.\n\n"
        "### Notes\nA closing paragraph.\n\n"
        "```\ncode stays # not a heading\n```\n" + "Long sentence number one is here. " * 60
    )
    passages = split_document("scheme_circular.md", md)
    assert passages[0].title == "scheme circular"  # no "# " heading: from the file name
    assert passages[0].text == "Intro paragraph without a title that wraps."
    assert [(p.section, p.text) for p in passages[1:3]] == [("Schemes", "Buy 10 get 1."), ("Schemes", "Festive offer.")]
    assert passages[3].section == "Notes"
    assert any("# not a heading" in p.text for p in passages)
    long = [p for p in passages if p.text.startswith("Long")]
    assert len(long) >= 2 and all(len(p.text.split()) <= 120 for p in long)


def test_search_finds_the_right_passage(kb):
    cases = {
        "can I return damaged goods?": ("returns-and-delivery.md", "48 hours"),
        "when are cheques charged": ("payment-terms.md", "Rs 500"),
        "what if a cheque bounces": ("payment-terms.md", "Rs 500"),
        "minimum order for free delivery": ("returns-and-delivery.md", "1,500"),
    }
    for query, (doc, needle) in cases.items():
        best = kb.search(query, k=3)[0]
        assert best.doc == doc and needle in best.text, (query, best)
        assert best.score >= ANSWER_THRESHOLD


def test_answer_cites_the_document(kb):
    answer = kb.answer("can I return damaged goods?")
    assert answer.startswith(
        'From "Returns, damages and delivery" (returns-and-delivery.md): '
        "Retailers can return goods that arrive damaged within 48 hours of delivery, with a photo."
    )
    assert "Rs 500" in kb.answer("what if a cheque bounces")
    assert "(payment-terms.md)" in kb.answer("what if a cheque bounces")


def test_threshold_separates_related_from_unrelated(kb, capsys):
    related = {q: kb.search(q, k=1)[0].score for q in RELATED}
    unrelated = {q: kb.search(q, k=1)[0].score for q in UNRELATED}
    with capsys.disabled():
        print(f"\n[knowledge] threshold {ANSWER_THRESHOLD}")
        for q, s in {**related, **unrelated}.items():
            print(f"[knowledge] {s:.3f} {'related  ' if q in related else 'unrelated'} {q}")
    assert min(related.values()) >= ANSWER_THRESHOLD
    assert max(unrelated.values()) < ANSWER_THRESHOLD
    for q in UNRELATED:
        assert kb.answer(q) is None, q
    assert kb.answer("") is None


def test_reload_embeds_only_changes(tmp_path):
    folder = tmp_path / "world" / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    index = SemanticIndex(tmp_path / "chroma")
    base = KnowledgeBase(index)
    assert base.load(tmp_path / "world") == 8  # a world folder works too
    assert index.embedded == 8
    base.load(folder)
    assert index.embedded == 8  # unchanged: nothing re-embedded

    (folder / "payment-terms.md").unlink()
    assert base.load(folder) == 4
    assert {p.doc for p in base.search("cheque bounce charge", k=5)} == {"returns-and-delivery.md"}
    assert index.embedded == 8  # removing a document embeds nothing


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="knowledge folder not found"):
        KnowledgeBase(SemanticIndex(None)).load(tmp_path / "nope")


def test_empty_knowledge_base_answers_nothing():
    assert KnowledgeBase(SemanticIndex(None)).answer("can I return damaged goods?") is None


def test_product_index_from_the_imported_world(sample):
    """The catalogue as imported into the database (SQLite or PostgreSQL) indexes and
    matches by meaning; the index code knows nothing of these names."""
    from sqlmodel import Session, select

    from core.tables.catalogue import Product, Sku

    with Session(sample) as session:
        names = {p.code: p.name for p in session.exec(select(Product))}
        items = [
            (s.code, "; ".join([s.name, names[s.product], *s.aliases.split("|")]), {"product": s.product})
            for s in session.exec(select(Sku))
        ]
    index = SemanticIndex(None)
    assert index.index("products", items) == len(items) > 0
    assert index.search("products", "washing powder", k=1)[0].id in {"BR-1K", "BR-500"}
    assert index.search("products", "cooking oil", k=1)[0].id in {"GD-1L", "GD-5L"}
    assert index.search("products", "tea leaves", k=1)[0].id in {"ST-250", "ST-1K"}
