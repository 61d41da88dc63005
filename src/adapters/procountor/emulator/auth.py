"""M2M authentication (API-NOTES §1.2): ``POST /oauth/token`` with client credentials plus API key, Bearer tokens.

* Only a form-urlencoded body is accepted; credentials in the query string are rejected with 400 (Procountor stopped
  accepting them in 23.09).
* Success: 200 ``{"access_token": "<JWT>", "expires_in": <ttl>}``. No refresh token, no ``token_type`` (unconfirmed).
* Failures use Procountor's error shape: 400 for a malformed request, 401 ``Unauthorized`` for wrong or revoked
  credentials. The ``X-Emulator-Reason`` header says why (the real body gives no detail).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from adapters.procountor.emulator.http import error_response, json_response
from adapters.procountor.emulator.state import CompanyState, EmulatorState, TokenInfo

CREDENTIAL_FIELDS = ("grant_type", "client_id", "client_secret", "api_key", "redirect_uri")
UNAUTHORIZED = "Unauthorized"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(company: CompanyState, ttl: float, signing_key: bytes) -> str:
    """A real HS256 JWT with the claims seen in a Procountor fixture (iss, aud, sub, cid, jti, iat, exp, scope)."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iss": "procountor-emulator", "aud": company.client_id, "sub": 1, "cid": company.company_id,
              "jti": secrets.token_hex(16), "auth_time": now, "iat": now, "exp": now + int(ttl), "scope": "m2m"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(signing_key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def unauthorized(reason: str) -> Response:
    return error_response(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer", "X-Emulator-Reason": reason})


async def token_endpoint(request: Request) -> Response:
    state: EmulatorState = request.app.state.emulator
    leaked = sorted(set(request.query_params) & set(CREDENTIAL_FIELDS))
    if leaked:
        return error_response(400, "Credentials must be sent in the request body, not as URL parameters",
                              field=leaked[0])
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return error_response(400, "Content-Type must be application/x-www-form-urlencoded")
    try:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return error_response(400, "Malformed form body")
    for name in ("grant_type", "client_id", "client_secret", "api_key"):
        if not form.get(name):
            return error_response(400, f"Value of the '{name}' cannot be blank", field=name)
    if form["grant_type"] != "client_credentials":
        return error_response(400, f"Unsupported grant_type '{form['grant_type']}' (the emulator supports M2M only)",
                              field="grant_type")
    with state.lock:
        company = next((c for c in state.companies.values() if c.api_key == form["api_key"]), None)
        if company is None:
            return unauthorized("unknown api_key")
        if company.client_id != form["client_id"] or not hmac.compare_digest(company.client_secret,
                                                                             form["client_secret"]):
            return unauthorized("client_id or client_secret does not match")
        if company.revoked:
            return unauthorized("api_key revoked")
        ttl = float(state.config.token_ttl_seconds)
        token = make_jwt(company, ttl, request.app.state.signing_key)
        state.tokens[token] = TokenInfo(company.key, company.api_key, time.monotonic() + ttl)
        request.scope["emulator.company"] = company.key
    return json_response({"access_token": token, "expires_in": int(ttl) if ttl >= 1 else ttl})
