"""One authenticated, rate-limited, retried, logged HTTP exchange with Procountor.

``ApiSession.request`` is the only way requests leave the Procountor adapter:

1. every attempt (data requests, retries *and* token requests) first takes a slot from the shared ``RateLimiter``;
2. data requests carry ``Authorization: Bearer <token>`` from the shared ``TokenCache``;
3. failures are retried per ``RetryPolicy`` (see ``retry.py`` for what is safe to resend);
4. a 401 invalidates the token that got it and the request is sent once more with a new token; a second 401 is
   ``PROCOUNTOR_AUTH`` (CONNECTION);
5. each attempt is logged as one ``procountor_request`` debug event (method, path template, status, attempt,
   duration_ms) and reported to ``on_request(method, path_template, status)`` (status 0 = no response). Headers,
   bodies and query strings are never logged.

``httpx.Client`` is thread-safe, and so is everything shared here, so one session serves a whole thread pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import structlog

from domain.connection import ProcountorCredentials

from .auth import TOKEN_PATH, AccessToken, TokenCache, parse_token_response, token_request_form
from .errors import ErrorClassifier, Redactor
from .json_codec import decode_json, encode_json
from .rate_limit import RateLimiter
from .retry import RetryPolicy

log = structlog.get_logger(__name__)

OnRequest = Callable[[str, str, int], None]


class ApiSession:
    def __init__(
        self,
        base_url: str,
        credentials: ProcountorCredentials,
        *,
        rate_limiter: RateLimiter,
        retry_policy: RetryPolicy,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
        on_request: OnRequest | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._limiter = rate_limiter
        self._retry = retry_policy
        self._on_request = on_request
        self._clock = clock
        self._redactor = Redactor(credentials.secrets())
        self.classifier = ErrorClassifier(self._redactor)
        self.tokens = TokenCache(self._fetch_token, clock=clock)
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
            trust_env=transport is None,
        )

    # -- public ------------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_template: str,
        *,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        files: Mapping[str, tuple] | None = None,
        idempotent: bool | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        """Send one logical request; return its 2xx response or raise a classified ``ProcountorError``.
        ``idempotent`` defaults to ``method != "POST"``."""
        path = path_template.format(**{k: quote(str(v), safe="") for k, v in (path_params or {}).items()})
        what = f"{method} {path_template}"
        if idempotent is None:
            idempotent = method.upper() != "POST"
        headers: dict[str, str] = {"Accept": accept} if accept else {}
        content = None
        if json_body is not None:
            content = encode_json(json_body)
            headers["Content-Type"] = "application/json"

        for renewed in (False, True):
            tokens_used: list[str] = []

            def send(attempt: int, tokens_used: list[str] = tokens_used) -> httpx.Response:
                token = self.tokens.get()
                tokens_used.append(token)
                return self._send_once(
                    method, path.lstrip("/"), path_template, attempt,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                    params=params, content=content, files=files,
                )

            response = self._retry.run(send, what=what, idempotent=idempotent, classifier=self.classifier)
            if response.status_code == 401 and not renewed:
                # The request was refused, not processed: renewing and resending is safe even for POST.
                self.tokens.invalidate(tokens_used[-1] if tokens_used else None)
                continue
            if 200 <= response.status_code < 300:
                return response
            raise self.classifier.from_response(response, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def request_json(self, method: str, path_template: str, **kwargs: Any) -> Any:
        """``request`` and decode the JSON answer (floats as Decimal); an empty 2xx body decodes to ``{}``."""
        response = self.request(method, path_template, **kwargs)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return decode_json(response.content)
        except (ValueError, UnicodeDecodeError):
            what = f"{method} {path_template}"
            idempotent = kwargs.get("idempotent")
            if idempotent is None:
                idempotent = method.upper() != "POST"
            if not idempotent:  # it succeeded, but we cannot tell what was created
                raise self.classifier.outcome_unknown(what, status=response.status_code,
                                                      cause="unreadable success response") from None
            raise self.classifier.bad_response(what, response.status_code, "not JSON") from None

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"ApiSession(base_url={self.base_url!r}, client_id={self._credentials.client_id!r})"

    # -- internals ---------------------------------------------------------------------------------------------

    def _fetch_token(self) -> AccessToken:
        what = f"POST {TOKEN_PATH}"
        form = token_request_form(self._credentials)  # form BODY only: credentials in the query string are refused

        def send(attempt: int) -> httpx.Response:
            return self._send_once("POST", TOKEN_PATH.lstrip("/"), TOKEN_PATH, attempt, data=form)

        # Asking for a token twice is harmless, so the token request is retried like any idempotent call.
        response = self._retry.run(send, what=what, idempotent=True, classifier=self.classifier)
        if 400 <= response.status_code < 500:
            raise self.classifier.token_refused(response)
        if not 200 <= response.status_code < 300:
            raise self.classifier.from_response(response, what)
        token = parse_token_response(response, self._clock())
        self._redactor.remember(token.value)
        log.debug("procountor_token_renewed", client_id=self._credentials.client_id)
        return token

    def _send_once(self, method: str, path: str, path_template: str, attempt: int, **kwargs: Any) -> httpx.Response:
        self._limiter.acquire()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = self._http.request(method, path, **kwargs)
            status = response.status_code
            return response
        except httpx.HTTPError as exc:
            error = type(exc).__name__
            raise
        finally:
            event: dict[str, Any] = {
                "method": method, "path": path_template, "status": status, "attempt": attempt,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            if error:
                event["error"] = error
            log.debug("procountor_request", **event)
            if self._on_request is not None:
                try:
                    self._on_request(method, path_template, status or 0)
                except Exception:  # noqa: BLE001 - a metrics hook must never break a request
                    log.warning("procountor_on_request_hook_failed", method=method, path=path_template)
