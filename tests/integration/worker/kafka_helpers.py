"""Produce events to and read outcomes from a real broker, for worker tests."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, Producer

from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.config import Topics
from adapters.kafka.events import event_key, invoice_issued_record


def unique_topics() -> Topics:
    suffix = uuid.uuid4().hex[:8]
    return Topics(**{name: f"{default}.{suffix}" for name, default in Topics().__dict__.items()})


def publish(bootstrap: str, topic: str, events: list[tuple[str, str, bytes]], codec: AvroCodec | None = None,
            raw: list[tuple[bytes, bytes | None]] = ()) -> None:
    """events: (tenant, invoice_id, document); raw: (key, value) written as-is (poison)."""
    codec = codec or AvroCodec()
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for tenant, invoice_id, document in events:
        record = invoice_issued_record(f"evt-{invoice_id}", tenant, invoice_id, document)
        producer.produce(topic, key=event_key(tenant, invoice_id), value=codec.encode("InvoiceIssued", record))
    for key, value in raw:
        producer.produce(topic, key=key, value=value)
    assert producer.flush(30) == 0


def read_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 60) -> list:
    """Every message of a topic from the beginning, waiting until at least ``expected`` arrived."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    messages = []
    deadline = time.monotonic() + timeout_s
    idle_since = None
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                if len(messages) >= expected:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > 1.5:
                        break
                continue
            if message.error() is None:
                messages.append(message)
                idle_since = None
    finally:
        consumer.close()
    return messages
