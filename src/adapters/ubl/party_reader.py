"""The seller and buyer parties (BG-4 / BG-7) with their identifiers, address and contact, read from UBL."""

from __future__ import annotations

from adapters.ubl.elements import (
    ADDITIONAL_STREET_NAME,
    CITY_NAME,
    COMPANY_ID,
    CONTACT,
    COUNTRY,
    COUNTRY_SUBENTITY,
    ELECTRONIC_MAIL,
    ENDPOINT_ID,
    ID,
    IDENTIFICATION_CODE,
    NAME,
    PARTY,
    PARTY_IDENTIFICATION,
    PARTY_LEGAL_ENTITY,
    PARTY_NAME,
    PARTY_TAX_SCHEME,
    POSTAL_ADDRESS,
    POSTAL_ZONE,
    REGISTRATION_NAME,
    STREET_NAME,
    TAX_SCHEME,
    TELEPHONE,
    child_text,
    missing,
    read_identifier,
    text_of,
)
from domain.parties import Address, Contact, Identifier, Party


def read_address(el) -> Address:
    street = extra = city = zone = sub = country = None
    for c in el:
        tag = c.tag
        if tag == STREET_NAME:
            street = text_of(c)
        elif tag == ADDITIONAL_STREET_NAME:
            extra = text_of(c)
        elif tag == CITY_NAME:
            city = text_of(c)
        elif tag == POSTAL_ZONE:
            zone = text_of(c)
        elif tag == COUNTRY_SUBENTITY:
            sub = text_of(c)
        elif tag == COUNTRY:
            country = child_text(c, IDENTIFICATION_CODE)
    return Address(street, extra, city, zone, sub, country)


def read_contact(el) -> Contact:
    name = phone = email = None
    for c in el:
        tag = c.tag
        if tag == NAME:
            name = text_of(c)
        elif tag == TELEPHONE:
            phone = text_of(c)
        elif tag == ELECTRONIC_MAIL:
            email = text_of(c)
    return Contact(name, phone, email)


def read_party(holder, bt: str) -> Party:
    """The ``cac:Party`` inside AccountingSupplierParty / AccountingCustomerParty."""
    el = None
    for c in holder:
        if c.tag == PARTY:
            el = c
            break
    if el is None:
        raise missing(bt, "cac:Party")
    name = reg_name = company = vat = tax_reg = endpoint = scheme = address = contact = None
    ids = []
    for c in el:
        tag = c.tag
        if tag == ENDPOINT_ID:
            endpoint, scheme = text_of(c), c.get("schemeID")
        elif tag == PARTY_IDENTIFICATION:
            ident = read_identifier(c)
            if ident is not None:
                ids.append(ident)
        elif tag == PARTY_NAME:
            if name is None:
                name = child_text(c, NAME)
        elif tag == POSTAL_ADDRESS:
            address = read_address(c)
        elif tag == PARTY_TAX_SCHEME:
            value = child_text(c, COMPANY_ID)
            tax_scheme = None
            for s in c:
                if s.tag == TAX_SCHEME:
                    tax_scheme = child_text(s, ID)
            if tax_scheme is None or tax_scheme.upper() == "VAT":
                vat = vat or value
            else:
                tax_reg = tax_reg or value
        elif tag == PARTY_LEGAL_ENTITY:
            for s in c:
                stag = s.tag
                if stag == REGISTRATION_NAME:
                    reg_name = reg_name or text_of(s)
                elif stag == COMPANY_ID and company is None:
                    v = text_of(s)
                    company = Identifier(v, s.get("schemeID")) if v else None
        elif tag == CONTACT:
            contact = read_contact(c)
    return Party(name, reg_name, tuple(ids), company, vat, tax_reg, endpoint, scheme, address, contact)
