"""The dead-letter topic read as ``DeadLetter`` values, and the original events of error-log records.

An original event is read where the record says it lives (topic, partition, offset). When that offset is gone
(retention, or the record pointed elsewhere) the latest dead letter of the same key is the fallback: it holds the
original bytes too.
"""

from __future__ import annotations

import datetime as dt
import threading

from adapters.errorlog.kafka_io import read_all, read_one, reader
from adapters.kafka import messages as h
from domain.error_log import DeadLetter, ErrorLogEntry, InvalidErrorId, OriginalEvent, parse_error_id


def _headers(message) -> tuple[tuple[str, bytes], ...]:
    return tuple((k, v if v is not None else b"") for k, v in (message.headers() or []))


def _header(headers, name: str) -> bytes | None:
    return next((v for k, v in headers if k == name), None)


def _count(headers) -> int:
    raw = _header(headers, h.HEADER_REPLAY_COUNT)
    try:
        return max(int(raw), 0) if raw else 0
    except ValueError:
        return 0


def dead_letter_of(message) -> DeadLetter | None:
    """None for a record that is not one of ours (no key, or a key that is not tenant/invoice_id)."""
    try:
        key = message.key().decode("utf-8") if message.key() else ""
        tenant, invoice_id = parse_error_id(key)
    except (UnicodeDecodeError, InvalidErrorId):
        return None
    headers = _headers(message)
    topic = (_header(headers, h.DLT_ORIGINAL_TOPIC) or b"").decode("utf-8", "replace")
    code = (_header(headers, h.DLT_ERROR_CODE) or b"").decode("utf-8", "replace")
    _kind, timestamp_ms = message.timestamp()
    original = OriginalEvent(key=key, topic=topic, value=message.value(), headers=headers,
                             replay_count=_count(headers))
    return DeadLetter(original=original, tenant=tenant, invoice_id=invoice_id, code=code,
                      dead_lettered_at=dt.datetime.fromtimestamp(max(timestamp_ms, 0) / 1000, dt.UTC))


class KafkaDeadLetters:
    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic

    def all(self) -> list[DeadLetter]:
        consumer = reader(self._bootstrap, "procountor-connector-dlq-reader")
        try:
            return [letter for letter in map(dead_letter_of, read_all(consumer, self._topic)) if letter is not None]
        finally:
            consumer.close()


class KafkaOriginalEvents:
    def __init__(self, bootstrap_servers: str, dead_letters: KafkaDeadLetters) -> None:
        self._consumer = reader(bootstrap_servers, "procountor-connector-original-reader")
        self._lock = threading.Lock()
        self._dead_letters = dead_letters

    def fetch(self, entry: ErrorLogEntry) -> OriginalEvent | None:
        source = entry.source
        with self._lock:
            message = read_one(self._consumer, source.topic, source.partition, source.offset)
        if message is not None and (message.key() or b"") == entry.key.encode():
            headers = _headers(message)
            return OriginalEvent(key=entry.key, topic=source.topic, value=message.value(), headers=headers,
                                 replay_count=_count(headers))
        letters = [d for d in self._dead_letters.all() if d.original.key == entry.key]
        return letters[-1].original if letters else None

    def close(self) -> None:
        with self._lock:
            self._consumer.close()
