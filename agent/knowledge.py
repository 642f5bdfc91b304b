"""Answers from a world's knowledge documents (Markdown policies, FAQs, circulars).

Documents are split into passages (one per bullet point or paragraph, long ones cut by
sentences), each keeping its document title and section heading, and searched
semantically. `answer` cites the document it used, or returns None when nothing is
close enough: the assistant must not pass an unrelated policy off as an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agent.semantic import SemanticIndex

COLLECTION = "knowledge"
# Cosine similarity below which a passage is not taken as an answer. Calibrated on the
# sample world: questions the documents answer scored 0.49-0.75, unrelated ones ("price
# of oil" 0.21, "show me my orders" 0.35, "hello" 0.14) at most 0.35
# (tests/test_knowledge.py prints them).
ANSWER_THRESHOLD = 0.40
# Further passages are added to an answer only when nearly as good as the best one.
ANSWER_MARGIN = 0.05
MAX_PASSAGE_WORDS = 120

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class Passage:
    doc: str  # file name, e.g. "returns-and-delivery.md"
    title: str  # the document's first "# " heading, else its file name
    text: str
    score: float = 0.0
    section: str = ""  # nearest heading below the title, if any


def split_document(name: str, markdown: str) -> list[Passage]:
    """Passages of one Markdown document, in document order."""
    title = ""
    section = ""
    blocks: list[tuple[str, list[str]]] = []  # (section, lines)
    current: list[str] | None = None

    def close() -> None:
        nonlocal current
        if current:
            blocks.append((section, current))
        current = None

    in_fence = False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```"):  # code blocks stay whole, never parsed
            in_fence = not in_fence
            continue
        if in_fence:
            if line.strip():
                current = (current or []) + [line.strip()]
            continue
        heading = _HEADING.match(line)
        if heading:
            close()
            if heading.group(1) == "#" and not title:
                title = heading.group(2)
            else:
                section = heading.group(2)
            continue
        bullet = _BULLET.match(line)
        if bullet:
            close()
            current = [bullet.group(1).strip()]
        elif not line.strip():
            close()
        else:  # paragraph text or a bullet's continuation line
            current = (current or []) + [line.strip()]
    close()

    title = title or Path(name).stem.replace("-", " ").replace("_", " ")
    passages = []
    for sec, lines in blocks:
        for chunk in _cut(" ".join(lines)):
            passages.append(Passage(doc=name, title=title, text=chunk, section=sec))
    return passages


def _cut(text: str) -> list[str]:
    """Long paragraphs become runs of whole sentences of at most MAX_PASSAGE_WORDS words."""
    if len(text.split()) <= MAX_PASSAGE_WORDS:
        return [text] if text.strip() else []
    chunks: list[str] = []
    run: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if run and len(" ".join(run + [sentence]).split()) > MAX_PASSAGE_WORDS:
            chunks.append(" ".join(run))
            run = []
        run.append(sentence)
    if run:
        chunks.append(" ".join(run))
    return chunks


class KnowledgeBase:
    def __init__(self, index: SemanticIndex, collection: str = COLLECTION) -> None:
        self.index = index
        self.collection = collection

    def load(self, folder: str | Path) -> int:
        """Index every *.md in `folder` (a world folder or its knowledge/ folder).

        Returns the number of passages; re-loading unchanged documents embeds nothing,
        and passages of removed documents are dropped.
        """
        folder = Path(folder)
        if (folder / "knowledge").is_dir():
            folder = folder / "knowledge"
        if not folder.is_dir():
            raise FileNotFoundError(f"knowledge folder not found: {folder}")
        items = []
        for path in sorted(folder.glob("*.md")):
            for n, p in enumerate(split_document(path.name, path.read_text(encoding="utf-8"))):
                # The title and section go into the embedded text: a bullet alone often
                # lacks the words a question uses ("returns", "payment").
                context = f"{p.title}. {p.section}. " if p.section else f"{p.title}. "
                meta = {"doc": p.doc, "title": p.title, "section": p.section, "text": p.text}
                items.append((f"{p.doc}#{n}", context + p.text, meta))
        self.index.index(self.collection, items)
        return len(items)

    def search(self, query: str, k: int = 3) -> list[Passage]:
        return [
            Passage(
                doc=h.metadata["doc"],
                title=h.metadata["title"],
                text=h.metadata["text"],
                score=h.score,
                section=h.metadata.get("section", ""),
            )
            for h in self.index.search(self.collection, query, k=k)
        ]

    def answer(self, query: str, threshold: float = ANSWER_THRESHOLD) -> str | None:
        """The best passage(s) with their document cited, or None if nothing fits."""
        found = [p for p in self.search(query, k=3) if p.score >= threshold]
        if not found:
            return None
        best = found[0].score
        chosen = [p for p in found if p.score >= best - ANSWER_MARGIN]
        lines = []
        for doc in dict.fromkeys(p.doc for p in chosen):  # group by document, best first
            texts = " ".join(p.text for p in chosen if p.doc == doc)
            title = next(p.title for p in chosen if p.doc == doc)
            lines.append(f'From "{title}" ({doc}): {texts}')
        return "\n".join(lines)
