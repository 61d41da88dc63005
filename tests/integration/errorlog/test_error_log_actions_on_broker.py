"""The error log's actions on the real broker, the real worker and the real Procountor emulator."""

from __future__ import annotations

import pytest

from adapters.errorlog.audit import decode_action
from adapters.errorlog.topic_view import KafkaErrorLog
from adapters.kafka.acked_producer import AckedProducer
from adapters.kafka.avro_codec import AvroCodec
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from application.error_log_actions import Outcome
from domain.error_log import ErrorStatus, Scope
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

OPERATOR = Scope(actor="test-operator")


def product_fault(server) -> int:
    return add_fault(server, kind="error", status=400, methods=["POST"], path_prefix="/api/products")


def publish_invoices(bootstrap: str, topic: str, *numbers: str) -> None:
    publish(bootstrap, topic, [(TENANT, n, render_ubl(sample_invoice(n, lines=2, seed=i)))
                               for i, n in enumerate(numbers)])


def status_of(tools, key: str):
    entry = tools.log.get(key)
    return entry.status if entry else None


def test_reprocess_after_the_fix_posts_once_even_when_asked_twice_and_clears_the_log(kafka_bootstrap: str) -> None:
    topics = fresh_topics(kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config) as tools:
        product_fault(server)
        publish_invoices(kafka_bootstrap, topics.invoices, "FIX-1")
        key = f"{TENANT}/FIX-1"
        wait_for(lambda: status_of(tools, key) is ErrorStatus.OPEN, what="the failure in the error log")
        entry = tools.log.get(key)
        assert entry.code == "PROCOUNTOR_VALIDATION" and "/products" in entry.message
        assert (entry.invoice_number, entry.currency, entry.source.topic) == ("FIX-1", "EUR", topics.invoices)
        assert invoice_numbers(server) == []

        clear_faults(server)  # the emulator is fixed; its POST /invoices is slow, so the replay is still running
        add_fault(server, kind="latency", fixed_ms=3000, count=1, methods=["POST"], path_prefix="/api/invoices")
        [first] = tools.actions.reprocess(OPERATOR, [key], reason="product creation fixed")
        assert first.outcome is Outcome.REPROCESSING
        assert status_of(tools, key) is ErrorStatus.REPROCESSING
        [second] = tools.actions.reprocess(OPERATOR, [key])
        assert second.outcome is Outcome.ALREADY_REPROCESSING
        # Even a forced replay while the first runs (two operators racing) posts nothing twice.
        [forced] = tools.actions.reprocess(OPERATOR, [key], force=True)
        assert forced.outcome is Outcome.REPROCESSING

        results = read_all(kafka_bootstrap, topics.results, expected=2, timeout_s=60)
        wait_for(lambda: tools.log.get(key) is None, what="the tombstone")
        assert invoice_numbers(server) == ["FIX-1"]
        codec = AvroCodec()
        assert sorted(codec.decode(m.value())[1]["already_existed"] for m in results) == [False, True]
        audit = [decode_action(m.value()) for m in read_all(kafka_bootstrap, topics.audit, expected=2)]
        assert [(a["action"], a["actor"], a["replay_count"]) for a in audit] == \
            [("reprocess", "test-operator", 1), ("reprocess", "test-operator", 2)]
        assert audit[0]["reason"] == "product creation fixed"


def test_ignored_record_leaves_the_log_but_its_event_stays(kafka_bootstrap: str) -> None:
    topics = fresh_topics(kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config) as tools:
        product_fault(server)
        publish_invoices(kafka_bootstrap, topics.invoices, "IGN-1", "IGN-2")
        wait_for(lambda: len(tools.log.entries()) == 2, what="two failures")
        [result] = tools.actions.ignore(OPERATOR, [f"{TENANT}/IGN-1"], reason="cancelled by credit note")
        assert result.outcome is Outcome.IGNORED

    fresh_view = KafkaErrorLog(kafka_bootstrap, topics.error_log, AckedProducer(kafka_bootstrap))
    try:
        assert [e.key for e in fresh_view.entries()] == [f"{TENANT}/IGN-2"]
    finally:
        fresh_view.close()
    originals = read_all(kafka_bootstrap, topics.invoices, expected=2, timeout_s=20)
    assert sorted(m.key() for m in originals) == [b"demo/IGN-1", b"demo/IGN-2"]
    [action] = [decode_action(m.value()) for m in read_all(kafka_bootstrap, topics.audit, expected=1)]
    assert (action["action"], action["invoice_id"], action["reason"]) == ("ignore", "IGN-1",
                                                                           "cancelled by credit note")


def test_the_log_rebuilds_from_the_topic_after_a_worker_restart(kafka_bootstrap: str) -> None:
    topics = fresh_topics(kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    with emulator() as server:
        connections = write_connections(server.base_url)
        product_fault(server)
        with running_worker(config, connections), tools_for(config) as tools:
            publish_invoices(kafka_bootstrap, topics.invoices, "RST-1", "RST-2", "RST-3")
            wait_for(lambda: len(tools.log.entries()) == 3, what="three failures")
            before = {e.key: e for e in tools.log.entries()}
        clear_faults(server)
        with running_worker(config, connections), tools_for(config, via="http") as tools:
            after = {e.key: e for e in tools.log.entries()}
            assert after.keys() == before.keys()
            assert all(after[k].code == before[k].code and after[k].source == before[k].source for k in after)
            results = tools.actions.reprocess_matching(OPERATOR, tenant=TENANT, code="PROCOUNTOR_VALIDATION")
            assert [r.outcome for r in results] == [Outcome.REPROCESSING] * 3
            wait_for(lambda: tools.log.entries() == [], what="every record resolved")
        assert sorted(invoice_numbers(server)) == ["RST-1", "RST-2", "RST-3"]


def test_a_record_failing_its_third_replay_is_parked(kafka_bootstrap: str) -> None:
    topics = fresh_topics(kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    key = f"{TENANT}/PARK-1"
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config) as tools:
        product_fault(server)
        publish_invoices(kafka_bootstrap, topics.invoices, "PARK-1")
        wait_for(lambda: status_of(tools, key) is ErrorStatus.OPEN, what="the failure")
        for replay in (1, 2, 3):
            assert tools.actions.reprocess(OPERATOR, [key])[0].outcome is Outcome.REPROCESSING
            wait_for(lambda: status_of(tools, key) in (ErrorStatus.OPEN, ErrorStatus.PARKED),
                     what=f"the outcome of replay {replay}")
            entry = tools.log.get(key)
            assert entry.replay_count == replay
            assert entry.status is (ErrorStatus.PARKED if replay == 3 else ErrorStatus.OPEN)
        assert tools.actions.reprocess_matching(OPERATOR, tenant=TENANT) == []  # parked: left for a person
        assert invoice_numbers(server) == []
