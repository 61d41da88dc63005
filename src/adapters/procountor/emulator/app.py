"""Assembles the emulator: Procountor routes under ``/api`` (and ``/latest/api``, ``/supported/api``, ``/vYYMM/api``),
admin routes under ``/_emulator``, wrapped in the counting, fault and guard layers."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from adapters.procountor.emulator import (
    admin,
    attachments,
    auth,
    invoices,
    ledger_updates,
    lifecycle,
    products,
    reference_data,
)
from adapters.procountor.emulator.config import EmulatorConfig
from adapters.procountor.emulator.faults import FaultEngine
from adapters.procountor.emulator.http import ApiError, error_response, errors_response
from adapters.procountor.emulator.middleware import ApiGuard, CountingMiddleware, FaultMiddleware
from adapters.procountor.emulator.ratelimit import RateLimiter
from adapters.procountor.emulator.state import EmulatorState
from adapters.procountor.emulator.stats import RequestStats

API_ROUTES = [
    Route("/oauth/token", auth.token_endpoint, methods=["POST"]),
    Route("/oauth/token/", auth.token_endpoint, methods=["POST"]),
    Route("/status", reference_data.status, methods=["GET"]),
    Route("/invoices", invoices.search_invoices, methods=["GET"]),
    Route("/invoices", invoices.post_invoice, methods=["POST"]),
    Route("/invoices/{ids}", invoices.get_invoices, methods=["GET"]),
    Route("/invoices/{invoice_id}/{action}", lifecycle.change_status, methods=["PUT"]),
    Route("/products", products.list_products, methods=["GET"]),
    Route("/products", products.create_product, methods=["POST"]),
    Route("/products/{ids}", products.get_products, methods=["GET"]),
    Route("/attachments", attachments.post_attachment, methods=["POST"]),
    Route("/attachments/{attachment_id}", attachments.get_attachment, methods=["GET"]),
    Route("/ledgerreceipts/{ids}", reference_data.ledger_receipts, methods=["GET"]),
    Route("/ledgerreceipts/{receipt_id}", ledger_updates.update_ledger_receipt, methods=["PUT"]),
    Route("/vats/default", reference_data.vats_default, methods=["GET"]),
    Route("/company", reference_data.company_info, methods=["GET"]),
    Route("/sessioninfo", reference_data.session_info, methods=["GET"]),
    Route("/bankaccounts", reference_data.bank_accounts, methods=["GET"]),
    Route("/coa", reference_data.chart_of_accounts, methods=["GET"]),
    Route("/fiscalyears", reference_data.fiscal_years, methods=["GET"]),
    Route("/businesspartners", reference_data.business_partners, methods=["GET"]),
    Route("/businesspartners/{ids}", reference_data.business_partner, methods=["GET"]),
    Route("/currencies", reference_data.currencies, methods=["GET"]),
    Route("/currencies/company", reference_data.company_currency, methods=["GET"]),
    Route("/currencies/exchangerate", reference_data.exchange_rate, methods=["GET"]),
]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return errors_response(exc.status, exc.errors, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "Internal Server Error")


class EmulatorApp:
    """The ASGI application plus handles on its parts (``state``, ``faults``, ``stats``, ``limiter``) for tests."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.state = EmulatorState(self.config)
        self.faults = FaultEngine(self.config.faults, seed=self.config.seed)
        self.stats = RequestStats()
        self.limiter = RateLimiter(self.config.rate_limit_per_second)
        self.starlette = Starlette(
            routes=[Mount("/api", routes=API_ROUTES), Mount("/latest/api", routes=API_ROUTES),
                    Mount("/supported/api", routes=API_ROUTES), Mount("/{api_version}/api", routes=API_ROUTES),
                    Mount("/_emulator", routes=admin.ROUTES)],
            exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error})
        app_state = self.starlette.state
        app_state.emulator, app_state.faults, app_state.stats = self.state, self.faults, self.stats
        app_state.limiter, app_state.signing_key = self.limiter, secrets.token_bytes(32)
        app_state.initial_settings = (self.config.rate_limit_per_second, self.config.token_ttl_seconds)
        guarded = ApiGuard(self.starlette, self.state, self.limiter)
        self._asgi = CountingMiddleware(FaultMiddleware(guarded, self.faults), self.stats, self.state)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await self._asgi(scope, receive, send)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(config: EmulatorConfig | None = None) -> EmulatorApp:
    return EmulatorApp(config)
