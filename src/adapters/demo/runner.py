"""The demo: a real broker, the Procountor emulator and the real worker, fed with sample invoices, and a summary
computed afterwards from the topics and the emulator's state (not from counters kept by the demo)."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import Producer

from adapters.demo.sample_batch import DemoEvent, demo_batch
from adapters.demo.topic_reader import read_topic
from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.client_logging import RDKAFKA_LOGGER
from adapters.kafka.config import Topics, WorkerConfig
from adapters.kafka.events import event_key, invoice_issued_record
from adapters.kafka.local_broker import LocalKafkaBroker, project_root
from adapters.procountor.emulator.config import (
    DEMO_API_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    CompanyConfig,
    EmulatorConfig,
)
from adapters.procountor.emulator.server import EmulatorServer
from adapters.ubl.samples import DEFAULT_SUPPLIER

TENANT = "demo"


@dataclass
class DemoResult:
    published: int
    transferred: int
    failed: int
    invoices_in_emulator: int
    duplicates: int
    outcomes_missing: int
    results: list[dict]
    error_log: list[dict]
    seconds: float
    worker_log: Path | None = None

    def summary(self) -> dict:
        return {"published": self.published, "transferred": self.transferred, "failed": self.failed,
                "invoices_in_emulator": self.invoices_in_emulator, "duplicates": self.duplicates,
                "outcomes_missing": self.outcomes_missing, "seconds": round(self.seconds, 1)}


def demo_company() -> CompanyConfig:
    """The emulated Finnish company is the seller of the sample invoices (their supplier party)."""
    company = CompanyConfig.demo()
    company.name = DEFAULT_SUPPLIER.registration_name
    company.business_id = DEFAULT_SUPPLIER.company_id.value
    return company


def _write_connections(path: Path, base_url: str) -> None:
    path.write_text(json.dumps({"connections": [{
        "tenant": TENANT, "base_url": base_url, "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET, "api_key": DEMO_API_KEY,
        "settings": {"default_sales_account": "3000", "payment_reference_scheme": "fi"}}]}))


def _publish(bootstrap: str, topic: str, events: list[DemoEvent]) -> None:
    codec = AvroCodec()
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "logger": RDKAFKA_LOGGER})
    for event in events:
        key = event_key(TENANT, event.invoice_id)
        if event.value is None:
            producer.produce(topic, key=key, value=event.raw_record)
            continue
        record = invoice_issued_record(str(uuid.uuid4()), TENANT, event.invoice_id, event.value)
        producer.produce(topic, key=key, value=codec.encode("InvoiceIssued", record))
    if producer.flush(60):
        raise RuntimeError("the demo events were not all delivered to the broker")


def run_demo(invoices_dir: Path | None = None, timeout_s: float = 180.0, progress=print) -> DemoResult:
    from adapters.logging_setup import configure_logging
    from bootstrap import build_worker

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="procountor-demo-"))
    configure_logging("INFO", stream=(workdir / "worker.log").open("w"))
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        broker = LocalKafkaBroker(state_dir=project_root() / ".cache" / "kafka" / "demo")
        progress("starting a local Apache Kafka broker (scripts/kafka-local) ...")
        bootstrap = broker.start()
    progress(f"Kafka broker at {bootstrap}")
    emulator = EmulatorServer(EmulatorConfig(companies=[demo_company()])).start()
    progress(f"Procountor emulator at {emulator.base_url}")
    run_id = uuid.uuid4().hex[:8]
    topics = Topics(**{name: f"{value}.demo-{run_id}" for name, value in Topics().__dict__.items()})
    connections = workdir / "connections.json"
    _write_connections(connections, emulator.base_url)
    app = build_worker(WorkerConfig(bootstrap_servers=bootstrap, group_id=f"procountor-connector-demo-{run_id}",
                                    topics=topics, transient_backoff_s=0.5), connections)
    thread = threading.Thread(target=app.worker.run, name="worker", daemon=True)
    thread.start()
    try:
        if invoices_dir:
            events = [DemoEvent(p.stem, p.read_bytes()) for p in sorted(invoices_dir.glob("*.xml"))]
        else:
            events = demo_batch()
        _publish(bootstrap, topics.invoices, events)
        progress(f"published {len(events)} InvoiceIssued events; waiting for every outcome ...")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            done = len(read_topic(bootstrap, topics.results)) + len(read_topic(bootstrap, topics.dead_letters))
            if done >= len(events):
                break
            time.sleep(1.0)
        result = _result(bootstrap, topics, emulator, started)
        result.worker_log = workdir / "worker.log"
        return result
    finally:
        app.worker.request_stop()
        thread.join(60)
        app.close()
        emulator.stop()
        if broker is not None:
            broker.stop()
        progress(f"worker log: {workdir / 'worker.log'}")


def _result(bootstrap: str, topics: Topics, emulator: EmulatorServer, started: float) -> DemoResult:
    codec = AvroCodec()
    published = read_topic(bootstrap, topics.invoices)
    results = [codec.decode(m.value())[1] for m in read_topic(bootstrap, topics.results)]
    dead = read_topic(bootstrap, topics.dead_letters)
    latest: dict[bytes, bytes | None] = {}
    for message in read_topic(bootstrap, topics.error_log):
        latest[message.key()] = message.value()
    error_log = [codec.decode(value)[1] for value in latest.values() if value is not None]
    numbers = emulator_invoice_numbers(emulator)
    published_keys = {m.key() for m in published}
    outcome_keys = {f"{r['tenant']}/{r['invoice_id']}".encode() for r in results} | {m.key() for m in dead}
    return DemoResult(
        published=len(published), transferred=len(results), failed=len(dead),
        invoices_in_emulator=len(numbers), duplicates=len(numbers) - len(set(numbers)),
        outcomes_missing=len(published_keys - outcome_keys), results=results, error_log=error_log,
        seconds=time.monotonic() - started)


def emulator_invoice_numbers(emulator: EmulatorServer) -> list[str]:
    """originalInvoiceNumber of every invoice in the emulated company, read through its own state."""
    company = emulator.state.find_company(DEMO_CLIENT_ID)
    return [invoice.get("originalInvoiceNumber") for invoice in list(company.invoices.values())]
