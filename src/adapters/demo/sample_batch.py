"""The demo's batch of events: the project's own generated invoices, plus a few that must fail, each for a reason
an operator should be able to read in the error log."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.invoice import DocumentKind


@dataclass(frozen=True)
class DemoEvent:
    invoice_id: str
    value: bytes | None  # the UBL document, or None for a raw (poison) record
    raw_record: bytes | None = None  # written as the Kafka value as-is, bypassing Avro
    expect: str = "transferred"  # or the error code family the demo expects in the error log


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&secret;</Invoice>"""


def demo_batch(valid: int = 12) -> list[DemoEvent]:
    events = []
    for i in range(1, valid + 1):
        invoice = sample_invoice(f"DEMO-{i:04d}", lines=1 + (i * 7) % 15, seed=i, with_attachment=(i % 4 == 0))
        events.append(DemoEvent(f"demo-{i:04d}", render_ubl(invoice)))
    for i in (1, 2):
        credit = sample_invoice(f"DEMO-CN-{i:02d}", lines=2, seed=100 + i, kind=DocumentKind.CREDIT_NOTE)
        events.append(DemoEvent(f"demo-cn-{i:02d}", render_ubl(credit)))

    wrong = sample_invoice("DEMO-BAD-TOTAL", lines=3, seed=200)
    wrong = dataclasses.replace(
        wrong, totals=dataclasses.replace(wrong.totals, tax_inclusive=wrong.totals.tax_inclusive + Decimal("10.00")))
    events.append(DemoEvent("demo-bad-total", render_ubl(wrong), expect="BR-CO"))

    vat = sample_invoice("DEMO-VAT-24", lines=1, seed=201)
    line = dataclasses.replace(vat.lines[0], vat_rate=Decimal(24))
    subtotal = dataclasses.replace(vat.tax_subtotals[0], rate=Decimal(24),
                                   tax_amount=(vat.tax_subtotals[0].taxable_amount * Decimal("0.24")).quantize(
                                       Decimal("0.01")))
    tax = subtotal.tax_amount
    vat = dataclasses.replace(
        vat, lines=(line,), tax_subtotals=(subtotal,), tax_total=tax,
        totals=dataclasses.replace(vat.totals, tax_inclusive=vat.totals.tax_exclusive + tax,
                                   payable=vat.totals.tax_exclusive + tax))
    events.append(DemoEvent("demo-vat-24", render_ubl(vat), expect="VAT_RATE_NOT_ENABLED"))

    events.append(DemoEvent("demo-not-ubl", b"<order><id>1</id></order>", expect="UBL_"))
    events.append(DemoEvent("demo-xxe", XXE, expect="UBL_DTD_FORBIDDEN"))
    events.append(DemoEvent("demo-truncated", render_ubl(sample_invoice("DEMO-TRUNC", lines=2, seed=202))[:400],
                            expect="UBL_"))
    events.append(DemoEvent("demo-corrupt-avro", None, raw_record=b"\x00\x00\x00\x03\xe9\xff\xff not avro",
                            expect="AVRO_"))
    return events
