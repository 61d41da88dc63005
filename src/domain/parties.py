"""The parties of an invoice: seller (BG-4) and buyer (BG-7) with their identifiers, address and contact.

Pure value objects. Every field is optional except where EN 16931 makes a party meaningless without it, because
real documents (XRechnung, EHF, PINT, legacy BIS 2) leave out different things and the mapper decides what it
needs, not the parser.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with its optional scheme (ISO 6523 ICD like ``0037``/``0216``/``0088``, or an EAS code)."""

    value: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """Postal address (BG-5 / BG-8)."""

    street: str | None = None  # BT-35 / BT-50
    additional_street: str | None = None  # BT-36 / BT-51
    city: str | None = None  # BT-37 / BT-52
    postal_code: str | None = None  # BT-38 / BT-53
    subdivision: str | None = None  # BT-39 / BT-54
    country_code: str | None = None  # BT-40 / BT-55


@dataclass(frozen=True, slots=True)
class Contact:
    """Contact (BG-6 / BG-9)."""

    name: str | None = None  # BT-41 / BT-56
    phone: str | None = None  # BT-42 / BT-57
    email: str | None = None  # BT-43 / BT-58


@dataclass(frozen=True, slots=True)
class Party:
    """Seller or buyer.

    ``business_ids`` are the party identifiers (BT-29 / BT-46, ``cac:PartyIdentification``); ``company_id`` is
    the legal registration id (BT-30 / BT-47, e.g. a Finnish Y-tunnus with scheme 0037 or 0216); ``vat_id`` is
    the VAT identifier (BT-31 / BT-48); ``tax_registration_id`` a non-VAT tax registration (BT-32).
    """

    name: str | None = None  # BT-28 / BT-45 trading name
    registration_name: str | None = None  # BT-27 / BT-44 legal name
    business_ids: tuple[Identifier, ...] = ()
    company_id: Identifier | None = None
    vat_id: str | None = None
    tax_registration_id: str | None = None
    endpoint_id: str | None = None  # BT-34 / BT-49
    endpoint_scheme: str | None = None  # BT-34-1 / BT-49-1
    address: Address | None = None
    contact: Contact | None = None

    @property
    def display_name(self) -> str | None:
        """The legal name when present, else the trading name."""
        return self.registration_name or self.name
