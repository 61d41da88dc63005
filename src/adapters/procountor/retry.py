"""Retrying one logical Procountor request: capped exponential back-off with full jitter (tenacity).

What is retried, per attempt outcome:

* **Connect errors** (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``, ``ProxyError``): the request never
  left this process, so it is retried for *every* method, including non-idempotent POSTs.
* **429**: retried for every method, waiting at least ``Retry-After`` seconds (capped at ``max_backoff``). A
  throttled request was refused before it was processed.
* **Read/write timeouts, resets, broken connections, 5xx**: retried only for idempotent requests (GET, PUT,
  DELETE and the token request). For a non-idempotent POST the request may have been processed, and Procountor
  has no idempotency key (API-NOTES §5), so resending could create a duplicate. Those fail at once with
  ``OUTCOME_UNKNOWN`` (TRANSIENT): the caller must look the resource up before sending it again
  (``find_invoices_by_original_number`` for invoices, ``search_products`` by code for products, the invoice's
  ``attachments`` for attachments).

Anything else (2xx, 401, other 4xx) is returned to the caller unchanged. When retries run out, the error of the last
attempt is raised (``PROCOUNTOR_NETWORK`` / ``PROCOUNTOR_UNAVAILABLE`` / ``PROCOUNTOR_RATE_LIMITED``).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from domain.errors import ProcountorError

from .errors import ErrorClassifier

# The request never reached the server: always safe to send again.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.LocalProtocolError)


class RetryableFailure(Exception):
    """One failed attempt that may be retried; ``error`` is what the caller gets if it was the last one."""

    def __init__(self, error: ProcountorError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class RetryPolicy:
    def __init__(
        self,
        *,
        max_attempts: int = 5,
        max_backoff: float = 10.0,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self._jitter = wait_random_exponential(multiplier=backoff_base, max=max_backoff)
        self._sleep = sleep

    def _wait(self, retry_state: RetryCallState) -> float:
        backoff = self._jitter(retry_state)
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(failure, RetryableFailure) and failure.retry_after is not None:
            backoff = max(backoff, failure.retry_after)
        return min(backoff, self.max_backoff)

    def run(
        self,
        send: Callable[[int], httpx.Response],
        *,
        what: str,
        idempotent: bool,
        classifier: ErrorClassifier,
    ) -> httpx.Response:
        """Call ``send(attempt_number)`` until it yields a response that is not retried. Raises ProcountorError."""
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableFailure),
            sleep=self._sleep,
            reraise=True,
        )
        response: httpx.Response | None = None
        try:
            for attempt in retrying:
                with attempt:
                    response = _one_attempt(send, attempt.retry_state.attempt_number, what, idempotent, classifier)
        except RetryableFailure as failure:
            raise failure.error from None
        assert response is not None
        return response


def _one_attempt(send: Callable[[int], httpx.Response], attempt: int, what: str, idempotent: bool,
                 classifier: ErrorClassifier) -> httpx.Response:
    try:
        response = send(attempt)
    except httpx.UnsupportedProtocol as exc:
        raise classifier.bad_url(exc, what) from None
    except NEVER_SENT as exc:
        raise RetryableFailure(classifier.network(exc, what)) from None
    except httpx.TransportError as exc:  # timeouts, resets, "server disconnected": the request may have arrived
        if idempotent:
            raise RetryableFailure(classifier.network(exc, what)) from None
        raise classifier.outcome_unknown(what, cause=f"{type(exc).__name__} after the request was sent") from None
    status = response.status_code
    if status == 429:
        raise RetryableFailure(classifier.from_response(response, what), parse_retry_after(response))
    if status >= 500:
        if idempotent:
            raise RetryableFailure(classifier.from_response(response, what))
        raise classifier.outcome_unknown(what, status=status, cause=f"HTTP {status}")
    return response


def parse_retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
