"""A Kafka write that returns only once the broker acknowledged it: for records that must be durable before the
next step (the attempt journal before a POST, error-log actions before a replay)."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Producer

from adapters.kafka.client_logging import RDKAFKA_LOGGER

MAX_MESSAGE_BYTES = 33554432  # like the worker: an invoice event may carry embedded attachments


class KafkaWriteFailed(RuntimeError):
    pass


class AckedProducer:
    """An idempotent producer whose ``send`` returns only once the broker acknowledged the record."""

    def __init__(self, bootstrap_servers: str, client_id: str = "procountor-connector") -> None:
        self._producer = Producer({"bootstrap.servers": bootstrap_servers, "enable.idempotence": True,
                                   "linger.ms": 0, "message.max.bytes": MAX_MESSAGE_BYTES, "client.id": client_id,
                                   "logger": RDKAFKA_LOGGER})

    def send(self, topic: str, key: bytes, value: bytes | None, headers: list[tuple[str, bytes]] | None = None,
             timeout_s: float = 30.0) -> None:
        done = threading.Event()
        failure: list[str] = []

        def delivered(err, _msg) -> None:
            if err is not None:
                failure.append(str(err))
            done.set()

        while True:
            try:
                self._producer.produce(topic, key=key, value=value, headers=headers, on_delivery=delivered)
                break
            except BufferError:
                self._producer.poll(0.05)
        # Any thread's poll serves every delivery callback, so concurrent senders each wait on their own event.
        deadline = time.monotonic() + timeout_s
        while not done.is_set():
            if time.monotonic() > deadline:
                raise KafkaWriteFailed(f"write to {topic} not acknowledged within {timeout_s}s")
            self._producer.poll(0.01)
        if failure:
            raise KafkaWriteFailed(f"write to {topic} refused: {failure[0]}")

    def close(self) -> None:
        self._producer.flush(30)
