"""UBL -> domain, field by field on real Peppol examples, plus writer round trips and error reporting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.errors import DocumentError
from domain.invoice import DocumentKind, PrecedingInvoice
from domain.parties import Identifier
from tests.conftest import SHARED

EXAMPLES = SHARED / "corpus" / "peppol-bis3-examples"
BIS3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


@pytest.fixture(scope="module")
def parser() -> UblInvoiceParser:
    return UblInvoiceParser()


def test_base_example_field_by_field(parser):
    inv = parser.parse((EXAMPLES / "snippets" / "base-example.xml").read_bytes())
    assert inv.kind is DocumentKind.INVOICE and inv.type_code == "380" and not inv.is_negative
    assert inv.customization_id == BIS3
    assert inv.profile_id == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert inv.invoice_number == "Snippet1"
    assert inv.issue_date == date(2017, 11, 13) and inv.due_date == date(2017, 12, 1)
    assert inv.currency == "EUR" and inv.tax_currency is None
    assert inv.references.accounting_reference == "4025:123:4343"
    assert inv.references.buyer_reference == "0150abc"

    s = inv.supplier
    assert (s.endpoint_id, s.endpoint_scheme) == ("7300010000001", "0088")
    assert s.business_ids == (Identifier("99887766"),)
    assert s.name == "SupplierTradingName Ltd." and s.registration_name == "SupplierOfficialName Ltd"
    assert s.vat_id == "GB1232434" and s.company_id == Identifier("GB983294")
    assert s.address.street == "Main street 1" and s.address.additional_street == "Postbox 123"
    assert (s.address.city, s.address.postal_code, s.address.country_code) == ("London", "GB 123 EW", "GB")
    c = inv.customer
    assert c.company_id == Identifier("39937423947", "0183")
    assert c.business_ids == (Identifier("FR23342", "0002"),)
    assert (c.contact.name, c.contact.phone, c.contact.email) == ("Lisa Johnson", "23434234", "lj@buyer.se")

    (pm,) = inv.payment_means
    assert (pm.code, pm.name, pm.payment_id) == ("30", "Credit transfer", "Snippet1")
    assert (pm.iban, pm.account_name, pm.bic) == ("IBAN32423940", "AccountName", "BIC324098")
    assert inv.payment_terms == "Payment within 10 days, 2% discount"

    (charge,) = inv.allowances_charges
    assert charge.is_charge and charge.amount == D(25) and charge.reason == "Insurance"
    assert (charge.vat_category, charge.vat_rate) == ("S", D("25.0"))

    assert inv.tax_total == D("331.25")
    (sub,) = inv.tax_subtotals
    assert (sub.taxable_amount, sub.tax_amount, sub.category, sub.rate) == (D(1325), D("331.25"), "S", D(25))
    t = inv.totals
    assert (t.line_total, t.tax_exclusive, t.tax_inclusive) == (D(1300), D(1325), D("1656.25"))
    assert (t.charge_total, t.allowance_total, t.prepaid, t.rounding) == (D(25), None, None, None)
    assert t.payable == D("1656.25")

    first, second = inv.lines
    assert (first.id, first.quantity, first.unit_code, first.net_amount) == ("1", D(7), "DAY", D(2800))
    assert (first.price, first.base_quantity, first.unit_price) == (D(400), D(1), D(400))
    assert first.accounting_cost == "Konteringsstreng" and first.order_line_reference == "123"
    assert first.name == "item name" and first.description == "Description of item"
    assert first.standard_item_id == Identifier("7300010000001", "0088")
    assert (first.vat_category, first.vat_rate) == ("S", D("25.0"))
    assert (second.quantity, second.net_amount) == (D(-3), D(-1500))
    assert inv.line_count == 2 and not inv.has_attachments


def test_credit_note_field_by_field(parser):
    inv = parser.parse((EXAMPLES / "examples" / "base-creditnote-correction.xml").read_bytes())
    assert inv.kind is DocumentKind.CREDIT_NOTE and inv.is_credit_note and inv.type_code == "381"
    assert inv.notes == ("Please note we have a new phone number: 22 22 22 22",)
    assert inv.references.preceding_invoices == (PrecedingInvoice("Snippet1", None),)
    assert [line.quantity for line in inv.lines] == [D(7), D(-3)]
    assert inv.lines[0].standard_item_id == Identifier("21382183120983", "0088")
    assert inv.totals.payable == D("1656.25")
    assert not inv.is_negative


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("lines", [1, 3, 60])
def test_round_trip_through_writer(parser, kind, lines):
    sample = sample_invoice(f"RT-{lines}", lines, kind=kind, with_attachment=True, seed=lines)
    assert parser.parse(render_ubl(sample)) == sample


def test_round_trip_keeps_attachment_bytes(parser):
    sample = sample_invoice("RT-ATT", 2, with_attachment=True)
    (attachment,) = parser.parse(render_ubl(sample)).attachments
    assert attachment.content.startswith(b"%PDF") and attachment.mime_code == "application/pdf"
    assert attachment.filename == "lasku-RT-ATT.pdf"


def _sample_xml(**kwargs) -> bytes:
    return render_ubl(sample_invoice("ERR-1", 2, **kwargs))


def test_missing_mandatory_field_names_bt_and_path(parser):
    data = _sample_xml().replace(b"<cbc:IssueDate>", b"<cbc:IssueDateX>").replace(b"</cbc:IssueDate>",
                                                                                   b"</cbc:IssueDateX>", 1)
    with pytest.raises(DocumentError) as caught:
        parser.parse(data)
    assert caught.value.code == "UBL_MISSING_FIELD"
    assert "BT-2" in caught.value.message and "/Invoice/cbc:IssueDate" in caught.value.message
    assert caught.value.field_errors[0].field == "BT-2"


def test_missing_line_field_names_the_line(parser):
    data = _sample_xml()
    head, sep, tail = data.partition(b"<cac:InvoiceLine>")
    second = tail.index(b"<cac:InvoiceLine>")
    tail = tail[:second] + tail[second:].replace(b"<cbc:Name>", b"<cbc:Nimi>", 1).replace(b"</cbc:Name>",
                                                                                         b"</cbc:Nimi>", 1)
    with pytest.raises(DocumentError) as caught:
        parser.parse(head + sep + tail)
    assert caught.value.code == "UBL_MISSING_FIELD"
    assert "BT-153" in caught.value.message
    assert "/Invoice/cac:InvoiceLine[2]/cac:Item/cbc:Name" in caught.value.message


@pytest.mark.parametrize("old, new, bt", [
    (b'<cbc:PayableAmount currencyID="EUR">', b'<cbc:PayableAmount currencyID="EUR">12,5', "BT-115"),
    (b"<cbc:IssueDate>", b"<cbc:IssueDate>13.11.", "BT-2"),
    (b'<cbc:LineExtensionAmount currencyID="EUR">', b'<cbc:LineExtensionAmount currencyID="EUR">1e3', "BT-106"),
    (b"<cbc:Percent>", b"<cbc:Percent>NaN", "BT-119"),
    (b"<cbc:InvoicedQuantity", b"<cbc:InvoicedQuantity>1_000", "BT-129"),
])
def test_unreadable_values_name_the_field(parser, old, new, bt):
    data = _sample_xml()
    start = data.index(old) + len(old)
    end = data.index(b"<", start)
    bad = data[:start - len(old)] + new + data[end:]
    with pytest.raises(DocumentError) as caught:
        parser.parse(bad)
    assert caught.value.code == "UBL_BAD_VALUE"
    assert bt in caught.value.message


def test_invalid_base64_is_bad_value(parser):
    data = _sample_xml(with_attachment=True)
    start = data.index(b'filename="lasku-ERR-1.pdf">') + len(b'filename="lasku-ERR-1.pdf">')
    bad = data[:start] + b"@@not*base64@@" + data[data.index(b"<", start):]
    with pytest.raises(DocumentError) as caught:
        parser.parse(bad)
    assert caught.value.code == "UBL_BAD_VALUE" and "BT-125" in caught.value.message


def test_date_with_time_zone_is_accepted(parser):
    data = _sample_xml().replace(b"</cbc:IssueDate>", b"Z</cbc:IssueDate>", 1)
    assert parser.parse(data).issue_date == sample_invoice("ERR-1", 2).issue_date
