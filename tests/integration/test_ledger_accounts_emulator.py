"""Rows without a product book to the connection's default sales account, through PUT /ledgerreceipts against the
emulator over HTTP: right after the POST, for an invoice found already posted, and loudly when it cannot be done."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.procountor.client import ProcountorClient
from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from adapters.procountor.emulator.server import EmulatorServer
from adapters.procountor.gateway import ProcountorAccountingGateway
from adapters.procountor.rate_limit import RateLimiter
from adapters.ubl.samples import sample_invoice
from application.product_resolution import resolve_line_products
from domain.connection import Connection, ConnectionSettings, ConnectionStatus, ProcountorCredentials
from domain.errors import FailureClass, ProcountorError
from domain.payment_reference import choose_payment_reference
from domain.posting import InvoicePosting, PostedInvoice

CREDENTIALS = ProcountorCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_API_KEY)


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(EmulatorConfig(rate_limit_per_second=None)) as running:
        yield running


def gateway_for(server, account: str) -> ProcountorAccountingGateway:
    settings = ConnectionSettings(default_sales_account=account)
    connection = Connection("demo", server.base_url, CREDENTIALS, settings, ConnectionStatus.ACTIVE)
    client = ProcountorClient(server.base_url, CREDENTIALS, rate_limiter=RateLimiter(10_000, burst=1_000),
                              timeout=10, backoff_base=0.01)
    return ProcountorAccountingGateway(client, connection)


def posting_for(number: str, gateway: ProcountorAccountingGateway) -> InvoicePosting:
    invoice = sample_invoice(number, 3)
    lines = list(invoice.lines)
    lines[0] = replace(lines[0], seller_item_id="WID-1")  # seeded in the demo company, default account 3020
    lines[1] = replace(lines[1], seller_item_id=None)  # no product: the default sales account
    lines[2] = replace(lines[2], seller_item_id=None)
    invoice = replace(invoice, lines=tuple(lines))
    settings = gateway.settings
    reference = choose_payment_reference(invoice.payment_means[0].payment_id, invoice.invoice_number, "fi")
    return InvoicePosting(invoice, reference, resolve_line_products(invoice, gateway, settings), settings)


def row_accounts(gateway: ProcountorAccountingGateway, procountor_id: int) -> list[str]:
    receipt_id = gateway.client.get_invoice(procountor_id)["ledgerReceiptId"]
    entries = [t for t in gateway.client.get_ledger_receipt(receipt_id)["transactions"]
               if t["transactionType"] == "ENTRY"]
    return [t["account"] for t in entries][:3]


def test_rows_without_a_product_move_to_the_connections_account(server):
    gateway = gateway_for(server, "3010")
    posted = gateway.post_invoice(posting_for("LEDGER-1", gateway))
    assert row_accounts(gateway, posted.procountor_id) == ["3020", "3010", "3010"]
    gateway.settle_accounts(replace(posted, already_existed=True))  # nothing left to do: no second PUT
    assert row_accounts(gateway, posted.procountor_id) == ["3020", "3010", "3010"]


def test_the_companys_own_default_is_read_once_then_known(server):
    """Where Procountor books product-less rows by itself to the connection's account, the first invoice shows it
    and later ones cost no ledger read and no PUT: one request an invoice stays one."""
    gateway = gateway_for(server, "3000")
    reads, writes = [], []
    read, write = gateway.client.get_ledger_receipt, gateway.client.update_ledger_receipt
    gateway.client.get_ledger_receipt = lambda *a: reads.append(a) or read(*a)
    gateway.client.update_ledger_receipt = lambda *a: writes.append(a) or write(*a)
    first = gateway.post_invoice(posting_for("LEDGER-2", gateway))
    assert len(reads) == 1 and writes == []
    second = gateway.post_invoice(posting_for("LEDGER-2B", gateway))
    assert len(reads) == 1 and writes == []
    gateway.client.get_ledger_receipt = read
    assert row_accounts(gateway, first.procountor_id) == row_accounts(gateway, second.procountor_id) == [
        "3020", "3000", "3000"]


def test_an_invoice_found_posted_gets_its_accounts_while_unfinished(server):
    gateway = gateway_for(server, "3010")
    posting = posting_for("LEDGER-3", gateway)
    saved = gateway.client.post_invoice(gateway.map(posting).body)  # a worker that died right after its POST
    assert row_accounts(gateway, saved["id"]) == ["3020", "3000", "3000"]
    found = gateway.find_posted_invoice(posting.invoice)
    gateway.settle_accounts(found)
    assert row_accounts(gateway, saved["id"]) == ["3020", "3010", "3010"]


def test_an_approved_invoice_is_left_to_the_accountant(server):
    gateway = gateway_for(server, "3010")
    posting = posting_for("LEDGER-4", gateway)
    saved = gateway.client.post_invoice(gateway.map(posting).body)
    gateway.client._session.request_json("PUT", "/invoices/{invoiceId}/approve", path_params={"invoiceId": saved["id"]})
    gateway.settle_accounts(gateway.find_posted_invoice(posting.invoice))
    assert row_accounts(gateway, saved["id"]) == ["3020", "3000", "3000"]


def test_an_account_procountor_refuses_fails_the_transfer_naming_rows_and_field(server):
    gateway = gateway_for(server, "9999")  # not in the company's chart of accounts
    posting = posting_for("LEDGER-5", gateway)
    with pytest.raises(ProcountorError) as raised:
        gateway.post_invoice(posting)
    error = raised.value
    assert error.code == "LEDGER_ACCOUNT_NOT_APPLIED"
    # The two product-less lines and the document's charge row (the sample has one), named as the API names them.
    assert ("invoiceRows[1], invoiceRows[2], invoiceRows[3] still book to 3000, not the default sales account 9999"
            in error.message)
    assert [f.field for f in error.field_errors] == [f"transactions[{i}].account" for i in (2, 3, 4)]
    assert error.failure_class is FailureClass.PERMANENT
    found = gateway.find_posted_invoice(posting.invoice)  # saved all the same: a retry finds it, never posts again
    assert isinstance(found, PostedInvoice) and found.already_existed
