"""Control endpoints under ``/_emulator/`` (outside ``/api``; never counted, never faulted).

Protected by ``X-Emulator-Admin-Token: <token>`` (or ``Authorization: Bearer <token>``) when ``admin_token`` is set.

* ``GET  /_emulator/state`` — per company: counts of invoices, products, attachments, ledger receipts; revoked flag.
* ``GET  /_emulator/requests`` — request counters; ``POST /_emulator/requests/reset`` clears them.
* ``GET|POST|DELETE /_emulator/faults``, ``DELETE /_emulator/faults/{id}`` — list, add (one rule or a list), clear.
* ``POST /_emulator/companies`` — add a company (CompanyConfig fields, e.g. key, client_id, client_secret, api_key).
* ``POST /_emulator/companies/{ref}/revoke`` | ``/restore`` | ``/expire-tokens`` — ref = key, client_id or api_key.
* ``GET  /_emulator/companies/{ref}/invoices`` — the company's stored invoices in full.
* ``PUT  /_emulator/settings`` — ``{"rate_limit_per_second": N, "token_ttl_seconds": N}`` at run time.
* ``POST /_emulator/reset`` — back to the start-up config: data, tokens, counters and fault rules.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.procountor.emulator.config import CompanyConfig
from adapters.procountor.emulator.http import ApiError, json_response, read_json
from adapters.procountor.emulator.invoices import full_view
from adapters.procountor.emulator.products import seed_products
from adapters.procountor.emulator.state import CompanyState


def _check(request: Request) -> None:
    expected = request.app.state.emulator.config.admin_token
    if not expected:
        return
    given = request.headers.get("x-emulator-admin-token") or ""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = given or auth[7:].strip()
    if not hmac.compare_digest(given, expected):
        raise ApiError(401, "Unauthorized")


def _company(request: Request) -> CompanyState:
    company = request.app.state.emulator.find_company(request.path_params["ref"])
    if company is None:
        raise ApiError(404, f"No company '{request.path_params['ref']}'")
    return company


async def state(request: Request) -> Response:
    _check(request)
    emulator = request.app.state.emulator
    with emulator.lock:
        return json_response({"companies": {key: {**c.counts(), "revoked": c.revoked, "companyId": c.company_id}
                                            for key, c in emulator.companies.items()},
                              "tokens": len(emulator.tokens)})


async def requests(request: Request) -> Response:
    _check(request)
    return json_response(request.app.state.stats.snapshot())


async def reset_requests(request: Request) -> Response:
    _check(request)
    request.app.state.stats.clear()
    return json_response({"ok": True})


async def faults(request: Request) -> Response:
    _check(request)
    engine = request.app.state.faults
    if request.method == "DELETE":
        engine.clear()
    elif request.method == "POST":
        body = await read_json(request)
        try:
            added = [engine.add(raw) for raw in (body if isinstance(body, list) else [body])]
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from exc
        return json_response({"added": [rule.id for rule in added], "faults": engine.describe()})
    return json_response({"faults": engine.describe(), "seed": engine.seed})


async def delete_fault(request: Request) -> Response:
    _check(request)
    if not request.app.state.faults.remove(int(request.path_params["rule_id"])):
        raise ApiError(404, "No such fault rule")
    return Response(status_code=204)


async def add_company(request: Request) -> Response:
    _check(request)
    body = await read_json(request)
    emulator = request.app.state.emulator
    try:
        company = emulator.add_company(CompanyConfig.from_dict(body))
        seed_products(company)
    except (TypeError, ValueError, KeyError) as exc:
        raise ApiError(400, str(exc)) from exc
    return json_response({"key": company.key, "companyId": company.company_id, "client_id": company.client_id})


async def company_action(request: Request) -> Response:
    _check(request)
    emulator, company, action = request.app.state.emulator, _company(request), request.path_params["action"]
    if action == "revoke":
        emulator.revoke(company)
    elif action == "restore":
        emulator.restore(company)
    elif action == "expire-tokens":
        with emulator.lock:
            for info in emulator.tokens.values():
                if info.company_key == company.key:
                    info.expires_at = 0
    else:
        raise ApiError(404, f"Unknown action '{action}'")
    return json_response({"key": company.key, "revoked": company.revoked})


async def company_invoices(request: Request) -> Response:
    _check(request)
    company = _company(request)
    with request.app.state.emulator.lock:
        return json_response({"results": [full_view(i) for i in company.invoices.values()]})


async def settings(request: Request) -> Response:
    _check(request)
    body: Any = await read_json(request)
    config = request.app.state.emulator.config
    if "rate_limit_per_second" in body:
        config.rate_limit_per_second = body["rate_limit_per_second"]
        request.app.state.limiter.set_rate(body["rate_limit_per_second"])
    if "token_ttl_seconds" in body:
        config.token_ttl_seconds = float(body["token_ttl_seconds"])
    return json_response({"rate_limit_per_second": config.rate_limit_per_second,
                          "token_ttl_seconds": config.token_ttl_seconds})


async def reset(request: Request) -> Response:
    _check(request)
    app_state = request.app.state
    app_state.emulator.reset()
    app_state.stats.clear()
    app_state.faults.reset()
    config = app_state.emulator.config
    config.rate_limit_per_second, config.token_ttl_seconds = app_state.initial_settings
    app_state.limiter.set_rate(config.rate_limit_per_second)
    return json_response({"ok": True})


ROUTES = [
    Route("/state", state, methods=["GET"]),
    Route("/requests", requests, methods=["GET"]),
    Route("/requests/reset", reset_requests, methods=["POST"]),
    Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/faults/{rule_id:int}", delete_fault, methods=["DELETE"]),
    Route("/companies", add_company, methods=["POST"]),
    Route("/companies/{ref}/invoices", company_invoices, methods=["GET"]),
    Route("/companies/{ref}/{action}", company_action, methods=["POST"]),
    Route("/settings", settings, methods=["PUT"]),
    Route("/reset", reset, methods=["POST"]),
]
