"""The first proof that the stack is real: an Avro record through a real Kafka broker and back, field by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from confluent_kafka import Consumer, Producer

from adapters.kafka.avro_codec import AvroCodec

pytestmark = pytest.mark.kafka


def test_avro_record_survives_a_real_broker(kafka_bootstrap: str, fresh_topic: str) -> None:
    codec = AvroCodec()
    sent = {
        "event_id": "evt-1",
        "tenant": "acme",
        "invoice_id": "inv-1",
        "invoice_number": "INV-2026-001",
        "procountor_invoice_id": 123456789012,
        "already_existed": False,
        "payment_reference": "RF18539007547034",
        "payment_reference_source": "document",
        "products_matched": 2,
        "products_created": 1,
        "products_defaulted": 0,
        "attachments": 1,
        "currency": "EUR",
        "tax_exclusive_amount": Decimal("1000.00"),
        "tax_amount": Decimal("255.00"),
        "tax_inclusive_amount": Decimal("1255.00"),
        "prepaid_amount": Decimal("0.00"),
        "payable_amount": Decimal("1255.00"),
        "totals_match": True,
        "warnings": ["supplier VAT id differs from the connected company"],
        "attempts": 1,
        "duration_ms": 42,
        "transferred_at": dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC),
    }
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    delivered = []
    producer.produce(fresh_topic, key=b"acme/inv-1", value=codec.encode("InvoiceTransferred", sent),
                     on_delivery=lambda err, msg: delivered.append((err, msg)))
    assert producer.flush(30) == 0
    assert delivered and delivered[0][0] is None

    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": f"g-{fresh_topic}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([fresh_topic])
    try:
        message = None
        for _ in range(60):
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                break
        assert message is not None and message.error() is None, "no message came back from the broker"
        name, received = codec.decode(message.value())
    finally:
        consumer.close()

    assert message.key() == b"acme/inv-1"
    assert name == "InvoiceTransferred"
    assert received.keys() == sent.keys()
    for field, value in sent.items():
        assert received[field] == value, field
