"""Small synchronous Kafka helpers for the error-log tools: reading single records or whole topics."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from adapters.kafka.acked_producer import MAX_MESSAGE_BYTES


def reader(bootstrap_servers: str, client_id: str = "procountor-connector-errorlog") -> Consumer:
    """A consumer that never joins a group nor commits: it is only ever assigned partitions explicitly."""
    return Consumer({"bootstrap.servers": bootstrap_servers, "group.id": f"errorlog-reader-{uuid.uuid4().hex}",
                     "enable.auto.commit": False, "enable.partition.eof": False, "client.id": client_id,
                     "fetch.message.max.bytes": MAX_MESSAGE_BYTES, "fetch.wait.max.ms": 50})


def partitions_of(consumer: Consumer, topic: str) -> list[int]:
    metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if metadata is None or metadata.error is not None:
        return []
    return sorted(metadata.partitions)


def end_offsets(consumer: Consumer, topic: str, partitions: list[int]) -> dict[int, int]:
    """The offset after each partition's last record; 0 for a partition that holds no record at all."""
    ends = {}
    for p in partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)
        ends[p] = high if high > low else 0
    return ends


def read_one(consumer: Consumer, topic: str, partition: int, offset: int, timeout_s: float = 5.0):
    """The record at exactly this offset, or None (deleted by retention or compaction, or never there)."""
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10, cached=False)
    if not low <= offset < high:
        return None
    consumer.assign([TopicPartition(topic, partition, offset)])
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is None or message.error() is not None:
                continue
            return message if message.offset() == offset else None
        return None
    finally:
        consumer.unassign()


def read_all(consumer: Consumer, topic: str, timeout_s: float = 60.0) -> Iterator:
    """Every record of the topic from its beginning to its end as of this call, in partition order."""
    partitions = partitions_of(consumer, topic)
    ends = end_offsets(consumer, topic, partitions)
    todo = [p for p in partitions if ends[p] > 0]
    if not todo:
        return
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
    try:
        deadline = time.monotonic() + timeout_s
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} did not reach its end within {timeout_s}s")
            message = consumer.poll(0.2)
            if message is not None and message.error() is None and message.offset() < ends[message.partition()]:
                yield message
            positions = consumer.position([TopicPartition(topic, p) for p in todo])
            todo = [tp.partition for tp in positions if tp.offset < ends[tp.partition]]
    finally:
        consumer.unassign()
