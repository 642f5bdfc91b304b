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
import gc
import heapq
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, cast

from rapidfuzz import fuzz, process

from agent.nlu.numbers import MEASURE_WORDS, parse_quantities
from agent.nlu.text import NAME_STOPWORDS, STOPWORDS, Token, size_parts, tokenize

KINDS = ("sku", "product", "brand", "category", "customer", "region", "warehouse", "user")
# Words that run the conversation: they may match a name exactly but never by typo.
_COMMAND_WORDS = frozenset(
    "show list order place book need want send give get price rate cost stock offer "
    "scheme discount status report sale pending approve reject cancel dispatch deliver "
    "payment paid record much many owe balance due outstanding item product search find "
    "have available check tell what where when which "
    # the business's own words: never a misspelt name ("batches" is no "bath soap")
    "batch batches expiry expiring expire expired damage damaged receive received transfer move "
    "visit visits target targets warehouse invoice invoices ageing aging collection collections "
    "return returns customer customers retailer retailers distributor distributors".split()
)
_ORDER_NO_RE = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z]{1,6})[-/]?(\d{2,10})(?![A-Za-z0-9-])")
_CODE_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass
class Entry:
    kind: str  # one of KINDS
    code: str
    names: list[str]  # name, aliases, code, barcode...
    extra: dict = field(default_factory=dict)  # e.g. sku: {"units": [("PCS", 1), ...]}

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.code


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float  # 0..100
    span: tuple[int, int]  # the words of the message that matched
    matched_name: str = ""  # which of the entry's names matched best
    exact: bool = False  # every word of that name was said (codes too)
    covers_message: bool = False  # it explains all the world-words of the message
    size_conflict: bool = False  # the message names another size than this entry's


def _is_code_like(name: str, code: str) -> bool:
    """Codes and barcodes are matched exactly, never fuzzily ("CC-100", "8901000000011")."""
    n = name.strip()
    if " " in n:
        return False
    return (
        (n.isdigit() and len(n) >= 6)
        or (any(c.isdigit() for c in n) and any(c in "-_/" for c in n))
        or (n.lower() == code.lower() and (any(c.isdigit() for c in n) or any(c in "-_/" for c in n)))
    )


def find_order_numbers(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Document numbers like SO-1234, INV-12, so/0905, SO1234 -> ['SO-1234', ...].

    Generic LETTERS-DIGITS; `exclude` holds codes that are not documents (SKU or
    customer codes such as CC-100), compared case-insensitively with or without '-'.
    """
    return _order_numbers(text, _skip_set(exclude))


def _skip_set(exclude: Iterable[str]) -> set[str]:
    return {e.upper() for e in exclude} | {e.upper().replace("-", "") for e in exclude}


class _Either:
    """In either of two sets."""

    __slots__ = ("a", "b")

    def __init__(self, a: set[str], b: set[str]):
        self.a, self.b = a, b

    def __contains__(self, x: str) -> bool:
        return x in self.a or x in self.b


def _order_numbers(text: str, skip: set[str] | _Either) -> list[str]:
    out: list[str] = []
    for m in _ORDER_NO_RE.finditer(text):
        letters, digits = m[1].upper(), m[2]
        raw = m[0]
        if not any(c in "-/" for c in raw) and (len(letters) < 2 or not m[1].isupper() and len(letters) < 2):
            continue
        if m[1].lower() in MEASURE_WORDS or m[1].lower() in ("x", "no", "rs", "inr", "ref", "upi"):
            continue
        ref = f"{letters}-{digits}"
        if ref in skip or raw.upper() in skip or (letters + digits) in skip:
            continue
        if ref not in out:
            out.append(ref)
    return out


# Pure functions of one string, asked again and again for the same names and words.
_size_parts = lru_cache(maxsize=1 << 16)(size_parts)


def _size_of(tok: str) -> tuple[Decimal, str]:
    """A size token's (number, dimension): tokenize writes every size token canonically, so it has them."""
    sp = _size_parts(tok)
    assert sp is not None, tok
    return sp


@lru_cache(maxsize=1 << 18)
def _name_tokens(name: str) -> tuple[tuple[str, str, str], ...]:
    """A name's tokens as (text, kind, raw), name stopwords left out."""
    return tuple((t.text, t.kind, t.raw) for t in tokenize(name) if t.text not in NAME_STOPWORDS)


@lru_cache(maxsize=1 << 16)
def _num_key(tok: str) -> str | None:
    """Where a vocabulary token goes in the number index ('250g' -> '250', '12' -> '12')."""
    sp = _size_parts(tok)
    if sp:
        return format(sp[0].normalize(), "f")
    return tok if tok.isdigit() else None


_NO_SIZES: dict[str, set[str]] = {}  # shared by entries without sizes (never written)


@contextmanager
def paused_gc():
    """Building indexes of a large world allocates hundreds of thousands of objects that all
    live on; the cyclic garbage collector would walk them again and again while they are made
    (about half the build time). Nothing here makes cycles, so collection waits until the
    build is done (nested and concurrent builds share one pause; a collector someone else
    turned off stays off)."""
    global _paused
    with _paused_lock:
        if _paused == 0 and not gc.isenabled():
            mine = False
        else:
            mine = True
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if mine:
            with _paused_lock:
                _paused -= 1
                if _paused == 0:
                    gc.enable()


_paused = 0
_paused_lock = threading.Lock()


# An entry's names as the scoring reads them: per name, (token, weight, size dimension, is a number)
# per word, and the name.
_Named = tuple[tuple[tuple[tuple[str, float, str | None, bool], ...], str], ...]


class _Prep(NamedTuple):
    """What one entry contributes to any lexicon holding it, worked out once per entry. Tuples
    of strings only, so the cyclic garbage collector stops looking at them after its first pass
    (a large world has hundreds of thousands; every full collection would walk them all)."""

    codes: tuple[str, ...]  # its code, then names written as codes
    names: tuple[tuple[tuple[tuple[str, str, str], ...], str], ...]  # (tokens, name) per name
    leads: tuple[tuple[str, str], ...]
    raws: tuple[tuple[str, str], ...]
    units: tuple[str, ...]


def _prepare(e: Entry) -> tuple[_Prep, dict[str, set[str]]]:
    """The entry's _Prep and its sizes (dimension -> canonical sizes)."""
    if True:
        code = e.code.upper()
        codes = [code]  # its code, then names written as codes
        names: list[tuple[tuple[tuple[str, str, str], ...], str]] = []
        sizes: dict[str, set[str]] | None = None
        for n in dict.fromkeys(e.names):
            if not n:
                continue
            short_code = n.strip().upper() == code and len(n.strip()) < 4
            if short_code or _is_code_like(n, e.code):
                codes.append(n.strip().upper())
                continue
            toks = _name_tokens(n)
            if not toks:
                continue
            names.append((toks, n))
            for text, kind, _raw in toks:
                if kind == "size":
                    if sizes is None:
                        sizes = defaultdict(set)
                    sizes[_size_of(text)[1]].add(text)
        # the first two words of longer names: a customer is often called by them
        # ("Andheri Medical" for "Andheri Medical and General Stores")
        leads = tuple(
            (toks[0][0], toks[1][0])
            for toks, _n in names
            if len(toks) >= 3 and sum(1 for t in toks if t[1] == "word") >= 2 and toks[0][1] == toks[1][1] == "word"
        )
        # the number as the name writes it: "500" also names "500mg" (kept as 0.5g)
        raws = tuple((raw, text) for toks, _n in names for text, kind, raw in toks if kind == "size" and raw)
        units = tuple(u for u, _f in e.extra.get("units", ()) or ())
        return (_Prep(tuple(codes), tuple(names), leads, raws, units), _NO_SIZES if sizes is None else sizes)


class _State:
    """The lexicon's indexes over entries[0:n] as lists (a checkpoint later lexicons continue from)."""

    __slots__ = (
        "n",
        "entries",
        "kind_of",
        "by_code",
        "codes",
        "units",
        "post",
        "kinds",
        "lead",
        "sets",
        "lead_sets",
        "base",
        "new_codes",
        "skip",
    )

    def __init__(self) -> None:
        self.n = 0
        self.entries: list[Entry] = []
        self.kind_of: list[str] = []
        self.by_code: dict[tuple[str, str], Entry] = {}
        # the lists of entries are a checkpoint's tuples until this state writes them (copied first)
        self.codes: dict[str, Sequence[int]] = {}
        self.units: set[str] = set()
        self.post: dict[str, list[int] | tuple[int, ...]] = {}  # token -> entries, ascending
        self.kinds: dict[str, set[str]] = {}
        self.lead: dict[tuple[str, str], list[int] | tuple[int, ...]] = {}
        self.sets: dict[str, tuple[int, ...]] = {}  # token -> tuple(set(post[token])), made when first needed
        self.lead_sets: dict[tuple[str, str], tuple[int, ...]] = {}
        self.base: _State | None = None  # the checkpoint this state continues
        self.new_codes: list[str] = []  # codes first seen after `base`
        self.skip: set[str] | None = None  # a checkpoint's codes as order numbers exclude them

    def fork(self) -> _State:
        """A copy that may grow while this one stays as it is (lists and sets copied when written)."""
        st = _State()
        st.n, st.entries, st.kind_of = self.n, list(self.entries), list(self.kind_of)
        st.by_code, st.codes, st.units = dict(self.by_code), dict(self.codes), set(self.units)
        st.post, st.kinds, st.lead = dict(self.post), dict(self.kinds), dict(self.lead)
        st.sets, st.lead_sets = self.sets, self.lead_sets  # shared, for the keys nobody changed
        st.base = self
        return st

    def add(self, e: Entry, p: _Prep, touched: set, touched_lead: set) -> None:
        """Entry number `self.n`; lists of keys not in `touched` belong to a checkpoint: copied first."""
        i = self.n
        self.n += 1
        self.entries.append(e)
        self.kind_of.append(e.kind)
        self.by_code[(e.kind, e.code.upper())] = e
        codes = self.codes
        for c in p.codes:
            got = codes.get(c)
            if got is None:
                codes[c] = [i]
                self.new_codes.append(c)
            else:
                codes[c] = [*got, i]
        self.units.update(p.units)
        post, kinds = self.post, self.kinds
        for toks, _n in p.names:
            for text, _kind, _raw in toks:
                got = post.get(text)
                if got is None:
                    post[text] = [i]
                    kinds[text] = {e.kind}
                    touched.add(text)
                    continue
                if text not in touched:
                    got = post[text] = list(got)
                    kinds[text] = set(kinds[text])
                    touched.add(text)
                got = cast(list[int], got)  # a touched token's list is this state's own (made or copied above)
                if got[-1] != i:
                    got.append(i)
                kinds[text].add(e.kind)
        for pair in p.leads:
            got = self.lead.get(pair)
            if got is None:
                self.lead[pair] = [i]
            else:
                if pair not in touched_lead:
                    got = self.lead[pair] = list(got)
                got = cast(list[int], got)  # as for the tokens: a touched pair's list is this state's own
                if got[-1] != i:
                    got.append(i)
            touched_lead.add(pair)


class NameIndex:
    """Entries with their names read once, and the lexicons of any subset of them.

    A subset's lexicon is exactly `Lexicon([e for e in entries if keep(e)])` (the same
    indexes, weights and order), but no name is tokenized twice, and the part of the indexes
    up to the first entry a subset leaves out is kept as a checkpoint that later subsets
    continue from, instead of indexing the catalogue again for every scope."""

    MAX_CHECKPOINTS = 4
    MIN_CHECKPOINT = 1000  # entries; below that a subset is indexed from scratch

    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self._preps: list[_Prep | None] = [None] * len(self.entries)
        self._sizes: list[dict[str, set[str]]] = [_NO_SIZES] * len(self.entries)  # each set by _prep
        self._checkpoints: dict[int, _State] = {}
        self._lock = threading.Lock()

    def _prep(self, i: int) -> _Prep:
        p = self._preps[i]
        if p is None:
            p, self._sizes[i] = _prepare(self.entries[i])
            self._preps[i] = p
        return p

    def _checkpoint(self, upto: int) -> _State:
        """The state over entries[0:upto] (all kept), made from the nearest earlier checkpoint."""
        with self._lock:
            best = max((k for k in self._checkpoints if k <= upto), default=None)
            if best == upto:
                return self._checkpoints[best]
            st = self._checkpoints[best].fork() if best is not None else _State()
            touched: set = set()
            touched_lead: set = set()
            for i in range(st.n, upto):
                st.add(self.entries[i], self._prep(i), touched, touched_lead)
            st.sets, st.lead_sets, st.base, st.new_codes = {}, {}, None, []
            # what lexicons continuing it only read: tuples, which the garbage collector soon ignores
            st.post = {t: tuple(v) for t, v in st.post.items()}
            st.codes = {c: tuple(v) for c, v in st.codes.items()}
            st.lead = {k: tuple(v) for k, v in st.lead.items()}
            while len(self._checkpoints) >= self.MAX_CHECKPOINTS:
                del self._checkpoints[min(self._checkpoints)]
            self._checkpoints[upto] = st
            return st

    def lexicon(self, keep: Callable[[Entry], bool] | None = None) -> Lexicon:
        """The lexicon of the entries `keep` keeps (None: all of them)."""
        with paused_gc():
            return self._lexicon(keep)

    def _lexicon(self, keep: Callable[[Entry], bool] | None) -> Lexicon:
        entries = self.entries
        kept = range(len(entries)) if keep is None else [i for i, e in enumerate(entries) if keep(e)]
        lead = 0  # entries kept from the start
        while lead < len(kept) and kept[lead] == lead:
            lead += 1
        if keep is not None and lead < len(entries) and lead >= self.MIN_CHECKPOINT:
            st = self._checkpoint(lead).fork()
        else:
            st = _State()
            lead = 0
        touched: set = set()
        touched_lead: set = set()
        for i in kept[lead:]:
            st.add(entries[i], self._prep(i), touched, touched_lead)
        lex = Lexicon.__new__(Lexicon)
        lex._index = self
        lex._assemble(st, [self._prep(i) for i in kept], [self._sizes[i] for i in kept], touched, touched_lead)
        return lex


class Lexicon:
    """The world's names, indexed once; `find` is then cheap per message."""

    MAX_CANDIDATES = 300  # entries scored in full per message, after the prefilter

    def __init__(self, entries: Iterable[Entry]):
        index = NameIndex(entries)
        with paused_gc():
            st = _State()
            touched: set = set()
            touched_lead: set = set()
            preps = [index._prep(i) for i in range(len(index.entries))]
            for e, p in zip(index.entries, preps):
                st.add(e, p, touched, touched_lead)
            self._index = index
            self._assemble(st, preps, list(index._sizes), touched, touched_lead)

    def subset(self, keep: Callable[[Entry], bool]) -> Lexicon:
        """The lexicon of the entries `keep` keeps: the same as `Lexicon(filter(keep, entries))`."""
        return self._index.lexicon(keep)

    def _assemble(
        self, st: _State, preps: list[_Prep], sizes: list[dict[str, set[str]]], touched: set, touched_lead: set
    ) -> None:
        self.entries: list[Entry] = st.entries
        self.by_code: dict[tuple[str, str], Entry] = st.by_code
        self._codes: dict[str, Sequence[int]] = st.codes  # UPPER code/barcode -> entries
        self._preps = preps
        self._sizes: list[dict[str, set[str]]] = sizes  # per entry: dim -> canonical sizes
        self._named: dict[int, _Named] = {}  # per entry, made when first scored
        sets, lead_sets = st.sets, st.lead_sets
        # token -> entries, in the order of a set built from them in ascending order (as a tuple: the
        # matching only iterates them)
        post: dict[str, tuple[int, ...]] = {}
        for t, lst in st.post.items():
            got = None if t in touched else sets.get(t)
            if got is None:
                got = tuple(set(lst))
                if t not in touched:
                    sets[t] = got
            post[t] = got
        self._post = post
        self._tok_kinds: dict[str, set[str]] = st.kinds
        n_entries = max(len(self.entries), 1)
        self._idf = {t: math.log(1 + n_entries / len(p)) for t, p in post.items()}
        self.unit_words: frozenset[str] = frozenset(st.units)
        self._kind_of = st.kind_of
        self._vocab = sorted(t for t in post if not t[0].isdigit())
        num_index: dict[str, list[str]] = defaultdict(list)  # '250' -> ['250g', '250']
        for t in post:
            k = _num_key(t)
            if k is not None:
                num_index[k].append(t)
        for p in preps:
            for raw, text in p.raws:
                if text not in num_index[raw]:
                    num_index[raw].append(text)
        self._num_index = num_index
        lead: dict[tuple[str, str], tuple[int, ...]] = {}
        for pair, lst in st.lead.items():
            got = None if pair in touched_lead else lead_sets.get(pair)
            if got is None:
                got = tuple(set(lst))
                if pair not in touched_lead:
                    lead_sets[pair] = got
            lead[pair] = got
        self._lead = lead
        self._base = st.base
        self._new_codes = st.new_codes
        self._skip: set[str] | _Either | None = None

    def _names_of(self, i: int) -> _Named:
        """Entry i's names as (token, weight, size dimension, is a number) tuples, with the name."""
        got = self._named.get(i)
        if got is None:
            got = self._named[i] = tuple(
                (
                    tuple(
                        (text, self._weight(text), _size_of(text)[1] if kind == "size" else None, text.isdigit())
                        for text, kind, _raw in toks
                    ),
                    n,
                )
                for toks, n in self._preps[i].names
            )
        return got

    def _weight(self, tok: str) -> float:
        w = self._idf.get(tok, 1.0)
        return max(w, 1.0) if _size_parts(tok) else w

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

    def of_kind(self, kind: str) -> list[Entry]:
        """Every entry of one kind (the warehouses, the customers), listed once per lexicon: a
        scan of every name for a few warehouses would cost each turn that names none."""
        cache = self.__dict__.setdefault("_of_kind", {})  # the same list if two turns race to fill it
        if kind not in cache:
            cache[kind] = [e for e in self.entries if e.kind == kind]
        return cache[kind]

    def find_order_numbers(self, text: str) -> list[str]:
        skip = self._skip
        if skip is None:
            base = self._base
            if base is None:
                skip = _skip_set(self._codes)
            else:  # the checkpoint's codes (worked out once for every lexicon continuing it) and its own
                if base.skip is None:
                    base.skip = _skip_set(base.codes)
                skip = _Either(base.skip, _skip_set(self._new_codes))
            self._skip = skip
        return _order_numbers(text, skip)

    # -- matching -------------------------------------------------------------------
    def _message_tokens(self, text: str) -> list[Token]:
        """Content tokens: quantities ("20 boxes", "100 ...") and stopwords removed."""
        blank: list[tuple[int, int]] = []
        for q in parse_quantities(text, self.unit_words):
            if q.unit_word and q.unit_word.lower() in MEASURE_WORDS:
                continue  # "10 kg" may also be a size: let the size tokens see it
            if q.unit_word or re.match(r"\s*[A-Za-z]", text[q.end : q.end + 2]):
                blank.append((q.start, q.end))
        toks = tokenize(text, blank=blank)

        def keep(k: int) -> bool:
            t = toks[k].text
            if t not in STOPWORDS:
                return True
            # a common word that is part of a name said in full ("oil can") stays
            return (
                t in self._post
                and t not in NAME_STOPWORDS
                and any(
                    0 <= j < len(toks) and toks[j].text in self._post and toks[j].text not in STOPWORDS
                    for j in (k - 1, k + 1)
                )
            )

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
                num = format(_size_of(t.text)[0].normalize(), "f")
                for vt in [*self._num_index.get(num, ()), *self._num_index.get(t.raw, ())]:
                    if vt != t.text and not _size_parts(vt):
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
            for vt, sc, _ in process.extract(t.text, self._vocab, scorer=fuzz.ratio, score_cutoff=78, limit=8):
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

    def rank(
        self, text: str, kinds: Iterable[str] | None = None, *, limit: int = 10, threshold: float = 55.0
    ) -> list[Match]:
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
        for vt, (_sim, idx) in hits.items():
            msg_w[idx] = max(msg_w.get(idx, 0.0), self._weight(vt))
        total_msg = sum(msg_w.values()) or 1.0
        msg_dims: dict[str, set[str]] = defaultdict(set)
        for t in toks:
            if t.kind == "size":
                msg_dims[_size_of(t.text)[1]].add(t.text)
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
            for name_toks, label in self._names_of(i):
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

    def find(
        self, text: str, kinds: Iterable[str] | None = None, *, threshold: float = 55.0, margin: float = 6.0
    ) -> list[Match]:
        """The best match, plus any other within `margin` points of it, plus (when the best
        is not named in full) every other entry that explains all the message's words as
        well: "paracip" names both strengths even if one has the alias "paracip 500".

        [] = nothing named; one Match = resolved; several = ambiguous, ask which one.
        """
        ranked = self.rank(text, kinds, limit=50, threshold=threshold)
        if not ranked:
            return []
        top = ranked[0]
        return [
            m
            for m in ranked
            if m.score >= top.score - margin
            or (not top.exact and top.covers_message and m.covers_message and not m.size_conflict)
        ]
