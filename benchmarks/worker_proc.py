"""The processes the benchmark measures, each in its own interpreter (own GIL, own RSS):

    worker       the real worker (``bootstrap.build_worker``: InvoiceWorker + handler + attempt journal)
    naive        the one-at-a-time loop: consume one event, run the same handler, produce its outcome, flush,
                 commit synchronously, next
    passthrough  the Kafka floor: consume + produce of the same events with the worker's client settings, no work

    python benchmarks/worker_proc.py MODE --bootstrap B --suffix S --connections FILE [--log FILE]

Each prints ``READY`` once its consumer has partitions, and runs until SIGTERM. ``passthrough`` prints one JSON line
with its own timing when ``--expect`` messages have been passed through.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition

from adapters.kafka.config import Topics, WorkerConfig


def topics_for(suffix: str) -> Topics:
    return Topics(**{name: f"{value}.{suffix}" for name, value in Topics().__dict__.items()})


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _config(args) -> WorkerConfig:
    return WorkerConfig(bootstrap_servers=args.bootstrap, group_id=f"bench-{args.mode}-{args.suffix}",
                        topics=topics_for(args.suffix), transient_backoff_s=0.5)


def _install_growth_report(frames: int) -> None:
    """tracemalloc in the worker; each SIGUSR1 prints (stderr) the allocation sites that grew most since the last."""
    import tracemalloc

    tracemalloc.start(frames)
    last = [tracemalloc.take_snapshot()]

    def report(*_):
        snapshot = tracemalloc.take_snapshot()
        diff = snapshot.compare_to(last[0], "traceback")
        last[0] = snapshot
        total = sum(d.size_diff for d in diff)
        print(f"GROWTH total {total / 1024:.0f} KiB", file=sys.stderr)
        for d in diff[:12]:
            print(f"GROWTH {d.size_diff / 1024:9.1f} KiB {d.count_diff:+8d} blocks", file=sys.stderr)
            for line in d.traceback.format()[-2 * frames:]:
                print(f"GROWTH     {line}", file=sys.stderr)
        sys.stderr.flush()

    signal.signal(signal.SIGUSR1, report)


def run_worker(args) -> None:
    import dataclasses

    import adapters.kafka.worker as worker_module
    from bootstrap import build_worker

    extra = json.loads(os.environ.get("BENCH_CONSUMER_EXTRA", "{}"))  # experiments only: extra consumer settings
    if extra:
        plain = worker_module.Consumer
        worker_module.Consumer = lambda conf: plain({**conf, **extra})
    config = _config(args)
    if os.environ.get("BENCH_MAX_IN_FLIGHT"):  # experiments only (the default is the product default)
        config = dataclasses.replace(config, max_in_flight=int(os.environ["BENCH_MAX_IN_FLIGHT"]))
    if os.environ.get("BENCH_WORKER_THREADS"):  # experiments only
        config = dataclasses.replace(config, worker_threads=int(os.environ["BENCH_WORKER_THREADS"]))
    app = build_worker(config, Path(args.connections))
    app.worker.install_signal_handlers()
    original = app.worker._on_assign

    def on_assign(consumer, partitions):
        original(consumer, partitions)
        print("READY", flush=True)

    app.worker._on_assign = on_assign
    if os.environ.get("BENCH_TRACEMALLOC"):  # diagnostics: on SIGUSR1, what grew since the previous SIGUSR1
        _install_growth_report(int(os.environ["BENCH_TRACEMALLOC"]))
    if os.environ.get("BENCH_WORKER_TRACE"):  # diagnostics: the loop's state once a second, on stderr
        def trace():
            w = app.worker
            while True:
                time.sleep(float(os.environ["BENCH_WORKER_TRACE"]))
                print(f"TRACE running={w._scheduler.running} queued={w._scheduler.buffered} "
                      f"buffered={w._buffered} paused={w._paused}", file=sys.stderr, flush=True)
        threading.Thread(target=trace, daemon=True).start()
    try:
        app.worker.run()
    finally:
        app.close()


def run_naive(args) -> None:
    import datetime as dt

    from adapters.kafka.avro_codec import AvroCodec
    from adapters.kafka.events import to_command
    from adapters.kafka.messages import ConsumedMessage
    from adapters.kafka.outcome_publisher import OutcomePublisher
    from application.messages import InvoiceTransferred
    from bootstrap import build_worker

    config = _config(args)
    app = build_worker(config, Path(args.connections))
    codec = AvroCodec()
    consumer = Consumer({"bootstrap.servers": config.bootstrap_servers, "group.id": config.group_id,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "isolation.level": "read_committed"})
    producer = Producer({"bootstrap.servers": config.bootstrap_servers, "enable.idempotence": True,
                         "linger.ms": 5, "compression.type": "zstd", "message.max.bytes": 33554432})
    publisher = OutcomePublisher(producer, codec, config.topics, config.group_id, lambda reason: None)
    stop = _stop_event()
    ready = False

    def on_assign(_consumer, _partitions):
        nonlocal ready
        if not ready:
            ready = True
            print("READY", flush=True)

    consumer.subscribe([config.topics.invoices], on_assign=on_assign)
    try:
        while not stop.is_set():
            raw = consumer.poll(0.2)
            if raw is None or raw.error() is not None:
                continue
            message = ConsumedMessage.from_kafka(raw)
            _name, record = codec.decode(message.value, expected="InvoiceIssued")
            started = time.monotonic()
            outcome = app.handler(to_command(record, message))
            duration_ms = int((time.monotonic() - started) * 1000)
            if isinstance(outcome, InvoiceTransferred):
                publisher.transferred(message, outcome, 1, duration_ms, on_acked=lambda: None)
            else:
                command = outcome.command
                publisher.failed(message, event_id=command.event_id, tenant=command.tenant,
                                 invoice_id=command.invoice_id, error=outcome.error, summary=outcome.summary,
                                 attempts=1, first_failure_at=dt.datetime.now(dt.UTC), on_acked=lambda: None)
            producer.flush(30)
            consumer.commit(message=raw, asynchronous=False)
    finally:
        consumer.close()
        app.close()


def run_passthrough(args) -> None:
    """Consume + produce with the worker's own client settings: what Kafka alone costs per event."""
    topics = topics_for(args.suffix)
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap, "group.id": f"bench-passthrough-{args.suffix}",
        "enable.auto.commit": True, "enable.auto.offset.store": False, "auto.commit.interval.ms": 1000,
        "auto.offset.reset": "earliest", "isolation.level": "read_committed",
        "partition.assignment.strategy": "cooperative-sticky"})
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "linger.ms": 5,
                         "compression.type": "zstd", "message.max.bytes": 33554432})
    stop = _stop_event()
    done = 0
    first = last = None

    def on_assign(_consumer, _partitions):
        print("READY", flush=True)

    def delivered(err, msg, raw_tp=None):
        nonlocal done, last
        if err is None:
            done += 1
            last = time.monotonic()
            consumer.store_offsets(offsets=[raw_tp])

    consumer.subscribe([topics.invoices], on_assign=on_assign)
    while not stop.is_set() and done < args.expect:
        raw = consumer.poll(0.05)
        producer.poll(0)
        if raw is None or raw.error() is not None:
            continue
        if first is None:
            first = time.monotonic()
        tp = TopicPartition(raw.topic(), raw.partition(), raw.offset() + 1)
        while True:
            try:
                producer.produce(topics.results, key=raw.key(), value=raw.value(),
                                 on_delivery=lambda err, msg, tp=tp: delivered(err, msg, tp))
                break
            except BufferError:
                producer.poll(0.05)
    producer.flush(30)
    if first is not None and last is not None:
        print(json.dumps({"messages": done, "seconds": last - first}), flush=True)
    consumer.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("worker", "naive", "passthrough"))
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--suffix", default=uuid.uuid4().hex[:8])
    parser.add_argument("--connections")
    parser.add_argument("--log")
    parser.add_argument("--expect", type=int, default=0)
    args = parser.parse_args(argv)
    from adapters.logging_setup import configure_logging

    configure_logging("INFO", stream=open(args.log, "w") if args.log else sys.stderr)  # noqa: SIM115
    {"worker": run_worker, "naive": run_naive, "passthrough": run_passthrough}[args.mode](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
