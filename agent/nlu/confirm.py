"""Is a message a plain yes or no to the pending preview? Anything more is not."""

from __future__ import annotations

import re

_YES_PHRASES = (
    "go ahead",
    "go for it",
    "sounds good",
    "looks good",
    "that's right",
    "thats right",
    "of course",
    "why not",
    "yes please",
    "please do",
    "haan ji",
    "ha ji",
    "theek hai",
    "thik hai",
    "all good",
    "lgtm",
    "make it so",
    "carry on",
    # Hinglish: "send it", "do it", "place it", "confirm it"
    "bhej do",
    "bhejo",
    "bhej dijiye",
    "kar do",
    "kardo",
    "karo",
    "kar dijiye",
    "laga do",
    "confirm karo",
    "confirm kar do",
    "book karo",
    "book kar do",
    "chalega",
    "chalo",
    "pakka",
)
_NO_PHRASES = (
    "never mind",
    "nevermind",
    "not now",
    "no thanks",
    "no thank you",
    "forget it",
    "forget about it",
    "leave it",
    "don't",
    "do not",
    "dont",
    "not needed",
    "no need",
    "hold off",
    "hold on",
    "scrap that",
    "changed my mind",
    # Hinglish: "leave it", "don't do it", "not now", "not needed", "cancel it"
    "rehne do",
    "rahne do",
    "rehne dijiye",
    "chhodo",
    "chodo",
    "chhod do",
    "chod do",
    "mat karo",
    "mat bhejo",
    "mat kar",
    "abhi nahi",
    "nahi chahiye",
    "nahi chaiye",
    "cancel karo",
    "cancel kar do",
    "cancel kardo",
    "band karo",
    "ruko",
    "ruk jao",
)
_YES = set(
    "yes y yeah yea yep yup ya yah ok okay k kk okk sure confirm confirmed confirming "
    "proceed place do done fine correct right affirmative absolutely definitely "
    "go haan han ha ji accept accepted agree agreed alright approved book submit "
    "bilkul haanji hanji theek thik sahi "
    "👍 ✅".split()
)
_NO = set(
    "no n nope nah nahi nahin nai nhi na mat cancel cancelled canceled stop abort decline declined "
    "reject wait halt negative skip drop discard".split()
)
# Words that may surround a yes/no without adding a request of their own ("no wait,
# keep it": keeping things as they are asks for nothing new).
_FILLER = set(
    "please pls plz kindly it that this the order one thanks thank you thx ty for later today "
    "sir madam ji bhai boss just then now go ahead and also yes so well oh yaar yar bhaiya hai "
    "really mind its all good sounds looks right that's thats i am im keep".split()
)


def _clean(text: str) -> str:
    t = text.lower().replace("’", "'")
    t = re.sub(r"[!?.,;:()\"*~\-]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def parse_confirmation(text: str) -> str | None:
    """'yes' / 'no' when the message only accepts or declines; else None.

    A message that also asks for something ("yes and also add 2 boxes of X") is None:
    the caller must treat it as a new request. When both kinds of words occur, the
    first decides ("yes, cancel it" answers a cancel preview; "no, cancel that" declines).
    """
    t = _clean(text)
    if not t or len(t) > 60:
        return None
    marks: list[tuple[int, str]] = []
    rest = t
    for phrases, kind in ((_NO_PHRASES, "no"), (_YES_PHRASES, "yes")):
        for p in phrases:
            for m in re.finditer(rf"(?<![\w']){re.escape(p)}(?![\w'])", rest):
                marks.append((m.start(), kind))
            rest = re.sub(rf"(?<![\w']){re.escape(p)}(?![\w'])", lambda m: " " * len(m[0]), rest)
    pos = 0
    for word in rest.split(" "):
        if word:
            idx = rest.index(word, pos)
            pos = idx + len(word)
            if word in _NO or word == "not":
                marks.append((idx, "no"))
            elif word in _YES:
                marks.append((idx, "yes"))
            elif word not in _FILLER:
                return None  # something else was asked: not a bare confirmation
    if not marks:
        return None
    marks.sort()
    return marks[0][1]
