"""Normalising and comparing mark names (商标名称 / 地理标志名称) for matching: the "identical or
similar mark" test of rule T-INFRINGE (商标法 art. 57(1)-(2): 相同商标 / 近似商标) and the
unauthorised use of a GI name of rules G-USE and G-INFRINGE (广东省地理标志条例 art. 20). Pure Python.

What is compared is the *text* of the name as an officer would read it off a label: full-width and
half-width forms, spaces, punctuation, decoration symbols (™ ®), letter case and traditional versus
simplified characters do not distinguish two names. Whether two marks are confusingly similar in law
(字形、读音、含义、整体外观, 商标审查审理指南) is the officer's call; :func:`compare` only sorts a
report into identical / similar / different so that the clear cases need no manual reading.

Traditional → simplified Chinese (繁体 → 简体) uses OpenCC's ``t2s`` dictionaries through the
pure-Python ``opencc-python-reimplemented`` package (phrase-aware: 竹筍 → 竹笋, 東寮 → 东寮).

Every function accepts any ``str`` (empty, emoji, control characters, very long text) and never
raises on it.
"""
from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

from opencc import OpenCC

__all__ = [
    "SIMILARITY_THRESHOLD",
    "MAX_CONTAINED_EXTRA",
    "MIN_SHARED_LENGTH",
    "MAX_COMPARED_LENGTH",
    "Relation",
    "normalise",
    "similarity",
    "compare",
]

Relation = Literal["identical", "similar", "different"]

#: A ratio (difflib ``SequenceMatcher``, 2 × matched characters / total characters) from which two
#: normalised names are "similar". 0.6 catches one dropped or changed character in a four-character
#: name (埔田笋 / 埔田竹笋: 6/7 ≈ 0.86; 埔田竹芋 / 埔田竹笋: 0.75) and keeps unrelated names apart
#: (东寮芋 / 埔田竹笋: 0; one shared character of four, 埔田 / 东寮 style: ≤ 0.5).
SIMILARITY_THRESHOLD = 0.6

#: A name that contains the other in full, with at most this many characters added (正宗埔田竹笋 /
#: 埔田竹笋: 2 added), is "similar" whatever the ratio: the registered mark is reproduced entirely.
#: (With the default threshold the ratio already says so; the rule keeps holding if an operator
#: raises the threshold.)
MAX_CONTAINED_EXTRA = 2

#: The contained part, or the Chinese part of a name with a Latin rendering, must have at least
#: this many characters: one shared character (笋 in 笋干) does not make two names alike.
MIN_SHARED_LENGTH = 2

#: The ratio is computed on at most this many leading characters of each normalised name. Mark
#: names are a few characters; the cap keeps pathological input (two 10,000-character strings,
#: quadratic in difflib) cheap. Identity and containment are always decided on the whole names.
MAX_COMPARED_LENGTH = 200

# Unicode general categories that never distinguish a name: punctuation (P*: · 【】 “” 《》),
# symbols (S*: ™ ® © emoji), separators (Z*: spaces incl. U+3000), control / format / unassigned /
# private-use / surrogate code points (C*), and non-spacing or enclosing marks left over after NFKC
# composition (Mn / Me: variation selectors, emoji keycaps).
_DROPPED_CATEGORIES = ("P", "S", "Z", "C")
_DROPPED_MARKS = ("Mn", "Me")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    """The OpenCC traditional → simplified converter, built once (loading reads its dictionaries)."""
    return OpenCC("t2s")


def _strip(text: str) -> str:
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] in _DROPPED_CATEGORIES or category in _DROPPED_MARKS:
            continue
        out.append(ch)
    return "".join(out)


def normalise(name: str) -> str:
    """The matching form of a mark name.

    1. drop punctuation, symbols, spaces and control characters *before* NFKC, because NFKC would
       turn ™ into the letters "TM" and ℠ into "SM";
    2. NFKC (full-width Ｐ → P, ５ → 5, ㈱ → (株)) and case folding (PUTIAN = Putian = putian);
    3. traditional → simplified (OpenCC ``t2s``: 埔田竹筍 → 埔田竹笋);
    4. drop again what steps 2-3 produced (the brackets of (株), a full-width comma turned ASCII).

    A non-``str`` is read as its ``str()`` so that the function never raises.
    """
    if not isinstance(name, str):
        name = str(name)
    text = _strip(name)
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = _t2s().convert(text)
    return _strip(text)


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0  # an empty name resembles nothing, not even another empty name
    a, b = a[:MAX_COMPARED_LENGTH], b[:MAX_COMPARED_LENGTH]
    # autojunk off: its "popular character" heuristic would drop the repeated characters of long
    # names and understate the ratio.
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similarity(a: str, b: str) -> float:
    """0.0 .. 1.0: how alike two names are after :func:`normalise` (difflib ratio; 1.0 = same
    normalised text; 0.0 when either name normalises to nothing)."""
    return _ratio(normalise(a), normalise(b))


def _latin_free(text: str) -> str:
    """The name without ASCII letters and digits: a pinyin or English rendering printed beside a
    Chinese mark (PUTIAN 埔田竹笋) does not take the Chinese part away."""
    return "".join(ch for ch in text if not (ch.isascii() and ch.isalnum()))


def compare(used: str, registered: str) -> Relation:
    """How the name used on the goods relates to a registered (or applied-for) mark name.

    - ``"identical"``: equal after :func:`normalise` (T-INFRINGE 相同商标: 埔田竹筍, 【埔田竹笋】,
      埔 田 竹 笋 are all 埔田竹笋);
    - ``"similar"`` (T-INFRINGE 近似商标) when any of:
        * :func:`similarity` ≥ :data:`SIMILARITY_THRESHOLD` (埔田笋 / 埔田竹笋);
        * one contains the other (of at least :data:`MIN_SHARED_LENGTH` characters) in full with at
          most :data:`MAX_CONTAINED_EXTRA` characters more (正宗埔田竹笋 / 埔田竹笋);
        * their non-Latin (Chinese) parts are equal and at least :data:`MIN_SHARED_LENGTH` long:
          only a pinyin or Latin rendering was added or dropped (PUTIAN埔田竹笋 / 埔田竹笋);
    - ``"different"`` otherwise, and whenever either name normalises to nothing (a name made only of
      punctuation or emoji names no mark).
    """
    a, b = normalise(used), normalise(registered)
    if not a or not b:
        return "different"
    if a == b:
        return "identical"
    if _ratio(a, b) >= SIMILARITY_THRESHOLD:
        return "similar"
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if (len(shorter) >= MIN_SHARED_LENGTH and shorter in longer
            and len(longer) - len(shorter) <= MAX_CONTAINED_EXTRA):
        return "similar"
    core_a, core_b = _latin_free(a), _latin_free(b)
    if len(core_a) >= MIN_SHARED_LENGTH and core_a == core_b:
        return "similar"
    return "different"
