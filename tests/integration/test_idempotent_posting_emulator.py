"""Idempotent posting against the emulator's faults: "saved, then answered 500" never yields a second invoice, and
a 429 storm is ridden out within the client's rate limit."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from adapters.procountor.client import ProcountorClient
from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from adapters.procountor.emulator.server import EmulatorServer
from adapters.procountor.gateway import ProcountorGateways
from adapters.procountor.rate_limit import RateLimiter
from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from application.messages import InvoiceTransferred, TransferInvoice
from application.transfer_invoice import TransferInvoiceHandler
from domain.connection import Connection, ConnectionSettings, ConnectionStatus, ProcountorCredentials
from tests.fakes import FakeAttemptJournal, FakeConnectionDirectory

CREDENTIALS = ProcountorCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_API_KEY)


def _handler(server: EmulatorServer, client_factory, outcome_settle_s: float = 0.0) -> TransferInvoiceHandler:
    connection = Connection("demo", server.base_url, CREDENTIALS, ConnectionSettings(), ConnectionStatus.ACTIVE)
    return TransferInvoiceHandler(UblInvoiceParser(), FakeConnectionDirectory({"demo": connection}),
                                  ProcountorGateways(client_factory), FakeAttemptJournal(),
                                  outcome_settle_s=outcome_settle_s)


def _transfer_until_done(handler, command, tries: int = 8) -> InvoiceTransferred:
    for _ in range(tries):  # what the worker does: a transient failure is retried later for that key
        outcome = handler(command)
        if isinstance(outcome, InvoiceTransferred):
            return outcome
        assert outcome.error.failure_class.value == "transient", outcome.error
    raise AssertionError(f"{command.invoice_id} never transferred")


def _numbers(server: EmulatorServer) -> Counter:
    company = server.state.find_company("demo")
    return Counter(invoice["originalInvoiceNumber"] for invoice in list(company.invoices.values()))


def test_saved_then_500_never_creates_a_second_invoice() -> None:
    config = EmulatorConfig(rate_limit_per_second=None, seed=3, faults=[
        {"kind": "saved_then_500", "rate": 0.5, "path_prefix": "/api/invoices", "methods": ["POST"]}])
    with EmulatorServer(config) as server:
        handler = _handler(server, lambda c: ProcountorClient(c.base_url, c.credentials, backoff_base=0.01,
                                                              rate_limiter=RateLimiter(10_000, burst=1_000)))
        invoices = [sample_invoice(f"S500-{i:03d}", lines=2, seed=i) for i in range(30)]
        for invoice in invoices:
            _transfer_until_done(handler, TransferInvoice(f"e-{invoice.invoice_number}", "demo",
                                                          invoice.invoice_number, render_ubl(invoice)))
        fired = httpx.get(f"{server.admin_url}/faults").json()
        numbers = _numbers(server)
    assert sum(rule["fired"] for rule in fired["faults"]) >= 5, "the fault must really have happened"
    assert sorted(numbers) == sorted(i.invoice_number for i in invoices)
    assert max(numbers.values()) == 1


def test_a_429_storm_is_ridden_out_within_the_rate_limit() -> None:
    config = EmulatorConfig(rate_limit_per_second=None, faults=[
        {"kind": "throttle", "rate": 0.6, "duration_s": 3, "retry_after": 1, "path_prefix": "/api"}])
    sent: list[float] = []
    lock = threading.Lock()

    def record(_method: str, _path: str, _status: int) -> None:
        with lock:
            sent.append(time.monotonic())

    limiter = RateLimiter(20)  # Procountor's documented 20 requests/s per client
    with EmulatorServer(config) as server:
        handler = _handler(server, lambda c: ProcountorClient(c.base_url, c.credentials, rate_limiter=limiter,
                                                              on_request=record, max_backoff=1.0))
        invoices = [sample_invoice(f"T429-{i:03d}", lines=1, seed=i) for i in range(20)]
        threads = [threading.Thread(target=_transfer_until_done, args=(handler, TransferInvoice(
            f"e-{i}", "demo", inv.invoice_number, render_ubl(inv)))) for i, inv in enumerate(invoices)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        numbers = _numbers(server)
        throttled = httpx.get(f"{server.admin_url}/requests").json()
    assert sorted(numbers) == sorted(i.invoice_number for i in invoices) and max(numbers.values()) == 1
    assert "429" in str(throttled), "the storm must really have throttled requests"
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest <= 21, f"{busiest} requests in one second: the client broke its own rate limit"


def _transfer_as_the_worker_would(handler, command, tries: int = 8) -> InvoiceTransferred:
    for _ in range(tries):
        outcome = handler(command)
        if isinstance(outcome, InvoiceTransferred):
            return outcome
        assert outcome.error.failure_class.value == "transient", outcome.error
        time.sleep(outcome.error.retry_after_s or 0.05)  # the worker's retry waits at least this long
    raise AssertionError(f"{command.invoice_id} never transferred")


@pytest.mark.parametrize(("settle_s", "invoices_in_procountor"), [(3.0, 1), (0.0, 2)])
def test_a_post_saved_after_the_client_gave_up_is_not_posted_again(settle_s, invoices_in_procountor) -> None:
    """Procountor may finish saving a POST after the client's timeout, so the look-up right after the timeout cannot
    see it. With the settle window the invoice is looked up again once the slow save can have landed; without one
    (the second case, shown to make the point) the invoice ends up in the books twice."""
    config = EmulatorConfig(rate_limit_per_second=None, faults=[
        {"kind": "timeout", "delay_s": 1.5, "process": True, "count": 1, "path_prefix": "/api/invoices",
         "methods": ["POST"]}])
    with EmulatorServer(config) as server:
        handler = _handler(server, lambda c: ProcountorClient(c.base_url, c.credentials, timeout=0.5,
                                                              backoff_base=0.01), outcome_settle_s=settle_s)
        invoice = sample_invoice("LATE-001", lines=1)
        outcome = _transfer_as_the_worker_would(handler, TransferInvoice("e-late", "demo", "LATE-001",
                                                                         render_ubl(invoice)))
        time.sleep(2.0)  # the slow save has landed by now in both cases
        numbers = _numbers(server)
    assert numbers["LATE-001"] == invoices_in_procountor
    assert outcome.already_existed is (settle_s > 0)
