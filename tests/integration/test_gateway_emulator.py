"""ProcountorAccountingGateway against the real emulator over HTTP: post, read back, products, attachments,
idempotent look-up, and the whole transfer use case on top."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.procountor.client import ProcountorClient
from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from adapters.procountor.emulator.server import EmulatorServer
from adapters.procountor.gateway import ProcountorAccountingGateway, ProcountorGateways
from adapters.procountor.rate_limit import RateLimiter
from adapters.ubl.samples import sample_invoice
from application.product_resolution import resolve_line_products
from domain.connection import Connection, ConnectionSettings, ConnectionStatus, ProcountorCredentials
from domain.errors import InvoiceRuleError
from domain.invoice import Attachment, DocumentKind
from domain.payment_reference import choose_payment_reference
from domain.posting import InvoicePosting, ProductDisposition, expected_booked_totals

CREDENTIALS = ProcountorCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_API_KEY)


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(EmulatorConfig(rate_limit_per_second=None)) as running:
        yield running


@pytest.fixture
def connection(server) -> Connection:
    return Connection("demo", server.base_url, CREDENTIALS, ConnectionSettings(), ConnectionStatus.ACTIVE)


def make_client(connection: Connection) -> ProcountorClient:
    return ProcountorClient(connection.base_url, connection.credentials,
                            rate_limiter=RateLimiter(10_000, burst=1_000), timeout=10, backoff_base=0.01)


@pytest.fixture
def gateway(connection):
    client = make_client(connection)
    yield ProcountorAccountingGateway(client, connection)
    client.close()


def posting_for(invoice, gateway, settings=ConnectionSettings()) -> InvoicePosting:
    reference = choose_payment_reference(invoice.payment_means[0].payment_id, invoice.invoice_number, "fi")
    return InvoicePosting(invoice, reference, resolve_line_products(invoice, gateway, settings), settings)


def test_company_and_context_come_from_procountor(gateway):
    identity = gateway.company()
    assert identity.name == "Demo Oy" and identity.business_id == "1234567-1" and identity.vat_id == "FI12345671"
    context = gateway.company_context()
    assert Decimal("25.5") in context.sales_vat_percents and context.default_bank_account == "FI2112345600000785"
    assert context.vat_status_by_situation["S"] == 1 and context.vat_status_by_situation["K"] == 3


def test_posted_invoice_reads_back_with_the_documents_totals(gateway, server):
    invoice = sample_invoice("GW-1001", 5)
    posted = gateway.post_invoice(posting_for(invoice, gateway))
    assert posted.totals == expected_booked_totals(invoice)
    stored = gateway.client.get_invoice(posted.procountor_id)
    assert stored["originalInvoiceNumber"] == "GW-1001"
    found = gateway.find_posted_invoice(invoice)
    assert found is not None and found.procountor_id == posted.procountor_id and found.already_existed
    assert found.totals == posted.totals


def test_credit_note_books_negative_totals(gateway):
    credit = sample_invoice("GW-CN-1", 3, kind=DocumentKind.CREDIT_NOTE)
    posted = gateway.post_invoice(posting_for(credit, gateway))
    assert posted.totals.gross < 0 and posted.totals == expected_booked_totals(credit)
    saved = gateway.client.get_invoice(posted.procountor_id)
    assert "GW-CN-1-ALK" in saved["additionalInformation"]


def test_foreign_currency_uses_procountors_rate(gateway):
    invoice = sample_invoice("GW-USD-1", 2, currency="USD")
    posted = gateway.post_invoice(posting_for(invoice, gateway))
    saved = gateway.client.get_invoice(posted.procountor_id)
    assert Decimal(str(saved["paymentInfo"]["currencyRate"])) == Decimal("1.085")
    assert posted.totals == expected_booked_totals(invoice)
    assert {e["currency"] for e in saved["invoiceSumInfo"]} == {"USD", "EUR"}


def test_find_posted_invoice_compares_exactly(gateway):
    invoice = sample_invoice("GW-EXACT-10", 1)
    gateway.post_invoice(posting_for(invoice, gateway))
    assert gateway.find_posted_invoice(replace(invoice, invoice_number="GW-EXACT-1")) is None
    assert gateway.find_posted_invoice(replace(invoice, invoice_number="gw-exact-10")) is None


def test_products_matched_created_and_defaulted(gateway, connection):
    invoice = sample_invoice("GW-PROD-1", 3)
    lines = list(invoice.lines)
    lines[0] = replace(lines[0], seller_item_id="WID-1")  # seeded in the demo company, default account 3020
    lines[1] = replace(lines[1], seller_item_id=None)
    lines[2] = replace(lines[2], seller_item_id="NEW-PROD-77")
    invoice = replace(invoice, lines=tuple(lines))
    posting = posting_for(invoice, gateway)
    dispositions = [lp.disposition for lp in posting.line_products]
    assert dispositions == [ProductDisposition.MATCHED, ProductDisposition.DEFAULTED, ProductDisposition.CREATED]
    assert gateway.find_product("NEW-PROD-77") == posting.line_products[2].product  # cached and findable
    assert gateway.find_product("WID") is None  # the API's substring match is not taken for a match
    posted = gateway.post_invoice(posting)
    saved = gateway.client.get_invoice(posted.procountor_id)
    assert [r.get("productId") for r in saved["invoiceRows"][:3]] == [
        posting.line_products[0].product.id, None, posting.line_products[2].product.id]
    receipt = gateway.client.get_ledger_receipt(saved["ledgerReceiptId"])
    accounts = [t["account"] for t in receipt["transactions"] if t["transactionType"] == "ENTRY"][:3]
    assert accounts == ["3020", "3000", "3000"]  # product account, default sales account, created with 3000
    assert posted.totals == expected_booked_totals(invoice)


def test_product_lookups_are_cached_per_tenant(gateway):
    calls = []
    original = gateway.client.search_products
    gateway.client.search_products = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        assert gateway.find_product("CONS-H") is not None
        assert gateway.find_product("CONS-H") is not None
        assert gateway.find_product("NOPE-1") is None
        assert gateway.find_product("NOPE-1") is None
    finally:
        gateway.client.search_products = original
    assert len(calls) == 2


def test_attachment_round_trips_byte_for_byte_and_is_not_uploaded_twice(gateway, server):
    invoice = sample_invoice("GW-ATT-1", 1, with_attachment=True)
    posted = gateway.post_invoice(posting_for(invoice, gateway))
    content = bytes(range(256)) * 40 + b"%%EOF"
    attachment = replace(invoice.attachments[0], content=content)
    assert gateway.attach(posted, attachment) is True
    assert gateway.attach(posted, attachment) is False
    saved = gateway.client.get_invoice(posted.procountor_id)
    [meta] = saved["attachments"]
    assert meta["name"] == "lasku-GW-ATT-1.pdf"
    assert server.state.find_company("demo").attachments[meta["id"]].content == content
    downloaded = gateway.client.get_attachment(meta["id"])  # multipart/mixed: the meta and the file itself
    assert downloaded["name"] == meta["name"] and downloaded["content"] == content


def test_attachment_type_and_size_are_checked(gateway):
    invoice = sample_invoice("GW-ATT-2", 1)
    posted = gateway.post_invoice(posting_for(invoice, gateway))
    with pytest.raises(InvoiceRuleError) as wrong_type:
        gateway.attach(posted, Attachment("A1", filename="x.exe", mime_code="application/x-msdownload",
                                          content=b"MZ"))
    assert wrong_type.value.code == "ATTACHMENT_TYPE"
    with pytest.raises(InvoiceRuleError) as too_big:
        gateway.attach(posted, Attachment("A2", filename="big.pdf", mime_code="application/pdf",
                                          content=b"0" * 10_000_001))
    assert too_big.value.code == "ATTACHMENT_TOO_LARGE"


def test_gateways_keep_one_gateway_per_tenant_across_threads(connection):
    made = []

    def factory(conn):
        made.append(conn.tenant)
        return make_client(conn)

    gateways = ProcountorGateways(factory)
    results = []
    threads = [threading.Thread(target=lambda: results.append(gateways.for_connection(connection)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(g) for g in results}) == 1 and made == ["demo"]
    changed = replace(connection, settings=ConnectionSettings(default_sales_account="3010"))
    assert gateways.for_connection(changed) is not results[0]
    gateways.close()


def test_transfer_use_case_end_to_end(connection):
    from adapters.ubl.parser import UblInvoiceParser
    from adapters.ubl.writer import render_ubl
    from application.messages import InvoiceTransferred, TransferInvoice
    from application.transfer_invoice import TransferInvoiceHandler
    from tests.fakes import FakeAttemptJournal, FakeConnectionDirectory

    invoice = sample_invoice("GW-E2E-1", 4, with_attachment=True)
    document = render_ubl(invoice)
    gateways = ProcountorGateways(make_client)
    handler = TransferInvoiceHandler(UblInvoiceParser(), FakeConnectionDirectory({"demo": connection}), gateways,
                                     FakeAttemptJournal())
    command = TransferInvoice(event_id="e-1", tenant="demo", invoice_id="GW-E2E-1", document=document)
    first = handler(command)
    assert isinstance(first, InvoiceTransferred), first
    replayed = handler(replace(command, replay=True))
    assert isinstance(replayed, InvoiceTransferred) and replayed.already_existed
    assert replayed.procountor_id == first.procountor_id
    gateways.close()


def test_text_the_posting_had_to_change_is_reported_on_the_posted_invoice(gateway):
    invoice = sample_invoice("GW-TEXT-1", 1)
    customer = replace(invoice.customer, registration_name="Łódź Trading Sp. z o.o.")
    posted = gateway.post_invoice(posting_for(replace(invoice, customer=customer), gateway))
    assert any(w.startswith("TEXT_TRANSLITERATED") for w in posted.warnings), posted.warnings
