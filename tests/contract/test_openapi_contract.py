"""Every request ProcountorClient sends is an operation of the (reconstructed) Procountor spec, with declared query
parameters and bodies that validate against the spec's schemas — including the realistic invoice, product and
attachment bodies below, written by hand from the spec (API-NOTES §3)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import httpx
import pytest

from adapters.procountor.client import ProcountorClient
from domain.connection import ProcountorCredentials

from .openapi import (
    assert_known_properties,
    assert_matches_request_schema,
    assert_query_matches,
    assert_request_matches,
    find_operation,
    to_json_schema,
    unknown_properties,
    validation_errors,
)

CREDENTIALS = ProcountorCredentials(client_id="contract-client", client_secret="contract-secret",
                                    api_key="contract-key")

SALES_INVOICE = {
    "type": "SALES_INVOICE",
    "date": date(2024, 9, 2),
    "counterParty": {
        "identifier": "1234567-8",
        "taxCode": "FI12345678",
        "customerNumber": "C-1001",
        "contactPersonName": "Maija Meikäläinen",
        "email": "laskut@asiakas.example",
        "counterPartyAddress": {"name": "Asiakas Oy", "street": "Esimerkkikatu 1", "zip": "00100",
                                "city": "Helsinki", "country": "FINLAND"},
        "einvoiceAddress": {"address": "003712345678", "operator": "003723327487"},
    },
    "billingAddress": {"name": "Asiakas Oy", "specifier": "Ostoreskontra", "street": "PL 123", "zip": "00101",
                       "city": "Helsinki", "country": "FINLAND"},
    "deliveryAddress": {"name": "Asiakas Oy varasto", "street": "Varastotie 5", "zip": "01510", "city": "Vantaa",
                        "country": "FINLAND"},
    "paymentInfo": {
        "paymentMethod": "BANK_TRANSFER",
        "currency": "EUR",
        "bankAccount": {"accountNumber": "FI2112345600000785"},
        "dueDate": date(2024, 10, 2),
        "currencyRate": Decimal(1),
        "bankReferenceCode": "123453",
        "bankReferenceCodeType": "FI",
    },
    "extraInfo": {"accountingByRow": True, "unitPricesIncludeVat": False},
    "discountPercent": Decimal(0),
    "orderReference": "PO-4711",
    "invoiceRows": [
        {"productId": 501, "product": "Konsultointi", "productCode": "CONS-1", "quantity": Decimal("7.5"),
         "unit": "HOUR", "unitPrice": Decimal("120.0000"), "discountPercent": Decimal(0),
         "vatPercent": Decimal("25.5"), "vatStatus": 1, "comment": "Syyskuu 2024",
         "startDate": date(2024, 9, 1), "endDate": date(2024, 9, 30)},
        {"product": "Hyvitys", "quantity": Decimal(-1), "unit": "PIECE", "unitPrice": Decimal(50),
         "discountPercent": Decimal(10), "vatPercent": Decimal("25.5"), "vatStatus": 1},
    ],
    "vatStatus": 1,
    "originalInvoiceNumber": "0037123456:INV-2024-0042",
    "deliveryStartDate": date(2024, 9, 1),
    "deliveryEndDate": date(2024, 9, 30),
    "invoiceChannel": "NO_SENDING",
    "language": "FINNISH",
    "additionalInformation": "Peppol invoice INV-2024-0042",
    "notes": "Transferred by procountor-connector",
    "buyerReferenceIdentifier": "BUYER-REF-9",
    "orderNumber": "PO-4711",
    "accountingCode": "1000-CC",
}

SALES_PRODUCT = {
    "type": "SALES",
    "name": "Konsultointi",
    "code": "CONS-1",
    "unit": "HOUR",
    "discount": Decimal(0),
    "price": Decimal("120.000000"),
    "vat": Decimal("25.5"),
    "active": True,
    "defaultAccount": "3000",
    "vatStatus": 1,
    "currency": "EUR",
    "productLocalizations": [{"language": "ENGLISH", "productName": "Consulting"}],
}

ATTACHMENT_META = {"referenceType": "INVOICE", "referenceId": 1000, "sendWithInvoice": False}


# A sales invoice's receipt as GET /ledgerreceipts/{id} gives it, with one row's account changed (API-NOTES §2.5).
SALES_LEDGER_RECEIPT = {
    "id": 50001, "type": "SALES_INVOICE", "status": "UNFINISHED", "name": "Asiakas Oy", "receiptDate": date(2024, 9, 2),
    "vatType": "SALES", "vatStatus": 1, "invoiceId": 10001, "receiptNumber": 1, "invoiceNumber": 1,
    "partnerCode": "1234567-8", "version": "2024-09-02T10:15:00", "attachments": [],
    "transactions": [
        {"id": 1, "transactionType": "REVERSING_ENTRY", "account": "1700", "accountingValue": Decimal("1255.00"),
         "vatPercent": Decimal(0), "vatType": "SALES", "description": "Asiakas Oy", "dimensionItemValues": []},
        {"id": 2, "transactionType": "ENTRY", "account": "3010", "accountingValue": Decimal("-1000.00"),
         "vatPercent": Decimal("25.5"), "vatType": "SALES", "vatStatus": 1, "description": "Consulting",
         "dimensionItemValues": [], "startDate": date(2024, 9, 1), "endDate": date(2024, 9, 30)},
        {"id": 3, "transactionType": "ENTRY", "account": "2939", "accountingValue": Decimal("-255.00"),
         "vatPercent": Decimal(0), "vatType": "SALES", "vatStatus": 1, "description": "VAT 25.5 %",
         "dimensionItemValues": []},
    ],
}


class Recorder:
    """Answers every request plausibly and keeps it for validation."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/oauth/token"):
            return httpx.Response(200, json={"access_token": "eyJh.eyJp.sig", "expires_in": 3600})
        if request.method == "GET" and path in ("/api/invoices", "/api/products", "/api/bankaccounts"):
            return httpx.Response(200, json={"results": [], "meta": {"pageSize": 200, "resultCount": 0}})
        return httpx.Response(200, json={"id": 1})


@pytest.fixture
def recorded():
    recorder = Recorder()
    client = ProcountorClient("http://procountor.test/api", CREDENTIALS, transport=httpx.MockTransport(recorder),
                              rate_limiter=_NoLimit())
    return client, recorder


class _NoLimit:
    def acquire(self) -> None:
        pass


CALLS = {
    "get_company": lambda c: c.get_company(),
    "get_default_vats": lambda c: c.get_default_vats(),
    "get_vat_settings": lambda c: c.get_vat_settings(),
    "get_bank_accounts": lambda c: c.get_bank_accounts(),
    "get_chart_of_accounts": lambda c: c.get_chart_of_accounts(),
    "get_currencies": lambda c: c.get_currencies(),
    "get_company_currency": lambda c: c.get_company_currency(),
    "get_exchange_rate": lambda c: c.get_exchange_rate("EUR", "SEK", date(2024, 9, 2)),
    "search_products": lambda c: c.search_products("CONS-1"),
    "get_product": lambda c: c.get_product(501),
    "create_product": lambda c: c.create_product(SALES_PRODUCT),
    "post_invoice": lambda c: c.post_invoice(SALES_INVOICE),
    "get_invoice": lambda c: c.get_invoice(1000),
    "search_invoices": lambda c: c.search_invoices(
        status=["UNFINISHED", "NOT_SENT"], types=["SALES_INVOICE"], start_date=date(2024, 9, 1),
        end_date=date(2024, 9, 30), created_start_date=datetime(2024, 9, 1, 0, 0),
        business_partner_id=42, invoice_channel=["NO_SENDING"], product_id=[501, 502], is_offer=False,
        order_by_id="DESC"),
    "find_invoices_by_original_number": lambda c: c.find_invoices_by_original_number(
        "0037123456:INV-2024-0042", start_date=date(2024, 9, 1), end_date=date(2024, 9, 30)),
    "get_ledger_receipt": lambda c: c.get_ledger_receipt(2000),
    "update_ledger_receipt": lambda c: c.update_ledger_receipt(50001, SALES_LEDGER_RECEIPT),
    "upload_attachment": lambda c: c.upload_attachment(ATTACHMENT_META, "INV-2024-0042.pdf", b"%PDF-1.7",
                                                       "application/pdf"),
    "get_attachment": lambda c: c.get_attachment(77),
    "verify": lambda c: c.verify(),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_request_matches_the_spec(recorded, name: str) -> None:
    client, recorder = recorded
    CALLS[name](client)
    assert recorder.requests, "nothing was sent"
    for request in recorder.requests:
        assert_request_matches(request)


def test_the_token_request_keeps_credentials_out_of_the_url(recorded) -> None:
    client, recorder = recorded
    client.get_company()
    token_request = recorder.requests[0]
    assert token_request.url.path == "/api/oauth/token" and token_request.url.query == b""
    assert b"client_secret=contract-secret" in token_request.content


def test_the_invoice_is_sent_as_written(recorded) -> None:
    client, recorder = recorded
    client.post_invoice(SALES_INVOICE)
    sent = json.loads(recorder.requests[-1].content, parse_float=Decimal)
    assert sent["invoiceRows"][0]["vatPercent"] == Decimal("25.5")
    assert sent["paymentInfo"]["dueDate"] == "2024-10-02"
    assert_known_properties("Invoice", sent)


# -- the helper itself -----------------------------------------------------------------------------------------


def test_a_misspelt_field_is_caught_anywhere_in_the_body() -> None:
    body = json.loads(json.dumps(SALES_INVOICE, default=str))
    body["invoiceRows"][1]["vatPercentage"] = 24
    body["paymentInfo"]["bankReference"] = "123453"
    assert unknown_properties({"$ref": "#/components/schemas/Invoice"}, body) == [
        "$.paymentInfo.bankReference", "$.invoiceRows[1].vatPercentage"]
    with pytest.raises(AssertionError, match="vatPercentage"):
        assert_matches_request_schema("/invoices", "POST", body)


def test_schema_violations_are_caught() -> None:
    body = json.loads(json.dumps(SALES_INVOICE, default=str))
    body["invoiceChannel"] = "CARRIER_PIGEON"
    body["date"] = "02.09.2024"
    body["invoiceRows"][0]["unitPrice"] = "120"
    del body["paymentInfo"]["dueDate"]
    with pytest.raises(AssertionError) as caught:
        assert_matches_request_schema("/invoices", "POST", body)
    for fragment in ("CARRIER_PIGEON", "$.date", "$.invoiceRows[0].unitPrice", "'dueDate' is a required property"):
        assert fragment in str(caught.value)


def test_known_properties_by_schema_name() -> None:
    assert_known_properties("Product", SALES_PRODUCT)
    with pytest.raises(AssertionError, match="productCode"):
        assert_known_properties("Product", {**SALES_PRODUCT, "productCode": "X"})


def test_query_parameters_are_checked() -> None:
    assert_query_matches("/invoices", "GET", {"types": "SALES_INVOICE,PURCHASE_INVOICE", "size": "200"})
    for bad in ({"type": "SALES_INVOICE"}, {"types": "SALES"}, {"size": "abc"}, {"startDate": "2024-9-1"}):
        with pytest.raises(AssertionError):
            assert_query_matches("/invoices", "GET", bad)
    with pytest.raises(AssertionError, match="rateType: required"):
        assert_query_matches("/currencies/exchangerate", "GET", {"baseCurrency": "EUR", "currency": "SEK",
                                                                 "day": "2024-09-02"})


def test_operations_are_matched_literal_first() -> None:
    assert find_operation("GET", "/invoices/transactions")[0] == "/invoices/transactions"
    assert find_operation("GET", "/invoices/12")[0] == "/invoices/{invoiceId}"
    with pytest.raises(AssertionError):
        find_operation("POST", "/invoices/12/sendit")


def test_nullable_and_exclusive_bounds_are_converted() -> None:
    converted = to_json_schema({"type": "number", "nullable": True, "minimum": 0, "exclusiveMinimum": True,
                                "enum": [1, 2]})
    assert converted == {"type": ["number", "null"], "exclusiveMinimum": 0, "enum": [1, 2, None]}
    assert validation_errors({"type": "string", "format": "date-time"}, "2024-09-02T12:00:00+02:00")
    assert not validation_errors({"type": "string", "format": "date-time"}, "2024-09-02T12:00:00")
