"""The ASGI layers in front of the routes, outermost first:

1. ``CountingMiddleware`` — records every ``/api`` request (company, endpoint, final status or ``reset``).
2. ``FaultMiddleware`` — latency, 5xx, 429 bursts, connection resets, timeouts, saved-then-500.
3. ``ApiGuard`` — Bearer token check (401) and the per-client rate limit (429 + Retry-After).

They are plain ASGI callables (no Starlette ``BaseHTTPMiddleware``) so that they stay cheap and so that the fault
layer can reach the server's transport to drop a connection.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.procountor.emulator.auth import unauthorized
from adapters.procountor.emulator.faults import FaultEngine, FaultRule
from adapters.procountor.emulator.http import error_response
from adapters.procountor.emulator.ratelimit import RateLimiter
from adapters.procountor.emulator.state import EmulatorState
from adapters.procountor.emulator.stats import RequestStats, api_path

PUBLIC_PATHS = frozenset({"/api/oauth/token", "/api/oauth/token/", "/api/status"})
NGINX_500 = (b"<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
             b"<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
             b"</body>\r\n</html>\r\n")


class ConnectionDropped(Exception):
    """Raised when there is no socket to drop (e.g. under Starlette's TestClient)."""


def _is_api(scope: Scope) -> bool:
    return scope["type"] == "http" and api_path(scope["path"]).startswith("/api")


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            text = value.decode("latin-1")
            return text[7:].strip() if text[:7].lower() == "bearer " else None
    return None


class CountingMiddleware:
    def __init__(self, app: ASGIApp, stats: RequestStats, state: EmulatorState) -> None:
        self.app, self.stats, self.state = app, stats, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_api(scope):
            await self.app(scope, receive, send)
            return
        scope["emulator.raw_send"] = send
        token = _bearer(scope)
        company = self.state.company_for_token(token, time.monotonic()) if token else None
        scope["emulator.company"] = company.key if company else None
        status = ["no-response"]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if scope.get("emulator.dropped"):
                status[0] = "reset"
            self.stats.record(scope.get("emulator.company"), scope["method"], api_path(scope["path"]), status[0])


class FaultMiddleware:
    def __init__(self, app: ASGIApp, engine: FaultEngine) -> None:
        self.app, self.engine = app, engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_api(scope) or not self.engine.rules:
            await self.app(scope, receive, send)
            return
        decision = self.engine.decide(scope["method"], api_path(scope["path"]), scope.get("emulator.company"))
        if decision.latency_s > 0:
            await asyncio.sleep(decision.latency_s)
        rule = decision.outcome
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "error":
            await self._error(rule, scope, receive, send)
        elif rule.kind == "throttle":
            await error_response(429, "Too Many Requests",
                                 headers={"Retry-After": str(rule.retry_after)})(scope, receive, send)
        elif rule.kind == "reset":
            await drop_connection(scope)
        elif rule.kind == "timeout":
            if rule.process:
                await self._process_late(rule, scope, receive, send)
            else:
                await asyncio.sleep(rule.delay_s)
                await error_response(504, "Gateway Timeout")(scope, receive, send)
        elif rule.kind == "saved_then_500":
            await self._saved_then_500(rule, scope, receive, send)

    @staticmethod
    async def _error(rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.html:
            await send({"type": "http.response.start", "status": rule.status,
                        "headers": [(b"content-type", b"text/html"),
                                    (b"content-length", str(len(NGINX_500)).encode())]})
            await send({"type": "http.response.body", "body": NGINX_500})
            return
        message = "Internal Server Error" if rule.status == 500 else "Injected fault"
        await error_response(rule.status, message)(scope, receive, send)

    async def _process_late(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        """A slow server: the request is read at once but handled only after ``delay_s``, whether or not the client
        is still waiting then (the body is kept, so an invoice is saved after the client gave up, as a real
        server's slow save would be). Its answer goes nowhere once the client has disconnected."""
        body: list[Message] = []
        while True:
            message = await receive()
            body.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        replay = iter(body)

        async def replayed() -> Message:
            return next(replay, {"type": "http.disconnect"})

        await asyncio.sleep(rule.delay_s)
        await self.app(scope, replayed, send)

    async def _saved_then_500(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        await self._error(FaultRule(kind="error", status=500, html=rule.html), scope, receive, send)


async def drop_connection(scope: Scope) -> None:
    """Close the client's socket with a TCP RST and no response (uvicorn's transport, reached via its ``send``)."""
    scope["emulator.dropped"] = True
    cycle: Any = getattr(scope.get("emulator.raw_send"), "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("connection reset injected")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    cycle.disconnected = True  # uvicorn must not try to write its "no response" 500 into the dead socket
    await asyncio.sleep(0)


class ApiGuard:
    def __init__(self, app: ASGIApp, state: EmulatorState, limiter: RateLimiter) -> None:
        self.app, self.state, self.limiter = app, state, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_api(scope) or api_path(scope["path"]) in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if not token:
            await unauthorized("missing Bearer token")(scope, receive, send)
            return
        company = self.state.company_for_token(token, time.monotonic())
        if company is None:
            await unauthorized("invalid, expired or revoked token")(scope, receive, send)
            return
        scope["emulator.company"] = company.key
        wait = self.limiter.acquire(company.key)
        if wait is not None:
            await error_response(429, "Too Many Requests",
                                 headers={"Retry-After": self.limiter.retry_after_header(wait)})(scope, receive, send)
            return
        await self.app(scope, receive, send)
