"""Turn Procountor responses and transport failures into classified ``ProcountorError``s.

Classification (API-NOTES §4):

====================================  ==========  ==========================
what happened                         class       code
====================================  ==========  ==========================
400 / 422 (``{"errors": [...]}``)     PERMANENT   PROCOUNTOR_VALIDATION (one FieldError per entry)
401 after one token renewal           CONNECTION  PROCOUNTOR_AUTH
token endpoint refuses credentials    CONNECTION  PROCOUNTOR_AUTH (invalid_grant, revoked API key, ...)
403                                   CONNECTION  PROCOUNTOR_FORBIDDEN (the API user lacks rights)
404                                   PERMANENT   PROCOUNTOR_NOT_FOUND
409                                   PERMANENT   PROCOUNTOR_CONFLICT (Procountor uses 409 only for state
                                                  conflicts, never for duplicate invoices: retrying won't help)
429 beyond retries                    TRANSIENT   PROCOUNTOR_RATE_LIMITED
5xx beyond retries                    TRANSIENT   PROCOUNTOR_UNAVAILABLE
network failure beyond retries        TRANSIENT   PROCOUNTOR_NETWORK
non-idempotent POST, no answer        TRANSIENT   OUTCOME_UNKNOWN (see ``retry.py``)
other 4xx                             PERMANENT   PROCOUNTOR_REJECTED
====================================  ==========  ==========================

Every message that contains text taken from a response passes through a ``Redactor`` first.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque

import httpx

from domain.errors import FailureClass, FieldError, ProcountorError

MAX_MESSAGE_CHARS = 500
_REDACTED = "***"
# Bearer headers echoed back, and JWT-shaped values (access tokens *and* API keys are JWTs).
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_VALIDATION_CODE = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")


class Redactor:
    """Scrubs the client secret, the API key and every bearer token this client has held from text."""

    def __init__(self, secrets: tuple[str, ...] = (), *, remembered_tokens: int = 8) -> None:
        self._static = tuple(s for s in secrets if s)
        self._tokens: deque[str] = deque(maxlen=remembered_tokens)
        self._lock = threading.Lock()

    def remember(self, token: str) -> None:
        if token:
            with self._lock:
                self._tokens.append(token)

    def scrub(self, text: str) -> str:
        with self._lock:
            values = self._static + tuple(self._tokens)
        for value in sorted(values, key=len, reverse=True):
            text = text.replace(value, _REDACTED)
        text = _BEARER.sub("Bearer " + _REDACTED, text)
        return _JWT.sub(_REDACTED, text)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._static)} secrets>)"


class ErrorClassifier:
    """Builds the ``ProcountorError`` for each failure kind; ``what`` is a short ``"GET /invoices"`` context."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def _error(self, code: str, message: str, failure_class: FailureClass, status: int | None,
               field_errors: tuple[FieldError, ...] = ()) -> ProcountorError:
        message = self.redactor.scrub(message)
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 3] + "..."
        field_errors = tuple(
            FieldError(self.redactor.scrub(fe.field), self.redactor.scrub(fe.message), fe.rule) for fe in field_errors
        )
        return ProcountorError(code=code, message=message, failure_class=failure_class,
                               field_errors=field_errors, http_status=status)

    def from_response(self, response: httpx.Response, what: str) -> ProcountorError:
        """Classify a non-2xx response that will not be retried (or whose retries ran out)."""
        status = response.status_code
        field_errors = parse_field_errors(response)
        detail = _summary(field_errors) or _text_snippet(response)
        suffix = f": {detail}" if detail else ""
        if status in (400, 422):
            return self._error("PROCOUNTOR_VALIDATION", f"Procountor rejected {what} ({status}){suffix}",
                               FailureClass.PERMANENT, status, field_errors)
        if status == 401:
            return self._error("PROCOUNTOR_AUTH", f"Procountor refused the access token for {what} even after "
                               f"renewing it (401); the API key may be revoked{suffix}",
                               FailureClass.CONNECTION, status)
        if status == 403:
            return self._error("PROCOUNTOR_FORBIDDEN", f"the Procountor API user lacks the rights for {what} "
                               f"(403){suffix}", FailureClass.CONNECTION, status, field_errors)
        if status == 404:
            return self._error("PROCOUNTOR_NOT_FOUND", f"Procountor found nothing for {what} (404){suffix}",
                               FailureClass.PERMANENT, status, field_errors)
        if status == 409:
            return self._error("PROCOUNTOR_CONFLICT", f"Procountor reported a conflict for {what} (409){suffix}",
                               FailureClass.PERMANENT, status, field_errors)
        if status == 429:
            return self._error("PROCOUNTOR_RATE_LIMITED", f"Procountor kept throttling {what} (429)",
                               FailureClass.TRANSIENT, status)
        if status >= 500:
            return self._error("PROCOUNTOR_UNAVAILABLE", f"Procountor failed {what} ({status}){suffix}",
                               FailureClass.TRANSIENT, status)
        return self._error("PROCOUNTOR_REJECTED", f"Procountor answered {what} with {status}{suffix}",
                           FailureClass.PERMANENT, status, field_errors)

    def token_refused(self, response: httpx.Response) -> ProcountorError:
        """The token endpoint refused the credentials: the tenant's connection is broken, not the invoice."""
        detail = _summary(parse_field_errors(response)) or _text_snippet(response)
        suffix = f": {detail}" if detail else ""
        return self._error("PROCOUNTOR_AUTH", f"Procountor refused the M2M credentials ({response.status_code}); "
                           f"check the client id, client secret and API key{suffix}",
                           FailureClass.CONNECTION, response.status_code)

    def network(self, exc: Exception, what: str) -> ProcountorError:
        return self._error("PROCOUNTOR_NETWORK", f"could not reach Procountor for {what} ({type(exc).__name__}: "
                           f"{exc})", FailureClass.TRANSIENT, None)

    def bad_url(self, exc: Exception, what: str) -> ProcountorError:
        return self._error("PROCOUNTOR_BAD_URL", f"the Procountor base URL is unusable for {what} "
                           f"({type(exc).__name__}: {exc})", FailureClass.CONNECTION, None)

    def outcome_unknown(self, what: str, *, status: int | None = None, cause: str) -> ProcountorError:
        return self._error("OUTCOME_UNKNOWN", f"{what} may have reached Procountor but its outcome is unknown "
                           f"({cause}); it was not re-sent because it is not idempotent. Look the resource up "
                           f"before sending it again", FailureClass.TRANSIENT, status)

    def bad_response(self, what: str, status: int, problem: str) -> ProcountorError:
        return self._error("PROCOUNTOR_BAD_RESPONSE", f"Procountor answered {what} with an unreadable {status} "
                           f"response ({problem})", FailureClass.TRANSIENT, status)


def parse_field_errors(response: httpx.Response) -> tuple[FieldError, ...]:
    """``{"errors": [{"status", "field", "message"}]}``; also the very old ``constraintViolations`` shape.
    Defensive: 5xx bodies can be nginx HTML, and anything unexpected yields no field errors."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ()
    if not isinstance(body, dict):
        return ()
    entries = body.get("errors")
    if not isinstance(entries, list):
        entries = body.get("constraintViolations")
    if not isinstance(entries, list):
        return ()
    result = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        field = entry.get("field") or entry.get("propertyPath") or ""
        message = entry.get("message") or entry.get("errorCode") or ""
        message = str(message)
        rule = message if _VALIDATION_CODE.match(message) else None
        result.append(FieldError(field=str(field), message=message, rule=rule))
    return tuple(result)


def _summary(field_errors: tuple[FieldError, ...]) -> str:
    return "; ".join(f"{fe.field}: {fe.message}" if fe.field else fe.message for fe in field_errors)


def _text_snippet(response: httpx.Response) -> str:
    """A short, single-line piece of a non-JSON body (e.g. "500 Internal Server Error" from an nginx page)."""
    content_type = response.headers.get("content-type", "")
    try:
        text = response.content.decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - pragma: no cover - decode with errors="replace" does not raise
        return ""
    if "html" in content_type or text.lstrip().startswith("<"):
        match = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = match.group(1) if match else re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:200]
