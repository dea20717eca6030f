"""Tests for the unified social credit code (统一社会信用代码, GB 32100-2015): rule R-USCC.

Known codes come from DOMAIN.md (R-USCC) and DOMAIN-NOTES.md section 5.1.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.law import disclosure
from shared.law.uscc import (
    ALPHABET,
    JIEDONG_DIVISION,
    MARKET_REGULATION,
    SERIAL_LIMIT,
    EntityCategory,
    InvalidUscc,
    UsccParts,
    check_character,
    generate,
    is_valid,
    organisation_check_digit,
    parse,
    validate,
)

KNOWN_VALID = (
    "91350100M000100Y43",  # DOMAIN.md
    "91440300708461136T",  # DOMAIN.md
    "91440101MA5CJQ4N59",  # DOMAIN-NOTES 5.1, Guangzhou
    "91350213678251743X",  # DOMAIN-NOTES 5.1
)
KNOWN_INVALID = "91350203M0001QAY9B"  # DOMAIN-NOTES 5.1: whitelisted as an exception by its source


def raised(code: object) -> InvalidUscc:
    with pytest.raises(InvalidUscc) as info:
        validate(code)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("R-USCC: ")
    return info.value


# --- known codes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", KNOWN_VALID)
def test_r_uscc_known_valid_codes_pass(code):
    """R-USCC: real codes pass both checks and are returned unchanged."""
    assert validate(code) == code
    assert is_valid(code)
    assert disclosure.valid_uscc(code)


def test_r_uscc_known_invalid_code_fails_on_check_character():
    """R-USCC: 91350203M0001QAY9B has a correct organisation-code digit but a wrong check character."""
    exc = raised(KNOWN_INVALID)
    assert exc.check == "check_character" and exc.position == 18
    assert str(exc) == "R-USCC: character 18 (check character) is 'B', expected '9'"
    assert not is_valid(KNOWN_INVALID)


def test_r_uscc_check_character_and_organisation_digit_of_known_codes():
    """R-USCC: the two check computations reproduce the known codes' characters 17 and 18."""
    for code in KNOWN_VALID:
        assert check_character(code[:17]) == code[17]
        assert organisation_check_digit(code[8:16]) == code[16]
    assert organisation_check_digit("MA5CJQ4N") == "5"  # a modern "MA" body (M=22, A=10)


def test_r_uscc_organisation_digit_values_letters_by_latin_place():
    """R-USCC / GB 11714: letters are valued A=10 ... Z=35 (their place in the Latin alphabet), not
    their index in ALPHABET."""
    # R is 27 in GB 11714 (27 × 3 = 81, 81 mod 11 = 4 -> 7); its ALPHABET index 25 would give 2.
    assert organisation_check_digit("R0000000") == "7"
    # Z (35) is not in ALPHABET but GB 11714 allows it: 105 mod 11 = 6 -> 5.
    assert organisation_check_digit("Z0000000") == "5"


@pytest.mark.parametrize("body, digit", [
    ("00000001", "9"),   # sum 2 -> 11 - 2 = 9
    ("00000005", "1"),   # sum 10 -> 1
    ("40000000", "X"),   # sum 12, mod 11 = 1 -> 10 -> X
    ("00000000", "0"),   # sum 0 -> 11 -> 0
    ("B0000000", "0"),   # B = 11, sum 33, mod 11 = 0 -> 11 -> 0
])
def test_r_uscc_organisation_digit_maps_10_to_x_and_11_to_0(body, digit):
    """R-USCC / GB 11714: check = 11 - (sum mod 11); 10 -> "X", 11 -> "0"."""
    assert organisation_check_digit(body) == digit


@pytest.mark.parametrize("bad", ["1234567", "ABCDEFGHJKLMNPQR", "0123456789ABCDEFI", 17])
def test_r_uscc_check_character_rejects_bad_input(bad):
    """R-USCC: check_character takes exactly 17 characters of ALPHABET."""
    with pytest.raises(ValueError, match="R-USCC"):
        check_character(bad)


@pytest.mark.parametrize("bad", ["1234567", "abcdefgh", "ABCD-FGH", None])
def test_r_uscc_organisation_digit_rejects_bad_input(bad):
    """R-USCC: organisation_check_digit takes exactly 8 characters of 0-9 and upper-case A-Z."""
    with pytest.raises(ValueError, match="R-USCC"):
        organisation_check_digit(bad)


# --- every single substitution is caught ---------------------------------------------------------

# Why every single-character substitution fails: the check character (pos 18) is
# (31 - Σ v_i·w_i mod 31) mod 31 over 31 characters, 31 is prime and every weight w_i = 3**i mod 31
# is a unit (non-zero) mod 31. Changing the character at one position i ≤ 17 from value v to v'
# changes the sum by (v' - v)·w_i with 0 < |v' - v| ≤ 30, which is not 0 mod 31, so the expected
# check character changes while pos 18 stays: the code fails. Changing pos 18 itself obviously
# fails. A change in pos 9-17 may already be caught by the organisation-code digit (pos 17, GB
# 11714) which validate() checks first; either way the code is rejected.
_CODES = st.one_of(
    st.sampled_from(KNOWN_VALID),
    st.builds(generate, st.sampled_from(list(EntityCategory)), st.integers(0, SERIAL_LIMIT - 1)),
)


@settings(max_examples=60, deadline=None)
@given(code=_CODES)
def test_r_uscc_every_single_substitution_fails(code):
    """R-USCC: for a valid code, each of the 18 × 30 single-character substitutions by another
    ALPHABET character is rejected, by the organisation check (pos 9-17) or the check character."""
    assert validate(code) == code
    for i in range(18):
        for c in ALPHABET:
            if c == code[i]:
                continue
            changed = code[:i] + c + code[i + 1:]
            with pytest.raises(InvalidUscc) as info:
                validate(changed)
            assert info.value.check in ("organisation_check", "check_character")
            if i == 17 or i < 8:
                assert info.value.check == "check_character"
            # the lenient redaction check (pos 18 only) rejects it too, by the argument above
            assert not disclosure.valid_uscc(changed)


# --- the checks, in order ------------------------------------------------------------------------

@pytest.mark.parametrize("code, length", [("", 0), ("91440300708461136", 17), ("91440300708461136T0", 19)])
def test_r_uscc_wrong_length(code, length):
    """R-USCC: a code has exactly 18 characters (0, 17 and 19 fail; 18 is the boundary that passes)."""
    exc = raised(code)
    assert exc.check == "length" and exc.position is None
    assert str(exc) == f"R-USCC: {length} characters, a code has 18"


@pytest.mark.parametrize("value", [None, 91440300708461136, b"91440300708461136T", ["9"] * 18])
def test_r_uscc_non_string(value):
    """R-USCC: a value that is not a string fails the first (type/length) check and says so."""
    exc = raised(value)
    assert exc.check == "length"
    assert "a code is a string of 18 characters" in str(exc) and type(value).__name__ in str(exc)
    assert not is_valid(value)


def test_r_uscc_lower_case_is_an_error_not_upper_cased():
    """R-USCC: codes are upper case; a lower-case letter is reported with its position."""
    code = "91440101ma5CJQ4N59"
    exc = raised(code)
    assert exc.check == "lower_case" and exc.position == 9
    assert str(exc) == "R-USCC: lower-case 'm' at position 9; codes are upper case"
    assert validate(code.upper()) == code.upper()
    exc = raised("91440300708461136t")
    assert (exc.check, exc.position) == ("lower_case", 18)
    # lower case is checked before the alphabet: 'i' is reported as lower case, not as I
    assert raised("9144030070846113it").check == "lower_case"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_r_uscc_excluded_letters(letter):
    """R-USCC: I, O, S, V and Z never appear in a code."""
    code = "9144" + letter + "300708461136T"
    exc = raised(code)
    assert exc.check == "alphabet" and exc.position == 5
    assert str(exc) == f"R-USCC: '{letter}' at position 5 is not allowed (the code never uses I, O, S, V or Z)"


@pytest.mark.parametrize("char", ["-", " ", "０", "é"])
def test_r_uscc_other_characters(char):
    """R-USCC: any other character (punctuation, space, full-width digit) is outside the alphabet."""
    exc = raised("91440300" + char + "08461136T")
    assert exc.check == "alphabet" and exc.position == 9
    assert f"{char!r} at position 9 is not allowed" in str(exc) and ALPHABET in str(exc)


def test_r_uscc_organisation_check_before_check_character():
    """R-USCC: a wrong pos-17 digit is reported as the organisation-code check, even when pos 18
    was recomputed to match."""
    first17 = "9144030070846113" + "7"
    code = first17 + check_character(first17)
    exc = raised(code)
    assert exc.check == "organisation_check" and exc.position == 17
    assert str(exc) == ("R-USCC: character 17 (organisation-code check digit, GB 11714) is '7', "
                        "expected '6'")
    assert disclosure.valid_uscc(code)  # the lenient variant does not check pos 17


def test_r_uscc_first_failing_check_wins():
    """R-USCC: length, then lower case, then alphabet, then pos 17, then pos 18."""
    assert raised("9144030070846113it0").check == "length"
    assert raised("9i44O30070846113IT").check == "lower_case"
    assert raised("9I440300708461130T").check == "alphabet"
    assert raised("91440300708461130T").check == "organisation_check"
    assert raised("91440300708461136U").check == "check_character"


# --- parse, EntityCategory ------------------------------------------------------------------------

def test_r_uscc_entity_category_codes():
    """R-USCC: 1 enterprise (企业), 2 individual business (个体工商户), 3 farmers' cooperative."""
    assert [(c.value, c.code) for c in EntityCategory] == [
        ("enterprise", "1"), ("individual_business", "2"), ("cooperative", "3")]
    for category in EntityCategory:
        assert EntityCategory.from_code(category.code) is category
    with pytest.raises(ValueError, match="R-USCC"):
        EntityCategory.from_code("4")


def test_r_uscc_parse():
    """R-USCC: the parts of a code by position."""
    assert parse("91440101MA5CJQ4N59") == UsccParts(
        authority="9", category=EntityCategory.ENTERPRISE, division="440101",
        organisation_code="MA5CJQ4N5", check="9", category_code="1")


def test_r_uscc_parse_category_none_outside_market_regulation_or_unknown():
    """R-USCC: the category is only known under authority 9 and codes 1-3."""
    for first2 in ("12", "94", "Y1"):
        first17 = first2 + "445203" + "MA000001" + organisation_check_digit("MA000001")
        parts = parse(first17 + check_character(first17))
        assert parts.category is None and parts.category_code == first2[1] and parts.authority == first2[0]


def test_r_uscc_parse_rejects_invalid():
    """R-USCC: parse validates first."""
    with pytest.raises(InvalidUscc):
        parse(KNOWN_INVALID)


# --- generate ------------------------------------------------------------------------------------

@pytest.mark.parametrize("category", list(EntityCategory))
@pytest.mark.parametrize("serial", [0, 1, 30, 31, 123_456, SERIAL_LIMIT - 1])
def test_r_uscc_generate_is_valid_and_parses_back(category, serial):
    """R-USCC: a generated code is valid, registered by market regulation in Jiedong (445203),
    and its organisation code starts with MA like codes assigned since 2015."""
    code = generate(category, serial)
    assert validate(code) == code
    parts = parse(code)
    assert parts.authority == MARKET_REGULATION
    assert parts.category is category
    assert parts.division == JIEDONG_DIVISION == "445203"
    assert parts.organisation_code.startswith("MA")
    assert not set(code) & set("IOSVZ")


def test_r_uscc_generate_serial_is_base_31():
    """R-USCC: the 6 characters after MA are the serial in base 31 over ALPHABET."""
    assert generate(EntityCategory.ENTERPRISE, 0)[8:16] == "MA000000"
    assert generate(EntityCategory.ENTERPRISE, 31)[8:16] == "MA000010"
    assert generate(EntityCategory.ENTERPRISE, SERIAL_LIMIT - 1)[8:16] == "MAYYYYYY"


def test_r_uscc_generate_distinct_serials_give_distinct_codes():
    """R-USCC: generate is injective in the serial (10,000 serials spread over the range)."""
    serials = [0, SERIAL_LIMIT - 1] + [i * 88_741 for i in range(1, 9_999)]
    for category in EntityCategory:
        codes = {generate(category, s) for s in serials}
        assert len(codes) == len(set(serials)) == 10_000
        assert all(is_valid(c) for c in codes)


def test_r_uscc_generate_other_division_and_string_category():
    """R-USCC: another 6-digit division, and a category given by its value."""
    code = generate("cooperative", 7, division="445202")
    assert parse(code).division == "445202" and parse(code).category is EntityCategory.COOPERATIVE


@pytest.mark.parametrize("serial", [-1, SERIAL_LIMIT, SERIAL_LIMIT + 1, 10 ** 12])
def test_r_uscc_generate_serial_out_of_range(serial):
    """R-USCC: only 0 .. 31**6 - 1 fit; just over the boundary raises."""
    with pytest.raises(ValueError, match="serial"):
        generate(EntityCategory.ENTERPRISE, serial)


@pytest.mark.parametrize("serial", [1.0, "1", True, None])
def test_r_uscc_generate_serial_must_be_an_integer(serial):
    """R-USCC: a serial is an int (not a bool, float or string)."""
    with pytest.raises(TypeError):
        generate(EntityCategory.ENTERPRISE, serial)


@pytest.mark.parametrize("division", ["44520", "4452031", "44520A", "４４５２０３", "", 445203])
def test_r_uscc_generate_bad_division(division):
    """R-USCC: a division code is 6 ASCII digits."""
    with pytest.raises(ValueError, match="division"):
        generate(EntityCategory.ENTERPRISE, 1, division=division)


def test_r_uscc_generate_unknown_category():
    """R-USCC: only the three market-regulation categories."""
    with pytest.raises(ValueError):
        generate("branch", 1)
