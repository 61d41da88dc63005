"""Two consumer-group holes behind the stall once seen with static membership (scenario 1: a third of the stream never
processed), each shown against the real broker with the worker's own consumer settings and assignment callback.

1. Cooperative-sticky + static membership: a partition taken from a member is withheld in the first rebalance and
   handed out only when that member rejoins after revoking it. A static member killed in between and restarted within
   the session timeout gets the broker's stored first-round assignment back without a rebalance: the withheld partition
   has no owner. The worker therefore uses an eager assignor with static membership (``consumer_config``).
2. librdkafka keeps a partition's application pause across revoke and re-assignment: a partition paused for
   backpressure, revoked, and assigned back after the worker resumed would never be fetched again. The worker's
   ``_on_assign`` resumes (or pauses) every partition it is given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from adapters.kafka.config import WorkerConfig
from adapters.kafka.worker import InvoiceWorker, consumer_config

PARTITIONS = 3


def _topic(bootstrap: str, prefix: str) -> str:
    topic = f"faults-{prefix}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(30)
    time.sleep(1.0)
    return topic


def _member(bootstrap: str, topic: str, group: str, instance: str, die_on_revoke: bool, seconds: float) -> None:
    """A group member with the worker's consumer settings (a child process); prints its final assignment."""
    config = WorkerConfig(bootstrap, group_id=group, instance_id=instance, session_timeout_ms=30000)
    settings = {k: v for k, v in consumer_config(config).items() if k not in ("logger", "statistics.interval.ms")}
    consumer = Consumer({**settings, "heartbeat.interval.ms": 500})

    def on_revoke(_consumer, partitions) -> None:
        if die_on_revoke and partitions:  # killed mid-rebalance: after the revoke, before rejoining
            os._exit(9)

    consumer.subscribe([topic], on_revoke=on_revoke)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumer.poll(0.1)
    print("FINAL", ",".join(str(tp.partition) for tp in consumer.assignment()), flush=True)
    os._exit(0)


def _spawn(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, __file__, *args], env=env, stdout=subprocess.PIPE, text=True)


def _final(proc: subprocess.Popen) -> set[int]:
    out, _ = proc.communicate(90)
    line = [ln for ln in out.splitlines() if ln.startswith("FINAL")][-1]
    return {int(p) for p in line.split()[1].split(",") if p} if len(line.split()) > 1 else set()


def test_static_member_killed_mid_rebalance_leaves_no_partition_unowned(kafka_bootstrap: str) -> None:
    topic = _topic(kafka_bootstrap, "static")
    group = f"{topic}-group"
    first = _spawn(kafka_bootstrap, topic, group, "a", "die", "60")
    time.sleep(6)  # a owns every partition
    second = _spawn(kafka_bootstrap, topic, group, "b", "live", "28")  # its join makes a revoke: a dies there
    assert first.wait(30) == 9, "the first member was not asked to give up a partition"
    restarted = _spawn(kafka_bootstrap, topic, group, "a", "live", "20")  # within the session timeout
    owned_a, owned_b = _final(restarted), _final(second)
    assert not owned_a & owned_b, (owned_a, owned_b)
    assert owned_a | owned_b == set(range(PARTITIONS)), f"unowned partitions: a {owned_a}, b {owned_b}"


def test_partition_paused_when_revoked_flows_again_when_assigned_back(kafka_bootstrap: str) -> None:
    topic = _topic(kafka_bootstrap, "pause")
    group = f"{topic}-group"
    config = WorkerConfig(kafka_bootstrap, group_id=group)
    worker = InvoiceWorker(config, handler=lambda command: None)  # its assignment callback, on a probe consumer
    settings = {k: v for k, v in consumer_config(config).items() if k not in ("logger", "statistics.interval.ms")}
    a = Consumer({**settings, "enable.auto.commit": False, "heartbeat.interval.ms": 500, "session.timeout.ms": 6000})
    a.subscribe([topic], on_assign=worker._on_assign)  # the callback under test

    def poll_until(condition, *consumers, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            for consumer in consumers:
                consumer.poll(0.1)

    poll_until(lambda: len(a.assignment()) == PARTITIONS, a)
    a.pause(a.assignment())  # backpressure, as _apply_backpressure does
    worker._paused = True
    b = Consumer({**settings, "heartbeat.interval.ms": 500, "session.timeout.ms": 6000})
    b.subscribe([topic])
    poll_until(lambda: b.assignment() and len(a.assignment()) < PARTITIONS, a, b)
    for _ in range(10):
        a.poll(0.1), b.poll(0.1)
    moved = {tp.partition for tp in b.assignment()}
    assert moved, "no partition moved to the second member"
    a.resume(a.assignment())  # backpressure over: resumes what a owns now, not what b took
    worker._paused = False
    b.close()  # the moved partitions come back to a
    poll_until(lambda: len(a.assignment()) == PARTITIONS, a)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    for partition in range(PARTITIONS):
        producer.produce(topic, value=b"x", partition=partition)
    producer.flush(30)
    seen: set[int] = set()
    deadline = time.monotonic() + 20
    while seen != set(range(PARTITIONS)) and time.monotonic() < deadline:
        message = a.poll(0.2)
        if message is not None and message.error() is None:
            seen.add(message.partition())
    a.close()
    assert seen == set(range(PARTITIONS)), f"partitions {moved} came back paused: only {seen} delivered"


if __name__ == "__main__":  # a group member for the first test
    bootstrap, topic, group, instance, mode, seconds = sys.argv[1:7]
    _member(bootstrap, topic, group, instance, mode == "die", float(seconds))
