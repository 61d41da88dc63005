"""The writer's output is valid UBL 2.1 (XSD) for invoices and credit notes of every shape the samples make."""

from __future__ import annotations

import pytest
from lxml import etree
from stdnum.fi import ytunnus

from adapters.ubl.samples import DEFAULT_CUSTOMER, DEFAULT_SUPPLIER, finnish_reference, sample_invoice
from adapters.ubl.writer import render_ubl
from domain.invoice import DocumentKind
from domain.totals import check_totals
from tests.conftest import SHARED

MAINDOC = SHARED / "schemas" / "ubl-2.1" / "xsd" / "maindoc"


@pytest.fixture(scope="module")
def schemas() -> dict[DocumentKind, etree.XMLSchema]:
    return {
        DocumentKind.INVOICE: etree.XMLSchema(etree.parse(str(MAINDOC / "UBL-Invoice-2.1.xsd"))),
        DocumentKind.CREDIT_NOTE: etree.XMLSchema(etree.parse(str(MAINDOC / "UBL-CreditNote-2.1.xsd"))),
    }


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("lines, with_attachment", [(1, False), (3, True), (60, False), (500, True)])
def test_rendered_samples_validate_against_ubl_xsd(schemas, kind, lines, with_attachment):
    invoice = sample_invoice(f"XSD-{lines}", lines, kind=kind, with_attachment=with_attachment)
    root = etree.fromstring(render_ubl(invoice))
    schema = schemas[kind]
    assert schema.validate(root), schema.error_log.last_error
    assert etree.QName(root).localname == kind.value


def test_samples_are_finnish_and_consistent():
    invoice = sample_invoice("1234", 5, seed=7, currency="EUR")
    assert ytunnus.is_valid(invoice.supplier.company_id.value) and ytunnus.is_valid(invoice.customer.company_id.value)
    assert invoice.supplier == DEFAULT_SUPPLIER and invoice.customer == DEFAULT_CUSTOMER
    assert invoice.supplier.endpoint_scheme == "0216" and invoice.supplier.endpoint_id.startswith("0037")
    assert {line.vat_rate for line in invoice.lines} <= {sub.rate for sub in invoice.tax_subtotals}
    assert all(line.seller_item_id.startswith("SKU-") for line in invoice.lines)
    assert invoice.payment_means[0].payment_id == finnish_reference("1234")
    assert check_totals(invoice) == []
    assert sample_invoice("1234", 5, seed=7) == invoice  # deterministic
    assert sample_invoice("1234", 5, seed=8) != invoice


@pytest.mark.parametrize("base, reference", [("123", "1232"), ("100", "1009"), ("1000", "10003"),
                                             ("1234", "12344"), ("12345", "123453"), ("123456", "1234561"),
                                             ("2024000123", "20240001234"), ("INV-1234", "12344")])
def test_finnish_reference_check_digit(base, reference):  # examples from CONNECTOR-ANCHORS.md 3.1
    assert finnish_reference(base) == reference


def test_credit_note_has_due_date_in_payment_means():
    xml = render_ubl(sample_invoice("CN-1", 2, kind=DocumentKind.CREDIT_NOTE))
    assert b"<cbc:DueDate>" not in xml and b"<cbc:PaymentDueDate>" in xml
