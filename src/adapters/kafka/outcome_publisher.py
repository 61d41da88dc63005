"""Produces each event's outcome: a result event, or a dead letter plus an error-log record.

``on_acked`` runs once the broker has acknowledged every record of the outcome; only then may the event's offset be
committed. A record the broker refuses after the idempotent producer's own retries is fatal for the worker (its
offset is never committed, so the event is redelivered after a restart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from confluent_kafka import Producer

from adapters.kafka import messages as h
from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.config import Topics
from adapters.kafka.events import failed_record, replay_count, transferred_record
from adapters.kafka.messages import ConsumedMessage
from application.messages import InvoiceSummary, InvoiceTransferred
from domain.error_log import PARK_AFTER_REPLAYS
from domain.errors import TransferError

OnAcked = Callable[[], None]
OnFatal = Callable[[str], None]


class OutcomePublisher:
    def __init__(self, producer: Producer, codec: AvroCodec, topics: Topics, group_id: str, on_fatal: OnFatal) -> None:
        self._producer = producer
        self._codec = codec
        self._topics = topics
        self._group_id = group_id
        self._on_fatal = on_fatal
        self._error_log_keys: set[bytes] = set()  # keys this worker put in the error log, cleared on success

    def transferred(self, message: ConsumedMessage, outcome: InvoiceTransferred, attempts: int,
                    duration_ms: int, on_acked: OnAcked) -> None:
        key = message.key or outcome.command.key.encode()
        value = self._codec.encode("InvoiceTransferred", transferred_record(outcome, attempts, duration_ms))
        records = [(self._topics.results, key, value, None)]
        if outcome.command.replay or key in self._error_log_keys:
            records.append((self._topics.error_log, key, None, None))  # tombstone: the invoice left the error log
            self._error_log_keys.discard(key)
        self._produce_all(records, on_acked)

    def failed(self, message: ConsumedMessage, *, event_id: str, tenant: str, invoice_id: str,
               error: TransferError, summary: InvoiceSummary | None, attempts: int,
               first_failure_at: dt.datetime, on_acked: OnAcked) -> None:
        key = message.key or f"{tenant}/{invoice_id}".encode()
        replays = replay_count(message)  # failing again after the Nth replay parks it for a person to look at
        record = failed_record(event_id=event_id, tenant=tenant, invoice_id=invoice_id, error=error,
                               summary=summary, location=message.location, attempts=attempts,
                               first_failure_at=first_failure_at,
                               status="PARKED" if replays >= PARK_AFTER_REPLAYS else "OPEN")
        error_log_headers = [(h.HEADER_REPLAY_COUNT, str(replays).encode())] if replays else None
        failure_value = self._codec.encode("InvoiceTransferFailed", record)
        headers = self._dead_letter_headers(message, error, attempts, key, failure_value)
        self._error_log_keys.add(key)
        self._produce_all([
            (self._topics.dead_letters, key, message.value, headers),
            (self._topics.error_log, key, failure_value, error_log_headers),
        ], on_acked)

    def poll(self, timeout: float = 0.0) -> None:
        self._producer.poll(timeout)

    def flush(self, timeout: float) -> int:
        return self._producer.flush(timeout)

    def _dead_letter_headers(self, message: ConsumedMessage, error: TransferError, attempts: int, key: bytes,
                             failure_value: bytes) -> list[tuple[str, bytes]]:
        location = message.location
        carried = [(k, v) for k, v in message.headers if not k.startswith("dlt.")]  # keep only the latest failure
        return carried + [
            (h.DLT_ORIGINAL_TOPIC, location.topic.encode()),
            (h.DLT_ORIGINAL_PARTITION, str(location.partition).encode()),
            (h.DLT_ORIGINAL_OFFSET, str(location.offset).encode()),
            (h.DLT_ORIGINAL_TIMESTAMP, str(location.timestamp_ms).encode()),
            (h.DLT_CONSUMER_GROUP, self._group_id.encode()),
            (h.DLT_ERROR_CLASS, error.failure_class.value.encode()),
            (h.DLT_ERROR_CODE, error.code.encode()),
            (h.DLT_ERROR_MESSAGE, error.message.encode()[:2000]),
            (h.DLT_ATTEMPTS, str(attempts).encode()),
            (h.DLT_IDEMPOTENCY_KEY, key),
            (h.DLT_FAILURE_RECORD, failure_value),
        ]

    def _produce_all(self, records: list[tuple[str, bytes, bytes | None, list | None]], on_acked: OnAcked) -> None:
        remaining = [len(records)]

        def delivered(err, msg) -> None:
            if err is not None:
                self._on_fatal(f"outcome record to {msg.topic()} not acknowledged: {err}")
                return
            remaining[0] -= 1
            if remaining[0] == 0:
                on_acked()

        for topic, key, value, headers in records:
            while True:
                try:
                    self._producer.produce(topic, key=key, value=value, headers=headers, on_delivery=delivered)
                    break
                except BufferError:  # local queue full: serve deliveries, then try again
                    self._producer.poll(0.1)
