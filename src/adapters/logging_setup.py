"""structlog configuration: JSON lines on stderr, secrets scrubbed from every event before it is written."""

from __future__ import annotations

import logging
import re
import sys
import threading

import structlog

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_KEYS = {"client_secret", "api_key", "access_token", "token", "authorization", "password"}


class SecretRedactor:
    """A structlog processor that replaces registered secret values (and any bearer token) with ``***``.

    Connections register their client secret and API key at start-up, so even a secret that reached a message by
    accident (an exception text echoing a request) is scrubbed before it is logged."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *secrets: str) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def scrub(self, text: str) -> str:
        text = _BEARER.sub(r"\1***", text)
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def __call__(self, _logger, _method, event_dict: dict) -> dict:
        for key, value in list(event_dict.items()):
            if key.lower() in _SECRET_KEYS:
                event_dict[key] = "***"
            elif isinstance(value, str):
                event_dict[key] = self.scrub(value)
        return event_dict


REDACTOR = SecretRedactor()


def configure_logging(level: str = "INFO", json: bool = True, stream=None) -> None:
    stream = stream or sys.stderr
    logging.basicConfig(stream=stream, level=level, format="%(message)s")
    # httpx logs every request at INFO as a plain text line (not JSON, not scrubbed, CPU on every request); the
    # session's own ``procountor_request`` event already records each request.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            REDACTOR,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
