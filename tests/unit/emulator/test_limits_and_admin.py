from __future__ import annotations

import pytest

from adapters.procountor.emulator import EmulatorConfig
from adapters.procountor.emulator.middleware import ConnectionDropped
from adapters.procountor.emulator.ratelimit import RateLimiter
from tests.unit.emulator.samples import make_client, make_invoice, token_for


def test_token_bucket():
    limiter = RateLimiter(2)
    assert limiter.acquire("a", now=0.0) is None and limiter.acquire("a", now=0.0) is None
    wait = limiter.acquire("a", now=0.0)
    assert wait == pytest.approx(0.5)
    assert limiter.acquire("b", now=0.0) is None, "buckets are per client"
    assert limiter.acquire("a", now=0.5) is None
    assert RateLimiter.retry_after_header(0.2) == "1"


def test_rate_limit_answers_429_with_retry_after():
    with make_client(EmulatorConfig(rate_limit_per_second=3)) as client:
        auth = {"Authorization": f"Bearer {token_for(client)}"}
        statuses = [client.get("/api/company", headers=auth).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        response = client.get("/api/company", headers=auth)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json() == {"errors": [{"status": 429, "message": "Too Many Requests"}]}


def test_state_and_request_counters(client, auth, post_invoice):
    post_invoice()
    client.get("/api/invoices", headers=auth)
    client.get("/api/invoices/10001", headers=auth)
    post_invoice(invoiceChannel="FAX")
    state = client.get("/_emulator/state").json()
    assert state["companies"]["demo"]["invoices"] == 1 and state["companies"]["demo"]["products"] == 2
    demo = client.get("/_emulator/requests").json()["companies"]["demo"]
    assert demo["byEndpoint"]["POST /api/invoices"] == 2
    assert demo["byEndpoint"]["GET /api/invoices/{id}"] == 1
    assert demo["byEndpointAndStatus"]["POST /api/invoices 400"] == 1
    assert demo["byEndpoint"]["POST /api/oauth/token"] == 1
    client.post("/_emulator/requests/reset")
    assert client.get("/_emulator/requests").json()["total"] == 0


def test_fault_rules_at_run_time(client, auth, post_invoice):
    added = client.post("/_emulator/faults", json=[
        {"kind": "throttle", "count": 2, "retry_after": 3, "path_prefix": "/api/company"},
        {"kind": "error", "status": 503, "count": 1, "path_prefix": "/api/coa", "company": "demo"},
        {"kind": "error", "count": 1, "path_prefix": "/api/coa", "company": "someone-else"},
    ]).json()
    assert len(added["added"]) == 3
    first = client.get("/api/company", headers=auth)
    assert first.status_code == 429 and first.headers["Retry-After"] == "3"
    assert client.get("/api/company", headers=auth).status_code == 429
    assert client.get("/api/company", headers=auth).status_code == 200
    assert client.get("/api/coa", headers=auth).status_code == 503
    assert client.get("/api/coa", headers=auth).status_code == 200
    client.delete("/_emulator/faults")
    assert client.get("/_emulator/faults").json()["faults"] == []


def test_saved_then_500_stores_the_invoice(client, auth):
    client.post("/_emulator/faults", json={"kind": "saved_then_500", "count": 1, "methods": ["POST"],
                                           "path_prefix": "/api/invoices"})
    response = client.post("/api/invoices", json=make_invoice(), headers=auth)
    assert response.status_code == 500
    found = client.get("/api/invoices", params={"originalInvoiceNumber": "UBL-0001"}, headers=auth).json()
    assert found["meta"]["resultCount"] == 1


def test_reset_fault_without_a_socket_raises(client, auth):
    client.post("/_emulator/faults", json={"kind": "reset", "count": 1})
    with pytest.raises(ConnectionDropped):
        client.get("/api/company", headers=auth)


def test_faults_are_deterministic_with_a_seed():
    def run() -> list[int]:
        config = EmulatorConfig(seed=42, rate_limit_per_second=0,
                                faults=[{"kind": "error", "rate": 0.5, "path_prefix": "/api/coa"}])
        with make_client(config) as client:
            auth = {"Authorization": f"Bearer {token_for(client)}"}
            return [client.get("/api/coa", headers=auth).status_code for _ in range(20)]

    first = run()
    assert first == run() and {200, 500} == set(first)


def test_reset_restores_the_start_up_state(client, auth, post_invoice):
    post_invoice()
    client.post("/_emulator/faults", json={"kind": "error"})
    client.post("/_emulator/reset")
    state = client.get("/_emulator/state").json()
    assert state["companies"]["demo"]["invoices"] == 0 and state["tokens"] == 0
    assert client.get("/_emulator/faults").json()["faults"] == []
    assert client.get("/api/company", headers=auth).status_code == 401


def test_generated_companies_from_config():
    config = EmulatorConfig.from_dict({"generate_companies": {"count": 3}, "rate_limit_per_second": 0})
    with make_client(config) as client:
        assert set(client.get("/_emulator/state").json()["companies"]) == {"demo", "bench-01", "bench-02",
                                                                           "bench-03"}
        token_for(client, {"grant_type": "client_credentials", "client_id": "bench-02-client",
                           "client_secret": "bench-02-secret", "api_key": "bench-02-api-key"})


def test_reference_endpoints(client, auth):
    vats = client.get("/api/vats/default", headers=auth).json()
    assert [p["vatPercent"] for p in vats["vatInformation"][0]["percentages"]] == [25.5, 14, 10, 0]
    assert vats["vatStatuses"][0]["vatStatus"] == 1
    ibans = [b["iban"] for b in client.get("/api/bankaccounts", headers=auth).json()["results"]]
    assert "FI2112345600000785" in ibans
    codes = {a["ledgerAccountCode"] for a in client.get("/api/coa", headers=auth).json()["ledgerAccounts"]}
    assert {"3000", "1700", "2939"} <= codes
    assert client.get("/api/currencies", headers=auth).json()["currencies"][0] == "EUR"
    params = {"baseCurrency": "EUR", "currency": "SEK", "day": "2025-01-02", "rateType": "CASH_BUYING_RATE"}
    first = client.get("/api/currencies/exchangerate", params=params, headers=auth).json()
    assert first == client.get("/api/currencies/exchangerate", params=params, headers=auth).json()
    assert first["rate"] == 11.45
    del params["rateType"]
    assert client.get("/api/currencies/exchangerate", params=params, headers=auth).status_code == 400
    partners = client.get("/api/businesspartners", headers=auth).json()["results"]
    assert partners[0]["name"] == "Asiakas Oy"
    assert client.get("/api/company", headers=auth).json()["businessIdentifier"]["code"] == "1234567-1"
    assert client.get("/api/fiscalyears", headers=auth).json()["fiscalYears"]
    assert client.get("/api/nope", headers=auth).json()["errors"][0]["status"] == 404
