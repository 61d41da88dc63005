"""Readers for the UBL aggregates below the document level (line, party, allowance/charge, period...).

Each reader walks its element's children once and compares Clark-notation tag names computed at import time;
there is no XPath per element. Hot readers bind the names as default arguments (fast locals). Problems are raised
as :class:`Problem` with a path relative to the reader's element; each reader prefixes its own element name on
the way out, so the happy path never builds path strings.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.invoice import AllowanceCharge, InvoiceLine, Period
from domain.parties import Address, Contact, Identifier, Party

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


# Clark-notation tag names, computed once.
ID = CBC + "ID"
ACCOUNTING_COST = CBC + "AccountingCost"
ADDITIONAL_STREET_NAME = CBC + "AdditionalStreetName"
ALLOWANCE_CHARGE = CAC + "AllowanceCharge"
ALLOWANCE_CHARGE_REASON = CBC + "AllowanceChargeReason"
ALLOWANCE_CHARGE_REASON_CODE = CBC + "AllowanceChargeReasonCode"
AMOUNT = CBC + "Amount"
BASE_AMOUNT = CBC + "BaseAmount"
BASE_QUANTITY = CBC + "BaseQuantity"
BUYERS_ITEM_IDENTIFICATION = CAC + "BuyersItemIdentification"
CHARGE_INDICATOR = CBC + "ChargeIndicator"
CITY_NAME = CBC + "CityName"
CLASSIFIED_TAX_CATEGORY = CAC + "ClassifiedTaxCategory"
COMPANY_ID = CBC + "CompanyID"
CONTACT = CAC + "Contact"
COUNTRY = CAC + "Country"
COUNTRY_SUBENTITY = CBC + "CountrySubentity"
CREDITED_QUANTITY = CBC + "CreditedQuantity"
DESCRIPTION = CBC + "Description"
DESCRIPTION_CODE = CBC + "DescriptionCode"
ELECTRONIC_MAIL = CBC + "ElectronicMail"
ENDPOINT_ID = CBC + "EndpointID"
END_DATE = CBC + "EndDate"
IDENTIFICATION_CODE = CBC + "IdentificationCode"
INVOICED_QUANTITY = CBC + "InvoicedQuantity"
INVOICE_PERIOD = CAC + "InvoicePeriod"
ITEM = CAC + "Item"
LINE_EXTENSION_AMOUNT = CBC + "LineExtensionAmount"
LINE_ID = CBC + "LineID"
MULTIPLIER_FACTOR_NUMERIC = CBC + "MultiplierFactorNumeric"
NAME = CBC + "Name"
NOTE = CBC + "Note"
ORDER_LINE_REFERENCE = CAC + "OrderLineReference"
PARTY = CAC + "Party"
PARTY_IDENTIFICATION = CAC + "PartyIdentification"
PARTY_LEGAL_ENTITY = CAC + "PartyLegalEntity"
PARTY_NAME = CAC + "PartyName"
PARTY_TAX_SCHEME = CAC + "PartyTaxScheme"
PERCENT = CBC + "Percent"
POSTAL_ADDRESS = CAC + "PostalAddress"
POSTAL_ZONE = CBC + "PostalZone"
PRICE = CAC + "Price"
PRICE_AMOUNT = CBC + "PriceAmount"
REGISTRATION_NAME = CBC + "RegistrationName"
SELLERS_ITEM_IDENTIFICATION = CAC + "SellersItemIdentification"
STANDARD_ITEM_IDENTIFICATION = CAC + "StandardItemIdentification"
START_DATE = CBC + "StartDate"
STREET_NAME = CBC + "StreetName"
TAX_CATEGORY = CAC + "TaxCategory"
TAX_SCHEME = CAC + "TaxScheme"
TELEPHONE = CBC + "Telephone"

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_ONE = Decimal(1)
_new = object.__new__
_set = object.__setattr__
_LINE_FIELDS = ("id quantity unit_code net_amount price name vat_category vat_rate base_quantity price_allowance "
                "gross_price note description seller_item_id buyer_item_id standard_item_id allowances_charges period "
                "order_line_reference accounting_cost").split()
# read_line() fills InvoiceLine.__dict__ in one go (a frozen dataclass __init__ costs ~2.5 µs per line, a third of
# the whole per-line budget); this keeps that shortcut honest if the dataclass changes.
assert tuple(_LINE_FIELDS) == tuple(f.name for f in fields(InvoiceLine)), "InvoiceLine fields changed"
assert not hasattr(InvoiceLine, "__slots__") and not hasattr(InvoiceLine, "__post_init__")


class Problem(Exception):
    """A missing or unreadable business term; ``path`` grows as the exception leaves nested readers."""

    def __init__(self, code: str, bt: str, path: str, reason: str) -> None:
        super().__init__(code)
        self.code, self.bt, self.path, self.reason = code, bt, path, reason

    def under(self, prefix: str) -> Problem:
        self.path = f"{prefix}/{self.path}" if self.path else prefix
        return self


def missing(bt: str, path: str) -> Problem:
    return Problem("UBL_MISSING_FIELD", bt, path, "is missing")


def text_of(el) -> str | None:
    t = el.text
    if t is None:
        return None
    return t.strip() or None


# Valid numbers and dates seen recently, by their exact text: VAT rates, quantities, unit prices and period dates
# repeat within and across documents, and a dict hit (~40 ns) is far cheaper than Decimal() plus the xs:decimal
# checks. Values are immutable, so sharing them is safe; the caches are simply emptied when they grow too big.
_DECIMALS: dict = {}
_DATES: dict = {}
_CACHE_LIMIT = 4096


def decimal_of(el, bt: str, path: str) -> Decimal:
    t = el.text
    d = _DECIMALS.get(t)
    if d is not None:
        return d
    return decimal_from_text(t, bt, path)


def decimal_from_text(t: str | None, bt: str, path: str) -> Decimal:
    """An xs:decimal from an element's text (whitespace around it allowed), remembered in the cache."""
    try:
        d = Decimal(t)
    except (InvalidOperation, TypeError):
        raise Problem("UBL_BAD_VALUE", bt, path, "is not a decimal number") from None
    if not d.is_finite() or "_" in t or "e" in t or "E" in t:  # Decimal() accepts these, xs:decimal does not
        raise Problem("UBL_BAD_VALUE", bt, path, "is not a decimal number")
    if len(_DECIMALS) >= _CACHE_LIMIT:
        _DECIMALS.clear()
    _DECIMALS[t] = d
    return d


def date_of(el, bt: str, path: str) -> date:
    raw = el.text
    d = _DATES.get(raw)
    if d is not None:
        return d
    return date_from_text(raw, bt, path)


def date_from_text(raw: str | None, bt: str, path: str) -> date:
    """An xs:date (optionally with a time zone, which is dropped) from an element's text, remembered in the cache."""
    try:
        t = raw.strip()
        if len(t) > 10:  # xs:date may carry a time zone: 2024-01-31Z, 2024-01-31+02:00
            tz = t[10:]
            if tz != "Z" and not (len(tz) == 6 and tz[0] in "+-" and tz[3] == ":"):
                raise ValueError
            t = t[:10]
        if len(t) != 10:
            raise ValueError
        d = date.fromisoformat(t)
    except (ValueError, AttributeError, TypeError):
        raise Problem("UBL_BAD_VALUE", bt, path, "is not an ISO date (YYYY-MM-DD)") from None
    if len(_DATES) >= _CACHE_LIMIT:
        _DATES.clear()
    _DATES[raw] = d
    return d


def bool_of(el, bt: str, path: str) -> bool:
    t = (el.text or "").strip()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise Problem("UBL_BAD_VALUE", bt, path, "is not a boolean (true/false)")


def child_text(el, tag: str) -> str | None:
    for c in el:
        if c.tag == tag:
            t = c.text
            return (t.strip() or None) if t is not None else None
    return None


def read_identifier(el, ID=ID) -> Identifier | None:
    for c in el:
        if c.tag == ID:
            v = text_of(c)
            return Identifier(v, c.get("schemeID")) if v else None
    return None


def read_tax_category(el, bt: str = "BT-152", ID=ID, PERCENT=PERCENT) -> tuple[str | None, Decimal | None]:
    cat = rate = None
    for c in el:
        tag = c.tag
        if tag == ID:
            t = c.text
            cat = (t.strip() or None) if t is not None else None
        elif tag == PERCENT:
            rate = decimal_of(c, bt, "cbc:Percent")
    return cat, rate


def read_period(el, START=START_DATE, END=END_DATE, CODE=DESCRIPTION_CODE) -> Period:
    start = end = code = None
    for c in el:
        tag = c.tag
        if tag == START:
            start = date_of(c, "BT-73", "cbc:StartDate")
        elif tag == END:
            end = date_of(c, "BT-74", "cbc:EndDate")
        elif tag == CODE and code is None:
            code = text_of(c)
    return Period(start, end, code)


def read_allowance_charge(el) -> AllowanceCharge:
    is_charge = amount = base = percent = reason = code = cat = rate = None
    for c in el:
        tag = c.tag
        if tag == CHARGE_INDICATOR:
            is_charge = bool_of(c, "BG-20/21", "cbc:ChargeIndicator")
        elif tag == AMOUNT:
            amount = decimal_of(c, "BT-92", "cbc:Amount")
        elif tag == BASE_AMOUNT:
            base = decimal_of(c, "BT-93", "cbc:BaseAmount")
        elif tag == MULTIPLIER_FACTOR_NUMERIC:
            percent = decimal_of(c, "BT-94", "cbc:MultiplierFactorNumeric")
        elif tag == ALLOWANCE_CHARGE_REASON:
            reason = text_of(c) if reason is None else reason
        elif tag == ALLOWANCE_CHARGE_REASON_CODE:
            code = text_of(c)
        elif tag == TAX_CATEGORY and cat is None:
            try:
                cat, rate = read_tax_category(c, "BT-96/103")
            except Problem as p:
                raise p.under("cac:TaxCategory") from None
    if is_charge is None:
        raise missing("BG-20/21", "cbc:ChargeIndicator")
    if amount is None:
        raise missing("BT-92", "cbc:Amount")
    return AllowanceCharge(is_charge, amount, base, percent, reason, code, cat, rate)


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


def _read_price(el, PRICE_AMOUNT=PRICE_AMOUNT, BASE_QTY=BASE_QUANTITY, AC=ALLOWANCE_CHARGE,
                AMOUNT=AMOUNT, BASE_AMOUNT=BASE_AMOUNT):
    price = base_qty = allowance = gross = None
    for c in el:
        tag = c.tag
        if tag == PRICE_AMOUNT:
            price = decimal_of(c, "BT-146", "cbc:PriceAmount")
        elif tag == BASE_QTY:
            base_qty = decimal_of(c, "BT-149", "cbc:BaseQuantity")
        elif tag == AC:
            for s in c:
                stag = s.tag
                if stag == AMOUNT:
                    allowance = decimal_of(s, "BT-147", "cac:AllowanceCharge/cbc:Amount")
                elif stag == BASE_AMOUNT:
                    gross = decimal_of(s, "BT-148", "cac:AllowanceCharge/cbc:BaseAmount")
    return price, base_qty, allowance, gross


def _read_item_extras(tag, el, desc, buyer, std, DESCRIPTION=DESCRIPTION, BUYERS=BUYERS_ITEM_IDENTIFICATION,
                      STANDARD=STANDARD_ITEM_IDENTIFICATION):
    """The less common Item children: description (BT-154), buyer's (BT-156) and standard (BT-157) item ids."""
    if tag == DESCRIPTION:
        if desc is None:
            desc = text_of(el)
    elif tag == BUYERS:
        buyer = child_text(el, ID)
    elif tag == STANDARD:
        std = read_identifier(el)
    return desc, buyer, std


def read_line(el, ID=ID, QTY=INVOICED_QUANTITY, CQTY=CREDITED_QUANTITY, NET=LINE_EXTENSION_AMOUNT,
              ITEM=ITEM, PRICE=PRICE, NOTE=NOTE, AC=ALLOWANCE_CHARGE, PERIOD=INVOICE_PERIOD,
              ORDER=ORDER_LINE_REFERENCE, COST=ACCOUNTING_COST, LINE_ID=LINE_ID, NAME=NAME,
              SELLERS=SELLERS_ITEM_IDENTIFICATION, TAX=CLASSIFIED_TAX_CATEGORY, PERCENT=PERCENT,
              PRICE_AMOUNT=PRICE_AMOUNT, decimal_of=decimal_of, known=_DECIMALS.get) -> InvoiceLine:
    """One InvoiceLine / CreditNoteLine (BG-25). Raises :class:`Problem` with a path relative to the line.

    The line is the hot path (hundreds per document), so the common children of Item, ClassifiedTaxCategory and
    Price are read inline here, numbers seen before come from the cache without a call (``known``), and rarer
    elements go to the helper readers."""
    lid = note = qty = unit = net = price = cat = None
    name = desc = seller = buyer = std = rate = allowance = gross = period = order_line = cost = None
    base_qty = _ONE
    acs = ()
    for c in el:
        tag = c.tag
        if tag == ID:
            t = c.text
            lid = (t.strip() or None) if t is not None else None
        elif tag == QTY or tag == CQTY:
            qty = known(c.text)
            if qty is None:
                qty = decimal_of(c, "BT-129", "cbc:InvoicedQuantity")
            unit = c.get("unitCode")
        elif tag == NET:
            net = known(c.text)
            if net is None:
                net = decimal_of(c, "BT-131", "cbc:LineExtensionAmount")
        elif tag == ITEM:
            for s in c:
                stag = s.tag
                if stag == NAME:
                    t = s.text
                    name = (t.strip() or None) if t is not None else None
                elif stag == TAX:
                    if cat is None:
                        for x in s:
                            xtag = x.tag
                            if xtag == ID:
                                t = x.text
                                cat = (t.strip() or None) if t is not None else None
                            elif xtag == PERCENT:
                                rate = known(x.text)
                                if rate is None:
                                    rate = decimal_of(x, "BT-152", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
                elif stag == SELLERS:
                    seller = None
                    for x in s:
                        if x.tag == ID:
                            t = x.text
                            seller = (t.strip() or None) if t is not None else None
                            break
                else:
                    desc, buyer, std = _read_item_extras(stag, s, desc, buyer, std)
        elif tag == PRICE:
            for s in c:
                if s.tag == PRICE_AMOUNT:
                    price = known(s.text)
                    if price is None:
                        price = decimal_of(s, "BT-146", "cac:Price/cbc:PriceAmount")
                    break
            if len(c) > 1:
                try:
                    _, bq, allowance, gross = _read_price(c)
                except Problem as p:
                    raise p.under("cac:Price") from None
                if bq is not None:
                    base_qty = bq
        elif tag == ORDER:
            order_line = None
            for x in c:
                if x.tag == LINE_ID:
                    t = x.text
                    order_line = (t.strip() or None) if t is not None else None
                    break
        elif tag == PERIOD:
            try:
                period = read_period(c)
            except Problem as p:
                raise p.under("cac:InvoicePeriod") from None
        elif tag == NOTE:
            t = text_of(c)
            note = t if note is None else f"{note}\n{t or ''}"
        elif tag == AC:
            try:
                acs += (read_allowance_charge(c),)
            except Problem as p:
                raise p.under("cac:AllowanceCharge") from None
        elif tag == COST:
            cost = text_of(c)
    if lid is None:
        raise missing("BT-126", "cbc:ID")
    if qty is None:
        raise missing("BT-129", "cbc:InvoicedQuantity")
    if net is None:
        raise missing("BT-131", "cbc:LineExtensionAmount")
    if price is None:
        raise missing("BT-146", "cac:Price/cbc:PriceAmount")
    if name is None:
        raise missing("BT-153", "cac:Item/cbc:Name")
    if cat is None:
        raise missing("BT-151", "cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
    line = _new(InvoiceLine)
    _set(line, "__dict__", {
        "id": lid, "quantity": qty, "unit_code": unit, "net_amount": net, "price": price, "name": name,
        "vat_category": cat, "vat_rate": rate, "base_quantity": base_qty, "price_allowance": allowance,
        "gross_price": gross, "note": note, "description": desc, "seller_item_id": seller, "buyer_item_id": buyer,
        "standard_item_id": std, "allowances_charges": acs, "period": period, "order_line_reference": order_line,
        "accounting_cost": cost,
    })
    return line
