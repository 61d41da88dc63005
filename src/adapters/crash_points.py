"""TEST-ONLY crash points for the fault-injection suite (tests/faults). Off unless the environment asks for them.

``PROCOUNTOR_CONNECTOR_CRASH_AT="after_post:0.2,after_outcome:0.1"`` makes the process die at once
(``os._exit(137)``, as a SIGKILL would: no flush, no commit, no finally) with that probability at a named point:

* ``after_post`` - Procountor has answered the invoice POST; nothing of it is journalled or published yet
  (called from ``adapters.procountor.gateway``);
* ``after_outcome`` - the broker has acknowledged the event's outcome; its offset is not stored yet
  (called from ``adapters.kafka.worker``).

A SIGKILL from outside cannot be timed to land exactly there, so the suite uses these to hit the two windows that
matter for "never lost, never posted twice". Never set the variable in a deployment.
"""

from __future__ import annotations

import os
import random

ENV = "PROCOUNTOR_CONNECTOR_CRASH_AT"


def _parse(spec: str) -> dict[str, float]:
    points = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, probability = part.partition(":")
        points[name] = float(probability or 1.0)
    return points


_POINTS = _parse(os.environ.get(ENV, ""))


def maybe_crash(point: str) -> None:
    probability = _POINTS.get(point)
    if probability and random.random() < probability:
        os.write(2, f"crash_point {point}\n".encode())  # so the suite can count which point fired
        os._exit(137)
