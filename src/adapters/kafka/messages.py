"""Typed values for what the worker consumes and where it came from (Arroyo style: no raw client objects travel
past the poll loop)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Headers the connector reads and writes. Replays carry REPLAY so the worker knows an earlier attempt may exist.
HEADER_REPLAY = "procountor.replay"
HEADER_REPLAY_REASON = "procountor.replay-reason"
HEADER_REPLAY_ACTOR = "procountor.replay-actor"
HEADER_REPLAY_COUNT = "procountor.replay-count"  # the how-manieth replay this is (1, 2, ...)
HEADER_ACTION_ID = "procountor.action-id"  # the error-log action that wrote a record or replay

DLT_ORIGINAL_TOPIC = "dlt.original-topic"
DLT_ORIGINAL_PARTITION = "dlt.original-partition"
DLT_ORIGINAL_OFFSET = "dlt.original-offset"
DLT_ORIGINAL_TIMESTAMP = "dlt.original-timestamp"
DLT_CONSUMER_GROUP = "dlt.consumer-group"
DLT_ERROR_CLASS = "dlt.error-class"
DLT_ERROR_CODE = "dlt.error-code"
DLT_ERROR_MESSAGE = "dlt.error-message"
DLT_ATTEMPTS = "dlt.attempts"
DLT_IDEMPOTENCY_KEY = "dlt.idempotency-key"
DLT_FAILURE_RECORD = "dlt.failure"  # the Avro InvoiceTransferFailed record, for tools that want it whole


@dataclass(frozen=True)
class EventLocation:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int


@dataclass(frozen=True)
class ConsumedMessage:
    location: EventLocation
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = field(default_factory=tuple)

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @classmethod
    def from_kafka(cls, message) -> ConsumedMessage:
        _kind, timestamp = message.timestamp()
        return cls(
            location=EventLocation(message.topic(), message.partition(), message.offset(), timestamp),
            key=message.key(),
            value=message.value(),
            headers=tuple((k, v if v is not None else b"") for k, v in (message.headers() or [])),
        )
