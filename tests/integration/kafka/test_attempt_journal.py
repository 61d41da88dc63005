"""The attempt journal on a real broker: what one worker writes another reads, old records are forgotten by both
alike, and a record nobody can read makes its invoice be looked up rather than posted blindly."""

from __future__ import annotations

import pytest
from confluent_kafka import Producer

from adapters.kafka.attempt_journal import KafkaAttemptJournal
from domain.ports import AttemptRecord, AttemptState

pytestmark = pytest.mark.kafka


def test_a_second_worker_sees_the_same_records_and_forgets_the_same_ones(kafka_bootstrap: str,
                                                                         fresh_topic: str) -> None:
    writer = KafkaAttemptJournal(kafka_bootstrap, fresh_topic, remembered=50)
    try:
        for i in range(200):
            writer.record(f"acme/INV-{i}", AttemptRecord(AttemptState.ATTEMPTING, attempted_at=1000.0 + i))
            writer.record(f"acme/INV-{i}", AttemptRecord(AttemptState.POSTED, 5000 + i))
        assert writer.forgotten > 0 and len(writer) <= 150
        assert writer.get("acme/INV-0") == AttemptRecord(AttemptState.FORGOTTEN)
        assert writer.get("acme/INV-199") == AttemptRecord(AttemptState.POSTED, 5199)
    finally:
        writer.close()

    reader = KafkaAttemptJournal(kafka_bootstrap, fresh_topic, remembered=50)
    try:
        reader.wait_until_caught_up(timeout_s=60)
        assert reader.get("acme/INV-199") == AttemptRecord(AttemptState.POSTED, 5199)
        # Partitions are read side by side, so which keys are kept whole depends on the interleaving; what holds
        # for every key is that a written one is never read as unseen.
        states = {reader.get(f"acme/INV-{i}") for i in range(200)}
        assert None not in states
        assert states <= {AttemptRecord(AttemptState.FORGOTTEN)} | {
            AttemptRecord(AttemptState.POSTED, 5000 + i) for i in range(200)}
        assert reader.get("acme/INV-never-written") is None
    finally:
        reader.close()


def test_an_unreadable_record_reads_as_forgotten(kafka_bootstrap: str, fresh_topic: str) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(fresh_topic, key=b"acme/INV-garbled", value=b"\x00not json", partition=0)
    producer.produce(fresh_topic, key=b"acme/INV-future", value=b'{"state": "cancelled"}', partition=0)
    assert producer.flush(30) == 0
    journal = KafkaAttemptJournal(kafka_bootstrap, fresh_topic)
    try:
        journal.wait_until_caught_up(timeout_s=60)
        assert journal.get("acme/INV-garbled") == AttemptRecord(AttemptState.FORGOTTEN)
        assert journal.get("acme/INV-future") == AttemptRecord(AttemptState.FORGOTTEN)
        # The reader thread read on past them: a record another worker writes later still arrives.
        producer.produce(fresh_topic, key=b"acme/INV-after", value=b'{"state": "posted", "procountor_id": 7}',
                         partition=0)
        assert producer.flush(30) == 0
        journal.wait_until_caught_up(timeout_s=60)
        assert journal.get("acme/INV-after") == AttemptRecord(AttemptState.POSTED, 7)
    finally:
        journal.close()
