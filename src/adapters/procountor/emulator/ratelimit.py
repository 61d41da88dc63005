"""Requests-per-second limit per client (API-NOTES §4.4: 20 req/s in the older docs, 60 on production later).

A token bucket per company: ``rate`` tokens per second, burst ``rate``. Procountor documents neither the status code
nor headers for throttling; the emulator answers 429 with ``Retry-After`` (whole seconds, at least 1).
"""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, rate_per_second: float | None) -> None:
        self.rate = float(rate_per_second or 0)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def set_rate(self, rate_per_second: float | None) -> None:
        with self._lock:
            self.rate = float(rate_per_second or 0)
            self._buckets.clear()

    def acquire(self, key: str, now: float | None = None) -> float | None:
        """None when the request may proceed, else the seconds until the next request would be allowed."""
        if self.rate <= 0:
            return None
        now = time.monotonic() if now is None else now
        burst = max(self.rate, 1.0)
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    @staticmethod
    def retry_after_header(wait_seconds: float) -> str:
        return str(max(1, math.ceil(wait_seconds)))
