"""A small in-memory Procountor for client tests, served through ``httpx.MockTransport``.

It implements the token endpoint (form body, issues opaque JWT-shaped tokens), bearer checks, /company, paged
GET /invoices and GET /products, POST /invoices and POST /attachments. ``script(method, path, *outcomes)`` queues
responses or exceptions that are returned before the default behaviour, to simulate failures.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from urllib.parse import parse_qs

import httpx

CLIENT_ID = "connector-client"
CLIENT_SECRET = "s3cr3t-client-secret-value"
API_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJhcGlrZXkiOiJ4In0.apikeysignature"


class FakeProcountor:
    def __init__(self, *, token_delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.token_delay = token_delay
        self.token_requests: list[dict[str, str]] = []
        self.valid_tokens: set[str] = set()
        self.requests: list[httpx.Request] = []
        self.scripted: dict[tuple[str, str], deque] = defaultdict(deque)
        self.invoices: list[dict] = []
        self.products: list[dict] = []
        self.token_status: tuple[int, dict] | None = None  # force a token endpoint failure

    # -- test controls ---------------------------------------------------------------------------------------

    def script(self, method: str, path: str, *outcomes: object) -> None:
        """Queue outcomes (``httpx.Response``, an exception *class* to raise, or an int status) for a route."""
        self.scripted[(method, path)].extend(outcomes)

    def expire_all_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == "/api" + path]

    # -- server ----------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
        path = request.url.path.removeprefix("/api")
        queued = self.scripted.get((request.method, path))
        if queued:
            with self.lock:
                outcome = queued.popleft() if queued else None
            if isinstance(outcome, type) and issubclass(outcome, Exception):
                raise outcome("simulated", request=request)
            if isinstance(outcome, int):
                return httpx.Response(outcome, json={"errors": [{"status": outcome, "message": "simulated"}]})
            if outcome is not None:
                return outcome
        if path == "/oauth/token":
            return self._token(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            valid = token in self.valid_tokens
        if not valid:
            return httpx.Response(401, json={"errors": [{"status": 401, "message": "Unauthorized"}]})
        if request.method == "GET" and path == "/company":
            return httpx.Response(200, json={"id": 1234, "name": "Demo Oy", "country": "FINLAND"})
        if request.method == "GET" and path == "/invoices":
            return self._page(request, self.invoices)
        if request.method == "GET" and path == "/products":
            code = request.url.params.get("code", "")
            return self._page(request, [p for p in self.products if code in p.get("code", "")])
        if request.method == "POST" and path == "/invoices":
            body = json.loads(request.content)
            with self.lock:
                saved = {**body, "id": 1000 + len(self.invoices), "status": "UNFINISHED", "invoiceNumber": 1}
                self.invoices.append(saved)
            return httpx.Response(200, json=saved)
        if request.method == "POST" and path == "/attachments":
            return httpx.Response(200, json={"id": 77, "name": "invoice.pdf", "referenceType": "INVOICE",
                                             "referenceId": 1000, "sendWithInvoice": False})
        return httpx.Response(404, json={"errors": [{"status": 404, "message": "Not found"}]})

    def _token(self, request: httpx.Request) -> httpx.Response:
        if request.url.query:
            return httpx.Response(400, json={"error": "credentials in query string"})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        with self.lock:
            self.token_requests.append(form)
            number = len(self.token_requests)
        if self.token_delay:
            time.sleep(self.token_delay)
        if self.token_status is not None:
            status, body = self.token_status
            return httpx.Response(status, json=body)
        ok = (form.get("grant_type") == "client_credentials" and form.get("client_id") == CLIENT_ID
              and form.get("client_secret") == CLIENT_SECRET and form.get("api_key") == API_KEY)
        if not ok:
            return httpx.Response(401, json={"errors": [{"status": 401, "message": "Unauthorized"}]})
        token = f"eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbiI6{number:04d}fQ.tokensignature{number}"
        with self.lock:
            self.valid_tokens.add(token)
        return httpx.Response(200, json={"access_token": token, "expires_in": 3600})

    def _page(self, request: httpx.Request, items: list[dict]) -> httpx.Response:
        params = request.url.params
        size = int(params.get("size", "50"))
        previous = int(params.get("previousId", "0"))
        selected = sorted((i for i in items if i["id"] > previous), key=lambda i: i["id"])[:size]
        meta = {"pageNumber": 0, "pageSize": size, "resultCount": len(selected), "totalCount": len(items)}
        return httpx.Response(200, json={"results": selected, "meta": meta})
