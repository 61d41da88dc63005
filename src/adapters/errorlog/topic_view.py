"""The error log read from, and written to, its compacted topic.

Nothing is held only in memory: the state is folded from the topic (latest record per key; a tombstone removes the
key), and before every read the view catches up with the topic's end as of that read. A write returns once the
broker acknowledged it, so the next read sees it, and so does any other process reading the topic, such as a
worker or an HTTP API that restarted a moment ago.
"""

from __future__ import annotations

import threading
import time

import structlog
from confluent_kafka import OFFSET_BEGINNING, TopicPartition

from adapters.errorlog.kafka_io import end_offsets, partitions_of, reader
from adapters.errorlog.records import entry_from_record, headers_for, record_from_entry
from adapters.kafka.acked_producer import AckedProducer
from adapters.kafka.avro_codec import AvroCodec, AvroDecodeError
from domain.error_log import ErrorLogEntry

log = structlog.get_logger(__name__)


class ErrorLogUnavailable(RuntimeError):
    pass


class KafkaErrorLog:
    def __init__(self, bootstrap_servers: str, topic: str, producer: AckedProducer, codec: AvroCodec | None = None,
                 catch_up_timeout_s: float = 30.0) -> None:
        self._topic = topic
        self._producer = producer
        self._codec = codec or AvroCodec()
        self._timeout_s = catch_up_timeout_s
        self._consumer = reader(bootstrap_servers, "procountor-connector-errorlog-view")
        # Watermarks come from a client with no fetch in flight: on the reading consumer's connection a
        # ListOffsets request waits behind the long-polling Fetch (up to fetch.wait.max.ms per partition).
        self._watermarks = reader(bootstrap_servers, "procountor-connector-errorlog-watermarks")
        self._lock = threading.Lock()
        self._state: dict[str, ErrorLogEntry] = {}
        self._partitions: list[int] = []

    # -- ErrorLog port -----------------------------------------------------------------------------------------
    def entries(self) -> list[ErrorLogEntry]:
        with self._lock:
            self._catch_up()
            return list(self._state.values())

    def get(self, key: str) -> ErrorLogEntry | None:
        with self._lock:
            self._catch_up()
            return self._state.get(key)

    def write(self, entry: ErrorLogEntry) -> None:
        value = self._codec.encode("InvoiceTransferFailed", record_from_entry(entry))
        self._producer.send(self._topic, entry.key.encode(), value, headers_for(entry) or None)

    def remove(self, key: str) -> None:
        self._producer.send(self._topic, key.encode(), None)

    def close(self) -> None:
        with self._lock:
            self._consumer.close()
            self._watermarks.close()

    # -- folding the topic -------------------------------------------------------------------------------------
    def _catch_up(self) -> None:
        self._assign_new_partitions()
        if not self._partitions:
            return
        ends = end_offsets(self._watermarks, self._topic, self._partitions)
        deadline = time.monotonic() + self._timeout_s
        while True:
            positions = self._consumer.position([TopicPartition(self._topic, p) for p in self._partitions])
            if all(tp.offset >= ends[tp.partition] or ends[tp.partition] == 0 for tp in positions):
                return
            if time.monotonic() > deadline:
                raise ErrorLogUnavailable(f"could not read {self._topic} to its end within {self._timeout_s}s")
            message = self._consumer.poll(0.1)
            if message is not None and message.error() is None:
                self._apply(message)

    def _assign_new_partitions(self) -> None:
        partitions = partitions_of(self._watermarks, self._topic)
        new = [p for p in partitions if p not in self._partitions]
        if new:
            self._consumer.incremental_assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in new])
            self._partitions = sorted(self._partitions + new)

    def _apply(self, message) -> None:
        key = message.key().decode("utf-8", "replace") if message.key() else None
        if key is None:
            return
        if message.value() is None:
            self._state.pop(key, None)
            return
        try:
            _name, record = self._codec.decode(message.value(), expected="InvoiceTransferFailed")
        except AvroDecodeError as exc:
            log.warning("error_log_record_unreadable", key=key, code=exc.code, offset=message.offset())
            return
        _kind, timestamp_ms = message.timestamp()
        self._state[key] = entry_from_record(record, message.headers(), timestamp_ms)
