"""Names of the imported world (SKUs, products, brands, customers, regions...) and
finding them in a message: exact codes, then fuzzy names and aliases.

Scoring, per entry and per name of it: `name_cov` = share of the name's words (weighted
by rarity) found in the message, `msg_cov` = share of the message's world-words that the
name explains. Their mean makes "oil 1 litre" pick the 1L SKU (all of the message
explained) and lets short and long phrasings both score. Sizes are compared after
normalisation ("1 litre" = "1L" = "1000ml"); a size that contradicts the entry's
("5 litre" for a 1L SKU) halves its score.
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from agent.nlu.numbers import MEASURE_WORDS, parse_quantities
from agent.nlu.text import NAME_STOPWORDS, STOPWORDS, Token, size_parts, tokenize

KINDS = ("sku", "product", "brand", "category", "customer", "region", "warehouse", "user")
# Words that run the conversation: they may match a name exactly but never by typo.
_COMMAND_WORDS = frozenset(
    "show list order place book need want send give get price rate cost stock offer "
    "scheme discount status report sale pending approve reject cancel dispatch deliver "
    "payment paid record much many owe balance due outstanding item product search find "
    "have available check tell what where when which".split())
_ORDER_NO_RE = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z]{1,6})[-/]?(\d{2,10})(?![A-Za-z0-9-])")
_CODE_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass
class Entry:
    kind: str                  # one of KINDS
    code: str
    names: list[str]           # name, aliases, code, barcode...
    extra: dict = field(default_factory=dict)  # e.g. sku: {"units": [("PCS", 1), ...]}

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.code


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float               # 0..100
    span: tuple[int, int]      # the words of the message that matched
    matched_name: str = ""     # which of the entry's names matched best
    exact: bool = False        # every word of that name was said (codes too)
    covers_message: bool = False  # it explains all the world-words of the message
    size_conflict: bool = False   # the message names another size than this entry's


def _is_code_like(name: str, code: str) -> bool:
    """Codes and barcodes are matched exactly, never fuzzily ("CC-100", "8901000000011")."""
    n = name.strip()
    if " " in n:
        return False
    return ((n.isdigit() and len(n) >= 6) or (any(c.isdigit() for c in n) and any(c in "-_/" for c in n))
            or (n.lower() == code.lower() and (any(c.isdigit() for c in n) or any(c in "-_/" for c in n))))


def find_order_numbers(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Document numbers like SO-1234, INV-12, so/0905, SO1234 -> ['SO-1234', ...].

    Generic LETTERS-DIGITS; `exclude` holds codes that are not documents (SKU or
    customer codes such as CC-100), compared case-insensitively with or without '-'.
    """
    skip = {e.upper() for e in exclude} | {e.upper().replace("-", "") for e in exclude}
    out: list[str] = []
    for m in _ORDER_NO_RE.finditer(text):
        letters, digits = m[1].upper(), m[2]
        raw = m[0]
        if not any(c in "-/" for c in raw) and (len(letters) < 2 or not m[1].isupper()
                                                and len(letters) < 2):
            continue
        if m[1].lower() in MEASURE_WORDS or m[1].lower() in ("x", "no", "rs", "inr", "ref", "upi"):
            continue
        ref = f"{letters}-{digits}"
        if ref in skip or raw.upper() in skip or (letters + digits) in skip:
            continue
        if ref not in out:
            out.append(ref)
    return out


class Lexicon:
    """The world's names, indexed once; `find` is then cheap per message."""

    MAX_CANDIDATES = 300  # entries scored in full per message, after the prefilter

    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self.by_code: dict[tuple[str, str], Entry] = {}
        self._codes: dict[str, list[int]] = defaultdict(list)   # UPPER code/barcode -> entries
        self._names: list[list[tuple[list[tuple[str, float]], str]]] = []  # per entry
        self._sizes: list[dict[str, set[str]]] = []  # per entry: dim -> canonical sizes
        self._post: dict[str, set[int]] = defaultdict(set)       # token -> entries
        self._tok_kinds: dict[str, set[str]] = defaultdict(set)
        units: set[str] = set()
        raw_names: list[list[tuple[list[Token], str]]] = []
        for i, e in enumerate(self.entries):
            self.by_code[(e.kind, e.code.upper())] = e
            self._codes[e.code.upper()].append(i)
            for u, _f in e.extra.get("units", ()) or ():
                units.add(u)
            per: list[tuple[list[Token], str]] = []
            sizes: dict[str, set[str]] = defaultdict(set)
            for n in dict.fromkeys(e.names):
                if not n:
                    continue
                short_code = n.strip().upper() == e.code.upper() and len(n.strip()) < 4
                if short_code or _is_code_like(n, e.code):
                    self._codes[n.strip().upper()].append(i)
                    continue
                toks = [t for t in tokenize(n) if t.text not in NAME_STOPWORDS]
                if not toks:
                    continue
                per.append((toks, n))
                for t in toks:
                    self._post[t.text].add(i)
                    self._tok_kinds[t.text].add(e.kind)
                    if t.kind == "size":
                        sizes[size_parts(t.text)[1]].add(t.text)
            raw_names.append(per)
            self._sizes.append(sizes)
        n_entries = max(len(self.entries), 1)
        self._idf = {t: math.log(1 + n_entries / len(p)) for t, p in self._post.items()}
        for per in raw_names:
            self._names.append([([(t.text, self._weight(t.text),
                                    size_parts(t.text)[1] if t.kind == "size" else None,
                                    t.text.isdigit()) for t in toks], n)
                                for toks, n in per])
        self.unit_words: frozenset[str] = frozenset(units)
        self._kind_of = [e.kind for e in self.entries]
        self._vocab = sorted(t for t in self._post if not t[0].isdigit())
        self._num_index: dict[str, list[str]] = defaultdict(list)  # '250' -> ['250g', '250']
        for t in self._post:
            sp = size_parts(t)
            if sp:
                self._num_index[format(sp[0].normalize(), "f")].append(t)
            elif t.isdigit():
                self._num_index[t].append(t)
        # the number as the name writes it: "500" also names "500mg" (kept as 0.5g)
        for per in raw_names:
            for toks, _n in per:
                for t in toks:
                    if t.kind == "size" and t.raw and t.text not in self._num_index[t.raw]:
                        self._num_index[t.raw].append(t.text)
        # the first two words of longer names: a customer is often called by them
        # ("Andheri Medical" for "Andheri Medical and General Stores")
        self._lead: dict[tuple[str, str], set[int]] = defaultdict(set)
        for i, per in enumerate(raw_names):
            for toks, _n in per:
                words = [t.text for t in toks if t.kind == "word"]
                if len(toks) >= 3 and len(words) >= 2 and toks[0].kind == toks[1].kind == "word":
                    self._lead[(toks[0].text, toks[1].text)].add(i)

    def _weight(self, tok: str) -> float:
        w = self._idf.get(tok, 1.0)
        return max(w, 1.0) if size_parts(tok) else w

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._codes)

    def knows_word(self, word: str) -> bool:
        """Is `word` (any case, plural or not) part of some name of the world?"""
        toks = tokenize(word)
        return bool(toks) and all(t.text in self._post for t in toks)

    def is_code(self, text: str) -> bool:
        """Is `text` exactly some entry's code or barcode?"""
        return text.strip().upper() in self._codes

    def get(self, kind: str, code: str) -> Entry | None:
        return self.by_code.get((kind, code.upper()))

    def find_order_numbers(self, text: str) -> list[str]:
        return find_order_numbers(text, exclude=self._codes)

    # -- matching -------------------------------------------------------------------
    def _message_tokens(self, text: str) -> list[Token]:
        """Content tokens: quantities ("20 boxes", "100 ...") and stopwords removed."""
        blank: list[tuple[int, int]] = []
        for q in parse_quantities(text, self.unit_words):
            if q.unit_word and q.unit_word.lower() in MEASURE_WORDS:
                continue  # "10 kg" may also be a size: let the size tokens see it
            if q.unit_word or re.match(r"\s*[A-Za-z]", text[q.end:q.end + 2]):
                blank.append((q.start, q.end))
        toks = tokenize(text, blank=blank)

        def keep(k: int) -> bool:
            t = toks[k].text
            if t not in STOPWORDS:
                return True
            # a common word that is part of a name said in full ("oil can") stays
            return t in self._post and t not in NAME_STOPWORDS and any(
                0 <= j < len(toks) and toks[j].text in self._post and toks[j].text not in STOPWORDS
                for j in (k - 1, k + 1))
        return [t for k, t in enumerate(toks) if keep(k)]

    def _hits(self, toks: list[Token]) -> dict[str, tuple[float, int]]:
        """vocabulary token -> (similarity, index of the message token) for best pairs."""
        hits: dict[str, tuple[float, int]] = {}

        def add(vt: str, sim: float, idx: int) -> None:
            if vt in self._post and sim > hits.get(vt, (0, 0))[0]:
                hits[vt] = (sim, idx)

        for i, t in enumerate(toks):
            if t.kind == "size":
                add(t.text, 1.0, i)
                num = format(size_parts(t.text)[0].normalize(), "f")
                for vt in [*self._num_index.get(num, ()), *self._num_index.get(t.raw, ())]:
                    if vt != t.text and not size_parts(vt):
                        add(vt, 0.9, i)  # bare "250" in an alias like "tea 250"
                continue
            if t.kind == "num":
                add(t.text, 1.0, i)
                for vt in self._num_index.get(t.text, ()):
                    add(vt, 0.9, i)
                continue
            add(t.text, 1.0, i)
            if t.text in _COMMAND_WORDS or len(t.text) < 4:
                continue
            for vt, sc, _ in process.extract(t.text, self._vocab, scorer=fuzz.ratio,
                                             score_cutoff=78, limit=8):
                if vt[0] == t.text[0] or sc >= 88:
                    add(vt, sc / 100 * 0.97, i)
            # prefix: "choco" -> "chocolate"
            j = bisect.bisect_left(self._vocab, t.text)
            while j < len(self._vocab) and self._vocab[j].startswith(t.text):
                add(self._vocab[j], 0.85, i)
                j += 1
        # words run together: "steel grip" -> "steelgrip" (a token of its own, both spans)
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.kind == b.kind == "word" and (a.text + b.text) in self._post:
                toks.append(Token(a.text + b.text, a.start, b.end, "word"))
                add(a.text + b.text, 1.0, len(toks) - 1)
        return hits

    def rank(self, text: str, kinds: Iterable[str] | None = None, *, limit: int = 10,
             threshold: float = 55.0) -> list[Match]:
        """Entries of `kinds` named in `text`, best first, scoring at least `threshold`."""
        kinds_set = set(kinds) if kinds else set(KINDS)
        results: dict[int, Match] = {}
        for m in _CODE_TOKEN_RE.finditer(text):
            tok = m.group(0)
            if len(tok) <= 3 and not any(c.isdigit() for c in tok) and not tok.isupper():
                continue  # "in", "ka": words unless written as codes ("IN", "KA")
            for i in self._codes.get(tok.upper(), ()):
                e = self.entries[i]
                if e.kind in kinds_set:
                    results[i] = Match(e, 100.0, (m.start(), m.end()), tok, True, True)
        toks = self._message_tokens(text)
        hits = {vt: h for vt, h in self._hits(toks).items() if self._tok_kinds[vt] & kinds_set}
        if hits:
            self._score_fuzzy(toks, hits, kinds_set, results)
        ranked = sorted(results.values(), key=lambda m: (-m.score, m.entry.kind, m.entry.code))
        return [m for m in ranked if m.score >= threshold][:limit]

    def _score_fuzzy(self, toks, hits, kinds_set, results) -> None:
        # weight of each message token = rarity of the world word it matched
        msg_w: dict[int, float] = {}
        for vt, (sim, idx) in hits.items():
            msg_w[idx] = max(msg_w.get(idx, 0.0), self._weight(vt))
        total_msg = sum(msg_w.values()) or 1.0
        msg_dims: dict[str, set[str]] = defaultdict(set)
        for t in toks:
            if t.kind == "size":
                msg_dims[size_parts(t.text)[1]].add(t.text)
        msg_has_number = any(t.kind in ("size", "num") for t in toks)
        # Prefilter: score fully only the entries sharing the most (rare) words.
        acc: dict[int, float] = defaultdict(float)
        kind_of = self._kind_of
        for vt, (sim, _idx) in hits.items():
            w = self._weight(vt) * sim
            for i in self._post[vt]:
                if kind_of[i] in kinds_set:
                    acc[i] += w
        cands = heapq.nlargest(self.MAX_CANDIDATES, acc, key=acc.__getitem__)
        for i in cands:
            e = self.entries[i]
            if e.kind not in kinds_set:
                continue
            best: tuple | None = None
            for name_toks, label in self._names[i]:
                num = den = 0.0
                used: dict[int, float] = {}
                skipped = False
                for tok, w, dim, is_num in name_toks:
                    if (dim and dim not in msg_dims and tok not in hits) or (is_num and not msg_has_number):
                        skipped = True
                        continue  # the message says no size: do not penalise it
                    den += w
                    h = hits.get(tok)
                    if h:
                        num += w * h[0]
                        used[h[1]] = max(used.get(h[1], 0.0), h[0])
                if not used or den == 0:
                    continue
                name_cov = num / den
                msg_cov = sum(msg_w[j] * s for j, s in used.items()) / total_msg
                score = 100 * (0.5 * name_cov + 0.5 * min(msg_cov, 1.0))
                span = (min(toks[j].start for j in used), max(toks[j].end for j in used))
                if best is None or score > best[0]:
                    exact = not skipped and num >= den - 1e-9
                    best = (score, span, label, exact, msg_cov >= 0.95)
            if best is None:
                continue
            score = best[0]
            conflict = False
            for dim, said in msg_dims.items():
                own = self._sizes[i].get(dim)
                if own and not own & said:
                    score *= 0.5  # "5 litre" said, this is the 1L one
                    conflict = True
            if i not in results or results[i].score < score:
                results[i] = Match(e, round(score, 1), best[1], best[2], best[3], best[4], conflict)

    def find_by_lead(self, text: str, kind: str) -> list[tuple[Entry, tuple[int, int]]]:
        """Entries of `kind` whose (longer) name begins with two words said together here,
        with the span of those words."""
        toks = [t for t in tokenize(text) if t.kind == "word"]
        found: dict[int, tuple[int, int]] = {}
        for a, b in zip(toks, toks[1:]):
            for i in self._lead.get((a.text, b.text), ()):
                if self._kind_of[i] == kind and i not in found:
                    found[i] = (a.start, b.end)
        return [(self.entries[i], span) for i, span in found.items()]

    def find(self, text: str, kinds: Iterable[str] | None = None, *,
             threshold: float = 55.0, margin: float = 6.0) -> list[Match]:
        """The best match, plus any other within `margin` points of it, plus (when the best
        is not named in full) every other entry that explains all the message's words as
        well: "paracip" names both strengths even if one has the alias "paracip 500".

        [] = nothing named; one Match = resolved; several = ambiguous, ask which one.
        """
        ranked = self.rank(text, kinds, limit=50, threshold=threshold)
        if not ranked:
            return []
        top = ranked[0]
        return [m for m in ranked if m.score >= top.score - margin or (
            not top.exact and top.covers_message and m.covers_message and not m.size_conflict)]
