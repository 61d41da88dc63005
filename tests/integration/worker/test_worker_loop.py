"""The consume loop on a real broker: one outcome per event, poison events dead-lettered, nothing stops."""

from __future__ import annotations

import threading

import pytest

from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.config import WorkerConfig
from adapters.kafka.topics import ensure_topics
from adapters.kafka.worker import InvoiceWorker
from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from application.transfer_invoice import TransferInvoiceHandler
from tests.fakes import FakeAttemptJournal, FakeConnectionDirectory, FakeGateways
from tests.integration.worker.kafka_helpers import publish, read_all, unique_topics

pytestmark = pytest.mark.kafka


def test_every_event_gets_exactly_one_outcome(kafka_bootstrap: str) -> None:
    topics = unique_topics()
    ensure_topics(kafka_bootstrap, topics)
    gateways = FakeGateways()
    handler = TransferInvoiceHandler(UblInvoiceParser(), FakeConnectionDirectory.with_tenant("demo"), gateways,
                                     FakeAttemptJournal())
    good = [("demo", f"INV-{i}", render_ubl(sample_invoice(f"INV-{i}", lines=2, seed=i))) for i in range(20)]
    bad = [("demo", "BAD-1", b"<Invoice>not ubl</Invoice>"), ("demo", "BAD-2", b"\xff\xfe garbage")]
    poison = [(b"demo/POISON-1", b"\x00\x00\x00\x03\xe9 corrupt avro"), (b"demo/POISON-2", None)]
    publish(kafka_bootstrap, topics.invoices, good + bad, raw=poison)

    config = WorkerConfig(bootstrap_servers=kafka_bootstrap, group_id=f"g-{topics.invoices}", topics=topics,
                          max_in_flight=8, worker_threads=4)
    worker = InvoiceWorker(config, handler)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        results = read_all(kafka_bootstrap, topics.results, expected=len(good))
        dead = read_all(kafka_bootstrap, topics.dead_letters, expected=len(bad) + len(poison))
    finally:
        worker.request_stop()
        thread.join(60)
    assert not thread.is_alive()

    codec = AvroCodec()
    transferred = [codec.decode(m.value())[1] for m in results]
    assert sorted(r["invoice_id"] for r in transferred) == sorted(i for _t, i, _d in good)
    assert all(gateways.gateway.posted_count(i) == 1 for _t, i, _d in good)
    dead_keys = sorted(m.key() for m in dead)
    assert dead_keys == sorted([b"demo/BAD-1", b"demo/BAD-2", b"demo/POISON-1", b"demo/POISON-2"])
    codes = {m.key(): dict(m.headers())["dlt.error-code"].decode() for m in dead}
    assert codes[b"demo/POISON-1"].startswith("AVRO_")
    assert codes[b"demo/POISON-2"] == "AVRO_EMPTY"
    assert codes[b"demo/BAD-1"].startswith("UBL_")
    # The dead letter keeps the original bytes, so a corrupt record can be inspected and replayed as it was.
    poison_value = next(m.value() for m in dead if m.key() == b"demo/POISON-1")
    assert poison_value == b"\x00\x00\x00\x03\xe9 corrupt avro"
