"""Payment references ("OCR", viitenumero, KID): generate, validate, detect, and the keep-or-generate policy.

Schemes (the values of ``ConnectionSettings.payment_reference_scheme``), see CONNECTOR-ANCHORS §3:

- ``fi``: Finnish national reference, base of 3..19 digits + a 7-3-1 check digit (4..20 digits in total).
- ``rf``: ISO 11649 creditor reference ``RF`` + 2 mod-97 check digits + the base as given (1..21 of A-Z, 0-9).
- ``fi-rf``: the Finnish reference of the base, wrapped as RF (Finnish practice: RF around the *complete* national
  reference, including its check digit).
- ``se``: Swedish OCR, Luhn check digit (2..25 digits in total).
- ``se-length``: Swedish OCR with a length digit before the Luhn digit; the length digit is the *units* digit of the
  total length (Bankgirot), not the first digit (a known Odoo ``l10n_se`` bug).
- ``no-mod10``: Norwegian KID, Luhn (2..25 digits in total).
- ``no-mod11``: Norwegian KID, weights 2..7 from the right, check ``11 - sum % 11``; 11 becomes ``0`` and 10 becomes
  ``-`` (the KID rules; §3.4 shows ``1009-``).

python-stdnum supplies Luhn (``stdnum.luhn``) and ISO 11649 / ISO 7064 mod 97-10; it has no Finnish 7-3-1 and no
KID mod 11, so those two are written here.

References are handled in their electronic form: whitespace (the print format's grouping) is removed and RF is
upper-cased. Nothing else is changed, so a kept reference is the value the payer will type or scan.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import cycle
from operator import mul
from typing import Literal

from stdnum import iso11649, luhn
from stdnum.iso7064 import mod_97_10

from domain.errors import InvoiceRuleError

SCHEMES: tuple[str, ...] = ("fi", "rf", "fi-rf", "se", "se-length", "no-mod10", "no-mod11")

# The order in which ``detect`` labels a reference valid under several schemes. ``se`` and ``no-mod10`` are the same
# algorithm (Luhn) and ``se-length`` is a subset of it, so without a preference a Luhn reference is reported as ``se``.
DETECTION_ORDER: tuple[str, ...] = ("rf", "fi", "se", "se-length", "no-mod10", "no-mod11")

# (minimum, maximum) length of the base each scheme accepts in ``generate``.
_BASE_LENGTH: dict[str, tuple[int, int]] = {
    "fi": (3, 19),
    "rf": (1, 21),
    "fi-rf": (3, 19),
    "se": (1, 24),
    "se-length": (1, 23),
    "no-mod10": (1, 24),
    "no-mod11": (1, 24),
}

# Generated references (policy): at least this many significant digits of base (a reference of >= 4 digits: the
# Finnish standard minimum and the usual KID agreement minimum), at most 19 (the Finnish maximum, so switching a
# connection between schemes never changes how much of the invoice number is used).
_POLICY_MIN_DIGITS = 3
_POLICY_MAX_DIGITS = 19
_HASH_DIGITS = 10

_DIGITS = re.compile(r"[0-9]+")
_RF = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")
_RF_BODY = re.compile(r"[A-Z0-9]{1,21}")


def _unknown_scheme(scheme: object) -> InvoiceRuleError:
    return InvoiceRuleError(
        code="UNKNOWN_REFERENCE_SCHEME",
        message=f"unknown payment reference scheme {scheme!r}; expected one of {', '.join(SCHEMES)}",
    )


def _bad_base(scheme: str, base: object, why: str) -> InvoiceRuleError:
    return InvoiceRuleError(
        code="PAYMENT_REFERENCE_BASE",
        message=f"cannot build a {scheme} payment reference from base {base!r}: {why}",
    )


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise _unknown_scheme(scheme)


def _compact(ref: str) -> str:
    # ``str.split()`` splits on exactly the characters ``\s`` matches in a str pattern, at a fifth of the cost
    return "".join(ref.split())


# --- the two algorithms python-stdnum lacks -------------------------------------------------------------------


def fi_check_digit(base: str) -> str:
    """Finnish 7-3-1: weights 7, 3, 1, 7, ... from the rightmost base digit; check = (10 - sum mod 10) mod 10."""
    total = sum(map(mul, map(int, reversed(base)), cycle((7, 3, 1))))
    return str((10 - total % 10) % 10)


def kid_mod11_check_digit(base: str) -> str:
    """KID MOD11: weights 2, 3, 4, 5, 6, 7, 2, ... from the rightmost base digit; 11 -> "0", 10 -> "-"."""
    total = sum(map(mul, map(int, reversed(base)), cycle((2, 3, 4, 5, 6, 7))))
    check = 11 - total % 11
    return "0" if check == 11 else "-" if check == 10 else str(check)


# --- generate -------------------------------------------------------------------------------------------------


def generate(scheme: str, base: str) -> str:
    """The reference of ``base`` under ``scheme``, in electronic form (no spaces).

    ``base`` is digits for every scheme but ``rf`` (A-Z, 0-9; upper-cased). Whitespace is ignored. For ``fi`` and
    ``fi-rf`` leading zeros are dropped first: they do not change a 7-3-1 check digit and the Finnish format has no
    leading zeros. Other schemes keep them (fixed-length OCR/KID structures are zero-padded on purpose).
    Raises ``InvoiceRuleError`` ``UNKNOWN_REFERENCE_SCHEME`` or ``PAYMENT_REFERENCE_BASE``.
    """
    _check_scheme(scheme)
    if not isinstance(base, str):
        raise _bad_base(scheme, base, "the base must be a string")
    body = _compact(base)
    if scheme == "rf":
        body = body.upper()
        if not _RF_BODY.fullmatch(body):
            raise _bad_base(scheme, base, "an RF body is 1 to 21 characters A-Z, 0-9")
        return "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    if not _DIGITS.fullmatch(body):
        raise _bad_base(scheme, base, "the base must be digits only")
    if scheme in ("fi", "fi-rf"):
        body = body.lstrip("0")
    low, high = _BASE_LENGTH[scheme]
    if not low <= len(body) <= high:
        raise _bad_base(scheme, base, f"the base must have {low} to {high} significant digits")
    if scheme == "fi":
        return body + fi_check_digit(body)
    if scheme == "fi-rf":
        return generate("rf", generate("fi", body))
    if scheme in ("se", "no-mod10"):
        return body + luhn.calc_check_digit(body)
    if scheme == "se-length":
        with_length = body + str((len(body) + 2) % 10)
        return with_length + luhn.calc_check_digit(with_length)
    return body + kid_mod11_check_digit(body)  # no-mod11


# --- validate / detect ----------------------------------------------------------------------------------------


def is_valid(scheme: str, ref: str) -> bool:
    """Whether ``ref`` (electronic or print form) is a well-formed reference of ``scheme``.

    ``fi`` accepts leading zeros (machine format, fixed-length fields) but needs at least 4 significant digits.
    ``fi-rf`` is an RF reference whose body is a valid Finnish reference. Raises ``UNKNOWN_REFERENCE_SCHEME``.
    """
    _check_scheme(scheme)
    if not isinstance(ref, str):
        return False
    value = _compact(ref)
    if scheme in ("rf", "fi-rf"):
        value = value.upper()
        if not (_RF.fullmatch(value) and iso11649.is_valid(value)):
            return False
        return scheme == "rf" or is_valid("fi", value[4:])
    if scheme == "no-mod11":
        body, check = value[:-1], value[-1:]
        return 2 <= len(value) <= 25 and bool(_DIGITS.fullmatch(body)) and check == kid_mod11_check_digit(body)
    if not _DIGITS.fullmatch(value):
        return False
    if scheme == "fi":
        return 4 <= len(value.lstrip("0")) and len(value) <= 20 and value[-1] == fi_check_digit(value[:-1])
    if scheme in ("se", "no-mod10"):
        return 2 <= len(value) <= 25 and luhn.is_valid(value)
    # se-length
    return 3 <= len(value) <= 25 and value[-2] == str(len(value) % 10) and luhn.is_valid(value)


def detect(ref: str, prefer: str | None = None) -> str | None:
    """The scheme ``ref`` is valid under, or ``None``.

    A value valid under ``prefer`` (typically the connection's scheme) is labelled ``prefer``: check digits are weak
    evidence (a random digit string passes 7-3-1 or Luhn one time in ten), so the scheme the company actually uses
    is the best tie-breaker. Otherwise the first match in ``DETECTION_ORDER`` (RF prefix -> ``rf``; then ``fi``...).
    """
    if prefer is not None:
        _check_scheme(prefer)
        if is_valid(prefer, ref):
            return prefer
    if not isinstance(ref, str):
        return None
    return next((scheme for scheme in DETECTION_ORDER if is_valid(scheme, ref)), None)


# --- policy ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentReferenceDecision:
    reference: str
    scheme: str
    source: Literal["document", "generated"]
    replaced: str | None  # the document's invalid value, when it was replaced
    reason: str


def numeric_base(invoice_number: str) -> str:
    """The digits a generated reference is built from: deterministic for one invoice number.

    The ASCII digits of the invoice number in order, leading zeros dropped (``INV-2024-000123`` -> ``2024000123``),
    like Odoo ``l10n_fi``: the reference visibly carries the invoice number, which helps manual reconciliation.
    Longer than 19 digits: the rightmost 19 are kept (the running sequence number sits at the end). Fewer than 3
    significant digits (``"ABC"``, ``"7"``): a stable 10-digit number from SHA-256 of the whole invoice number, so
    the result does not depend on the process (Python's ``hash`` is salted per process).

    Known trade-off: digits-only maps ``A-100`` and ``B-100`` to the same base (and so the same reference). Always
    hashing would avoid that but make every reference unrelatable to its invoice for people; number series told
    apart only by letters are rare, and the document's own reference, when valid, always wins anyway.
    """
    digits = "".join(_DIGITS.findall(invoice_number))[-_POLICY_MAX_DIGITS:].lstrip("0")
    if len(digits) >= _POLICY_MIN_DIGITS:
        return digits
    number = int.from_bytes(hashlib.sha256(invoice_number.encode("utf-8")).digest(), "big")
    low = 10 ** (_HASH_DIGITS - 1)
    return str(low + number % (9 * low))  # exactly _HASH_DIGITS digits, no leading zero


def choose_payment_reference(
    document_reference: str | None, invoice_number: str, scheme: str
) -> PaymentReferenceDecision:
    """Keep the document's payment reference (BT-83) when it is valid, otherwise generate one from the invoice number.

    Why a reference valid under *any* known scheme is kept, not only one valid under the connection's scheme: the
    customer received this invoice over Peppol with this reference and will pay with it. If the accounting record
    carried a different value, bank reconciliation in Procountor would fail for certain; keeping it can at worst
    keep a value that only passes a check digit by chance, which replacing would not have saved anyway (the payer
    still uses the document's value). So validity, not scheme, decides keep-or-replace.

    The *label* matters though (it becomes Procountor's ``bankReferenceCodeType``): a value valid under the
    connection's scheme is labelled with that scheme; otherwise ``detect``'s order applies (RF, Finnish, then
    Swedish/Norwegian). A Finnish company may still see Procountor refuse an OCR/KID type; that is Procountor's
    per-country rule and is reported by the adapter, not guessed here.

    An invalid document value is replaced by a generated one and reported in ``replaced`` and ``reason``; the
    kept value is returned in electronic form (whitespace removed, RF upper-cased). A ``no-mod11`` base whose check
    would be 10 gets ``-`` (KID rules). Raises ``UNKNOWN_REFERENCE_SCHEME``, or ``PAYMENT_REFERENCE_BASE`` when
    nothing usable is left (no valid document value and an empty invoice number).
    """
    _check_scheme(scheme)
    replaced: str | None = None
    if document_reference is not None and document_reference.strip():
        detected = detect(document_reference, prefer=scheme)
        if detected is not None:
            value = _compact(document_reference)
            value = value.upper() if value[:2].upper() == "RF" else value
            return PaymentReferenceDecision(
                reference=value,
                scheme=detected,
                source="document",
                replaced=None,
                reason=f"the document's payment reference is a valid {detected} reference",
            )
        replaced = document_reference
    if not isinstance(invoice_number, str) or not invoice_number.strip():
        raise _bad_base(scheme, invoice_number, "no valid payment reference in the document and no invoice number")
    reference = generate(scheme, numeric_base(invoice_number.strip()))
    if replaced is None:
        reason = f"no payment reference in the document; generated a {scheme} reference from the invoice number"
    else:
        reason = (
            f"the document's payment reference {replaced!r} is not valid under any known scheme; "
            f"replaced by a {scheme} reference generated from the invoice number"
        )
    return PaymentReferenceDecision(
        reference=reference, scheme=scheme, source="generated", replaced=replaced, reason=reason
    )
