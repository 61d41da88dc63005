"""Payment reference numbers (API-NOTES §3.7): Finnish viitenumero and ISO 11649 RF creditor references."""

from __future__ import annotations

_FI_WEIGHTS = (7, 3, 1)


def fi_check_digit(base: str) -> str:
    total = sum(int(digit) * _FI_WEIGHTS[i % 3] for i, digit in enumerate(reversed(base)))
    return str((10 - total % 10) % 10)


def is_valid_fi(reference: str) -> bool:
    """Digits only, 4–20 characters, last digit a 7-3-1 check digit."""
    return reference.isdigit() and 4 <= len(reference) <= 20 and fi_check_digit(reference[:-1]) == reference[-1]


def _rf_numeric(body: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in body))


def is_valid_rf(reference: str) -> bool:
    """``RF`` + 2 check digits + 1–21 alphanumerics; rotated and letters mapped, the number mod 97 is 1."""
    if not (5 <= len(reference) <= 25 and reference[:2] == "RF" and reference[2:4].isdigit()
            and reference[4:].isalnum() and reference[4:].isascii()):
        return False
    return _rf_numeric((reference[4:] + reference[:4]).upper()) % 97 == 1


def make_fi(number: int) -> str:
    """A Finnish reference built from an invoice number (base ``1000 + number``: no leading zeros, ≥ 4 digits)."""
    base = str(1000 + number)
    return base + fi_check_digit(base)


def make_rf(number: int) -> str:
    """An RF reference wrapping the Finnish reference of ``number`` (how Finnish banks build them)."""
    body = make_fi(number)
    check = 98 - _rf_numeric(body + "RF00") % 97
    return f"RF{check:02d}{body}"


def is_valid(reference: str, reference_type: str | None) -> bool:
    if reference_type == "RF" or (reference_type is None and reference.startswith("RF")):
        return is_valid_rf(reference)
    return is_valid_fi(reference)
