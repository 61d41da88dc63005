"""The real worker on the real broker against the real Procountor emulator, plus the error-log tools, for tests."""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from adapters.demo.runner import demo_company
from adapters.errorlog.tools import ErrorLogTools
from adapters.kafka.config import Topics, WorkerConfig
from adapters.kafka.topics import ensure_topics
from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from adapters.procountor.emulator.server import EmulatorServer
from bootstrap import build_error_log_tools
from tests.integration.worker.kafka_helpers import unique_topics

TENANT = "demo"


def worker_config(bootstrap: str, topics: Topics) -> WorkerConfig:
    return WorkerConfig(bootstrap_servers=bootstrap, group_id=f"g-{topics.invoices}", topics=topics,
                        transient_backoff_s=0.2, transient_max_attempts=2, max_in_flight=64, worker_threads=8)


def write_connections(base_url: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="errorlog-test-")) / "connections.json"
    path.write_text(json.dumps({"connections": [{
        "tenant": TENANT, "base_url": base_url, "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
        "api_key": DEMO_API_KEY, "settings": {"default_sales_account": "3000", "payment_reference_scheme": "fi"}}]}))
    return path


@contextmanager
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(EmulatorConfig(companies=[demo_company()], rate_limit_per_second=0)).start()
    try:
        yield server
    finally:
        server.stop()


def add_fault(server: EmulatorServer, **rule) -> int:
    response = httpx.post(f"{server.admin_url}/faults", json=rule)
    response.raise_for_status()
    return response.json()["added"][0]


def clear_faults(server: EmulatorServer) -> None:
    httpx.delete(f"{server.admin_url}/faults").raise_for_status()


def invoice_numbers(server: EmulatorServer) -> list[str]:
    company = server.state.find_company(DEMO_CLIENT_ID)
    return [invoice.get("originalInvoiceNumber") for invoice in list(company.invoices.values())]


@contextmanager
def running_worker(config: WorkerConfig, connections: Path) -> Iterator[object]:
    from bootstrap import build_worker

    app = build_worker(config, connections)
    thread = threading.Thread(target=app.worker.run, name="test-worker", daemon=True)
    thread.start()
    try:
        yield app
    finally:
        app.worker.request_stop()
        thread.join(60)
        app.close()
        assert not thread.is_alive(), "the worker did not stop"


@contextmanager
def tools_for(config: WorkerConfig, via: str = "cli") -> Iterator[ErrorLogTools]:
    tools = build_error_log_tools(config, via=via)
    try:
        yield tools
    finally:
        tools.close()


def wait_for(condition: Callable[[], object], timeout_s: float = 60, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def fresh_topics(bootstrap: str) -> Topics:
    topics = unique_topics()
    ensure_topics(bootstrap, topics)
    return topics


def new_id() -> str:
    return uuid.uuid4().hex[:8]
