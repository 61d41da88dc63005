"""Create the connector's topics when missing, with the settings each one's job needs."""

from __future__ import annotations

import structlog
from confluent_kafka.admin import AdminClient, NewTopic

from adapters.kafka.client_logging import RDKAFKA_LOGGER
from adapters.kafka.config import Topics

log = structlog.get_logger(__name__)

COMPACTED = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1", "segment.ms": "600000"}
# Invoices with embedded attachments can be large; the parser refuses documents over 20 MB with a classified
# error, so the topics that carry documents must accept that much plus the envelope.
DOCUMENTS = {"max.message.bytes": "33554432"}


def ensure_topics(bootstrap_servers: str, topics: Topics, partitions: int = 3) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap_servers, "logger": RDKAFKA_LOGGER})
    wanted = {
        topics.invoices: DOCUMENTS,
        topics.results: {},
        topics.dead_letters: DOCUMENTS,
        topics.audit: {},
        topics.error_log: COMPACTED,
        topics.attempts: COMPACTED,
        topics.connections: COMPACTED,
    }
    existing = set(admin.list_topics(timeout=30).topics)
    missing = [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config)
               for name, config in wanted.items() if name not in existing]
    if not missing:
        return
    for name, future in admin.create_topics(missing, operation_timeout=30).items():
        try:
            future.result(timeout=60)
            log.info("topic_created", topic=name)
        except Exception as exc:  # another worker may have created it a moment ago
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
