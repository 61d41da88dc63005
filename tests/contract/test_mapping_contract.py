"""Mapped POST /invoices bodies (and the gateway's POST /products body) against the reconstructed Procountor
OpenAPI document: types, enums, required fields, lengths, formats, and no undeclared property names."""

from __future__ import annotations

import csv
from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.procountor.company_context import demo_company_context
from adapters.procountor.invoice_mapping import map_invoice
from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from domain.connection import ConnectionSettings
from domain.invoice import AllowanceCharge, DocumentKind
from domain.payment_reference import choose_payment_reference
from domain.posting import InvoicePosting, LineProduct, ProductDisposition, ProductRef
from tests.conftest import SHARED
from tests.contract.openapi import assert_known_properties, assert_matches_request_schema

CORPUS = SHARED / "corpus"


def body_of(invoice, company=None, line_products=()):
    company = company or demo_company_context()
    reference = choose_payment_reference(
        next((pm.payment_id for pm in invoice.payment_means if pm.payment_id), None), invoice.invoice_number, "fi")
    return map_invoice(InvoicePosting(invoice, reference, tuple(line_products), ConnectionSettings()), company).body


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_sample_bodies_match_the_invoice_schema(kind):
    invoice = sample_invoice("CONTRACT-1", 6, kind=kind)
    products = [LineProduct(invoice.lines[0].id, ProductDisposition.MATCHED, ProductRef(2001, "SKU-0001", "x"))]
    body = body_of(invoice, line_products=products)
    assert_matches_request_schema("/invoices", "post", body)
    assert_known_properties("Invoice", body)


def test_body_with_warnings_allowances_and_foreign_currency_matches():
    invoice = sample_invoice("CONTRACT-2", 3, currency="SEK")
    long_name = replace(invoice.customer, registration_name="Ωmega " + "Nimi" * 30)
    acs = (*invoice.allowances_charges, AllowanceCharge(False, Decimal("9.90"), reason="Alennus", vat_category="S",
                                                        vat_rate=Decimal("25.5")))
    invoice = replace(invoice, customer=long_name, allowances_charges=acs, totals=replace(
        invoice.totals, tax_exclusive=invoice.totals.tax_exclusive - Decimal("9.90"),
        tax_inclusive=invoice.totals.tax_inclusive - Decimal("9.90") - Decimal("2.52")),
        tax_total=invoice.tax_total - Decimal("2.52"),
        tax_subtotals=(replace(invoice.tax_subtotals[0],
                               taxable_amount=invoice.tax_subtotals[0].taxable_amount - Decimal("9.90"),
                               tax_amount=invoice.tax_subtotals[0].tax_amount - Decimal("2.52")),
                       *invoice.tax_subtotals[1:]))
    company = demo_company_context().with_rate("SEK", invoice.issue_date.isoformat(), Decimal("11.45"))
    body = body_of(invoice, company)
    assert_matches_request_schema("/invoices", "post", body)
    assert body["paymentInfo"]["currencyRate"] == Decimal("11.45")


class RecordingClient:
    """Just enough of ProcountorClient for create_product."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def get_company(self):
        return {"name": "Demo Oy", "country": "FINLAND", "businessIdentifier": {"code": "1234567-1"}}

    def get_company_currency(self):
        return {"companyCurrency": "EUR"}

    def get_default_vats(self):
        return {"vatInformation": [{"percentages": [{"vatPercent": Decimal("25.5"), "sales": True}]}],
                "vatStatuses": [{"vatStatus": 1, "description": "Domestic", "sales": True}]}

    def get_bank_accounts(self):
        return [{"iban": "FI2112345600000785", "defaultForInvoice": True}]

    def create_product(self, body):
        self.bodies.append(body)
        return {"id": 2001, **body}


def test_created_product_body_matches_the_product_schema():
    from adapters.procountor.gateway import ProcountorAccountingGateway
    from domain.connection import Connection, ProcountorCredentials
    from domain.posting import ProductDraft

    client = RecordingClient()
    gateway = ProcountorAccountingGateway(client, Connection("t", "http://x/api", ProcountorCredentials("c", "s", "k")))
    product = gateway.create_product(ProductDraft("SKU-1", "Kahvi ☕", "KGM", Decimal("12.345"), Decimal("25.5"),
                                                  "3000"))
    assert product.id == 2001 and gateway.find_product("SKU-1") == product
    [body] = client.bodies
    assert_matches_request_schema("/products", "post", body)
    assert (body["type"], body["unit"], body["defaultAccount"], body["vat"]) == ("SALES", "KILOGRAM", "3000",
                                                                              Decimal("25.5"))


def _fully_valid() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [r["path"] for r in csv.DictReader(handle, delimiter="\t") if r["xsd_ubl21"] == "ok"
                and r["bis3021_cen_fatal"] == "0" and r["bis3021_peppol_fatal"] == "0"]


@pytest.mark.parametrize("path", _fully_valid())
def test_corpus_bodies_match_the_invoice_schema(path):
    invoice = UblInvoiceParser().parse((CORPUS / path).read_bytes())
    rates = {line.vat_rate or Decimal(0) for line in invoice.lines}
    rates |= {ac.vat_rate or Decimal(0) for ac in invoice.allowances_charges} | {Decimal(0)}
    company = demo_company_context(rates)
    if invoice.currency != company.currency:
        company = company.with_rate(invoice.currency, invoice.issue_date.isoformat(), Decimal("7.4567"))
    assert_matches_request_schema("/invoices", "post", body_of(invoice, company))
