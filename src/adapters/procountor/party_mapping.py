"""The customer in ``POST /invoices``: ``counterParty`` (CONNECTOR-ANCHORS §5.6) and the address blocks.

Every text goes through the mapping run's ``TextPolicy``, so a changed or cut value is a warning naming the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from stdnum.fi import ytunnus

from adapters.procountor.countries import procountor_country
from adapters.procountor.text_policy import TextPolicy, is_cp1252
from domain.parties import Address, Party

ADDRESS_LIMITS = {"name": 80, "specifier": 80, "street": 80, "zip": 20, "city": 40, "subdivision": 35}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEPARATORS = re.compile(r"[\s-]")
_EIGHT_DIGITS = re.compile(r"\d{8}")

# The same few customers come back invoice after invoice, and python-stdnum's check costs more than the rest of
# ``business_id``; the function is pure, so its answers are kept (bounded).
_is_ytunnus = lru_cache(maxsize=4096)(ytunnus.is_valid)


def counter_party(customer: Party, text: TextPolicy) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(counterParty, billingAddress)``: both carry the customer's address, with warnings of their own."""
    party: dict[str, Any] = {}
    contact = customer.contact
    if contact and contact.name:
        party["contactPersonName"] = text.clean(contact.name, "counterParty.contactPersonName", 70)
    identifier = business_id(customer)
    if identifier:
        party["identifier"] = text.clean(identifier, "counterParty.identifier")
    if customer.vat_id:
        party["taxCode"] = text.clean(customer.vat_id, "counterParty.taxCode")
    if contact and contact.email:
        if _EMAIL.match(contact.email.strip()):
            party["email"] = text.clean(contact.email, "counterParty.email")
        else:
            text.warn("counterParty.email", "EMAIL_INVALID", f"{contact.email!r} is not an e-mail address")
    warned = len(text.warnings)
    postal = address(customer, "counterParty.counterPartyAddress", text)
    # The same address cleaned again for billingAddress gives the same values; only its warnings (if any) differ.
    billing = dict(postal) if len(text.warnings) == warned else None
    party["counterPartyAddress"] = postal or {}
    party["counterPartyAddress"].setdefault("name", "?")
    einvoice = einvoice_address(customer)
    if einvoice:
        party["einvoiceAddress"] = {"address": text.clean(einvoice, "counterParty.einvoiceAddress.address")}
    if billing is None:
        billing = address(customer, "billingAddress", text)
    return {k: v for k, v in party.items() if v is not None}, billing


def address(party: Party, path: str, text: TextPolicy) -> dict[str, Any]:
    postal = party.address or Address()
    out: dict[str, Any] = {}
    for key, value in (("name", party.display_name), ("specifier", postal.additional_street),
                       ("street", postal.street), ("zip", postal.postal_code), ("city", postal.city),
                       ("subdivision", postal.subdivision)):
        if value is None:
            continue
        limit = ADDRESS_LIMITS[key]
        stripped = value.strip()
        if stripped and len(stripped) <= limit and (stripped.isascii() or is_cp1252(stripped)):  # kept as is
            out[key] = stripped
            continue
        cleaned = text.clean(value, f"{path}.{key}", limit)  # the field name is built only here
        if cleaned is not None:
            out[key] = cleaned
    if postal.country_code:
        country = procountor_country(postal.country_code)
        if country:
            out["country"] = country
        else:
            text.warn(f"{path}.country", "COUNTRY_UNKNOWN",
                      f"country code {postal.country_code!r} has no Procountor country; left out")
    return out


def business_id(party: Party) -> str | None:
    """The party's business id for ``counterParty.identifier`` (CONNECTOR-ANCHORS §5.6): a Finnish Y-tunnus from
    the legal registration id, the FI VAT id or an OVT endpoint; otherwise the registration id as given."""
    candidates: list[str] = []
    if party.company_id:
        candidates.append(party.company_id.value)
    if party.vat_id and party.vat_id.upper().startswith("FI"):
        candidates.append(party.vat_id[2:])
    value = party.endpoint_id
    if value and party.endpoint_scheme in ("0216", "0037") and value.startswith("0037"):
        candidates.append(value[4:12])
    for i in party.business_ids:
        value = i.value
        if value and i.scheme in ("0216", "0037") and value.startswith("0037"):
            candidates.append(value[4:12])
    for candidate in candidates:
        digits = _SEPARATORS.sub("", candidate)
        if _EIGHT_DIGITS.fullmatch(digits) and _is_ytunnus(digits):
            return f"{digits[:7]}-{digits[7]}"
    return party.company_id.value.strip() if party.company_id and party.company_id.value.strip() else None


def einvoice_address(party: Party) -> str | None:
    """Finnish OVT endpoints as they are (``003712345678``); other Peppol ids as ``scheme:value``."""
    if not party.endpoint_id:
        return None
    if party.endpoint_scheme in (None, "0216", "0037"):
        return party.endpoint_id.strip()
    return f"{party.endpoint_scheme}:{party.endpoint_id.strip()}"
