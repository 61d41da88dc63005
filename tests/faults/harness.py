"""The fault-injection harness: the real worker process(es), a real broker and the Procountor emulator, one fresh set
of topics, consumer group and emulated companies per scenario.

A scenario publishes a stream of InvoiceIssued events (``Planned``), injects its faults while they flow, waits until
every invoice has an outcome (bounded), then ``invariant.check`` reads the emulator's state and the topics.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from adapters.demo.runner import demo_company
from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.config import Topics
from adapters.kafka.events import event_key, invoice_issued_record
from adapters.kafka.topics import ensure_topics
from adapters.procountor.emulator.config import EmulatorConfig
from adapters.procountor.emulator.server import EmulatorServer
from adapters.procountor.invoice_mapping import original_invoice_number
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.posting import BookedTotals, expected_booked_totals

ROOT = Path(__file__).resolve().parents[2]
BIG_MESSAGE_BYTES = 33554432  # what the worker's producer allows; the suite's 20 MB document needs it on the topic
MUTANT_ENV = "PROCOUNTOR_FAULTS_MUTANT"  # tests/faults/mutant_worker.py: a deliberately broken worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- what is published -------------------------------------------------------------------------------------------
@dataclass
class Planned:
    """One invoice (key) of the stream and what the invariant expects of it."""
    tenant: str
    invoice_id: str
    document: bytes | None = None
    number: str | None = None  # originalInvoiceNumber in Procountor
    totals: BookedTotals | None = None
    attachments: int = 0
    raw_value: bytes | None = None  # poison: written as-is instead of an Avro InvoiceIssued
    raw: bool = False
    expect: str = "transferred"  # "transferred", "error" (a classified failure), or "either"
    expect_code: str | None = None  # prefix of the error code when expect == "error"
    events: int = 0  # how many events were published for it

    @property
    def key(self) -> str:
        return f"{self.tenant}/{self.invoice_id}"


def plan_invoice(tenant: str, invoice_id: str, number: str, seed: int, lines: int = 2,
                 attachment: bool = False) -> Planned:
    invoice = sample_invoice(number, lines=lines, seed=seed, with_attachment=attachment)
    return Planned(tenant, invoice_id, render_ubl(invoice), original_invoice_number(invoice),
                   expected_booked_totals(invoice), attachments=sum(1 for a in invoice.attachments if a.content))


def plan_stream(tenant: str, prefix: str, count: int, start: int = 0) -> list[Planned]:
    return [plan_invoice(tenant, f"{prefix.lower()}-{i:04d}", f"{prefix}-{i:04d}", seed=i, lines=1 + i % 4,
                         attachment=(i % 7 == 3)) for i in range(start, start + count)]


class Publisher:
    """Produces events; counts them per key. Tolerates a broker that is away (the producer buffers and retries)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.codec = AvroCodec()
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
                                  "compression.type": "zstd", "message.max.bytes": BIG_MESSAGE_BYTES,
                                  "message.timeout.ms": 300000})
        self.published = 0
        self._lock = threading.Lock()

    def publish(self, planned: Planned, headers: list[tuple[str, bytes]] | None = None) -> None:
        if planned.raw:
            value = planned.raw_value
        else:
            record = invoice_issued_record(str(uuid.uuid4()), planned.tenant, planned.invoice_id, planned.document)
            value = self.codec.encode("InvoiceIssued", record)
        while True:
            try:
                self.producer.produce(self.topic, key=event_key(planned.tenant, planned.invoice_id), value=value,
                                      headers=headers)
                break
            except BufferError:
                self.producer.poll(0.1)
        self.producer.poll(0)
        with self._lock:
            planned.events += 1
            self.published += 1

    def stream(self, plan: list[Planned], per_second: float) -> threading.Thread:
        """Publish in a background thread at about ``per_second`` events per second."""
        def run() -> None:
            started = time.monotonic()
            for i, planned in enumerate(plan):
                wait = started + i / per_second - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.publish(planned)
            self.flush()

        thread = threading.Thread(target=run, name="publisher", daemon=True)
        thread.start()
        return thread

    def flush(self, timeout: float = 120) -> None:
        if self.producer.flush(timeout):
            raise RuntimeError("published events were not all acknowledged by the broker")


# -- the emulator ----------------------------------------------------------------------------------------------
class Emulator:
    """The Procountor emulator in this process (its state is read directly), one company per tenant."""

    def __init__(self, tenants: list[str]) -> None:
        companies = []
        for tenant in tenants:
            company = demo_company()  # the seller of the sample invoices
            company.key, company.client_id = tenant, f"{tenant}-client"
            company.client_secret, company.api_key = f"{tenant}-secret", f"{tenant}-api-key"
            companies.append(company)
        self.server = EmulatorServer(EmulatorConfig(companies=companies, include_demo_company=False,
                                                    rate_limit_per_second=None)).start()
        self.tenants = tenants
        self.faults_added = 0

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def add_fault(self, **rule) -> int:
        self.faults_added += 1
        return self.server.app.faults.add(rule).id

    def remove_fault(self, rule_id: int) -> None:
        self.server.app.faults.remove(rule_id)

    def clear_faults(self) -> None:
        self.server.app.faults.clear()

    def fired(self) -> int:
        return sum(r["fired"] for r in self.server.app.faults.describe())

    def revoke(self, tenant: str) -> None:
        self.server.state.revoke(self.server.state.find_company(tenant))

    def restore(self, tenant: str) -> None:
        self.server.state.restore(self.server.state.find_company(tenant))

    def invoices(self, tenant: str) -> list[dict]:
        state = self.server.state
        with state.lock:
            return [dict(i) for i in state.find_company(tenant).invoices.values()]

    def connections_json(self) -> dict:
        return {"connections": [{
            "tenant": t, "base_url": self.base_url, "client_id": f"{t}-client", "client_secret": f"{t}-secret",
            "api_key": f"{t}-api-key", "settings": {"default_sales_account": "3000", "payment_reference_scheme": "fi"}}
            for t in self.tenants]}

    def stop(self) -> None:
        self.server.stop()


# -- worker processes --------------------------------------------------------------------------------------------
class WorkerProcess:
    """``procountor-connector run`` as a child process (or the deliberately broken mutant worker)."""

    def __init__(self, name: str, env: dict[str, str], connections: Path, log_dir: Path) -> None:
        self.name, self.env, self.connections, self.log_dir = name, env, connections, log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, extra_env: dict[str, str] | None = None) -> WorkerProcess:
        self.starts += 1
        module = "tests.faults.mutant_worker" if self.env.get(MUTANT_ENV) else "adapters.cli.main"
        log = (self.log_dir / f"{self.name}.{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "run", "--connections", str(self.connections),
             "--ops-port", str(free_port()), "--log-level", "INFO"],
            env={**self.env, **(extra_env or {})}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 45) -> None:
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def rss_kb(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    def posted_since_start(self) -> int:
        """Invoices this process (its current run) has posted: a kill now lands mid-processing, not at start-up."""
        try:
            return (self.log_dir / f"{self.name}.{self.starts}.log").read_text(errors="replace").count(
                "procountor_invoice_posted")
        except OSError:
            return 0

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob(f"{self.name}.*.log")))


# -- watching outcomes ---------------------------------------------------------------------------------------------
class OutcomeWatcher:
    """Reads the results, dead-letter and error-log topics as they are written (read_committed), in the background."""

    def __init__(self, bootstrap: str, topics: Topics) -> None:
        self.topics = topics
        self.codec = AvroCodec()
        self.results: dict[str, list[dict]] = {}
        self.dead_letters: dict[str, list[dict]] = {}
        self.error_log: dict[str, dict | None] = {}  # latest value per key; None = tombstone
        self.arrivals: list[float] = []  # monotonic times at which outcome records were seen
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"faults-watch-{uuid.uuid4().hex}",
                                   "enable.auto.commit": False, "isolation.level": "read_committed",
                                   "fetch.max.bytes": BIG_MESSAGE_BYTES * 2})
        names = [topics.results, topics.dead_letters, topics.error_log]
        metadata = self._consumer.list_topics(timeout=30).topics
        self._consumer.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t in names for p in metadata[t].partitions])
        self._thread = threading.Thread(target=self._run, name="outcome-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._consumer.poll(0.2)
            except Exception:  # noqa: BLE001 - the broker may be away in the broker scenario
                time.sleep(0.2)
                continue
            if message is None or message.error() is not None:
                continue
            key = (message.key() or b"").decode("utf-8", "replace")
            now = time.monotonic()
            with self._lock:
                if message.topic() == self.topics.results:
                    self.results.setdefault(key, []).append(self.codec.decode(message.value())[1])
                    self.arrivals.append(now)
                elif message.topic() == self.topics.dead_letters:
                    headers = {k: (v or b"").decode("utf-8", "replace") for k, v in message.headers() or []
                               if k.startswith("dlt.") and k != "dlt.failure"}
                    self.dead_letters.setdefault(key, []).append(headers)
                    self.arrivals.append(now)
                else:
                    self.error_log[key] = None if message.value() is None else self.codec.decode(message.value())[1]

    def settled(self, plan: list[Planned]) -> bool:
        """Every planned key has a final-looking outcome: a result, or a live error-log record."""
        with self._lock:
            return all(p.key in self.results and self.error_log.get(p.key) is None
                       or self.error_log.get(p.key) is not None for p in plan)

    def outcome_count(self) -> int:
        with self._lock:
            return len(self.arrivals)

    def first_arrival_after(self, moment: float) -> float | None:
        with self._lock:
            later = [t for t in self.arrivals if t > moment]
        return min(later) if later else None

    def snapshot(self) -> tuple[dict, dict, dict]:
        with self._lock:
            return ({k: list(v) for k, v in self.results.items()}, {k: list(v) for k, v in self.dead_letters.items()},
                    dict(self.error_log))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._consumer.close()


# -- one scenario's world ----------------------------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    bootstrap: str
    workdir: Path
    tenants: list[str] = field(default_factory=lambda: ["acme"])
    worker_env: dict[str, str] = field(default_factory=dict)
    big_messages: bool = False

    def __post_init__(self) -> None:
        suffix = f"{self.name}-{uuid.uuid4().hex[:6]}"
        self.topics = Topics(**{n: f"{v}.faults-{suffix}" for n, v in Topics().__dict__.items()})
        self.group = f"procountor-connector-faults-{suffix}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.emulator = Emulator(self.tenants)
        self.connections = self.workdir / "connections.json"
        self.connections.write_text(json.dumps(self.emulator.connections_json()))
        self._create_topics()
        self.publisher = Publisher(self.bootstrap, self.topics.invoices)
        self.watcher = OutcomeWatcher(self.bootstrap, self.topics)
        self.workers: list[WorkerProcess] = []
        self.fault_ends: list[float] = []
        self.notes: list[str] = []
        self.kills = 0
        self.started = time.monotonic()

    def _create_topics(self) -> None:
        if self.big_messages:  # created first so that ensure_topics leaves their settings alone
            admin = AdminClient({"bootstrap.servers": self.bootstrap})
            big = {"max.message.bytes": str(BIG_MESSAGE_BYTES)}
            wanted = [NewTopic(self.topics.invoices, 3, 1, config=big),
                      NewTopic(self.topics.dead_letters, 3, 1, config=big)]
            for future in admin.create_topics(wanted, operation_timeout=30).values():
                future.result(60)
        ensure_topics(self.bootstrap, self.topics)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROCOUNTOR_CONNECTOR_")}
        env.update({
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "PROCOUNTOR_CONNECTOR_GROUP_ID": self.group,
            "PROCOUNTOR_CONNECTOR_WORKER_THREADS": "8", "PROCOUNTOR_CONNECTOR_MAX_IN_FLIGHT": "32",
            "PROCOUNTOR_CONNECTOR_TRANSIENT_BACKOFF_S": "0.3", "PROCOUNTOR_CONNECTOR_TRANSIENT_MAX_ATTEMPTS": "8",
            "PROCOUNTOR_CONNECTOR_CONNECTION_HOLD_S": "1.5", "PROCOUNTOR_CONNECTOR_BREAKER_COOLDOWN_S": "1.5",
            "PROCOUNTOR_CONNECTOR_DRAIN_TIMEOUT_S": "10", "PYTHONUNBUFFERED": "1",
            # A redelivered invoice whose earlier POST may still be saved waits this long before posting again; the
            # emulator's slowest save in these scenarios lands within 2.5 s (120 s in production).
            "PROCOUNTOR_CONNECTOR_OUTCOME_SETTLE_S": os.environ.get("PROCOUNTOR_FAULTS_OUTCOME_SETTLE_S", "5"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        })
        env.update({f"PROCOUNTOR_CONNECTOR_TOPIC_{n.upper()}": v for n, v in self.topics.__dict__.items()})
        if os.environ.get(MUTANT_ENV):
            env[MUTANT_ENV] = os.environ[MUTANT_ENV]
        env.update(self.worker_env)
        return env

    def worker(self, name: str = "w1") -> WorkerProcess:
        worker = WorkerProcess(name, self.env(), self.connections, self.workdir)
        self.workers.append(worker)
        return worker

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Another ``procountor-connector`` sub-command (errors, replay) against this scenario's topics."""
        env = {**self.env(), "PROCOUNTOR_CONNECTOR_ACTOR": "faults-suite"}
        return subprocess.run([sys.executable, "-m", "adapters.cli.main", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)

    def wait_until_started(self, worker: WorkerProcess, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "partitions_assigned" in worker.log_text():
                return
            if not worker.alive():
                raise AssertionError(f"worker {worker.name} exited:\n{worker.log_text()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"worker {worker.name} got no partitions in {timeout}s")

    def wait_settled(self, plan: list[Planned], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.watcher.settled(plan):
                return True
            time.sleep(0.25)
        return False

    def fault_ended(self) -> None:
        self.fault_ends.append(time.monotonic())

    def recovery_gaps(self) -> list[float]:
        """Per fault: seconds from its end (a restart, the broker back, a rule removed, credentials restored) to the
        next outcome on the topics."""
        gaps = []
        for end in self.fault_ends:
            first = self.watcher.first_arrival_after(end)
            if first is not None:
                gaps.append(round(first - end, 2))
        return gaps

    def recovery_s(self) -> float | None:
        """The worst recovery of the scenario."""
        gaps = self.recovery_gaps()
        return max(gaps) if gaps else None

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(timeout=20)
        self.watcher.close()
        self.emulator.stop()


def warm_up(scenario: Scenario, worker: WorkerProcess, plan: list[Planned], timeout: float = 60) -> int | None:
    """Publish ``plan`` and wait for its outcomes; the worker's RSS afterwards is the memory baseline (kB)."""
    for planned in plan:
        scenario.publisher.publish(planned)
    scenario.publisher.flush()
    if not scenario.wait_settled(plan, timeout):
        raise AssertionError("the warm-up invoices got no outcome")
    time.sleep(1.0)
    return worker.rss_kb()


def at(started: float, seconds: float) -> None:
    """Sleep until ``seconds`` after ``started``."""
    wait = started + seconds - time.monotonic()
    if wait > 0:
        time.sleep(wait)
