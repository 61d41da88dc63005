"""Every fully valid corpus document (UBL 2.1 XSD passes, no fatal CEN or Peppol BIS 3.0.21 finding) maps to a
POST /invoices body whose Procountor arithmetic reproduces BT-109, BT-110 and BT-112 (+ BT-114) to the cent, signed
negative for credit notes. The corpus is multinational, so each document gets a company that enables the VAT rates
it uses: the point here is the arithmetic and the body, not the Finnish rate list."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from adapters.procountor.company_context import demo_company_context
from adapters.procountor.invoice_mapping import map_invoice
from adapters.procountor.row_arithmetic import procountor_row_totals
from adapters.ubl.parser import UblInvoiceParser
from domain.connection import ConnectionSettings
from domain.payment_reference import choose_payment_reference
from domain.posting import InvoicePosting, expected_booked_totals
from domain.totals import check_totals
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def fully_valid() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["path"] for r in rows if r["xsd_ubl21"] == "ok" and r["bis3021_cen_fatal"] == "0"
            and r["bis3021_peppol_fatal"] == "0"]


DOCUMENTS = fully_valid()


def test_the_manifest_lists_fully_valid_documents():
    assert len(DOCUMENTS) >= 100


@pytest.mark.parametrize("path", DOCUMENTS)
def test_document_maps_and_procountor_reproduces_its_totals(path):
    invoice = UblInvoiceParser().parse((CORPUS / path).read_bytes())
    assert check_totals(invoice) == []
    rates = {line.vat_rate or Decimal(0) for line in invoice.lines}
    rates |= {ac.vat_rate or Decimal(0) for ac in invoice.allowances_charges} | {Decimal(0)}
    company = demo_company_context(rates)
    if invoice.currency != company.currency:
        company = company.with_rate(invoice.currency, invoice.issue_date.isoformat(), Decimal("7.4567"))
    document_reference = next((pm.payment_id for pm in invoice.payment_means if pm.payment_id), None)
    reference = choose_payment_reference(document_reference, invoice.invoice_number, "fi")
    mapped = map_invoice(InvoicePosting(invoice, reference, (), ConnectionSettings()), company)

    net, vat, gross = procountor_row_totals(mapped.body)
    sign = Decimal(-1) if invoice.is_credit_note else Decimal(1)
    rounding = invoice.totals.rounding or Decimal(0)
    assert net == sign * (invoice.totals.tax_exclusive + rounding)
    assert vat == sign * invoice.tax_total
    assert gross == sign * (invoice.totals.tax_inclusive + rounding)
    assert (net, vat, gross) == (mapped.expected.net, mapped.expected.vat, mapped.expected.gross)
    assert mapped.expected == expected_booked_totals(invoice)
    assert len(mapped.body["invoiceRows"]) >= len(invoice.lines)
    mapped.body.get("notes", "").encode("cp1252")
    mapped.body.get("additionalInformation", "").encode("cp1252")
