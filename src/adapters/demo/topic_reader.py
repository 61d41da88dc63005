"""Read a whole topic from the beginning to its current end (for the demo's summary and the error-log tools)."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from adapters.kafka.client_logging import RDKAFKA_LOGGER


def read_topic(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                         "enable.auto.commit": False, "enable.partition.eof": False, "logger": RDKAFKA_LOGGER})
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None:
            return []
        ends = {}
        for p in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
        if not ends:
            return []
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        messages, positions = [], {}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and any(positions.get(p, -1) + 1 < end for p, end in ends.items()):
            message = consumer.poll(0.2)
            if message is None or message.error() is not None:
                continue
            messages.append(message)
            positions[message.partition()] = message.offset()
        return messages
    finally:
        consumer.close()
