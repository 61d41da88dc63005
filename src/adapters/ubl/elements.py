"""UBL element names and the readers every level shares: values (text, decimal, date, boolean), identifiers, tax
categories, periods and allowances/charges. Parties are read in ``party_reader``, invoice lines in ``line_reader``.

Each reader walks its element's children once and compares Clark-notation tag names computed at import time;
there is no XPath per element. Hot readers bind the names as default arguments (fast locals). Problems are raised
as :class:`Problem` with a path relative to the reader's element; each reader prefixes its own element name on
the way out, so the happy path never builds path strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from domain.invoice import AllowanceCharge, Period
from domain.parties import Identifier

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
