"""Payment references: the verified examples of CONNECTOR-ANCHORS §3, the error-detection promise of each algorithm
(property-based), and the keep-or-generate policy.

What each algorithm promises, worked out (weights counted from the right of the *full* reference, check digit
included):

- 7-3-1 (fi): weights 1 (check), 7, 3, 1, 7, ... are all coprime to 10, so every single-digit substitution changes the
  sum mod 10: all caught. Adjacent weights differ by 6, 4 or 2, and (w1 - w2)(a - b) = 0 mod 10 exactly when
  a - b = 0 mod 5: a transposition of two digits differing by 5 (0<->5, 1<->6, 2<->7, 3<->8, 4<->9) is missed,
  every other adjacent transposition is caught.
- Luhn (se, se-length, no-mod10): doubling-with-digit-sum permutes 0..9, so all single substitutions are caught;
  adjacent transpositions are caught except 09 <-> 90.
- KID mod 11 (no-mod11): weights 1 (check), 2..7 repeating; 11 is prime and neither a weight nor a digit difference
  (1..9) is a multiple of it, so every substitution is caught; adjacent weights differ by 1 or 5 (7 -> 2), never
  0 mod 11, so every adjacent transposition is caught.
- ISO 7064 mod 97-10 (rf, numeric bodies): 97 is prime and the order of 10 mod 97 is 96, longer than any reference,
  so every single digit substitution and every transposition of two digits is caught.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvoiceRuleError
from domain.payment_reference import (
    DETECTION_ORDER,
    SCHEMES,
    PaymentReferenceDecision,
    choose_payment_reference,
    detect,
    generate,
    is_valid,
    numeric_base,
)

# --- verified examples (CONNECTOR-ANCHORS §3) -----------------------------------------------------------------

FI_EXAMPLES = [
    ("123", "1232"),
    ("100", "1009"),
    ("1000", "10003"),
    ("1234", "12344"),
    ("12345", "123453"),
    ("123456", "1234561"),
    ("2024000123", "20240001234"),
    ("1234567890123456789", "12345678901234567894"),
]
RF_EXAMPLES = [
    ("539007547034", "RF18539007547034"),
    ("1234561", "RF341234561"),
    ("123453", "RF81123453"),
    ("20240001234", "RF5520240001234"),
    ("G72UUR", "RF45G72UUR"),
    ("18K5", "RF6518K5"),
    ("C4", "RF51C4"),
    ("4377", "RF684377"),
]
SE_EXAMPLES = [  # base, Luhn only, with length digit
    ("12345", "123455", "1234574"),
    ("7401106", "74011065", "740110697"),
    ("12345678", "123456782", "1234567806"),
    ("1234567890", "12345678903", "123456789023"),
]
KID_EXAMPLES = [  # base, MOD10, MOD11
    ("1234567", "12345674", "12345674"),
    ("12345678", "123456782", "123456785"),
    ("0000012345", "00000123455", "00000123455"),
    ("1009", "10090", "1009-"),
    ("1003", "10033", "10030"),
]


@pytest.mark.parametrize(("base", "reference"), FI_EXAMPLES)
def test_fi_examples(base: str, reference: str) -> None:
    assert generate("fi", base) == reference
    assert is_valid("fi", reference)
    assert detect(reference) == "fi"


@pytest.mark.parametrize("bad", ["1234562", "123", "1" * 21, "12a44", "", "0000", "RF341234561"])
def test_fi_negative_examples(bad: str) -> None:
    assert not is_valid("fi", bad)


def test_fi_print_format_and_leading_zeros() -> None:
    assert is_valid("fi", "12 34561")  # print format: groups of five from the right
    assert is_valid("fi", "00000000000001234561")  # 20-digit fixed-length machine format
    assert generate("fi", "000123") == "1232"  # leading zeros do not change the 7-3-1 digit; the format has none


@pytest.mark.parametrize(("body", "reference"), RF_EXAMPLES)
def test_rf_examples(body: str, reference: str) -> None:
    assert generate("rf", body) == reference
    assert is_valid("rf", reference)
    assert detect(reference) == "rf"


@pytest.mark.parametrize(
    "bad", ["RF17539007547034", "RF35C4", "RF214377", "RF18", "XX18539007547034", "RF18 5390 07€4"]
)
def test_rf_negative_examples(bad: str) -> None:
    assert not is_valid("rf", bad)


def test_rf_other_valid_forms() -> None:
    assert is_valid("rf", "RF471234567890")
    assert is_valid("rf", "RF18 5390 0754 7034")  # print format
    assert is_valid("rf", "rf18539007547034")


def test_fi_rf_wraps_the_complete_finnish_reference() -> None:
    assert generate("fi-rf", "123456") == "RF341234561"
    assert generate("fi-rf", "12345") == "RF81123453"
    assert generate("fi-rf", "2024000123") == "RF5520240001234"
    assert is_valid("fi-rf", "RF341234561")
    assert not is_valid("fi-rf", "RF45G72UUR")  # a valid RF whose body is no Finnish reference
    assert detect("RF341234561", prefer="fi-rf") == "fi-rf"
    assert detect("RF341234561") == "rf"


@pytest.mark.parametrize(("base", "luhn_only", "with_length"), SE_EXAMPLES)
def test_se_examples(base: str, luhn_only: str, with_length: str) -> None:
    assert generate("se", base) == luhn_only
    assert generate("se-length", base) == with_length
    assert is_valid("se", luhn_only)
    assert is_valid("se-length", with_length)


def test_se_length_uses_the_units_digit_of_the_length() -> None:
    assert not is_valid("se-length", "1234567814")  # the Odoo l10n_se first-digit pitfall
    assert is_valid("se", "1234567814")  # ... which is still a Luhn-valid number


@pytest.mark.parametrize(("base", "mod10", "mod11"), KID_EXAMPLES)
def test_kid_examples(base: str, mod10: str, mod11: str) -> None:
    assert generate("no-mod10", base) == mod10
    assert generate("no-mod11", base) == mod11
    assert is_valid("no-mod10", mod10)
    assert is_valid("no-mod11", mod11)


def test_kid_mod11_hyphen_only_where_the_check_is_ten() -> None:
    assert not is_valid("no-mod11", "10090")
    assert not is_valid("no-mod11", "1003-")
    assert not is_valid("no-mod11", "-")
    assert detect("1009-") == "no-mod11"


# --- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "base"),
    [("fi", "12"), ("fi", "0012"), ("fi", "1" * 20), ("fi", "12a"), ("fi", ""), ("rf", "1" * 22), ("rf", "AB-1"),
     ("rf", ""), ("se", "1" * 25), ("se-length", "1" * 24), ("no-mod11", "12 x"), ("no-mod10", "١٢٣"),
     ("fi-rf", "99")],
)
def test_unusable_base(scheme: str, base: str) -> None:
    with pytest.raises(InvoiceRuleError) as caught:
        generate(scheme, base)
    assert caught.value.code == "PAYMENT_REFERENCE_BASE"


def test_unknown_scheme() -> None:
    for call in (lambda: generate("dk", "123"), lambda: is_valid("dk", "1232"), lambda: detect("1232", prefer="dk"),
                 lambda: choose_payment_reference(None, "123", "dk")):
        with pytest.raises(InvoiceRuleError) as caught:
            call()
        assert caught.value.code == "UNKNOWN_REFERENCE_SCHEME"


# --- properties -----------------------------------------------------------------------------------------------

DIGITS = "0123456789"
_MAX_BASE = {"fi": 19, "fi-rf": 19, "rf": 21, "se": 24, "se-length": 23, "no-mod10": 24, "no-mod11": 24}
_SIGNIFICANT = {"fi", "fi-rf"}  # these drop leading zeros, so the base needs 3 significant digits


def numeric_bases(scheme: str) -> st.SearchStrategy[str]:
    if scheme in _SIGNIFICANT:
        return st.tuples(st.sampled_from("123456789"), st.text(DIGITS, min_size=2, max_size=18)).map("".join)
    return st.text(DIGITS, min_size=1, max_size=_MAX_BASE[scheme])


def scheme_and_reference(schemes: tuple[str, ...] = SCHEMES) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(schemes).flatmap(lambda s: numeric_bases(s).map(lambda b: (s, generate(s, b))))


@given(scheme_and_reference())
def test_generated_references_validate_and_are_detected(case: tuple[str, str]) -> None:
    scheme, reference = case
    assert is_valid(scheme, reference)
    assert detect(reference, prefer=scheme) == scheme
    assert detect(reference) in DETECTION_ORDER


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ" + DIGITS, min_size=1, max_size=21))
def test_generated_alphanumeric_rf_validates(body: str) -> None:
    assert is_valid("rf", generate("rf", body))


def _digit_positions(reference: str) -> list[int]:
    start = 2 if reference.startswith("RF") else 0  # the "RF" letters are not digits
    return [i for i in range(start, len(reference)) if reference[i] in DIGITS]


@given(scheme_and_reference())
def test_every_single_digit_substitution_is_caught(case: tuple[str, str]) -> None:
    scheme, reference = case
    for i in _digit_positions(reference):
        for digit in DIGITS.replace(reference[i], ""):
            mutated = reference[:i] + digit + reference[i + 1:]
            assert not is_valid(scheme, mutated), (reference, mutated)


@given(scheme_and_reference(("no-mod11",)))
def test_kid_mod11_substituting_the_hyphen_is_caught(case: tuple[str, str]) -> None:
    _, reference = case
    if reference.endswith("-"):
        for digit in DIGITS:
            assert not is_valid("no-mod11", reference[:-1] + digit)
    else:
        assert not is_valid("no-mod11", reference[:-1] + "-")


def _transposition_promised(scheme: str, a: str, b: str) -> bool:
    if scheme == "fi":
        return abs(int(a) - int(b)) != 5
    if scheme in ("se", "se-length", "no-mod10"):
        return {a, b} != {"0", "9"}
    return True  # no-mod11, rf, fi-rf (mod 97 catches every digit transposition)


@given(scheme_and_reference())
@settings(max_examples=200)
def test_adjacent_transpositions_are_caught_where_promised(case: tuple[str, str]) -> None:
    scheme, reference = case
    positions = _digit_positions(reference)
    for i in positions:
        if i + 1 not in positions or reference[i] == reference[i + 1]:
            continue
        a, b = reference[i], reference[i + 1]
        mutated = reference[:i] + b + a + reference[i + 2:]
        if _transposition_promised(scheme, a, b):
            assert not is_valid(scheme, mutated), (reference, mutated)


def test_the_documented_misses_are_real() -> None:
    # Evidence that the promises above are exact, not merely conservative.
    fi_ref = generate("fi", "1050")  # 0<->5 swap of the two middle digits: missed by 7-3-1
    assert is_valid("fi", fi_ref[0] + fi_ref[2] + fi_ref[1] + fi_ref[3:])
    fi_ref = generate("fi", "1040")  # 0<->4: caught
    assert not is_valid("fi", fi_ref[0] + fi_ref[2] + fi_ref[1] + fi_ref[3:])
    luhn_ref = generate("se", "0910")  # 09<->90: missed by Luhn
    assert is_valid("se", "9010" + luhn_ref[-1])


# --- policy ---------------------------------------------------------------------------------------------------


def test_valid_document_reference_is_kept() -> None:
    decision = choose_payment_reference("1234561", "INV-9", "fi")
    assert decision == PaymentReferenceDecision("1234561", "fi", "document", None, decision.reason)


def test_document_reference_in_print_format_is_kept_in_electronic_form() -> None:
    assert choose_payment_reference(" rf18 5390 0754 7034 ", "9", "fi").reference == "RF18539007547034"
    assert choose_payment_reference("12 34561", "9", "fi").reference == "1234561"


def test_document_reference_of_another_scheme_is_kept_with_its_detected_scheme() -> None:
    decision = choose_payment_reference("RF18539007547034", "INV-1", "fi")
    assert (decision.reference, decision.scheme, decision.source) == ("RF18539007547034", "rf", "document")
    decision = choose_payment_reference("1009-", "INV-1", "fi")
    assert (decision.reference, decision.scheme, decision.source) == ("1009-", "no-mod11", "document")


def test_connection_scheme_breaks_ties() -> None:
    # 12345674 is both a Luhn and a KID mod 11 reference
    assert choose_payment_reference("12345674", "1", "no-mod11").scheme == "no-mod11"
    assert choose_payment_reference("12345674", "1", "no-mod10").scheme == "no-mod10"
    assert choose_payment_reference("12345674", "1", "fi").scheme == "se"


def test_invalid_document_reference_is_replaced_and_reported() -> None:
    decision = choose_payment_reference("RF17539007547034", "INV-2024-000123", "fi")
    assert decision.source == "generated"
    assert decision.reference == "20240001234"
    assert decision.scheme == "fi"
    assert decision.replaced == "RF17539007547034"
    assert "RF17539007547034" in decision.reason


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_missing_document_reference_is_generated(missing: str | None) -> None:
    decision = choose_payment_reference(missing, "INV-2024-000123", "fi-rf")
    assert decision == PaymentReferenceDecision("RF5520240001234", "fi-rf", "generated", None, decision.reason)


def test_numeric_base_derivation() -> None:
    assert numeric_base("INV-2024-000123") == "2024000123"
    assert numeric_base("123456789012345678901234") == "6789012345678901234"  # the rightmost 19 digits
    hashed = numeric_base("ABC")
    assert hashed == numeric_base("ABC") and len(hashed) == 10 and hashed[0] != "0"
    assert numeric_base("A7") != numeric_base("B7")  # too short: hashed from the whole number, letters included


@given(st.text(max_size=40).filter(lambda s: s.strip()), st.sampled_from(SCHEMES))
def test_policy_always_generates_a_valid_reference_from_any_invoice_number(number: str, scheme: str) -> None:
    decision = choose_payment_reference(None, number, scheme)
    assert is_valid(scheme, decision.reference)
    assert decision == choose_payment_reference(None, number, scheme)  # deterministic


def test_no_reference_and_no_invoice_number_is_an_unusable_base() -> None:
    with pytest.raises(InvoiceRuleError) as caught:
        choose_payment_reference("garbage", "  ", "fi")
    assert caught.value.code == "PAYMENT_REFERENCE_BASE"
