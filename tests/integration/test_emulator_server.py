"""The emulator served by uvicorn on a free port, driven by a real httpx client: faults as a client sees them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from adapters.procountor.emulator import EmulatorConfig, EmulatorServer
from tests.unit.emulator.samples import DEMO_FORM, make_invoice


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(rate_limit_per_second=0, seed=1), port=0) as running:
        yield running


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    httpx.post(f"{server.admin_url}/reset").raise_for_status()
    with httpx.Client(base_url=server.base_url, timeout=5) as client:
        token = client.post("/oauth/token", data=DEMO_FORM).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def add_fault(server: EmulatorServer, **rule) -> None:
    httpx.post(f"{server.admin_url}/faults", json=rule).raise_for_status()


def test_serves_on_a_free_port(server: EmulatorServer, api: httpx.Client):
    assert server.port > 0 and server.base_url == f"http://127.0.0.1:{server.port}/api"
    assert api.get("/company").json()["name"] == "Demo Oy"


def test_connection_reset_is_a_transport_error(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="reset", count=1, path_prefix="/api/company")
    with pytest.raises(httpx.TransportError):
        api.get("/company")
    assert api.get("/company").status_code == 200, "the next request gets through on a fresh connection"
    counts = httpx.get(f"{server.admin_url}/requests").json()["companies"]["demo"]["byEndpointAndStatus"]
    assert counts["GET /api/company reset"] == 1


def test_saved_then_500_leaves_exactly_one_invoice(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="saved_then_500", count=1, methods=["POST"], path_prefix="/api/invoices")
    response = api.post("/invoices", json=make_invoice(originalInvoiceNumber="SAVED-1"))
    assert response.status_code == 500
    found = api.get("/invoices", params={"originalInvoiceNumber": "SAVED-1"}).json()
    assert found["meta"]["resultCount"] == 1
    assert httpx.get(f"{server.admin_url}/state").json()["companies"]["demo"]["invoices"] == 1


def test_html_500_like_nginx(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="error", count=1, html=True)
    response = api.get("/company")
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")


def test_latency_is_honoured(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="latency", fixed_ms=250, count=1, path_prefix="/api/coa")
    started = time.perf_counter()
    assert api.get("/coa").status_code == 200
    assert time.perf_counter() - started >= 0.25
    started = time.perf_counter()
    api.get("/coa")
    assert time.perf_counter() - started < 0.25


def test_timeout_is_seen_by_the_client(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="timeout", delay_s=2, count=1, path_prefix="/api/company")
    with pytest.raises(httpx.ReadTimeout):
        api.get("/company", timeout=0.3)


def test_429_burst_window(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="throttle", duration_s=0.3, retry_after=2)
    response = api.get("/company")
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    time.sleep(0.35)
    assert api.get("/company").status_code == 200


def test_many_requests_in_flight_with_latency(server: EmulatorServer, api: httpx.Client):
    add_fault(server, kind="latency", fixed_ms=100)
    headers = dict(api.headers)

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers, limits=limits, timeout=10) as client:
            responses = await asyncio.gather(*(client.get("/company") for _ in range(40)))
            return [r.status_code for r in responses]

    started = time.perf_counter()
    statuses = asyncio.run(burst())
    elapsed = time.perf_counter() - started
    assert statuses == [200] * 40
    assert elapsed < 1.5, f"40 concurrent requests with 100 ms latency took {elapsed:.2f}s"
