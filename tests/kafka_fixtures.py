"""A real Apache Kafka broker for integration tests.

Where the broker comes from, in order: ``KAFKA_BOOTSTRAP_SERVERS`` from the environment (CI starts one with
scripts/kafka-local); a testcontainers Kafka container when a Docker engine answers; otherwise scripts/kafka-local
started for this test session. When ``CI=true`` a broker that cannot be had fails the run: no test that needs Kafka
may skip in CI, so a green CI always means the tests really talked to Kafka.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ci import in_ci


def _docker_answers() -> bool:
    try:
        import docker  # testcontainers depends on it

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - no Docker engine answering, whatever the reason: use the local broker
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    from adapters.kafka.local_broker import LocalKafkaBroker

    state_dir = Path(tempfile.mkdtemp(prefix="kafka-test-"))
    broker = LocalKafkaBroker(state_dir=state_dir)
    try:
        bootstrap = broker.start()
    except Exception as exc:  # noqa: BLE001 - turned into a failure or a skip below
        message = f"no Kafka broker: KAFKA_BOOTSTRAP_SERVERS unset, no Docker, scripts/kafka-local failed: {exc}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield bootstrap
    finally:
        broker.stop()


@pytest.fixture
def fresh_topic(kafka_bootstrap: str) -> Iterator[str]:
    """A new topic with three partitions, deleted afterwards."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    name = f"test-{uuid.uuid4().hex[:12]}"
    for future in admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)]).values():
        future.result(timeout=30)
    yield name
    for future in admin.delete_topics([name]).values():
        future.result(timeout=30)
