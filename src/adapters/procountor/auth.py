"""Procountor M2M authentication: OAuth 2.0 client credentials plus the tenant's API key (API-NOTES §1.2 a).

* ``POST {base}/oauth/token`` with an ``application/x-www-form-urlencoded`` *body* of ``grant_type=client_credentials``,
  ``client_id``, ``client_secret`` and ``api_key``. Since API 23.09 credentials in the query string are rejected, so
  they are never put there. ``redirect_uri`` is optional and not sent.
* The answer is ``{"access_token": <JWT>, "expires_in": 3600}``; there is no refresh token, a new one is simply
  requested with the API key. We reuse a token until ``expires_in - 60`` seconds have passed.
* All threads of one client share one token, and only one thread fetches it: the others wait on the lock and then
  find the fresh token. A 401 invalidates only the token that got it, so N threads hit by the same expiry cause one
  renewal, not N.

Neither the token nor the secrets ever appear in ``repr``, logs or exception messages.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from domain.connection import ProcountorCredentials
from domain.errors import FailureClass, ProcountorError

TOKEN_PATH = "/oauth/token"
EXPIRY_MARGIN_SECONDS = 60.0
DEFAULT_EXPIRES_IN = 3600.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float

    def __str__(self) -> str:
        return "AccessToken(***)"


def token_request_form(credentials: ProcountorCredentials) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "api_key": credentials.api_key,
    }


def parse_token_response(response: httpx.Response, now: float) -> AccessToken:
    """Read ``access_token`` and ``expires_in``; the token is valid until ``expires_in - 60`` s from ``now``."""
    try:
        body = json.loads(response.content)
        value = body["access_token"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise ProcountorError(
            code="PROCOUNTOR_AUTH",
            message="Procountor's token endpoint answered without an access_token",
            failure_class=FailureClass.TRANSIENT,
            http_status=response.status_code,
        ) from None
    if not isinstance(value, str) or not value:
        raise ProcountorError(code="PROCOUNTOR_AUTH", message="Procountor returned an empty access_token",
                              failure_class=FailureClass.TRANSIENT, http_status=response.status_code)
    try:
        expires_in = float(body.get("expires_in", DEFAULT_EXPIRES_IN))
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    margin = EXPIRY_MARGIN_SECONDS if expires_in > 2 * EXPIRY_MARGIN_SECONDS else expires_in / 2
    return AccessToken(value=value, expires_at=now + expires_in - margin)


class TokenCache:
    """Thread-safe, single-flight cache of one access token. ``fetch()`` performs the token request."""

    def __init__(self, fetch: Callable[[], AccessToken], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None

    def get(self) -> str:
        token = self._token
        if token is not None and self._clock() < token.expires_at:
            return token.value
        with self._lock:  # single flight: whoever holds the lock fetches, the rest wait and reuse its token
            token = self._token
            if token is None or self._clock() >= token.expires_at:
                token = self._fetch()
                self._token = token
            return token.value

    def invalidate(self, rejected: str | None = None) -> None:
        """Forget the token. With ``rejected``, only if it is still the cached one (another thread may already
        have renewed it after the same 401)."""
        with self._lock:
            if self._token is not None and (rejected is None or self._token.value == rejected):
                self._token = None

    def __repr__(self) -> str:
        return f"TokenCache(cached={self._token is not None})"
