"""End-to-end: the real broker, the Procountor emulator and the worker, each its own process, driven from here.

The emulator runs as ``procountor-connector emulator`` (own process, own GIL) with ``tenants`` companies, each
limited to ``rate_limit`` requests/s. The worker is ``benchmarks/worker_proc.py worker`` (``bootstrap.build_worker``,
the product defaults: 64 transfer threads, 512 events in flight). This process publishes InvoiceIssued events and reads
the outcomes back; a batch's throughput is (n - 1) / (time of the last outcome - time of the first), from the
outcome records' own timestamps (set by the worker's producer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from confluent_kafka import Consumer, Producer
from procfs import CpuSample, cpu, machine_busy_seconds, rss_bytes
from worker_proc import topics_for

from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.events import event_key, invoice_issued_record
from adapters.kafka.topics import ensure_topics
from adapters.procountor.emulator.config import CompanyConfig
from adapters.ubl.samples import DEFAULT_SUPPLIER, sample_invoice
from adapters.ubl.writer import render_ubl

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "BENCHNUMBERPLACEHOLDER"
E2E_LINES = 3  # three products (SKU-0001..0003), a delivery charge row, one VAT rate: a typical small invoice


def company(index: int) -> dict:
    c = CompanyConfig.generated(index)
    return {"key": c.key, "client_id": c.client_id, "client_secret": c.client_secret, "api_key": c.api_key,
            "name": DEFAULT_SUPPLIER.registration_name, "business_id": DEFAULT_SUPPLIER.company_id.value}


def tenant(index: int) -> str:
    return f"t{index:02d}"


class Template:
    """One rendered invoice; each event gets its own invoice number by substitution (rendering per event would
    cost this driver more CPU than the worker spends)."""

    def __init__(self, lines: int) -> None:
        self.xml = render_ubl(sample_invoice(PLACEHOLDER, lines))
        self.codec = AvroCodec()

    def event(self, tenant_name: str, number: str) -> tuple[bytes, bytes]:
        document = self.xml.replace(PLACEHOLDER.encode(), number.encode())
        record = invoice_issued_record(str(uuid.uuid4()), tenant_name, number, document)
        return event_key(tenant_name, number), self.codec.encode("InvoiceIssued", record)


class Outcomes:
    """Reads the results and dead-letter topics from their ends; remembers each outcome's key and timestamp."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self._consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-outcomes-{uuid.uuid4().hex}",
                                   "enable.auto.commit": False, "auto.offset.reset": "latest",
                                   # outcomes are timed by their own timestamps, so this reader may fetch lazily
                                   # and cost the broker (whose CPU is measured) as little as possible
                                   "fetch.min.bytes": 262144, "fetch.wait.max.ms": 250,
                                   "isolation.level": "read_uncommitted"})
        self.assigned = threading.Event()
        self._consumer.subscribe(topics, on_assign=lambda *_: self.assigned.set())
        self._lock = threading.Lock()
        self.seen: dict[bytes, tuple[str, int]] = {}  # key -> (topic, timestamp ms)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self.assigned.wait(60):
            raise RuntimeError("the outcome reader got no partitions")

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self._consumer.poll(0.05)
            if message is None or message.error() is not None:
                continue
            with self._lock:
                self.seen.setdefault(message.key(), (message.topic(), message.timestamp()[1]))

    def wait(self, keys: list[bytes], timeout_s: float) -> list[tuple[str, int]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if all(k in self.seen for k in keys):
                    return [self.seen[k] for k in keys]
            time.sleep(0.02)
        with self._lock:
            missing = sum(1 for k in keys if k not in self.seen)
        raise TimeoutError(f"{missing} of {len(keys)} outcomes missing after {timeout_s:.0f} s")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._consumer.close()


@dataclass
class Batch:
    label: str
    mode: str
    latency_ms: int
    tenants: int
    n: int
    seconds: float
    rate: float
    failed: int
    requests: int
    by_endpoint: dict
    cpu: dict = field(default_factory=dict)
    foreign_cores: float = 0.0

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


class Process:
    def __init__(self, args: list[str], log: Path, ready_prefix: str = "READY", timeout: float = 120) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        self.popen = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=log.open("w"),
                                      text=True, env=env)
        self.pid = self.popen.pid
        deadline = time.monotonic() + timeout
        self.first_line = ""
        while time.monotonic() < deadline:
            line = self.popen.stdout.readline()
            if not line:
                raise RuntimeError(f"{args[0]} ended before it was ready (see {log})")
            if line.startswith(ready_prefix):
                self.first_line = line.strip()
                return
        raise RuntimeError(f"{args[0]} not ready after {timeout} s")

    def readline(self) -> str:
        return self.popen.stdout.readline()

    def stop(self, grace_s: float = 5.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)


class Rig:
    def __init__(self, bootstrap: str, broker_pid: int | None, workdir: Path, tenants: int = 10,
                 rate_limit: float = 20, progress=print) -> None:
        self.bootstrap, self.broker_pid, self.workdir = bootstrap, broker_pid, workdir
        self.tenants, self.rate_limit, self.progress = tenants, rate_limit, progress
        self.run_id = uuid.uuid4().hex[:8]
        self.suffix = {mode: f"bench-{self.run_id}-{mode}" for mode in ("worker", "naive", "passthrough")}
        for suffix in self.suffix.values():
            ensure_topics(bootstrap, topics_for(suffix))
        config = {"include_demo_company": False, "rate_limit_per_second": rate_limit, "seed": 1,
                  "companies": [company(i) for i in range(1, tenants + 1)]}
        (workdir / "emulator.json").write_text(json.dumps(config))
        self.emulator = Process(["-m", "adapters.cli.main", "emulator", "--port", "0", "--config",
                                 str(workdir / "emulator.json")], workdir / "emulator.log",
                                ready_prefix="PROCOUNTOR_BASE_URL=")
        self.base_url = self.emulator.first_line.split("=", 1)[1]
        self.admin = httpx.Client(base_url=self.base_url.removesuffix("/api") + "/_emulator", timeout=30)
        connections = [{"tenant": tenant(i), "base_url": self.base_url, "client_id": c["client_id"],
                        "client_secret": c["client_secret"], "api_key": c["api_key"],
                        "settings": {"default_sales_account": "3000", "payment_reference_scheme": "fi"}}
                       for i, c in ((i, company(i)) for i in range(1, tenants + 1))]
        (workdir / "connections.json").write_text(json.dumps({"connections": connections}))
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "enable.idempotence": True,
                                  "queue.buffering.max.kbytes": 1048576})
        self.outcomes = {mode: Outcomes(bootstrap, [topics_for(s).results, topics_for(s).dead_letters])
                         for mode, s in self.suffix.items() if mode != "passthrough"}
        self.template = Template(E2E_LINES)
        self.big = None
        self.worker = self._start("worker")
        self.worker_rss_start = rss_bytes(self.worker.pid)
        self.naive = self._start("naive")
        self._serial = 0

    def _start(self, mode: str) -> Process:
        return Process([str(HERE / "worker_proc.py"), mode, "--bootstrap", self.bootstrap, "--suffix",
                        self.suffix[mode], "--connections", str(self.workdir / "connections.json"),
                        "--log", str(self.workdir / f"{mode}.log")], self.workdir / f"{mode}.stderr")

    # -- emulator control ------------------------------------------------------------------------------------
    def set_latency(self, ms: float) -> None:
        self.admin.delete("/faults").raise_for_status()
        if ms > 0:
            self.admin.post("/faults", json={"kind": "latency", "fixed_ms": ms}).raise_for_status()

    def requests(self) -> dict:
        return self.admin.get("/requests").json()

    # -- publishing and measuring ----------------------------------------------------------------------------
    def _events(self, n: int, tenants: int, template: Template | None = None) -> list[tuple[bytes, bytes]]:
        template = template or self.template
        events = []
        for _ in range(n):
            self._serial += 1
            events.append(template.event(tenant(self._serial % tenants + 1), f"B{self.run_id}-{self._serial:07d}"))
        return events

    def _publish(self, mode: str, events: list[tuple[bytes, bytes]]) -> None:
        topic = topics_for(self.suffix[mode]).invoices
        for key, value in events:
            while True:
                try:
                    self.producer.produce(topic, key=key, value=value)
                    break
                except BufferError:
                    self.producer.poll(0.05)
        if self.producer.flush(120):
            raise RuntimeError("events not delivered to the broker")

    def _cpu(self) -> dict[str, CpuSample]:
        return {"worker": cpu(self.worker.pid), "naive": cpu(self.naive.pid), "emulator": cpu(self.emulator.pid),
                "broker": cpu(self.broker_pid)}

    def batch(self, label: str, mode: str, latency_ms: int, tenants: int, n: int, *, paced: bool = False,
              timeout_s: float = 600) -> Batch:
        self.set_latency(latency_ms)
        events = self._events(n, tenants)
        keys = [k for k, _ in events]
        before_requests = self.requests()
        before_cpu, busy0, t0 = self._cpu(), machine_busy_seconds(), time.monotonic()
        if paced:  # a steady stream (at most ~2,000 events waiting), not a backlog the consumer prefetches
            outcomes = self.outcomes[mode]
            for start in range(0, n, 500):
                while start - sum(1 for k in keys[:start] if k in outcomes.seen) > 1500:
                    time.sleep(0.05)
                self._publish(mode, events[start:start + 500])
        else:
            self._publish(mode, events)
        seen = self.outcomes[mode].wait(keys, timeout_s)
        after_cpu, busy1, t1 = self._cpu(), machine_busy_seconds(), time.monotonic()
        after_requests = self.requests()
        stamps = sorted(ts for _topic, ts in seen)
        seconds = max((stamps[-1] - stamps[0]) / 1000, 1e-3)
        failed = sum(1 for topic, _ in seen if "dead-letter" in topic)
        by_endpoint: dict[str, int] = {}
        for key, company_stats in after_requests["companies"].items():
            earlier = before_requests["companies"].get(key, {}).get("byEndpoint", {})
            for endpoint, count in company_stats["byEndpoint"].items():
                delta = count - earlier.get(endpoint, 0)
                if delta:
                    by_endpoint[endpoint] = by_endpoint.get(endpoint, 0) + delta
        spent = {name: after_cpu[name] - before_cpu[name] for name in after_cpu}
        ours = sum(s.total for s in spent.values())
        wall = t1 - t0
        batch = Batch(label=label, mode=mode, latency_ms=latency_ms, tenants=tenants, n=n, seconds=seconds,
                      rate=(n - 1) / seconds, failed=failed,
                      requests=after_requests["total"] - before_requests["total"], by_endpoint=by_endpoint,
                      cpu={name: {"total_ms_per_invoice": s.total / n * 1000,
                                  "python_ms_per_invoice": s.python / n * 1000} for name, s in spent.items()},
                      foreign_cores=max(0.0, (busy1 - busy0) - ours) / wall)
        self.progress(f"  {label:<28} {batch.rate:8.1f} inv/s  ({n} in {seconds:.1f} s, "
                      f"{batch.requests / n:.2f} req/inv, failed {failed}, other load {batch.foreign_cores:.2f} cores)")
        return batch

    def memory_window(self, lines: int, latency_ms: int, n: int, watch_s: float) -> dict:
        """Fill the worker's in-flight window with ``lines``-line invoices (slow API: they stay in flight) and
        report the peak RSS while it is full."""
        self.set_latency(latency_ms)
        template = Template(lines)
        self._publish("worker", self._events(n, self.tenants, template))
        peak = 0
        deadline = time.monotonic() + watch_s
        while time.monotonic() < deadline:
            peak = max(peak, rss_bytes(self.worker.pid))
            time.sleep(0.2)
        return {"lines": lines, "events": n, "document_bytes": len(template.xml), "rss_peak": peak}

    def passthrough(self, n: int) -> dict:
        events = self._events(n, self.tenants)
        self._publish("passthrough", events)
        process = Process([str(HERE / "worker_proc.py"), "passthrough", "--bootstrap", self.bootstrap, "--suffix",
                           self.suffix["passthrough"], "--expect", str(n), "--log",
                           str(self.workdir / "passthrough.log")], self.workdir / "passthrough.stderr")
        try:
            line = ""
            while not line.startswith("{"):
                line = process.readline()
                if not line:
                    raise RuntimeError("passthrough ended without a result")
            result = json.loads(line)
        finally:
            process.stop()
        rate = (result["messages"] - 1) / result["seconds"]
        self.progress(f"  kafka passthrough            {rate:8.1f} msg/s  ({result['messages']} in "
                      f"{result['seconds']:.1f} s)")
        return {"messages": result["messages"], "seconds": result["seconds"], "rate": rate}

    def close(self) -> None:
        for process in (self.worker, self.naive):
            process.stop()
        for outcomes in self.outcomes.values():
            outcomes.close()
        self.admin.close()
        self.emulator.stop()
