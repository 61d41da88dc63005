"""Domain invoice (``InvoicePosting``) -> the exact ``POST /invoices`` body (API-NOTES §3, CONNECTOR-ANCHORS §5).

Pure: no I/O. Everything read from Procountor comes in through ``CompanyContext``. Choices, and why:

* ``type`` SALES_INVOICE for invoices *and* credit notes (Procountor has no credit-note type, §3.8); a credit note
  gets negative quantities so its totals are negative, and names the credited invoice(s) (BT-25) in
  ``additionalInformation`` (printed) and ``notes`` (internal). A "negative invoice" keeps the document's signs.
* ``invoiceChannel`` from the connection (default NO_SENDING: the customer already got the invoice via Peppol).
* Accounts: invoices carry no account fields (§2.5). ``extraInfo.accountingByRow`` is true, so every row becomes its
  own ledger entry: a row with ``productId`` books to that product's ``defaultAccount``; a row without one books to
  the company's default sales account. Moving those rows to the connection's ``default_sales_account`` when it
  differs is a ledger-receipt update (§2.5 steps 2-4), done by the gateway, not expressible in this body.
* Rows: see ``row_arithmetic``; document allowances/charges and cash rounding (BT-114) become rows of their own, so
  Procountor's totals are BT-109 + BT-114, BT-110 and BT-112 + BT-114. ``map_invoice`` checks that before returning
  and raises ``TOTALS_NOT_REPRODUCIBLE`` instead of letting a wrong invoice reach the books.
* VAT: ``vatPercent`` must be enabled for sales in the company (``VAT_RATE_NOT_ENABLED`` otherwise; rates are never
  hard-coded), ``vatStatus`` per row from the category (``company_context`` documents the table); the invoice-level
  ``vatStatus`` is the status of the rows with the largest amount.
* A prepaid amount (BT-113) is stated in ``additionalInformation`` and not booked as a row.
* Text: Windows-1252 and the spec's length limits through ``TextPolicy``; every change is a warning naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stdnum.fi import ytunnus

from adapters.procountor.company_context import CompanyContext
from adapters.procountor.countries import EU_COUNTRIES, procountor_country
from adapters.procountor.row_arithmetic import exact_row, plain_number, procountor_row_totals
from adapters.procountor.text_policy import MappingWarning, TextPolicy, to_cp1252
from adapters.procountor.units import procountor_unit, unit_table
from domain.errors import FieldError, InvoiceRuleError
from domain.invoice import Invoice, InvoiceLine
from domain.parties import Address, Party
from domain.posting import BookedTotals, InvoicePosting, expected_booked_totals, totals_differences

ORIGINAL_NUMBER_MAX = 40
REFERENCE_MAX = 70
ADDRESS_LIMITS = {"name": 80, "specifier": 80, "street": 80, "zip": 20, "city": 40, "subdivision": 35}
ROW_TEXT_MAX = 512  # comment's limit; the spec gives none for ``product``, long row texts have caused 500s (§3.5)
PRODUCT_CODE_MAX = 40
LONG_TEXT_MAX = 10000
MAX_PAYMENT_TERM_DAYS = 999
REFERENCE_TYPE_BY_SCHEME = {"fi": "FI", "rf": "RF", "fi-rf": "RF", "se": "OCR", "se-length": "OCR",
                            "no-mod10": "KID", "no-mod11": "KID"}
LANGUAGE_BY_COUNTRY = {"FI": "FINNISH", "SE": "SWEDISH", "NO": "NORWEGIAN", "DK": "DANISH", "EE": "ESTONIAN",
                       "AX": "SWEDISH"}
REFUSED_CHANNELS = ("EDIFACT", "PAPER_INVOICE")  # POST /invoices rejects them (§3.1)
_TERM_DAYS = re.compile(r"(\d{1,3})\s*(?:days?|pv|päivä|paiva|dagar|dager|dage|tage|jours|días|dias|giorni)",
                        re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class MappedInvoice:
    body: dict[str, Any]  # the exact POST /invoices JSON (Decimals for numbers, ISO strings for dates)
    warnings: tuple[MappingWarning, ...]
    external_uris: tuple[tuple[str, str], ...]  # (attachment id, URI) recorded in the invoice's notes
    expected: BookedTotals  # what Procountor must compute (signed, rounding included)
    computed: BookedTotals  # what Procountor's arithmetic gives for ``body``
    row_strategies: tuple[str, ...]  # per invoice line: natural | discount | effective_price | quantity_one
    original_invoice_number: str


def original_invoice_number(invoice: Invoice) -> str:
    """The idempotency key stored in ``originalInvoiceNumber``: BT-1, made safe for Procountor deterministically."""
    return TextPolicy().identifier(invoice.invoice_number, "originalInvoiceNumber", ORIGINAL_NUMBER_MAX)


def map_invoice(posting: InvoicePosting, company: CompanyContext) -> MappedInvoice:
    return _Mapper(posting, company).run()


class _Mapper:
    def __init__(self, posting: InvoicePosting, company: CompanyContext) -> None:
        self.posting, self.invoice, self.company = posting, posting.invoice, company
        self.settings = posting.settings
        self.text = TextPolicy()
        self.sign = Decimal(-1) if self.invoice.is_credit_note else Decimal(1)
        self.units = unit_table(self.settings.unit_overrides)
        self.customer_country = ((self.invoice.customer.address or Address()).country_code or "").upper() or None
        self.status_weights: dict[int, Decimal] = {}
        self.unplaced_reference: str | None = None  # a reference Procountor cannot take as a reference number

    # -- the body ----------------------------------------------------------------------------------------------

    def run(self) -> MappedInvoice:
        invoice, settings = self.invoice, self.settings
        if settings.invoice_channel in REFUSED_CHANNELS:
            raise InvoiceRuleError("INVOICE_CHANNEL_NOT_ALLOWED",
                                   f"invoice channel {settings.invoice_channel} is refused by POST /invoices")
        original = self.text.identifier(invoice.invoice_number, "originalInvoiceNumber", ORIGINAL_NUMBER_MAX)
        rows, strategies = self._rows()
        body: dict[str, Any] = {"type": "SALES_INVOICE", "date": invoice.issue_date.isoformat()}
        body["counterParty"] = self._counter_party(invoice.customer)
        billing = self._address(invoice.customer, "billingAddress")
        if billing:
            body["billingAddress"] = billing
        body["paymentInfo"] = self._payment_info()
        body["extraInfo"] = {"accountingByRow": True, "unitPricesIncludeVat": False}
        body["discountPercent"] = Decimal(0)
        body["invoiceRows"] = rows
        body["vatStatus"] = max(self.status_weights.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        body["originalInvoiceNumber"] = original
        body["invoiceChannel"] = settings.invoice_channel
        body["language"] = LANGUAGE_BY_COUNTRY.get(self.customer_country or "", "ENGLISH")
        self._references(body)
        period = invoice.invoice_period
        if period and period.start:
            body["deliveryStartDate"] = period.start.isoformat()
        if period and period.end:
            body["deliveryEndDate"] = period.end.isoformat()
        info = self.text.clean(self._additional_information(), "additionalInformation", LONG_TEXT_MAX)
        if info:
            body["additionalInformation"] = info
        external = tuple((a.id, a.external_uri) for a in invoice.attachments if a.external_uri)
        notes = self._notes(external)
        if notes:
            body["notes"] = notes
        computed = BookedTotals(*procountor_row_totals(body))
        expected = expected_booked_totals(invoice)
        differences = totals_differences(expected, computed)
        if differences:
            raise InvoiceRuleError(
                "TOTALS_NOT_REPRODUCIBLE",
                "Procountor's arithmetic on the mapped rows would not equal the document: " + "; ".join(differences))
        return MappedInvoice(body, tuple(self.text.warnings), external, expected, computed, tuple(strategies),
                             original)

    # -- rows --------------------------------------------------------------------------------------------------

    def _rows(self) -> tuple[list[dict[str, Any]], list[str]]:
        products = {lp.line_id: lp for lp in self.posting.line_products}
        rows, strategies = [], []
        for index, line in enumerate(self.invoice.lines):
            row, strategy = self._line_row(index, line, products.get(line.id))
            rows.append(row)
            strategies.append(strategy)
        for index, ac in enumerate(self.invoice.allowances_charges):
            rows.append(self._allowance_charge_row(index, ac))
        rounding = self.invoice.totals.rounding
        if rounding:
            rows.append(self._rounding_row(len(rows), rounding))
        return rows, strategies

    def _line_row(self, index: int, line: InvoiceLine, line_product) -> tuple[dict[str, Any], str]:
        path = f"invoiceRows[{index}]"
        rate = self._enabled_rate(line.vat_rate, f"line {line.id}", f"{path}.vatPercent")
        numbers = exact_row(self.sign * line.quantity, line.unit_price, self.sign * line.net_amount)
        unit, mapped = procountor_unit(line.unit_code, self.units)
        if not mapped:
            self.text.warn(f"{path}.unit", "UNIT_FALLBACK",
                           f"unit code {line.unit_code!r} of line {line.id} has no Procountor unit; sent as {unit} "
                           f"with the code in the comment")
        row: dict[str, Any] = {}
        if line_product is not None and line_product.product is not None:
            row["productId"] = line_product.product.id
        row["product"] = self.text.clean(line.name, f"{path}.product", ROW_TEXT_MAX) or f"Line {line.id}"
        code = self.text.clean(line.seller_item_id, f"{path}.productCode", PRODUCT_CODE_MAX)
        if code:
            row["productCode"] = code
        row.update(quantity=numbers.quantity, unit=unit, unitPrice=numbers.unit_price,
                   discountPercent=numbers.discount_percent, vatPercent=rate,
                   vatStatus=self._vat_status(line.vat_category, f"{path}.vatStatus", line.net_amount))
        comment = self.text.clean(self._line_comment(line, numbers.strategy, mapped), f"{path}.comment",
                                  ROW_TEXT_MAX)
        if comment:
            row["comment"] = comment
        period = line.period or self.invoice.invoice_period
        if period and period.start:
            row["startDate"] = period.start.isoformat()
        if period and period.end:
            row["endDate"] = period.end.isoformat()
        return row, numbers.strategy

    def _line_comment(self, line: InvoiceLine, strategy: str, unit_mapped: bool) -> str | None:
        parts = [p for p in (line.description, line.note) if p and p.strip()]
        unit = line.unit_code or ""
        if strategy in ("effective_price", "quantity_one") or not unit_mapped:
            shown = f"{_show(line.quantity)} {unit}".strip()
            price = f"{_show(line.price)}" + (f" / {_show(line.base_quantity)}" if line.base_quantity != 1 else "")
            parts.append(f"{shown} x {price} {self.invoice.currency}")
        for ac in line.allowances_charges:
            label = "charge" if ac.is_charge else "allowance"
            reason = f" ({ac.reason or ac.reason_code})" if (ac.reason or ac.reason_code) else ""
            parts.append(f"{label} {_show(ac.amount)}{reason}")
        return " | ".join(parts) or None

    def _allowance_charge_row(self, index: int, ac) -> dict[str, Any]:
        path = f"invoiceRows[{len(self.invoice.lines) + index}]"
        where = f"document {'charge' if ac.is_charge else 'allowance'} {index + 1}"
        rate = self._enabled_rate(ac.vat_rate, where, f"{path}.vatPercent")
        signed = ac.amount if ac.is_charge else -ac.amount
        default = "Charge" if ac.is_charge else "Allowance"
        name = ac.reason or (f"{default} {ac.reason_code}" if ac.reason_code else default)
        row: dict[str, Any] = {
            "product": self.text.clean(name, f"{path}.product", ROW_TEXT_MAX) or default,
            "quantity": self.sign, "unit": "NO_UNIT", "unitPrice": plain_number(signed), "discountPercent": Decimal(0),
            "vatPercent": rate,
            "vatStatus": self._vat_status(ac.vat_category or "S", f"{path}.vatStatus", signed)}
        if ac.percent is not None and ac.base_amount is not None:
            row["comment"] = f"{_show(ac.percent)} % x {_show(ac.base_amount)} {self.invoice.currency}"
        return row

    def _rounding_row(self, index: int, rounding: Decimal) -> dict[str, Any]:
        path = f"invoiceRows[{index}]"
        rate = self._enabled_rate(Decimal(0), "the cash rounding (BT-114)", f"{path}.vatPercent")
        return {"product": "Pyöristys / Rounding", "quantity": self.sign, "unit": "NO_UNIT",
                "unitPrice": plain_number(rounding), "discountPercent": Decimal(0), "vatPercent": rate,
                "vatStatus": self._vat_status("ROUNDING", f"{path}.vatStatus", Decimal(0))}

    def _enabled_rate(self, rate: Decimal | None, where: str, field: str) -> Decimal:
        percent = (rate if rate is not None else Decimal(0)).normalize()
        if not self.company.enables(percent):
            enabled = ", ".join(f"{_plain_percent(p)} %" for p in sorted(self.company.sales_vat_percents))
            raise InvoiceRuleError(
                "VAT_RATE_NOT_ENABLED",
                f"VAT rate {_plain_percent(percent)} % of {where} is not enabled for sales in the Procountor company "
                f"(enabled: {enabled})",
                field_errors=(FieldError(field, f"{_plain_percent(percent)} % not enabled", "VAT_RATE_NOT_ENABLED"),))
        return _plain_percent(percent)

    def _vat_status(self, category: str, field: str, weight: Decimal) -> int:
        situation = category.upper()
        if situation == "AE" and self.customer_country in EU_COUNTRIES \
                and self.customer_country != self.company.country_code:
            situation = "AE-EU"
        status = self.company.vat_status_by_situation.get(situation)
        if status is None:
            raise InvoiceRuleError(
                "VAT_STATUS_NOT_AVAILABLE",
                f"no sales VAT status of the Procountor company fits VAT category {category} ({situation}); "
                f"enabled: " + ", ".join(f"{s.code} {s.description}" for s in self.company.vat_statuses),
                field_errors=(FieldError(field, f"no VAT status for {situation}", "VAT_STATUS_NOT_AVAILABLE"),))
        self.status_weights[status] = self.status_weights.get(status, Decimal(0)) + abs(weight)
        return status

    # -- parties -----------------------------------------------------------------------------------------------

    def _counter_party(self, customer: Party) -> dict[str, Any]:
        party: dict[str, Any] = {}
        contact = customer.contact
        if contact and contact.name:
            party["contactPersonName"] = self.text.clean(contact.name, "counterParty.contactPersonName", 70)
        identifier = business_id(customer)
        if identifier:
            party["identifier"] = self.text.clean(identifier, "counterParty.identifier")
        if customer.vat_id:
            party["taxCode"] = self.text.clean(customer.vat_id, "counterParty.taxCode")
        if contact and contact.email:
            if _EMAIL.match(contact.email.strip()):
                party["email"] = self.text.clean(contact.email, "counterParty.email")
            else:
                self.text.warn("counterParty.email", "EMAIL_INVALID", f"{contact.email!r} is not an e-mail address")
        party["counterPartyAddress"] = self._address(customer, "counterParty.counterPartyAddress") or {}
        party["counterPartyAddress"].setdefault("name", "?")
        einvoice = einvoice_address(customer)
        if einvoice:
            party["einvoiceAddress"] = {"address": self.text.clean(einvoice, "counterParty.einvoiceAddress.address")}
        return {k: v for k, v in party.items() if v is not None}

    def _address(self, party: Party, path: str) -> dict[str, Any]:
        address = party.address or Address()
        values = {"name": party.display_name, "specifier": address.additional_street, "street": address.street,
                  "zip": address.postal_code, "city": address.city, "subdivision": address.subdivision}
        out = {k: self.text.clean(v, f"{path}.{k}", ADDRESS_LIMITS[k]) for k, v in values.items()}
        out = {k: v for k, v in out.items() if v is not None}
        if address.country_code:
            country = procountor_country(address.country_code)
            if country:
                out["country"] = country
            else:
                self.text.warn(f"{path}.country", "COUNTRY_UNKNOWN",
                               f"country code {address.country_code!r} has no Procountor country; left out")
        return out

    # -- payment -----------------------------------------------------------------------------------------------

    def _payment_info(self) -> dict[str, Any]:
        invoice, company = self.invoice, self.company
        info: dict[str, Any] = {"paymentMethod": "BANK_TRANSFER", "currency": invoice.currency}
        info["bankAccount"] = {"accountNumber": self._bank_account()}
        info["dueDate"] = self._due_date().isoformat()
        info["currencyRate"] = self._currency_rate()
        reference = self.posting.payment_reference
        kind = REFERENCE_TYPE_BY_SCHEME.get(reference.scheme)
        if kind and kind in company.reference_types:
            info["bankReferenceCode"] = reference.reference
            info["bankReferenceCodeType"] = kind
        else:
            self.text.warn("paymentInfo.bankReferenceCodeType", "REFERENCE_TYPE_NOT_ALLOWED",
                           f"payment reference {reference.reference} ({reference.scheme}) cannot be given to a "
                           f"{company.country} company as a reference number; stated in additionalInformation")
            self.unplaced_reference = reference.reference
        return info

    def _bank_account(self) -> str:
        company = self.company
        wanted = (self.settings.bank_account or "").replace(" ", "").upper()
        if wanted:
            if wanted not in company.bank_accounts:
                raise InvoiceRuleError("BANK_ACCOUNT_NOT_IN_COMPANY",
                                       f"the connection's bank account {wanted} is not an active account of the "
                                       f"Procountor company")
            return wanted
        # The account the customer was told to pay to, when it is one of the company's own.
        for means in self.invoice.payment_means:
            iban = (means.iban or "").replace(" ", "").upper()
            if iban and iban in company.bank_accounts:
                return iban
        if not company.default_bank_account:
            raise InvoiceRuleError("BANK_ACCOUNT_MISSING", "the Procountor company has no active bank account")
        return company.default_bank_account

    def _due_date(self) -> date:
        issue = self.invoice.issue_date
        due = self.invoice.due_date
        if due is None:
            match = _TERM_DAYS.search(self.invoice.payment_terms or "")
            if match:
                due = issue + timedelta(days=int(match.group(1)))
                self.text.warn("paymentInfo.dueDate", "DUE_DATE_DERIVED",
                               f"no due date in the document; {due} from the payment terms {match.group(0)!r}")
            else:
                due = issue
                self.text.warn("paymentInfo.dueDate", "DUE_DATE_DERIVED",
                               "no due date and no payment term in days in the document; due on the invoice date")
        if due < issue:
            self.text.warn("paymentInfo.dueDate", "DUE_DATE_ADJUSTED",
                           f"due date {due} is before the invoice date; Procountor refuses that, sent {issue}")
            due = issue
        if due > issue + timedelta(days=MAX_PAYMENT_TERM_DAYS):
            latest = issue + timedelta(days=MAX_PAYMENT_TERM_DAYS)
            self.text.warn("paymentInfo.dueDate", "DUE_DATE_ADJUSTED",
                           f"due date {due} is more than {MAX_PAYMENT_TERM_DAYS} days away; sent {latest}")
            due = latest
        return due

    def _currency_rate(self) -> Decimal:
        invoice, company = self.invoice, self.company
        if invoice.currency == company.currency:
            return Decimal(1)
        wanted = (invoice.currency, invoice.issue_date.isoformat())
        if company.currency_rate is None or company.currency_rate_for not in (None, wanted):
            raise InvoiceRuleError("CURRENCY_RATE_MISSING",
                                   f"no {company.currency}->{invoice.currency} exchange rate for "
                                   f"{invoice.issue_date} was read from Procountor")
        return company.currency_rate

    # -- references and texts ----------------------------------------------------------------------------------

    def _references(self, body: dict[str, Any]) -> None:
        refs = self.invoice.references
        for name, value, limit in (
                ("orderReference", refs.order_reference, REFERENCE_MAX),
                ("buyerReferenceIdentifier", refs.buyer_reference, REFERENCE_MAX),
                ("sellerReferenceIdentifier", refs.sales_order_id, REFERENCE_MAX),
                ("agreementNumber", refs.contract, None),
                ("accountingCode", refs.accounting_reference, None),
                ("tenderReference", self.invoice.originator_document_reference, None)):
            cleaned = self.text.clean(value, name, limit)
            if cleaned:
                body[name] = cleaned

    def _credited(self) -> str | None:
        preceding = self.invoice.references.preceding_invoices
        if not preceding:
            return None
        return ", ".join(p.id + (f" ({p.issue_date.isoformat()})" if p.issue_date else "") for p in preceding)

    def _additional_information(self) -> str:
        invoice, lines = self.invoice, []
        credited = self._credited()
        if credited and (invoice.is_credit_note or invoice.is_negative):
            lines.append(f"Hyvityslasku laskulle / Credit note for invoice: {credited}")
        elif invoice.is_credit_note:
            lines.append(f"Hyvityslasku / Credit note {invoice.invoice_number}")
        lines.extend(n.strip() for n in invoice.notes if n and n.strip())
        prepaid = invoice.totals.prepaid
        if prepaid:
            lines.append(f"Maksettu ennakkoon / Prepaid: {_show(prepaid)} {invoice.currency}; "
                         f"maksettavaa / amount due: {_show(invoice.totals.payable)} {invoice.currency}")
        if self.unplaced_reference:
            lines.append(f"Viite / Payment reference: {self.unplaced_reference}")
        return "\n".join(lines)

    def _notes(self, external: tuple[tuple[str, str], ...]) -> str | None:
        invoice, refs = self.invoice, self.invoice.references
        lines = [f"Peppol {invoice.kind.value} {invoice.invoice_number} ({invoice.type_code})"]
        credited = self._credited()
        if credited:
            lines.append(f"Credited / preceding invoice: {credited}")
        for label, value in (("Project", refs.project), ("Despatch advice", refs.despatch),
                             ("Receiving advice", refs.receipt),
                             ("Invoiced object", refs.invoiced_object.value if refs.invoiced_object else None)):
            if value:
                lines.append(f"{label}: {value}")
        for attachment_id, uri in external:
            lines.append(f"External attachment {attachment_id}: {uri}")
        body_notes = self.text.clean("\n".join(lines), "notes", LONG_TEXT_MAX - 2000) or ""
        warnings = [str(w) for w in self.text.warnings]
        if warnings:  # visible to the accountant next to the invoice, not only in the connector's log
            body_notes += "\nConnector warnings:\n" + "\n".join(warnings)
        cleaned, _ = to_cp1252(body_notes)
        return cleaned[:LONG_TEXT_MAX] or None


def business_id(party: Party) -> str | None:
    """The party's business id for ``counterParty.identifier`` (CONNECTOR-ANCHORS §5.6): a Finnish Y-tunnus from
    the legal registration id, the FI VAT id or an OVT endpoint; otherwise the registration id as given."""
    candidates: list[str] = []
    if party.company_id:
        candidates.append(party.company_id.value)
    if party.vat_id and party.vat_id.upper().startswith("FI"):
        candidates.append(party.vat_id[2:])
    for value, scheme in ((party.endpoint_id, party.endpoint_scheme),
                          *((i.value, i.scheme) for i in party.business_ids)):
        if value and scheme in ("0216", "0037") and value.startswith("0037"):
            candidates.append(value[4:12])
    for candidate in candidates:
        digits = re.sub(r"[\s-]", "", candidate)
        if re.fullmatch(r"\d{8}", digits) and ytunnus.is_valid(digits):
            return f"{digits[:7]}-{digits[7]}"
    return party.company_id.value.strip() if party.company_id and party.company_id.value.strip() else None


def einvoice_address(party: Party) -> str | None:
    """Finnish OVT endpoints as they are (``003712345678``); other Peppol ids as ``scheme:value``."""
    if not party.endpoint_id:
        return None
    if party.endpoint_scheme in (None, "0216", "0037"):
        return party.endpoint_id.strip()
    return f"{party.endpoint_scheme}:{party.endpoint_id.strip()}"


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _plain_percent(value: Decimal) -> Decimal:
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
