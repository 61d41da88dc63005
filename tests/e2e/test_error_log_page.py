"""End to end in headless Chromium: an operator loads the error log page, views a record, reprocesses one invoice
and ignores another; afterwards the topics and the Procountor emulator say what happened."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from prometheus_client import CollectorRegistry

from adapters.errorlog.audit import decode_action
from adapters.errorlog.http_api import error_log_routes
from adapters.errorlog.tokens import ApiToken, ApiTokens
from adapters.errorlog.topic_view import KafkaErrorLog
from adapters.kafka.acked_producer import AckedProducer
from adapters.ops.server import OpsServer, ops_app
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from tests.ci import in_ci
from tests.e2e.cdp import Browser, find_chromium
from tests.integration.errorlog.harness import (
    TENANT,
    add_fault,
    clear_faults,
    emulator,
    fresh_topics,
    invoice_numbers,
    running_worker,
    tools_for,
    wait_for,
    worker_config,
    write_connections,
)
from tests.integration.worker.kafka_helpers import publish, read_all

pytestmark = pytest.mark.kafka

TOKEN = "e2e-secret-token"


@pytest.fixture
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        message = "no Chromium binary (apt-get install chromium, or set CHROMIUM_BINARY)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return binary


def row(error_id: str, inner: str = "") -> str:
    return f'tr[data-id={json.dumps(error_id)}] {inner}'.strip()


def test_operator_reprocesses_and_ignores_from_the_page(kafka_bootstrap: str, chromium: str) -> None:
    topics = fresh_topics(kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    fixed, dropped = f"{TENANT}/E2E-1", f"{TENANT}/E2E-2"
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config, via="http") as tools:
        add_fault(server, kind="error", status=400, methods=["POST"], path_prefix="/api/products")
        publish(kafka_bootstrap, topics.invoices, [(TENANT, n, render_ubl(sample_invoice(n, lines=2, seed=i)))
                                                   for i, n in enumerate(["E2E-1", "E2E-2"])])
        wait_for(lambda: len(tools.log.entries()) == 2, what="two records in the error log")
        clear_faults(server)  # the cause is fixed; now the operator acts

        tokens = ApiTokens([ApiToken.plain("e2e-operator", TENANT, TOKEN)])
        app = ops_app(CollectorRegistry(), ready=lambda: True,
                      extra_routes=error_log_routes(tools.actions, tokens, tools.document_of))
        ops = OpsServer(app).start()
        browser = Browser(chromium)
        try:
            browser.navigate(f"http://127.0.0.1:{ops.port}/errors")
            browser.type_into("#token", TOKEN)
            browser.click("#load")
            browser.wait_for("document.querySelectorAll('#rows tr').length === 2", what="two rows")

            browser.click(row(fixed, "button.view"))
            detail = browser.wait_for("!document.getElementById('detail').hidden && "
                                      "document.getElementById('detail').textContent", what="the detail view")
            assert "PROCOUNTOR_VALIDATION" in detail and "<Invoice" in detail and topics.invoices in detail

            browser.click(row(fixed, "button.reprocess"))
            browser.wait_for("document.getElementById('message').textContent.includes('reprocessing')",
                             what="the reprocess result")
            browser.click(row(dropped, "button.ignore"))
            reason_box = row(dropped, "input.ignore-reason")
            browser.wait_for(f"!!document.querySelector({json.dumps(reason_box)})", what="the ignore form")
            browser.type_into(reason_box, "sent by mistake")
            browser.click(row(dropped, "button.ignore-confirm"))
            browser.wait_for("document.getElementById('message').textContent.includes('ignored')",
                             what="the ignore result")
            browser.wait_for(f"!document.querySelector({json.dumps(row(dropped))})", what="the ignored row gone")
            browser.click("#load")
            browser.wait_for(f"!document.querySelector({json.dumps(row(fixed))}) && "
                             "document.querySelectorAll('#rows tr').length === 0", timeout_s=60,
                             what="the reprocessed row gone once the worker succeeded")
        finally:
            browser.close()
            ops.stop()
        assert Counter(invoice_numbers(server)) == Counter({"E2E-1": 1})

    view = KafkaErrorLog(kafka_bootstrap, topics.error_log, AckedProducer(kafka_bootstrap))
    try:
        assert view.entries() == []
    finally:
        view.close()
    events = read_all(kafka_bootstrap, topics.invoices, expected=3, timeout_s=20)
    replays = [m for m in events if any(k == "procountor.replay" for k, _ in m.headers() or [])]
    assert sorted(m.key() for m in events) == [b"demo/E2E-1", b"demo/E2E-1", b"demo/E2E-2"]
    assert [m.key() for m in replays] == [b"demo/E2E-1"]
    audit = [decode_action(m.value()) for m in read_all(kafka_bootstrap, topics.audit, expected=2)]
    assert sorted((a["action"], a["invoice_id"], a["actor"], a["via"], a["reason"]) for a in audit) == [
        ("ignore", "E2E-2", "e2e-operator", "http", "sent by mistake"),
        ("reprocess", "E2E-1", "e2e-operator", "http", None)]
