"""The error-log HTTP API on in-memory ports: tokens, tenant scoping, clear 4xx for bad ids and bad requests."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.errorlog.http_api import error_log_routes
from adapters.errorlog.tokens import ApiToken, ApiTokens
from application.error_log_actions import ErrorLogActions
from domain.error_log import ErrorStatus
from tests.unit.errorlog.memory import MemoryErrorLog, MemoryOriginals, RecordingAudit, RecordingReplayer, entry

OPS, ACME, OTHER = "ops-token", "acme-token", "other-token"


@pytest.fixture
def api():
    log = MemoryErrorLog.of(entry("acme/INV-1", minutes=1), entry("acme/INV-2", code="BR-CO-15", minutes=2),
                            entry("other/INV-3", minutes=3))
    replayer, audit = RecordingReplayer(), RecordingAudit()
    actions = ErrorLogActions(log=log, originals=MemoryOriginals(), replayer=replayer, audit=audit, via="http")
    tokens = ApiTokens([ApiToken.plain("ops-team", "*", OPS), ApiToken.plain("acme-ui", "acme", ACME),
                        ApiToken.plain("other-ui", "other", OTHER)])
    app = Starlette(routes=error_log_routes(actions, tokens, document_of=lambda o: o.value if o else None))
    client = TestClient(app)
    client.state = (log, replayer, audit)
    return client


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_no_or_wrong_token_is_401(api) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {OPS}"}):
        response = api.get("/api/errors", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    assert api.post("/api/errors/ignore", json={"ids": ["acme/INV-1"], "reason": "x"}).status_code == 401


def test_list_is_tenant_scoped(api) -> None:
    assert [e["id"] for e in api.get("/api/errors", headers=auth(OPS)).json()["errors"]] == \
        ["other/INV-3", "acme/INV-2", "acme/INV-1"]
    acme = api.get("/api/errors/", headers=auth(ACME)).json()
    assert [e["id"] for e in acme["errors"]] == ["acme/INV-2", "acme/INV-1"] and acme["count"] == 2
    assert [e["id"] for e in api.get("/api/errors?code=BR-CO-15", headers=auth(ACME)).json()["errors"]] == \
        ["acme/INV-2"]
    assert api.get("/api/errors?tenant=other", headers=auth(ACME)).status_code == 403
    assert api.get("/api/errors?status=BOGUS", headers=auth(OPS)).status_code == 400
    assert api.get("/api/errors?colour=red", headers=auth(OPS)).status_code == 400


def test_show_with_document_and_other_tenants_are_404(api) -> None:
    body = api.get("/api/errors/acme/INV-1?document=true", headers=auth(ACME)).json()
    assert body["id"] == "acme/INV-1" and body["error"]["rule_ids"] == ["PROC-1"]
    assert body["document"] == "original acme/INV-1" and body["invoice"]["amount"] == "124.00"
    assert body["source"]["topic"] == "qvalia.invoices.issued"
    assert api.get("/api/errors/other/INV-3", headers=auth(ACME)).status_code == 404
    assert api.get("/api/errors/acme/NOPE", headers=auth(ACME)).json()["error"] == "not_found"


def test_reprocess_accepts_and_a_second_one_conflicts(api) -> None:
    log, replayer, audit = api.state
    response = api.post("/api/errors/reprocess", json={"ids": ["acme/INV-1"], "reason": "fixed"}, headers=auth(ACME))
    assert response.status_code == 202 and response.json()["results"][0]["outcome"] == "reprocessing"
    assert log.get("acme/INV-1").status is ErrorStatus.REPROCESSING
    again = api.post("/api/errors/reprocess", json={"ids": ["acme/INV-1"]}, headers=auth(ACME))
    assert again.status_code == 409 and again.json()["error"] == "already_reprocessing"
    assert len(replayer.sent) == 1 and audit.actions[0].actor == "acme-ui" and audit.actions[0].via == "http"


def test_bad_requests_are_clear_4xx_and_act_on_nothing(api) -> None:
    log, replayer, _ = api.state
    cases = [
        ({"ids": ["acme/INV-1", "no-slash"]}, 400, "invalid_id"),
        ({"ids": ["acme/INV-1", "acme/MISSING"]}, 404, "not_found"),
        ({"ids": ["acme/INV-1", "other/INV-3"]}, 404, "not_found"),  # another tenant's id is not revealed
        ({"ids": []}, 400, "bad_request"),
        ({"ids": "acme/INV-1"}, 400, "bad_request"),
        ({"ids": ["acme/INV-1"], "dry_run": "yes"}, 400, "bad_request"),
        ({"ids": ["acme/INV-1"], "colour": 1}, 400, "bad_request"),
        ({}, 400, "bad_request"),
    ]
    for body, status, code in cases:
        response = api.post("/api/errors/reprocess", json=body, headers=auth(ACME))
        assert (response.status_code, response.json()["error"]) == (status, code), body
    not_json = api.post("/api/errors/reprocess", content=b"{",
                        headers={**auth(ACME), "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"] == "bad_json"
    assert api.post("/api/errors/reprocess", content=b"ids", headers=auth(ACME)).status_code == 415
    assert replayer.sent == [] and log.writes == []


def test_ignore_needs_a_reason_and_tombstones(api) -> None:
    log, _, audit = api.state
    assert api.post("/api/errors/ignore", json={"ids": ["acme/INV-2"]}, headers=auth(ACME)).status_code == 400
    assert api.post("/api/errors/ignore", json={"ids": ["acme/INV-2"], "reason": " "},
                    headers=auth(ACME)).json()["error"] == "reason_required"
    response = api.post("/api/errors/ignore", json={"ids": ["acme/INV-2"], "reason": "duplicate"}, headers=auth(ACME))
    assert response.status_code == 200 and response.json()["results"][0]["outcome"] == "ignored"
    assert log.get("acme/INV-2") is None and audit.actions[-1].reason == "duplicate"
    assert api.post("/api/errors/ignore", json={"ids": ["other/INV-3"], "reason": "x"},
                    headers=auth(ACME)).status_code == 404


def test_the_page_is_served_with_a_strict_policy(api) -> None:
    response = api.get("/errors")
    assert response.status_code == 200 and "<table>" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy and "connect-src 'self'" in policy


def test_tokens_from_a_file(tmp_path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text('{"tokens": [{"name": "ui", "tenant": "acme", "token": "t1"},'
                    ' {"name": "ops", "tenant": "*", "sha256": "' + "0" * 64 + '"}]}')
    tokens = ApiTokens.from_env({"PROCOUNTOR_CONNECTOR_API_TOKENS_FILE": str(path)})
    assert tokens.scope_for("t1").tenant == "acme" and tokens.scope_for("t2") is None
    assert len(ApiTokens.from_env({})) == 0
