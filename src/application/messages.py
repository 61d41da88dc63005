"""Commands the application accepts and the outcomes it returns: plain dataclasses, no transport details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.errors import TransferError
from domain.posting import BookedTotals


@dataclass(frozen=True)
class TransferInvoice:
    event_id: str
    tenant: str
    invoice_id: str
    document: bytes
    replay: bool = False  # re-sent from the error log or the dead-letter topic: an earlier attempt may exist

    @property
    def key(self) -> str:
        """Keeps one invoice's events in order and names it in the journal and the error log."""
        return f"{self.tenant}/{self.invoice_id}"


@dataclass(frozen=True)
class InvoiceSummary:
    """What an operator needs to recognise an invoice in the error log."""

    invoice_number: str
    customer_name: str | None
    currency: str
    payable_amount: Decimal
    issue_date: date


@dataclass(frozen=True)
class ProductCounts:
    matched: int = 0
    created: int = 0
    defaulted: int = 0


@dataclass(frozen=True)
class InvoiceTransferred:
    command: TransferInvoice
    summary: InvoiceSummary
    procountor_id: int
    already_existed: bool
    payment_reference: str
    payment_reference_source: str
    products: ProductCounts
    attachments: int
    booked: BookedTotals
    tax_exclusive: Decimal
    tax: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    payable: Decimal
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TransferFailed:
    command: TransferInvoice
    error: TransferError
    summary: InvoiceSummary | None = None  # None when the document could not be read


TransferOutcome = InvoiceTransferred | TransferFailed
