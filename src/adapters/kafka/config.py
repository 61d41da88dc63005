"""Worker settings: topic names, consumer group, concurrency and retry policy, from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topics:
    invoices: str = "qvalia.invoices.issued"
    results: str = "procountor.invoices.transferred"
    dead_letters: str = "procountor.invoices.dead-letter"
    error_log: str = "procountor.invoices.error-log"  # compacted: latest state per tenant/invoice
    attempts: str = "procountor.connector.attempts"  # compacted: the attempt journal
    connections: str = "procountor.connector.connections"  # compacted: tenant connections and their status
    audit: str = "procountor.connector.audit"  # every error-log action: who, when, what, why

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Topics:
        env = os.environ if env is None else env
        prefix = "PROCOUNTOR_CONNECTOR_TOPIC_"
        overrides = {name: env[prefix + name.upper()] for name in cls.__dataclass_fields__
                     if prefix + name.upper() in env}
        return cls(**overrides)


@dataclass(frozen=True)
class WorkerConfig:
    bootstrap_servers: str
    group_id: str = "procountor-connector"
    topics: Topics = field(default_factory=Topics)
    # Events taken from Kafka and not yet finished; above it partitions are paused, at half of it resumed. pause()
    # drops what librdkafka had prefetched, and a resumed consumer delivers again 0.03-0.9 s later (0.35 s typical,
    # benchmarks/); the half left must cover that at full speed for every tenant, or threads sit idle. With 256, 10
    # rate-limited tenants at 200 invoices/s reached 80-100% of the bound batch to batch; with 512, 100%.
    max_in_flight: int = 512
    # The same bound in bytes (512 events of 20 MB would be 10 GB). Each buffered event is held twice (the Avro value
    # for a dead letter, the decoded document), plus up to worker_threads parsed: a window of 500-line invoices
    # (360 KB) peaked at 500 MB RSS with 128 MiB here, 302-389 MB over four runs with 64 MiB (366 MB with 256 events).
    max_in_flight_bytes: int = 64 * 1024 * 1024
    # Concurrent transfers (each mostly waits on Procountor or on its tenant's rate limiter, so a thread stuck behind
    # one tenant's limit serves no other): 32 reached ~80% of 10 tenants x 20 req/s at 50-100 ms, 64 over 90%.
    worker_threads: int = 64
    transient_max_attempts: int = 5  # transient failures beyond the client's own retries, then dead-lettered
    transient_backoff_s: float = 2.0
    transient_backoff_max_s: float = 60.0
    connection_hold_s: float = 30.0  # a tenant whose connection failed waits this long before a probe
    drain_timeout_s: float = 30.0  # on revoke and shutdown: how long in-flight work may finish
    breaker_window: int = 50
    breaker_min_outcomes: int = 20
    breaker_failure_ratio: float = 0.8
    breaker_cooldown_s: float = 15.0
    schema_registry_url: str | None = None
    session_timeout_ms: int = 10000  # how long a killed worker keeps its partitions before the group moves them
    instance_id: str | None = None  # static membership (group.instance.id): a restarted worker gets its partitions back
    kafka_debug: str | None = None  # librdkafka "debug" contexts for the consumer (e.g. "cgrp,consumer"), diagnostics
    procountor_timeout_s: float = 30.0  # per request; a POST without an answer by then has an unknown outcome
    # How long a POST whose answer was lost may still be saved by Procountor: until then a look-up that finds nothing
    # does not lead to a second POST (application/transfer_invoice.py). Longer than any server-side processing.
    outcome_settle_s: float = 120.0
    # Attempt-journal records kept in full in memory (~180 B each); older ones are kept as keys in Bloom filters
    # (~2 B each) and cost one Procountor look-up if their invoice comes again (adapters/kafka/attempt_memory.py).
    journal_remembered: int = 50_000

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WorkerConfig:
        env = os.environ if env is None else env
        p = "PROCOUNTOR_CONNECTOR_"
        return cls(
            bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            group_id=env.get(p + "GROUP_ID", cls.group_id),
            topics=Topics.from_env(env),
            max_in_flight=int(env.get(p + "MAX_IN_FLIGHT", cls.max_in_flight)),
            max_in_flight_bytes=int(env.get(p + "MAX_IN_FLIGHT_BYTES", cls.max_in_flight_bytes)),
            worker_threads=int(env.get(p + "WORKER_THREADS", cls.worker_threads)),
            transient_max_attempts=int(env.get(p + "TRANSIENT_MAX_ATTEMPTS", cls.transient_max_attempts)),
            transient_backoff_s=float(env.get(p + "TRANSIENT_BACKOFF_S", cls.transient_backoff_s)),
            connection_hold_s=float(env.get(p + "CONNECTION_HOLD_S", cls.connection_hold_s)),
            drain_timeout_s=float(env.get(p + "DRAIN_TIMEOUT_S", cls.drain_timeout_s)),
            breaker_cooldown_s=float(env.get(p + "BREAKER_COOLDOWN_S", cls.breaker_cooldown_s)),
            schema_registry_url=env.get("SCHEMA_REGISTRY_URL") or None,
            session_timeout_ms=int(env.get(p + "SESSION_TIMEOUT_MS", cls.session_timeout_ms)),
            instance_id=env.get(p + "INSTANCE_ID") or None,
            kafka_debug=env.get(p + "KAFKA_DEBUG") or None,
            procountor_timeout_s=float(env.get(p + "PROCOUNTOR_TIMEOUT_S", cls.procountor_timeout_s)),
            outcome_settle_s=float(env.get(p + "OUTCOME_SETTLE_S", cls.outcome_settle_s)),
            journal_remembered=int(env.get(p + "JOURNAL_REMEMBERED", cls.journal_remembered)),
        )
