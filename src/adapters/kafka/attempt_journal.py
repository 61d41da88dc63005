"""The attempt journal on a compacted Kafka topic.

Every worker reads the whole journal, by a background thread from the start of the topic, and writes through it; it
keeps the newest records in memory and only the keys of older ones (``attempt_memory``). Before a worker processes
newly assigned partitions it waits until its reader has caught up with the topic's end, so an ATTEMPTING record
written by the partition's previous owner (even one that was SIGKILLed a moment after writing it) is seen before the
redelivered event is handled.
"""

from __future__ import annotations

import json
import threading
import time

import structlog
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from adapters.kafka.acked_producer import AckedProducer, KafkaWriteFailed
from adapters.kafka.attempt_memory import RememberedAttempts
from adapters.kafka.client_logging import RDKAFKA_LOGGER
from domain.errors import FailureClass, TransferError
from domain.ports import AttemptRecord, AttemptState

log = structlog.get_logger(__name__)


class JournalUnavailable(RuntimeError):
    pass


class KafkaAttemptJournal:
    def __init__(self, bootstrap_servers: str, topic: str, write_timeout_s: float = 30.0,
                 remembered: int = 50_000) -> None:
        self._topic = topic
        self._write_timeout_s = write_timeout_s
        self._memory = RememberedAttempts(remembered)
        self._lock = threading.Lock()
        self._positions: dict[int, int] = {}
        self._stop = threading.Event()
        self._producer = AckedProducer(bootstrap_servers, client_id="procountor-connector-journal")
        self._consumer = Consumer({
            "bootstrap.servers": bootstrap_servers, "group.id": "procountor-connector-journal-reader",
            "enable.auto.commit": False, "enable.partition.eof": False, "client.id": "procountor-connector-journal",
            "logger": RDKAFKA_LOGGER})
        # The reader consumer is polled by its own thread; confluent-kafka's consumer calls block each other, so
        # watermarks are asked of a second, never-polled consumer.
        self._watermarks = Consumer({"bootstrap.servers": bootstrap_servers,
                                     "group.id": "procountor-connector-journal-wm", "enable.auto.commit": False,
                                     "logger": RDKAFKA_LOGGER})
        partitions = self._watermarks.list_topics(topic, timeout=30).topics[topic].partitions
        self._consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        self._reader = threading.Thread(target=self._read, name="attempt-journal-reader", daemon=True)
        self._reader.start()

    # -- AttemptJournal port -------------------------------------------------------------------------------------
    def get(self, key: str) -> AttemptRecord | None:
        with self._lock:
            return self._memory.get(key)

    def record(self, key: str, record: AttemptRecord) -> None:
        fields = {"state": record.state.value, "procountor_id": record.procountor_id}
        if record.attempted_at is not None:
            fields["attempted_at"] = record.attempted_at
        value = json.dumps(fields).encode()
        try:
            self._producer.send(self._topic, key.encode(), value, timeout_s=self._write_timeout_s)
        except KafkaWriteFailed as exc:  # nothing was posted yet: the transfer can safely be tried again later
            raise TransferError("ATTEMPT_JOURNAL_UNAVAILABLE", f"attempt journal write not acknowledged: {exc}",
                                FailureClass.TRANSIENT) from exc
        self._keep(key, record.state, record.procountor_id, record.attempted_at)  # what was written, not re-read

    # -- catching up ---------------------------------------------------------------------------------------------
    def wait_until_caught_up(self, timeout_s: float = 60.0) -> None:
        """Block until the reader has read everything written to the journal before this call."""
        partitions = self._watermarks.list_topics(self._topic, timeout=30).topics[self._topic].partitions
        ends = {}
        for p in partitions:
            _low, high = self._watermarks.get_watermark_offsets(TopicPartition(self._topic, p), timeout=30)
            ends[p] = high
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if all(self._positions.get(p, 0) >= end for p, end in ends.items()):
                    return
            time.sleep(0.02)
        raise JournalUnavailable("attempt journal reader did not catch up in time")

    def __len__(self) -> int:
        """Records kept in full (the rest are only known by key)."""
        with self._lock:
            return len(self._memory)

    @property
    def forgotten(self) -> int:
        with self._lock:
            return self._memory.forgotten

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=5)
        self._producer.close()
        self._consumer.close()
        self._watermarks.close()

    # -- background threads --------------------------------------------------------------------------------------
    def _apply(self, key: str, value: bytes | None) -> None:
        if value is None:
            with self._lock:
                self._memory.remove(key)
            return
        self._keep(key, *_readable(key, value))

    def _keep(self, key: str, state: AttemptState, procountor_id: int | None, attempted_at: float | None) -> None:
        with self._lock:
            forgot = self._memory.apply(key, state, procountor_id, attempted_at)
            kept, filters = len(self._memory), self._memory.filters
        if forgot:
            log.info("attempt_journal_forgot_oldest", forgotten=forgot, kept=kept, filters=filters)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._consumer.poll(0.2)
            except KafkaException as exc:
                log.warning("attempt_journal_read_failed", error=str(exc))
                continue
            if message is None or message.error() is not None:
                continue
            key = message.key().decode(errors="replace") if message.key() else None
            if key is not None:
                self._apply(key, message.value())
            with self._lock:
                self._positions[message.partition()] = message.offset() + 1


def _readable(key: str, value: bytes) -> tuple[AttemptState, int | None, float | None]:
    """A record as (state, procountor id, attempted at). One this version cannot read (another writer, a damaged
    value) says only that the key was attempted: FORGOTTEN, so its invoice is looked up before any POST."""
    try:
        data = json.loads(value)
        return AttemptState(data["state"]), data.get("procountor_id"), data.get("attempted_at")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("attempt_journal_record_unreadable", key=key, error=type(exc).__name__)
        return AttemptState.FORGOTTEN, None, None
