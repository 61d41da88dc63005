"""Stop dead-lettering everything when Procountor (or a deploy) is broken.

Counts the outcomes that touched Procountor in a sliding window; when the share of transient failures crosses the
threshold, the breaker opens and the worker starts no new transfers until the cool-down has passed. Events stay
uncommitted and keep their retry budget, so nothing is lost or dead-lettered while it is open.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, window: int, min_outcomes: int, failure_ratio: float, cooldown_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._outcomes: deque[bool] = deque(maxlen=window)
        self._min = min_outcomes
        self._ratio = failure_ratio
        self._cooldown = cooldown_s
        self._clock = clock
        self.open_until = 0.0
        self.times_opened = 0

    def record(self, transient_failure: bool) -> bool:
        """Record one outcome; True when this outcome opened the breaker."""
        self._outcomes.append(transient_failure)
        if len(self._outcomes) < self._min or self.is_open:
            return False
        if sum(self._outcomes) / len(self._outcomes) >= self._ratio:
            self.open_until = self._clock() + self._cooldown
            self.times_opened += 1
            self._outcomes.clear()  # half-open afterwards: judge the next window on its own
            return True
        return False

    @property
    def is_open(self) -> bool:
        return self._clock() < self.open_until
