"""What the connector asks the accounting system to book, and what it gets back.

These are the values that cross the accounting port: the port's adapter turns an ``InvoicePosting`` into
Procountor's JSON and a Procountor response into a ``PostedInvoice``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from domain.connection import ConnectionSettings
from domain.payment_reference import PaymentReferenceDecision

if TYPE_CHECKING:  # the invoice model is imported for typing only, to keep this module light to import
    from domain.invoice import Invoice

CENT = Decimal("0.01")


class ProductDisposition(str, Enum):
    MATCHED = "matched"  # the line's product id is an existing product code
    CREATED = "created"  # it was missing and the connection creates missing products
    DEFAULTED = "defaulted"  # no product id, or unmatched and the connection says so: default sales account


@dataclass(frozen=True)
class ProductRef:
    id: int
    code: str
    name: str
    # Created by the call that returned it (a concurrent caller may have won the race).
    created_now: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class ProductDraft:
    """A product to create because an invoice line names a product id the company does not have yet."""

    code: str
    name: str
    unit_code: str
    unit_price: Decimal
    vat_rate: Decimal | None
    sales_account: str


@dataclass(frozen=True)
class LineProduct:
    line_id: str
    disposition: ProductDisposition
    product: ProductRef | None  # None when defaulted


@dataclass(frozen=True)
class InvoicePosting:
    invoice: Invoice
    payment_reference: PaymentReferenceDecision
    line_products: tuple[LineProduct, ...]
    settings: ConnectionSettings


@dataclass(frozen=True)
class BookedTotals:
    """Totals as the accounting system computed them (signed: negative for a credit note)."""

    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class PostedInvoice:
    procountor_id: int
    totals: BookedTotals
    already_existed: bool = False
    warnings: tuple[str, ...] = ()  # what the posting changed on its own (transliterated text, truncations, ...)


def expected_booked_totals(invoice: Invoice) -> BookedTotals:
    """The totals Procountor must show for this invoice, to the cent.

    Cash rounding (BT-114) is booked as a row without VAT, so it is part of net and gross; a prepaid amount (BT-113)
    is stated on the invoice but not booked as sales. A credit note books the same amounts with the opposite sign.
    """
    totals = invoice.totals
    rounding = totals.rounding or Decimal(0)
    sign = Decimal(-1) if invoice.is_credit_note else Decimal(1)
    return BookedTotals(
        net=(sign * (totals.tax_exclusive + rounding)).quantize(CENT),
        vat=(sign * (invoice.tax_total or Decimal(0))).quantize(CENT),
        gross=(sign * (totals.tax_inclusive + rounding)).quantize(CENT),
    )


def totals_differences(expected: BookedTotals, booked: BookedTotals) -> list[str]:
    """Human-readable differences; empty when the books agree with the document to the cent."""
    differences = []
    for name in ("net", "vat", "gross"):
        want, got = getattr(expected, name).quantize(CENT), getattr(booked, name).quantize(CENT)
        if want != got:
            differences.append(f"{name}: document {want}, Procountor {got}")
    return differences
