"""Every event a transfer logs, in whatever layer, names its tenant, invoice and event."""

from __future__ import annotations

import io
import json

import structlog

from adapters.kafka.worker import run_with_log_context
from adapters.logging_setup import configure_logging
from application.messages import TransferInvoice


def test_a_transfers_log_events_carry_its_tenant_invoice_and_event() -> None:
    stream = io.StringIO()
    configure_logging("INFO", json=True, stream=stream)
    try:
        command = TransferInvoice(event_id="evt-7", tenant="acme", invoice_id="INV-7", document=b"<Invoice/>")

        def handler(received: TransferInvoice) -> str:
            structlog.get_logger("adapters.procountor.gateway").info("procountor_invoice_posted", procountor_id=1)
            return "done"

        results = [run_with_log_context(handler, command)]
        # A pool thread runs many transfers: nothing of this one stays bound after it.
        structlog.get_logger("elsewhere").info("after_the_transfer")
    finally:
        configure_logging("INFO", json=True)
    first, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert results == ["done"]
    assert (first["tenant"], first["invoice_id"], first["event_id"]) == ("acme", "INV-7", "evt-7")
    assert "tenant" not in after and "invoice_id" not in after  # bound for the transfer only
