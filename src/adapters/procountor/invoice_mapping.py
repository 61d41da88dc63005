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
* Rows: see ``row_mapping`` and ``row_arithmetic`` (the customer is in ``party_mapping``); document
  allowances/charges and cash rounding (BT-114) become rows of their own, so Procountor's totals are BT-109 + BT-114,
  BT-110 and BT-112 + BT-114. ``map_invoice`` checks that before returning and raises ``TOTALS_NOT_REPRODUCIBLE``
  instead of letting a wrong invoice reach the books.
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

from adapters.procountor.company_context import CompanyContext
from adapters.procountor.party_mapping import business_id, counter_party, einvoice_address
from adapters.procountor.row_arithmetic import procountor_row_totals
from adapters.procountor.row_mapping import RowMapper, show
from adapters.procountor.text_policy import MappingWarning, TextPolicy, to_cp1252
from domain.errors import InvoiceRuleError
from domain.invoice import Invoice
from domain.parties import Address
from domain.posting import BookedTotals, InvoicePosting, expected_booked_totals, totals_differences

__all__ = ["MappedInvoice", "business_id", "einvoice_address", "map_invoice", "original_invoice_number"]

ORIGINAL_NUMBER_MAX = 40
REFERENCE_MAX = 70
LONG_TEXT_MAX = 10000
MAX_PAYMENT_TERM_DAYS = 999
REFERENCE_TYPE_BY_SCHEME = {"fi": "FI", "rf": "RF", "fi-rf": "RF", "se": "OCR", "se-length": "OCR",
                            "no-mod10": "KID", "no-mod11": "KID"}
LANGUAGE_BY_COUNTRY = {"FI": "FINNISH", "SE": "SWEDISH", "NO": "NORWEGIAN", "DK": "DANISH", "EE": "ESTONIAN",
                       "AX": "SWEDISH"}
REFUSED_CHANNELS = ("EDIFACT", "PAPER_INVOICE")  # POST /invoices rejects them (§3.1)
_TERM_DAYS = re.compile(r"(\d{1,3})\s*(?:days?|pv|päivä|paiva|dagar|dager|dage|tage|jours|días|dias|giorni)",
                        re.IGNORECASE)


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
        self.customer_country = ((self.invoice.customer.address or Address()).country_code or "").upper() or None
        self.unplaced_reference: str | None = None  # a reference Procountor cannot take as a reference number

    # -- the body ----------------------------------------------------------------------------------------------

    def run(self) -> MappedInvoice:
        invoice, settings = self.invoice, self.settings
        if settings.invoice_channel in REFUSED_CHANNELS:
            raise InvoiceRuleError("INVOICE_CHANNEL_NOT_ALLOWED",
                                   f"invoice channel {settings.invoice_channel} is refused by POST /invoices")
        original = self.text.identifier(invoice.invoice_number, "originalInvoiceNumber", ORIGINAL_NUMBER_MAX)
        row_mapper = RowMapper(invoice, self.company, settings, self.text, self.customer_country)
        rows, strategies = row_mapper.rows(self.posting.line_products)
        body: dict[str, Any] = {"type": "SALES_INVOICE", "date": invoice.issue_date.isoformat()}
        body["counterParty"], billing = counter_party(invoice.customer, self.text)
        if billing:
            body["billingAddress"] = billing
        body["paymentInfo"] = self._payment_info()
        body["extraInfo"] = {"accountingByRow": True, "unitPricesIncludeVat": False}
        body["discountPercent"] = Decimal(0)
        body["invoiceRows"] = rows
        body["vatStatus"] = max(row_mapper.status_weights.items(), key=lambda kv: (kv[1], -kv[0]))[0]
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
            lines.append(f"Maksettu ennakkoon / Prepaid: {show(prepaid)} {invoice.currency}; "
                         f"maksettavaa / amount due: {show(invoice.totals.payable)} {invoice.currency}")
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

