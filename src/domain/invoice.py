"""The domain invoice: what a Peppol BIS Billing 3.0 / EN 16931 invoice or credit note says, independent of UBL.

Pure value objects (frozen dataclasses, ``Decimal`` for every amount and quantity, tuples for repetitions). A
credit note is the same model with ``kind=CREDIT_NOTE``; amounts keep the sign the document gave them (normally
positive for credit notes, negative for a "negative invoice"). BT numbers refer to EN 16931-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.parties import Address, Contact, Identifier, Party

__all__ = [
    "Address", "AllowanceCharge", "Attachment", "Contact", "DocumentKind", "Identifier", "Invoice", "InvoiceLine",
    "MonetaryTotals", "Party", "PaymentMeans", "Period", "PrecedingInvoice", "References", "TaxSubtotal",
]

ONE = Decimal(1)


class DocumentKind(str, Enum):
    INVOICE = "Invoice"
    CREDIT_NOTE = "CreditNote"


@dataclass(frozen=True, slots=True)
class Period:
    """Invoicing period (BG-14: BT-73, BT-74, BT-8) or line period (BG-26: BT-134, BT-135)."""

    start: date | None = None
    end: date | None = None
    description_code: str | None = None


@dataclass(frozen=True, slots=True)
class PrecedingInvoice:
    """Preceding invoice reference (BG-3: BT-25 id, BT-26 issue date)."""

    id: str
    issue_date: date | None = None


@dataclass(frozen=True, slots=True)
class References:
    buyer_reference: str | None = None  # BT-10
    order_reference: str | None = None  # BT-13
    sales_order_id: str | None = None  # BT-14
    contract: str | None = None  # BT-12
    project: str | None = None  # BT-11 (CreditNote: AdditionalDocumentReference with type code 50)
    despatch: str | None = None  # BT-16
    receipt: str | None = None  # BT-15
    preceding_invoices: tuple[PrecedingInvoice, ...] = ()  # BG-3
    accounting_reference: str | None = None  # BT-19
    invoiced_object: Identifier | None = None  # BT-18 (AdditionalDocumentReference with type code 130)


@dataclass(frozen=True, slots=True)
class PaymentMeans:
    """BG-16 with its credit transfer account (BG-17)."""

    code: str  # BT-81 (UNCL4461)
    name: str | None = None  # BT-82
    payment_id: str | None = None  # BT-83 remittance information, e.g. the Finnish reference number
    iban: str | None = None  # BT-84
    account_name: str | None = None  # BT-85
    bic: str | None = None  # BT-86


@dataclass(frozen=True, slots=True)
class AllowanceCharge:
    """A document-level (BG-20/BG-21) or line-level (BG-27/BG-28) allowance or charge."""

    is_charge: bool
    amount: Decimal  # BT-92/99/136/141
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    vat_category: str | None = None  # document level only (BT-95/102)
    vat_rate: Decimal | None = None  # document level only (BT-96/103)


@dataclass(frozen=True)  # no slots: the UBL parser fills __dict__ directly, ~5x faster than __init__
class InvoiceLine:
    """BG-25. ``price`` is the net price (BT-146) per ``base_quantity`` (BT-149) units."""

    id: str  # BT-126
    quantity: Decimal  # BT-129 (CreditNote: CreditedQuantity)
    unit_code: str | None  # BT-130
    net_amount: Decimal  # BT-131
    price: Decimal  # BT-146
    name: str  # BT-153
    vat_category: str  # BT-151
    vat_rate: Decimal | None = None  # BT-152
    base_quantity: Decimal = ONE  # BT-149
    price_allowance: Decimal | None = None  # BT-147
    gross_price: Decimal | None = None  # BT-148
    note: str | None = None  # BT-127
    description: str | None = None  # BT-154
    seller_item_id: str | None = None  # BT-155
    buyer_item_id: str | None = None  # BT-156
    standard_item_id: Identifier | None = None  # BT-157 (scheme 0160 = GTIN)
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-27/BG-28
    period: Period | None = None  # BG-26
    order_line_reference: str | None = None  # BT-132
    accounting_cost: str | None = None  # BT-133

    @property
    def unit_price(self) -> Decimal:
        """Net price of one unit (BT-146 / BT-149)."""
        return self.price if self.base_quantity == ONE else self.price / self.base_quantity


@dataclass(frozen=True, slots=True)
class TaxSubtotal:
    """BG-23, one per VAT category and rate."""

    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    category: str  # BT-118
    rate: Decimal | None = None  # BT-119
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121


@dataclass(frozen=True, slots=True)
class MonetaryTotals:
    """BG-22. Optional amounts are ``None`` when the document leaves them out (BR-CO-11/12 care)."""

    line_total: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109
    tax_inclusive: Decimal  # BT-112
    payable: Decimal  # BT-115
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114


@dataclass(frozen=True, slots=True)
class Attachment:
    """BG-24. ``content`` holds the decoded embedded document (BT-125), or ``None`` for an external one."""

    id: str  # BT-122
    description: str | None = None  # BT-123
    filename: str | None = None  # BT-125-2
    mime_code: str | None = None  # BT-125-1
    content: bytes | None = None  # BT-125
    external_uri: str | None = None  # BT-124


@dataclass(frozen=True, slots=True)
class Invoice:
    kind: DocumentKind
    type_code: str  # BT-3
    invoice_number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    supplier: Party  # BG-4
    customer: Party  # BG-7
    lines: tuple[InvoiceLine, ...]  # BG-25
    tax_total: Decimal  # BT-110
    totals: MonetaryTotals  # BG-22
    customization_id: str | None = None  # BT-24
    profile_id: str | None = None  # BT-23
    due_date: date | None = None  # BT-9 (CreditNote: first PaymentMeans/PaymentDueDate)
    tax_point_date: date | None = None  # BT-7
    tax_currency: str | None = None  # BT-6
    references: References = References()
    payment_means: tuple[PaymentMeans, ...] = ()  # BG-16
    payment_terms: str | None = None  # BT-20
    notes: tuple[str, ...] = ()  # BT-22
    invoice_period: Period | None = None  # BG-14
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20/BG-21
    tax_subtotals: tuple[TaxSubtotal, ...] = ()  # BG-23
    tax_total_in_tax_currency: Decimal | None = None  # BT-111
    attachments: tuple[Attachment, ...] = ()  # BG-24
    originator_document_reference: str | None = None  # BT-17

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE

    @property
    def is_negative(self) -> bool:
        """A "negative invoice": an Invoice (type 380) whose payable amount is below zero, i.e. a credit."""
        return self.kind is DocumentKind.INVOICE and self.type_code == "380" and self.totals.payable < 0

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def has_attachments(self) -> bool:
        return bool(self.attachments)
