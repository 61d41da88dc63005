"""Request counters per company, per ``METHOD /api/path`` (ids replaced by ``{id}``) and per status.

The benchmark reads them through ``GET /_emulator/requests`` to count Procountor calls per invoice.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

_VERSION_PREFIX = re.compile(r"^/(?:latest|supported|v\d{4})(?=/api(?:/|$))")
_ID_SEGMENT = re.compile(r"^[0-9]+(?:,[0-9]+)*$")
UNAUTHENTICATED = "-"


def api_path(path: str) -> str:
    """``/v2402/api/invoices/12`` → ``/api/invoices/12``: every API version prefix maps to the same routes."""
    return _VERSION_PREFIX.sub("", path, count=1)


def endpoint_template(path: str) -> str:
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))


class RequestStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._total: Counter[str] = Counter()
            self._endpoint: dict[str, Counter[str]] = {}
            self._status: dict[str, Counter[str]] = {}
            self._endpoint_status: dict[str, Counter[str]] = {}

    def record(self, company: str | None, method: str, path: str, status: str) -> None:
        key = company or UNAUTHENTICATED
        endpoint = f"{method} {endpoint_template(path)}"
        with self._lock:
            self._total[key] += 1
            self._endpoint.setdefault(key, Counter())[endpoint] += 1
            self._status.setdefault(key, Counter())[status] += 1
            self._endpoint_status.setdefault(key, Counter())[f"{endpoint} {status}"] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            companies = {key: {"total": self._total[key], "byEndpoint": dict(self._endpoint[key]),
                               "byStatus": dict(self._status[key]),
                               "byEndpointAndStatus": dict(self._endpoint_status[key])} for key in self._total}
            return {"total": sum(self._total.values()), "companies": companies}
