"""The consume loop: InvoiceIssued events in, one outcome per event out, at least once and never blocking the poll.

One thread polls, schedules and produces; a pool of threads runs transfers. The guarantees, and where they come from:
- at-least-once: an offset is stored only after every earlier event of its partition has an outcome the broker has
  acknowledged (``PartitionOffsets``), and auto-commit only commits stored offsets;
- order per key, concurrency across keys: ``KeyedScheduler``;
- no max.poll.interval evictions: the loop never waits on work; when too much is buffered it pauses partitions and
  keeps polling;
- rebalances: revoked partitions are drained (bounded), their offsets committed, the rest of their queued work
  dropped for the new owner; lost partitions are dropped without commit;
- never posted twice: the application's attempt journal and look-up, not this loop.
"""

from __future__ import annotations

import datetime as dt
import gc
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import structlog
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from adapters.crash_points import maybe_crash
from adapters.kafka.avro_codec import AvroCodec, AvroDecodeError
from adapters.kafka.circuit_breaker import CircuitBreaker
from adapters.kafka.client_logging import RDKAFKA_LOGGER
from adapters.kafka.config import WorkerConfig
from adapters.kafka.events import to_command
from adapters.kafka.memory import tune_allocator
from adapters.kafka.messages import ConsumedMessage
from adapters.kafka.offsets import PartitionOffsets
from adapters.kafka.outcome_publisher import OutcomePublisher
from adapters.kafka.scheduler import KeyedScheduler, WorkItem
from adapters.kafka.worker_metrics import WorkerMetrics
from application.messages import InvoiceTransferred, TransferFailed, TransferInvoice, TransferOutcome
from domain.errors import DocumentError, FailureClass, TransferError

log = structlog.get_logger(__name__)

Handler = Callable[[TransferInvoice], TransferOutcome]
TopicPartitionKey = tuple[str, int]
# An event at least this big gets a full garbage collection once its outcome is acknowledged: a failed transfer's
# error keeps its traceback, whose frames hold the document, in a reference cycle that only a full collection frees
# (generation 2 runs rarely), and two copies of a 20 MB event (value and document) stayed alive for minutes.
LARGE_EVENT_BYTES = 4 * 1024 * 1024


def consumer_config(config: WorkerConfig) -> dict:
    """The consumer's settings.

    Static membership (``instance_id``) uses an eager assignor. With cooperative-sticky, a partition taken from a member
    is withheld in the first rebalance and handed out only when that member rejoins after revoking it; a static member
    killed in between and restarted within the session timeout gets the broker's stored first-round assignment back
    *without* a rebalance, so the withheld partition stayed unowned: nobody consumed it (a third of the stream in
    scenario 1 of tests/faults, reproduced by tests/faults/test_static_membership.py). An eager rebalance assigns
    every partition in one round, and with static membership rebalances are rare (real membership changes only).
    """
    static = {"group.instance.id": config.instance_id} if config.instance_id else {}
    return {
        **static,
        **({"debug": config.kafka_debug} if config.kafka_debug else {}),
        "bootstrap.servers": config.bootstrap_servers,
        "group.id": config.group_id,
        "enable.auto.commit": True,
        "enable.auto.offset.store": False,
        "auto.commit.interval.ms": 1000,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range" if config.instance_id else "cooperative-sticky",
        "max.poll.interval.ms": 300000,
        "session.timeout.ms": config.session_timeout_ms,
        "heartbeat.interval.ms": 1000,
        "isolation.level": "read_committed",
        "client.id": "procountor-connector",
        "logger": RDKAFKA_LOGGER,
        "statistics.interval.ms": 5000,  # keeps the cached watermarks used for the lag metric fresh
    }


def run_with_log_context(handler: Callable[[TransferInvoice], TransferOutcome],
                         command: TransferInvoice) -> TransferOutcome:
    """Run one transfer with its tenant, invoice and event bound to every log event the transfer's thread writes
    (the gateway's, the Procountor client's), so an operator can follow one invoice through the logs."""
    with structlog.contextvars.bound_contextvars(tenant=command.tenant, invoice_id=command.invoice_id,
                                                 event_id=command.event_id):
        return handler(command)


class InvoiceWorker:
    def __init__(self, config: WorkerConfig, handler: Handler, *, codec: AvroCodec | None = None,
                 before_assign: Callable[[], None] | None = None, metrics: WorkerMetrics | None = None) -> None:
        self.config = config
        self._handler = handler
        self._codec = codec or AvroCodec()
        self._before_assign = before_assign  # e.g. the attempt journal catching up
        self.metrics = metrics or WorkerMetrics()
        self._offsets: dict[TopicPartitionKey, PartitionOffsets] = {}
        self._scheduler = KeyedScheduler(capacity=config.worker_threads)
        self._breaker = CircuitBreaker(config.breaker_window, config.breaker_min_outcomes,
                                       config.breaker_failure_ratio, config.breaker_cooldown_s)
        self._completions: queue.SimpleQueue[tuple[WorkItem, TransferOutcome | BaseException, float]] = \
            queue.SimpleQueue()
        self._pool = ThreadPoolExecutor(max_workers=config.worker_threads, thread_name_prefix="transfer")
        self._stop = threading.Event()
        self._fatal: str | None = None
        self._paused = False
        self._buffered = 0  # events taken from Kafka whose outcome is not yet acknowledged
        self._buffered_bytes = 0  # and their size: a few huge documents must pause consumption like many small ones
        self._next_lag_report = 0.0
        self._collect_garbage = False  # a large event finished: free its reference cycles (LARGE_EVENT_BYTES)
        tune_allocator()  # memory of a huge event goes back to the OS (adapters/kafka/memory.py)
        if config.kafka_debug:
            RDKAFKA_LOGGER.setLevel("DEBUG")
        self._consumer = Consumer(consumer_config(config))
        producer = Producer({
            "bootstrap.servers": config.bootstrap_servers,
            "enable.idempotence": True,
            "linger.ms": 5,
            "compression.type": "zstd",
            "message.max.bytes": 33554432,
            "client.id": "procountor-connector",
            "logger": RDKAFKA_LOGGER,
        })
        self._publisher = OutcomePublisher(producer, self._codec, config.topics, config.group_id, self._fail)

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def request_stop(self, *_args) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def run(self) -> None:
        self._consumer.subscribe([self.config.topics.invoices], on_assign=self._on_assign,
                                 on_revoke=self._on_revoke, on_lost=self._on_lost)
        log.info("worker_started", topic=self.config.topics.invoices, group=self.config.group_id)
        try:
            while not self._stop.is_set() and self._fatal is None:
                self._step()
        finally:
            self._shutdown()
        if self._fatal:
            raise RuntimeError(self._fatal)

    def _step(self) -> None:
        # Wait briefly (completions and acks are handled only here), then take everything already fetched that fits
        # the window: one event per 50 ms wait left the transfer threads idle between refills (benchmarks/).
        message = self._consumer.poll(0.005 if self._scheduler.running or self._paused else 0.2)
        if message is not None:
            self._take(message)
            room = self.config.max_in_flight - self._buffered
            if room > 0:
                for message in self._consumer.consume(min(room, 500), 0):
                    self._take(message)
        self._start_ready()
        self._collect_completions()
        self._publisher.poll(0)
        if self._collect_garbage:  # after the delivery callbacks, which held the event, have returned
            self._collect_garbage = False
            gc.collect()
        self._apply_backpressure()
        self.metrics.in_flight.set(self._buffered)
        if time.monotonic() >= self._next_lag_report:
            self._report_lag()

    def _report_lag(self) -> None:
        """Consumer lag from the client's cached watermarks: no broker round trip on the poll thread."""
        self._next_lag_report = time.monotonic() + 5.0
        try:
            for tp in self._consumer.position(self._consumer.assignment()):
                _low, high = self._consumer.get_watermark_offsets(tp, cached=True)
                if tp.offset >= 0 and high >= 0:
                    self.metrics.consumer_lag.labels(partition=str(tp.partition)).set(max(high - tp.offset, 0))
        except Exception as exc:  # noqa: BLE001 - lag is informative only; never let it stop the loop
            log.debug("lag_report_failed", error=str(exc))

    def _shutdown(self) -> None:
        log.info("worker_stopping", in_flight=self._buffered)
        self._drain(set(self._offsets), self.config.drain_timeout_s)
        self._store_offsets()
        self._publisher.flush(30)
        self._pool.shutdown(wait=False, cancel_futures=True)
        try:
            self._consumer.commit(asynchronous=False)
        except Exception as exc:  # noqa: BLE001 - nothing stored since the last commit is the usual reason
            log.debug("final_commit_skipped", reason=str(exc))
        self._consumer.close()
        log.info("worker_stopped")

    def _fail(self, reason: str) -> None:
        log.error("worker_fatal", reason=reason)
        self._fatal = reason

    # -- taking events -------------------------------------------------------------------------------------------
    def _take(self, raw) -> None:
        if raw.error() is not None:
            if raw.error().code() != KafkaError._PARTITION_EOF:
                log.warning("consumer_error", error=str(raw.error()))
            return
        message = ConsumedMessage.from_kafka(raw)
        location = message.location
        offsets = self._offsets.setdefault((location.topic, location.partition), PartitionOffsets())
        offsets.take(location.offset, len(message.value or b""))
        self._buffered += 1
        self._buffered_bytes += len(message.value or b"")
        self.metrics.consumed.inc()
        try:
            _name, record = self._codec.decode(message.value, expected="InvoiceIssued")
        except AvroDecodeError as exc:
            self._undecodable(message, exc)
            return
        self._scheduler.submit(WorkItem(message=message, command=to_command(record, message)))

    def _undecodable(self, message: ConsumedMessage, exc: AvroDecodeError) -> None:
        key = (message.key or b"").decode("utf-8", "replace")
        tenant, _, invoice_id = key.partition("/")
        location = message.location
        fallback_id = f"{location.topic}-{location.partition}-{location.offset}"
        error = DocumentError(exc.code, exc.message)
        log.warning("event_undecodable", code=exc.code, topic=location.topic, partition=location.partition,
                    offset=location.offset)
        self.metrics.failed.labels(failure_class="permanent", code=exc.code).inc()
        self._publisher.failed(message, event_id=fallback_id, tenant=tenant or "unknown",
                               invoice_id=invoice_id or fallback_id, error=error, summary=None, attempts=1,
                               first_failure_at=dt.datetime.now(dt.UTC),
                               on_acked=lambda: self._finish_offset(message))

    # -- running work --------------------------------------------------------------------------------------------
    def _start_ready(self) -> None:
        for item in self._scheduler.ready():
            item.attempts += 1
            started = time.monotonic()
            future = self._pool.submit(run_with_log_context, self._handler, item.command)
            future.add_done_callback(
                lambda f, item=item, started=started: self._completions.put(
                    (item, f.exception() or f.result(), started)))

    def _collect_completions(self) -> None:
        while True:
            try:
                item, outcome, started = self._completions.get_nowait()
            except queue.Empty:
                return
            self._complete(item, outcome, started)

    def _complete(self, item: WorkItem, outcome, started: float) -> None:
        duration_ms = int((time.monotonic() - started) * 1000)
        bound = log.bind(tenant=item.tenant, invoice_id=item.command.invoice_id, event_id=item.command.event_id,
                         attempt=item.attempts)
        self.metrics.latency.observe(duration_ms / 1000)
        if isinstance(outcome, BaseException):  # a bug, not a classified failure: keep the event, retry later
            bound.error("transfer_crashed", error=repr(outcome))
            outcome = TransferFailed(command=item.command, error=_crash_error(outcome))
        if isinstance(outcome, InvoiceTransferred):
            self._scheduler.release_tenant(item.tenant)
            self._breaker.record(False)
            bound.info("invoice_transferred", procountor_id=outcome.procountor_id,
                       already_existed=outcome.already_existed, duration_ms=duration_ms)
            self.metrics.transferred.inc()
            self._publisher.transferred(item.message, outcome, item.attempts, duration_ms,
                                        on_acked=lambda: self._finish_offset(item.message))
            self._scheduler.finished(item)
            return
        error = outcome.error
        item.first_failure_at = item.first_failure_at or dt.datetime.now(dt.UTC)
        if error.failure_class is FailureClass.CONNECTION:
            bound.warning("tenant_connection_failed", code=error.code, hold_s=self.config.connection_hold_s)
            self.metrics.failed.labels(failure_class="connection", code=error.code).inc()
            self._scheduler.hold_tenant(item.tenant, self.config.connection_hold_s)
            item.attempts -= 1  # waiting for a connection is not a failed attempt at the invoice
            self._scheduler.retry_later(item, self.config.connection_hold_s)
            return
        self._scheduler.release_tenant(item.tenant)
        transient = error.failure_class is FailureClass.TRANSIENT
        if self._breaker.record(transient):
            bound.warning("circuit_breaker_opened", cooldown_s=self.config.breaker_cooldown_s)
            self._scheduler.pause_all(self.config.breaker_cooldown_s)
        if transient and item.attempts < self.config.transient_max_attempts:
            delay = min(self.config.transient_backoff_s * 2 ** (item.attempts - 1), self.config.transient_backoff_max_s)
            delay = max(delay, error.retry_after_s or 0.0)  # e.g. an unknown POST outcome's settle window
            bound.warning("transfer_retry_scheduled", code=error.code, delay_s=delay)
            if self._breaker.is_open:
                item.attempts -= 1  # the breaker, not the invoice, is why it waits
            self._scheduler.retry_later(item, delay)
            return
        bound.warning("invoice_dead_lettered", code=error.code, failure_class=error.failure_class.value)
        self.metrics.failed.labels(failure_class=error.failure_class.value, code=error.code).inc()
        command = item.command
        self._publisher.failed(item.message, event_id=command.event_id, tenant=command.tenant,
                               invoice_id=command.invoice_id, error=error, summary=outcome.summary,
                               attempts=item.attempts, first_failure_at=item.first_failure_at,
                               on_acked=lambda: self._finish_offset(item.message))
        self._scheduler.finished(item)

    def _finish_offset(self, message: ConsumedMessage) -> None:
        location = message.location
        offsets = self._offsets.get((location.topic, location.partition))
        if offsets is None:  # the partition was revoked or lost meanwhile; its new owner redoes the event
            return
        size = offsets.finish(location.offset)
        self._buffered_bytes -= size
        self._buffered -= 1
        self._collect_garbage |= size >= LARGE_EVENT_BYTES
        committable = offsets.committable()
        maybe_crash("after_outcome")  # test-only, off unless PROCOUNTOR_CONNECTOR_CRASH_AT asks (tests/faults)
        if committable is not None:
            self._consumer.store_offsets(offsets=[TopicPartition(location.topic, location.partition, committable)])

    def _store_offsets(self) -> None:
        for (topic, partition), offsets in self._offsets.items():
            committable = offsets.committable()
            if committable is not None:
                self._consumer.store_offsets(offsets=[TopicPartition(topic, partition, committable)])

    # -- backpressure and rebalancing ----------------------------------------------------------------------------
    def _apply_backpressure(self) -> None:
        if not self._paused and (self._buffered >= self.config.max_in_flight
                                 or self._buffered_bytes >= self.config.max_in_flight_bytes):
            assigned = self._consumer.assignment()
            self._consumer.pause(assigned)
            self._paused = True
            log.debug("partitions_paused", partitions=sorted(tp.partition for tp in assigned), in_flight=self._buffered,
                     in_flight_bytes=self._buffered_bytes)
        elif self._paused and self._buffered <= self.config.max_in_flight // 2 \
                and self._buffered_bytes <= self.config.max_in_flight_bytes // 2:
            assigned = self._consumer.assignment()
            self._consumer.resume(assigned)
            self._paused = False
            log.debug("partitions_resumed", partitions=sorted(tp.partition for tp in assigned),
                      in_flight=self._buffered)

    def _drain(self, partitions: set[TopicPartitionKey], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            busy = self._scheduler.running_in(partitions)
            unacked = sum(self._offsets[p].in_flight for p in partitions if p in self._offsets)
            if busy == 0 and unacked <= self._queued_in(partitions):
                return
            self._collect_completions()
            self._publisher.poll(0.05)

    def _queued_in(self, partitions: set[TopicPartitionKey]) -> int:
        return sum(1 for item in self._scheduler_items() if
                   (item.message.location.topic, item.message.location.partition) in partitions)

    def _scheduler_items(self):
        for q in self._scheduler._queues.values():
            yield from q

    def _on_assign(self, consumer, partitions) -> None:
        if self._before_assign is not None:
            self._before_assign()
        for tp in partitions:
            self._offsets[(tp.topic, tp.partition)] = PartitionOffsets()
        # librdkafka keeps a partition's application pause across revoke and re-assignment: a partition paused for
        # backpressure, revoked before the resume (which covers only the assignment of that moment) and assigned
        # back later would never be fetched again. Every assigned partition gets the loop's current state.
        if self._paused:
            consumer.pause(partitions)
        elif partitions:
            consumer.resume(partitions)
        log.info("partitions_assigned", partitions=[tp.partition for tp in partitions])

    def _on_revoke(self, consumer, partitions) -> None:
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        self._drain(revoked, self.config.drain_timeout_s)
        self._forget(revoked, commit=True)
        log.info("partitions_revoked", partitions=sorted(p for _t, p in revoked))

    def _on_lost(self, consumer, partitions) -> None:
        lost = {(tp.topic, tp.partition) for tp in partitions}
        self._forget(lost, commit=False)
        log.warning("partitions_lost", partitions=sorted(p for _t, p in lost))

    def _forget(self, partitions: set[TopicPartitionKey], commit: bool) -> None:
        dropped = self._scheduler.drop_partitions(partitions)
        if commit:
            to_commit = []
            for key in partitions:
                offsets = self._offsets.get(key)
                committable = offsets.committable() if offsets else None
                if committable is not None:
                    to_commit.append(TopicPartition(key[0], key[1], committable))
            if to_commit:
                try:
                    self._consumer.commit(offsets=to_commit, asynchronous=False)
                except Exception as exc:  # noqa: BLE001 - logged; the partition's new owner redoes those events
                    log.warning("revoke_commit_failed", error=str(exc))
        for key in partitions:
            offsets = self._offsets.pop(key, None)
            if offsets is not None:
                self._buffered -= offsets.in_flight
                self._buffered_bytes -= offsets.in_flight_bytes
        log.debug("partition_work_dropped", events=len(dropped))


def _crash_error(exc: BaseException) -> TransferError:
    return TransferError("WORKER_CRASH", f"{type(exc).__name__} while transferring (see the worker log)",
                         FailureClass.TRANSIENT)
