"""Tests for mark-name normalising and comparison (services/ip_protection/domain/names.py): the
"identical or similar mark" reading of rules T-INFRINGE (商标法 art. 57(1)-(2)) and G-USE /
G-INFRINGE (unauthorised use of a GI name)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ip_protection.domain.names import (
    SIMILARITY_THRESHOLD,
    compare,
    normalise,
    similarity,
)

MARK = "埔田竹笋"


@pytest.mark.parametrize("raw, expected", [
    ("埔田竹筍", "埔田竹笋"),            # traditional → simplified (OpenCC t2s)
    ("東寮芋", "东寮芋"),
    ("埔田　竹笋", "埔田竹笋"),          # U+3000 ideographic space
    ("埔 田 竹 笋", "埔田竹笋"),
    ("【埔田竹笋】", "埔田竹笋"),
    ("“埔田·竹笋”®", "埔田竹笋"),
    ("埔田竹笋™", "埔田竹笋"),           # ™ dropped, not turned into the letters "tm" by NFKC
    ("ＰＵＴＩＡＮ埔田竹笋", "putian埔田竹笋"),  # full-width letters → half-width, case folded
    ("Putian 埔田竹笋", "putian埔田竹笋"),
    ("埔田竹笋２０２４", "埔田竹笋2024"),  # full-width digits
    ("\t埔田竹笋\n\x00", "埔田竹笋"),     # control characters
    ("", ""),
    ("😀🎋", ""),
    ("埔田\ud800竹笋\ufe0f", "埔田竹笋"),  # a lone surrogate and a variation selector
])
def test_normalise(raw, expected):
    """T-INFRINGE: width, spacing, punctuation, symbols, case and script do not distinguish names."""
    assert normalise(raw) == expected


@pytest.mark.parametrize("used", ["埔田竹笋", "埔田竹筍", "埔田　竹笋", "埔 田 竹 笋", "【埔田竹笋】",
                                  "《埔田竹笋》", "埔田·竹笋®"])
def test_identical_after_normalising(used):
    """T-INFRINGE 相同商标: equal after normalising."""
    assert compare(used, MARK) == "identical"
    assert similarity(used, MARK) == 1.0


@pytest.mark.parametrize("used", [
    "埔田笋",            # one character dropped: ratio 6/7
    "正宗埔田竹笋",       # the mark in full plus 2 characters
    "埔田竹笋王",         # plus 1
    "埔田竹芋",           # one character changed: ratio 0.75
    "ＰＵＴＩＡＮ埔田竹笋",  # the mark plus a pinyin rendering
    "PUTIAN 埔田竹筍",
])
def test_similar(used):
    """T-INFRINGE 近似商标: ratio ≥ threshold, containment with ≤ 2 extra characters, or only a Latin
    rendering added."""
    assert compare(used, MARK) == "similar"


@pytest.mark.parametrize("used", ["东寮芋", "揭阳竹笋", "笋", "竹", "", "😀", "™®"])
def test_different(used):
    """T-INFRINGE: unrelated names, one shared character, or nothing to compare are different."""
    assert compare(used, MARK) == "different"


def test_compare_is_symmetric_on_the_examples():
    for a, b in [("埔田笋", MARK), ("正宗埔田竹笋", MARK), ("东寮芋", MARK), ("埔田竹筍", MARK)]:
        assert compare(a, b) == compare(b, a)


def test_threshold_boundary():
    """The ratio threshold is inclusive: 3 of 5 characters shared in 5-character names is 0.6."""
    assert SIMILARITY_THRESHOLD == 0.6
    assert similarity("abcde", "abcxy") == pytest.approx(0.6)
    assert compare("abcde", "abcxy") == "similar"
    assert similarity("abcdefghij", "abcdefxyzw") == pytest.approx(0.6)
    assert compare("abcdefghi", "abcdexyzw") == "different"  # 5/9 ≈ 0.556, just under


def test_containment_needs_at_most_two_extra_characters():
    """正宗埔田竹笋 (2 extra) is similar by containment; 3+ extra only by ratio."""
    assert compare("正宗埔田竹笋", MARK) == "similar"
    assert compare("新鲜正宗埔田竹笋特产礼盒", MARK) == "different"  # ratio 8/16 = 0.5


def test_empty_names_resemble_nothing():
    assert similarity("", "") == 0.0
    assert compare("", "") == "different"
    assert compare("。。。", "") == "different"


def test_long_input_is_fast_and_safe():
    long = "埔田竹笋" * 2500   # 10,000 characters
    assert compare(long, MARK) == "different"
    assert compare(long, long) == "identical"
    assert 0.0 <= similarity(long, "x" * 10_000) <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_never_raises_on_any_text(a, b):
    """normalise / similarity / compare accept any str (emoji, controls, surrogates, anything)."""
    na = normalise(a)
    assert isinstance(na, str)
    assert normalise(na) == na  # idempotent
    assert 0.0 <= similarity(a, b) <= 1.0
    assert compare(a, b) in ("identical", "similar", "different")


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_never_raises_on_long_text(piece):
    """Arbitrary text repeated to 10,000 characters (hypothesis itself generates short strings)."""
    a = (piece * (10_000 // len(piece) + 1))[:10_000]
    assert compare(a, a + "x") in ("identical", "similar", "different")
    assert compare(a, MARK) in ("identical", "similar", "different")
