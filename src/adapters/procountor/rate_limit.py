"""Client-side rate limiting for Procountor.

Procountor limits requests *per API client* (20 req/s in the older docs, 60 req/s on production in the newer ones)
and warns that exceeding the limit "may result in suspending the service for the API client". It documents no 429
and no rate-limit headers, so we must stay under the limit ourselves instead of reacting to throttling.

The limiter is a token bucket implemented as GCRA ("virtual scheduling"): every caller reserves the next free slot
under a lock and then sleeps *outside* the lock until its slot arrives, so threads are served in arrival order and
a sleeping thread never blocks the others from reserving. With ``burst`` slots, any window of ``T`` seconds holds at
most ``burst + rate * T`` requests; the default ``burst=1`` therefore keeps any one-second window at ``rate + 1``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_REQUESTS_PER_SECOND = 20.0


class RateLimiter:
    """Thread-safe token bucket. ``acquire()`` blocks the calling thread until a request slot is free."""

    def __init__(
        self,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.requests_per_second = float(requests_per_second)
        self.burst = burst
        self._interval = 1.0 / self.requests_per_second
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._theoretical_arrival: float | None = None

    def reserve(self) -> float:
        """Reserve the next slot and return how many seconds the caller must wait for it (0 when free now)."""
        with self._lock:
            now = self._clock()
            tat = now if self._theoretical_arrival is None else max(self._theoretical_arrival, now)
            slot = max(now, tat - self._tolerance)
            self._theoretical_arrival = tat + self._interval
            return slot - now

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)

    def __repr__(self) -> str:
        return f"RateLimiter(requests_per_second={self.requests_per_second}, burst={self.burst})"


class RateLimiterRegistry:
    """One limiter per Procountor API client id, shared by every thread and every ``ProcountorClient`` using it.

    Procountor's limit is per *client application* (client id), not per API key, so tenants that share one client
    id also share one budget."""

    def __init__(self, requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND, *, burst: int = 1) -> None:
        self._requests_per_second = requests_per_second
        self._burst = burst
        self._lock = threading.Lock()
        self._limiters: dict[str, RateLimiter] = {}

    def for_client(self, client_id: str) -> RateLimiter:
        with self._lock:
            limiter = self._limiters.get(client_id)
            if limiter is None:
                limiter = RateLimiter(self._requests_per_second, burst=self._burst)
                self._limiters[client_id] = limiter
            return limiter


_DEFAULT_REGISTRY = RateLimiterRegistry()


def shared_rate_limiter(client_id: str) -> RateLimiter:
    """The process-wide limiter for ``client_id`` (default 20 requests/s, the conservative documented figure)."""
    return _DEFAULT_REGISTRY.for_client(client_id)
