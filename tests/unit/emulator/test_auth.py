from __future__ import annotations

import time

from adapters.procountor.emulator import EmulatorConfig
from tests.unit.emulator.samples import DEMO_FORM, make_client, token_for

UNAUTHORIZED = {"errors": [{"status": 401, "message": "Unauthorized"}]}


def test_token_is_a_jwt_with_expiry(client):
    response = client.post("/api/oauth/token", data=DEMO_FORM)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2
    assert "refresh_token" not in body


def test_token_endpoint_also_under_versioned_paths(client):
    for prefix in ("/latest/api", "/supported/api", "/v2402/api"):
        assert client.post(f"{prefix}/oauth/token", data=DEMO_FORM).status_code == 200


def test_credentials_in_query_string_are_rejected(client):
    response = client.post("/api/oauth/token", params=DEMO_FORM)
    assert response.status_code == 400
    assert response.json()["errors"][0]["status"] == 400


def test_json_body_is_rejected(client):
    assert client.post("/api/oauth/token", json=DEMO_FORM).status_code == 400


def test_missing_field_and_wrong_grant_type(client):
    form = dict(DEMO_FORM)
    del form["api_key"]
    response = client.post("/api/oauth/token", data=form)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "api_key"
    assert client.post("/api/oauth/token", data={**DEMO_FORM, "grant_type": "password"}).status_code == 400


def test_wrong_secret_is_401_in_procountor_shape(client):
    response = client.post("/api/oauth/token", data={**DEMO_FORM, "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_api_calls_need_a_valid_bearer_token(client):
    assert client.get("/api/company").status_code == 401
    response = client.get("/api/company", headers={"Authorization": "Bearer forged.token.value"})
    assert response.status_code == 401 and response.json() == UNAUTHORIZED
    token = token_for(client)
    assert client.get("/api/company", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_status_is_public(client):
    assert client.get("/api/status").json()["status"] == "OK"


def test_tokens_expire_after_the_configured_ttl():
    with make_client(EmulatorConfig(token_ttl_seconds=0.2, rate_limit_per_second=0)) as client:
        token = token_for(client)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/company", headers=headers).status_code == 200
        time.sleep(0.3)
        assert client.get("/api/company", headers=headers).status_code == 401


def test_revoke_and_restore_the_api_key(client):
    headers = {"Authorization": f"Bearer {token_for(client)}"}
    assert client.post("/_emulator/companies/demo-client/revoke").json()["revoked"] is True
    assert client.get("/api/company", headers=headers).json() == UNAUTHORIZED
    assert client.post("/api/oauth/token", data=DEMO_FORM).status_code == 401
    client.post("/_emulator/companies/demo/restore")
    assert client.get("/api/company", headers=headers).status_code == 401, "old tokens stay invalid"
    new_headers = {"Authorization": f"Bearer {token_for(client)}"}
    assert client.get("/api/company", headers=new_headers).status_code == 200


def test_tokens_are_per_company(client):
    client.post("/_emulator/companies", json={"key": "acme", "client_id": "acme-client", "client_secret": "s3",
                                               "api_key": "acme-key", "name": "Acme Oy"})
    acme = token_for(client, {"grant_type": "client_credentials", "client_id": "acme-client",
                              "client_secret": "s3", "api_key": "acme-key"})
    company = client.get("/api/company", headers={"Authorization": f"Bearer {acme}"}).json()
    assert company["name"] == "Acme Oy"
    client.post("/_emulator/companies/acme/revoke")
    assert client.get("/api/company", headers={"Authorization": f"Bearer {token_for(client)}"}).status_code == 200


def test_admin_token_protects_admin_endpoints():
    with make_client(EmulatorConfig(admin_token="adm", rate_limit_per_second=0)) as client:
        assert client.get("/_emulator/state").status_code == 401
        assert client.get("/_emulator/state", headers={"X-Emulator-Admin-Token": "adm"}).status_code == 200
