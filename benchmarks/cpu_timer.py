"""CPU seconds per call of several functions, measured interleaved so that they share the machine's conditions.

On a shared 2-core machine another process's load slows every function alike only while it lasts; timing the floor
first and the worker's steps a second later can turn that into a 2x error in their ratio. Here each round runs
every function once for about ``budget`` CPU seconds, in turn, and the best round of each is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def interleaved_best(functions: dict[str, Callable[[], object]], budget: float, rounds: int) -> dict[str, float]:
    iterations = {}
    for name, fn in functions.items():
        start = time.process_time()
        fn()
        once = max(time.process_time() - start, 1e-6)
        iterations[name] = max(3, int(budget / once))
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for name, fn in functions.items():
            n = iterations[name]
            start = time.process_time()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.process_time() - start) / n)
    return best
