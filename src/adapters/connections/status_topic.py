"""Connection statuses on the compacted connections topic: written when a status changes, read back at start-up.

The records carry no secrets: tenant, status, reason and when. Credentials stay in the connections file or the
environment."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from confluent_kafka import Consumer, Producer

from adapters.kafka.client_logging import RDKAFKA_LOGGER
from domain.connection import Connection, ConnectionStatus


class ConnectionStatusTopic:
    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic
        self._producer = Producer({"bootstrap.servers": bootstrap_servers, "enable.idempotence": True,
                                   "logger": RDKAFKA_LOGGER})

    def publish(self, connection: Connection) -> None:
        value = {"tenant": connection.tenant, "status": connection.status.value,
                 "reason": connection.status_reason, "base_url": connection.base_url,
                 "client_id": connection.credentials.client_id,
                 "changed_at": dt.datetime.now(dt.UTC).isoformat()}
        self._producer.produce(self._topic, key=connection.tenant.encode(), value=json.dumps(value).encode())
        self._producer.flush(30)

    def read_latest(self, timeout_s: float = 10.0) -> dict[str, dict]:
        """The latest status record per tenant."""
        consumer = Consumer({"bootstrap.servers": self._bootstrap, "group.id": f"status-{uuid.uuid4().hex}",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False,
                             "enable.partition.eof": True, "logger": RDKAFKA_LOGGER})
        consumer.subscribe([self._topic])
        latest: dict[str, dict] = {}
        partitions = len(consumer.list_topics(self._topic, timeout=10).topics[self._topic].partitions)
        eof: set[int] = set()
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout_s)
        try:
            while len(eof) < partitions and dt.datetime.now() < deadline:
                message = consumer.poll(0.5)
                if message is None:
                    continue
                if message.error() is not None:
                    eof.add(message.partition())
                    continue
                tenant = message.key().decode()
                if message.value() is None:
                    latest.pop(tenant, None)
                else:
                    latest[tenant] = json.loads(message.value())
        finally:
            consumer.close()
        return latest


def status_of(record: dict) -> ConnectionStatus:
    return ConnectionStatus(record["status"])
