"""Validation of ``POST /invoices`` bodies (API-NOTES §3, §7; limits and enums from the 26.04 contract)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from adapters.procountor.emulator import reference
from adapters.procountor.emulator.enums import COUNTRIES, CURRENCIES, INVOICE_STATUSES, UNITS
from adapters.procountor.emulator.validation import Validator

INVOICE_TYPES = frozenset({"SALES_INVOICE", "SALES_ORDER", "PURCHASE_INVOICE", "PURCHASE_ORDER", "TRAVEL_INVOICE",
                           "BILL_OF_CHARGES", "PERIODIC_TAX_RETURN"})
SALES_TYPES = frozenset({"SALES_INVOICE", "SALES_ORDER"})
CHANNELS = frozenset({"EMAIL", "MAIL", "ELECTRONIC_INVOICE", "EDIFACT", "PAPER_INVOICE", "NO_SENDING"})
LANGUAGES = frozenset({"DANISH", "ENGLISH", "ESTONIAN", "FINNISH", "NORWEGIAN", "SWEDISH"})
PAYMENT_METHODS = frozenset({"BANK_TRANSFER", "DIRECT_PAYMENT", "CLEARING", "CREDIT_CARD_CHARGE", "FOREIGN_PAYMENT",
                             "OTHER", "CASH", "DOMESTIC_PAYMENT_PLUSGIRO", "DOMESTIC_PAYMENT_BANKGIRO",
                             "DOMESTIC_PAYMENT_CREDITOR", "DKLMPKRE", "NETS"})
REFERENCE_TYPES = frozenset({"RF", "FI", "OCR", "KID", "GIK01", "GIK04", "GIK15", "FIK71", "FIK73", "FIK75"})
# Reference types usable per company country; others → 400 (PaymentInfo.bankReferenceCodeType).
REFERENCE_TYPES_BY_COUNTRY = {"FINLAND": {"RF", "FI"}, "SWEDEN": {"RF", "OCR"}, "NORWAY": {"RF", "KID"},
                              "DENMARK": {"RF", "GIK01", "GIK04", "GIK15", "FIK71", "FIK73", "FIK75"}}
DELIVERY_METHODS = frozenset({"MAILING", "ONLINE", "COURIER", "VRCARGO", "BUS", "FREIGHT", "RETRIEVABLE", "OTHER"})
ADDRESS_LIMITS = {"name": 80, "specifier": 80, "street": 80, "zip": 20, "city": 40, "subdivision": 35}
TEXT_LIMITS = {"orderReference": 70, "deliveryInstructions": 255, "additionalInformation": 10000, "notes": 10000,
               "originalInvoiceNumber": 40, "buyerReferenceIdentifier": 70, "sellerReferenceIdentifier": 70,
               "orderNumber": None, "agreementNumber": None, "accountingCode": None, "deliverySite": None,
               "tenderReference": None, "factoringText": None}
ROW_TEXT_LIMITS = {"comment": 512, "headerText": 512, "explanationText": 512, "productCode": None}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PAYMENT_TERM_DAYS = 999


class CompanyView(Protocol):
    country: str
    currency: str
    vat_percents: frozenset[Decimal]
    vat_statuses: dict[int, dict[str, Any]]
    ibans: frozenset[str]
    closed_before: date | None

    def has_product(self, product_id: int) -> bool: ...

    def has_partner(self, partner_id: int) -> bool: ...


def validate_invoice(body: Any, company: CompanyView) -> list[dict[str, Any]]:
    v = Validator()
    if not isinstance(body, dict):
        v.fail(None, "INVALID_TYPE: an Invoice object is expected")
        return v.errors
    v.windows_1252(body)
    kind = v.enum(body, "type", "type", INVOICE_TYPES, required=True)
    if kind == "PERIODIC_TAX_RETURN":
        v.fail("type", "INVALID_ENUM_VALUE: PERIODIC_TAX_RETURN is supported only by GET /invoices")
    sales = kind in SALES_TYPES
    v.enum(body, "status", "status", INVOICE_STATUSES)
    invoice_date = v.date(body, "date", "date", required=True)
    for name in ("deliveryStartDate", "deliveryEndDate"):
        v.date(body, name, name)
    for name, limit in TEXT_LIMITS.items():
        v.text(body, name, name, max_length=limit)
    v.number(body, "discountPercent", "discountPercent", required=True, minimum=Decimal(0),
             maximum=Decimal(100), scale=4)
    v.number(body, "penaltyPercent", "penaltyPercent", scale=2)
    v.enum(body, "vatCountry", "vatCountry", COUNTRIES)
    method = v.enum(body, "deliveryMethod", "deliveryMethod", DELIVERY_METHODS)
    if sales and method == "OTHER":
        v.fail("deliveryMethod", "INVALID_ENUM_VALUE: SALES_INVOICE and SALES_ORDER do not support OTHER")
    channel = v.enum(body, "invoiceChannel", "invoiceChannel", CHANNELS, required=True)
    if channel in ("EDIFACT", "PAPER_INVOICE"):
        v.fail("invoiceChannel", f"INVALID_ENUM_VALUE: {channel} is not allowed for POST and PUT /invoices")
    v.enum(body, "language", "language", LANGUAGES, required=sales)
    _vat_status(v, body, kind, company)
    partner_id = v.integer(body, "partnerId", "partnerId")
    if partner_id is not None and not company.has_partner(partner_id):
        v.fail("partnerId", "BUSINESS_PARTNER_NOT_FOUND")
    extra = v.obj(body, "extraInfo", "extraInfo", required=True)
    if extra is not None:
        v.boolean(extra, "accountingByRow", "extraInfo.accountingByRow", required=True)
        v.boolean(extra, "unitPricesIncludeVat", "extraInfo.unitPricesIncludeVat", required=True)
    counter_party = v.obj(body, "counterParty", "counterParty", required=True)
    cp_address = _counter_party(v, counter_party, channel, sales) if counter_party is not None else None
    billing = v.obj(body, "billingAddress", "billingAddress")
    if billing:
        _address(v, billing, "billingAddress")
    delivery = v.obj(body, "deliveryAddress", "deliveryAddress")
    if delivery:
        _address(v, delivery, "deliveryAddress")
        if not delivery.get("country"):
            v.blank("deliveryAddress.country")
    _channel_addresses(v, channel, kind, cp_address, billing)
    payment = v.obj(body, "paymentInfo", "paymentInfo", required=True)
    if payment is not None:
        _payment(v, payment, invoice_date, sales, company)
    _rows(v, body, company)
    if invoice_date is not None and company.closed_before is not None and invoice_date < company.closed_before:
        v.fail("date", "CLOSED_FISCAL_PERIOD")
    return v.errors


def _vat_status(v: Validator, body: dict[str, Any], kind: str | None, company: CompanyView) -> None:
    status = v.integer(body, "vatStatus", "vatStatus", required=kind not in (None, "TRAVEL_INVOICE"))
    if status is not None:
        info = company.vat_statuses.get(status)
        side = "sales" if kind in SALES_TYPES else "purchase"
        if info is None or not info.get(side):
            v.fail("vatStatus", f"INVALID_VAT_STATUS: {status} is not enabled for {side} in this company")


def _address(v: Validator, address: dict[str, Any], path: str, name_required: bool = False) -> None:
    for name, limit in ADDRESS_LIMITS.items():
        v.text(address, name, f"{path}.{name}", required=name_required and name == "name", max_length=limit)
    v.enum(address, "country", f"{path}.country", COUNTRIES)


def _counter_party(v: Validator, cp: dict[str, Any], channel: str | None, sales: bool) -> dict[str, Any] | None:
    v.text(cp, "contactPersonName", "counterParty.contactPersonName", max_length=70)
    for name in ("identifier", "taxCode", "customerNumber"):
        v.text(cp, name, f"counterParty.{name}")
    email = v.text(cp, "email", "counterParty.email", required=channel == "EMAIL")
    if email and not EMAIL.match(email):
        v.fail("counterParty.email", "INVALID_EMAIL")
    bcc = cp.get("bccAddresses")
    if bcc is not None:
        if not isinstance(bcc, list) or len(bcc) > 4:
            v.fail("counterParty.bccAddresses", "At most 4 bcc addresses are allowed")
        else:
            for i, address in enumerate(bcc):
                if not isinstance(address, str) or len(address) > 256 or not EMAIL.match(address):
                    v.fail(f"counterParty.bccAddresses[{i}]", "INVALID_EMAIL")
                elif email and address.lower() == email.lower():
                    v.fail(f"counterParty.bccAddresses[{i}]", "BCC_ADDRESS_EQUALS_EMAIL")
    address = v.obj(cp, "counterPartyAddress", "counterParty.counterPartyAddress", required=True)
    if address is not None:
        _address(v, address, "counterParty.counterPartyAddress", name_required=True)
    einvoice = v.obj(cp, "einvoiceAddress", "counterParty.einvoiceAddress")
    if channel == "ELECTRONIC_INVOICE" and sales:
        einvoice = einvoice or {}
        v.text(einvoice, "address", "counterParty.einvoiceAddress.address", required=True)
        country = (address or {}).get("country") or "FINLAND"
        v.text(einvoice, "operator", "counterParty.einvoiceAddress.operator", required=country == "FINLAND")
    bank = v.obj(cp, "bankAccount", "counterParty.bankAccount")
    if bank is not None:
        v.text(bank, "accountNumber", "counterParty.bankAccount.accountNumber")
    return address


def _channel_addresses(v: Validator, channel: str | None, kind: str | None, cp_address: dict[str, Any] | None,
                       billing: dict[str, Any] | None) -> None:
    parts = ("street", "zip", "city")
    if channel == "MAIL" and kind in SALES_TYPES:
        for part in parts:
            if not (billing or {}).get(part) and not (cp_address or {}).get(part):
                v.blank(f"billingAddress.{part}")
    if channel == "ELECTRONIC_INVOICE" and kind == "SALES_INVOICE":
        for path, address in (("counterParty.counterPartyAddress", cp_address), ("billingAddress", billing)):
            for part in parts:
                if not (address or {}).get(part):
                    v.blank(f"{path}.{part}")


def _payment(v: Validator, p: dict[str, Any], invoice_date: date | None, sales: bool, company: CompanyView) -> None:
    method = v.enum(p, "paymentMethod", "paymentInfo.paymentMethod", PAYMENT_METHODS, required=True)
    if method == "DKLMPKRE":
        v.fail("paymentInfo.paymentMethod", "INVALID_ENUM_VALUE: DKLMPKRE is read-only")
    currency = v.enum(p, "currency", "paymentInfo.currency", CURRENCIES, required=True)
    due = v.date(p, "dueDate", "paymentInfo.dueDate", required=True)
    v.date(p, "newDueDate", "paymentInfo.newDueDate")
    rate = v.number(p, "currencyRate", "paymentInfo.currencyRate", required=True, minimum=Decimal(0),
                    maximum=Decimal(1_000_000))
    if rate is not None and currency == company.currency and rate != 1:
        v.fail("paymentInfo.currencyRate", "INVALID_CURRENCY_RATE: must be 1 for the company currency")
    if rate is not None and rate == 0:
        v.fail("paymentInfo.currencyRate", "INVALID_CURRENCY_RATE: must be greater than 0")
    if due is not None and invoice_date is not None:
        if due < invoice_date:
            v.fail(None, "DUE_DATE_BEFORE_BILL_DATE")
        elif due > invoice_date + timedelta(days=MAX_PAYMENT_TERM_DAYS):
            v.fail("paymentInfo.dueDate", "PAYMENT_TERM_TOO_LONG: the payment term can be 0-999 days")
    v.number(p, "paymentTermPercentage", "paymentInfo.paymentTermPercentage")
    v.text(p, "clearingCode", "paymentInfo.clearingCode", max_length=50)
    bank = v.obj(p, "bankAccount", "paymentInfo.bankAccount", required=method == "BANK_TRANSFER")
    if bank is not None:
        iban = v.text(bank, "accountNumber", "paymentInfo.bankAccount.accountNumber",
                      required=method == "BANK_TRANSFER")
        if iban is not None and iban not in company.ibans:
            v.fail("paymentInfo.bankAccount.accountNumber",
                   "BANK_ACCOUNT_NOT_FOUND: must be an existing bank account (IBAN, no spaces) of the company")
        if sales and bank.get("bic") is not None:
            v.fail("paymentInfo.bankAccount.bic", "bic is not supported for SALES_INVOICE and SALES_ORDER")
    ref_type = v.enum(p, "bankReferenceCodeType", "paymentInfo.bankReferenceCodeType", REFERENCE_TYPES)
    if ref_type is not None and ref_type not in REFERENCE_TYPES_BY_COUNTRY.get(company.country, REFERENCE_TYPES):
        v.fail("paymentInfo.bankReferenceCodeType", f"{ref_type} is not allowed in {company.country}")
    code = v.text(p, "bankReferenceCode", "paymentInfo.bankReferenceCode")
    if code and not reference.is_valid(code, ref_type):
        v.fail("paymentInfo.bankReferenceCode", "INVALID_BANK_REFERENCE_CODE: the check digit does not match")
    cash = v.obj(p, "cashDiscount", "paymentInfo.cashDiscount")
    if cash is not None:
        v.enum(cash, "cashDiscountsTermType", "paymentInfo.cashDiscount.cashDiscountsTermType",
               {"FROM_END_OF_MONTH", "FROM_INV_DATE"})
        for i, option in enumerate(cash.get("optionList") or []):
            path = f"paymentInfo.cashDiscount.optionList[{i}]"
            if isinstance(option, dict):
                v.number(option, "numberOfDays", f"{path}.numberOfDays", minimum=Decimal(0), maximum=Decimal(999))
                v.number(option, "discountPercentage", f"{path}.discountPercentage", minimum=Decimal(0),
                         maximum=Decimal("99.99"))


def _rows(v: Validator, body: dict[str, Any], company: CompanyView) -> None:
    rows = body.get("invoiceRows")
    if not isinstance(rows, list) or not rows:
        v.fail("invoiceRows", "An invoice must have at least one invoice row")
        return
    for i, row in enumerate(rows):
        path = f"invoiceRows[{i}]"
        if not isinstance(row, dict):
            v.fail(path, "INVALID_TYPE: an InvoiceRow object is expected")
            continue
        product_id = v.integer(row, "productId", f"{path}.productId")
        if product_id is not None and not company.has_product(product_id):
            v.fail(f"{path}.productId", "PRODUCT_NOT_FOUND")
        v.text(row, "product", f"{path}.product", required=True, min_length=1)
        for name, limit in ROW_TEXT_LIMITS.items():
            v.text(row, name, f"{path}.{name}", max_length=limit)
        # Scales 6 / 4 / 4 follow the observed internal precision (API-NOTES §2.3); Procountor's reaction to more
        # decimals is undocumented, the emulator rejects them so that the client rounds deliberately.
        v.number(row, "quantity", f"{path}.quantity", required=True, scale=6)
        v.enum(row, "unit", f"{path}.unit", UNITS, required=True)
        v.number(row, "unitPrice", f"{path}.unitPrice", required=True, scale=4)
        v.number(row, "discountPercent", f"{path}.discountPercent", required=True, minimum=Decimal(0),
                 maximum=Decimal(100), scale=4)
        percent = v.number(row, "vatPercent", f"{path}.vatPercent", required=True)
        if percent is not None and percent.normalize() not in company.vat_percents:
            v.fail(f"{path}.vatPercent", f"INVALID_VAT_PERCENT: {percent} is not in use in this company")
        status = v.integer(row, "vatStatus", f"{path}.vatStatus")
        effective = status if status is not None else body.get("vatStatus")
        info = company.vat_statuses.get(effective) if isinstance(effective, int) else None
        if status is not None and info is None:
            v.fail(f"{path}.vatStatus", f"INVALID_VAT_STATUS: {status} is not enabled in this company")
        elif info is not None and percent is not None and info.get("vat_percents") and percent.normalize() not in {
                Decimal(str(p)).normalize() for p in info["vat_percents"]}:
            v.fail(f"{path}.vatStatus", "ERROR_VATSTATUS_VATPERC")
        v.date(row, "startDate", f"{path}.startDate")
        v.date(row, "endDate", f"{path}.endDate")
