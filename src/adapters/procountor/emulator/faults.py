"""Fault injection: rules switchable at start (config ``faults``) and at run time (``/_emulator/faults``).

A rule is a dict::

    {"kind": "latency" | "error" | "throttle" | "reset" | "timeout" | "saved_then_500",
     "rate": 1.0,            # probability per matching request (seeded RNG → deterministic for a request sequence)
     "count": null,          # fire at most N times (e.g. "the next 3 requests"), then the rule is spent
     "duration_s": null,     # active for this many seconds from when it is added (e.g. a 429 burst window)
     "path_prefix": "/api",  # matched against the path with any /latest, /supported or /vYYMM prefix removed
     "company": null,        # company key, or null for every company
     "methods": null,        # e.g. ["POST"]
     # kind-specific:
     "fixed_ms": 0, "jitter_ms": 0,            # latency: sleep fixed + uniform(0, jitter) ms
     "status": 500, "html": false,             # error: status code; html=true mimics nginx's non-JSON 500 page
     "retry_after": 1,                         # throttle: 429 with this Retry-After
     "delay_s": 30, "process": false}          # timeout: answer only after delay_s; process=true then handles the
                                               # request normally (saved although the client gave up), else 504

``reset`` closes the socket without a response (TCP RST); ``saved_then_500`` lets the request be handled (e.g. the
invoice is stored) and then answers 500 instead of the real response. Latency rules all add up; of the other kinds
the first matching rule that fires decides the outcome.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = frozenset({"latency", "error", "throttle", "reset", "timeout", "saved_then_500"})


@dataclass
class FaultRule:
    kind: str
    rate: float = 1.0
    count: int | None = None
    duration_s: float | None = None
    path_prefix: str = "/api"
    company: str | None = None
    methods: list[str] | None = None
    fixed_ms: float = 0
    jitter_ms: float = 0
    status: int = 500
    html: bool = False
    retry_after: int = 1
    delay_s: float = 30
    process: bool = False
    id: int = 0
    fired: int = 0
    until: float | None = field(default=None, repr=False)

    def active(self, now: float) -> bool:
        return (self.count is None or self.count > 0) and (self.until is None or now < self.until)

    def matches(self, method: str, path: str, company: str | None) -> bool:
        return (path.startswith(self.path_prefix)
                and (self.company is None or self.company == company)
                and (not self.methods or method in self.methods))

    def describe(self, now: float) -> dict[str, Any]:
        data = asdict(self)
        data.pop("until")
        data["remaining_s"] = None if self.until is None else max(0.0, self.until - now)
        data["active"] = self.active(now)
        return data


@dataclass
class Decision:
    latency_s: float = 0.0
    outcome: FaultRule | None = None


class FaultEngine:
    def __init__(self, rules: list[dict[str, Any]] | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._initial = [dict(r) for r in rules or []]
        self.seed = seed
        self.rules: list[FaultRule] = []
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        """Back to the start-up rules and a freshly seeded RNG."""
        with self._lock:
            self.seed = self.seed if seed is None else seed
            self._rng = random.Random(self.seed)
            self.rules = []
        for raw in self._initial:
            self.add(raw)

    def add(self, raw: dict[str, Any]) -> FaultRule:
        data = dict(raw)
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {sorted(KINDS)}, not {kind!r}")
        known = set(FaultRule.__dataclass_fields__) - {"id", "fired", "until"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        rule = FaultRule(**data)
        if rule.methods:
            rule.methods = [m.upper() for m in rule.methods]
        if not 0 <= rule.rate <= 1:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            rule.id = next(self._ids)
            if rule.duration_s is not None:
                rule.until = time.monotonic() + float(rule.duration_s)
            self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) != before

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def describe(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            return [r.describe(now) for r in self.rules]

    def decide(self, method: str, path: str, company: str | None) -> Decision:
        decision = Decision()
        if not self.rules:
            return decision
        now = time.monotonic()
        with self._lock:
            for rule in self.rules:
                if not rule.active(now) or not rule.matches(method, path, company):
                    continue
                if rule.kind != "latency" and decision.outcome is not None:
                    continue
                if rule.rate < 1 and self._rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                if rule.kind == "latency":
                    jitter = self._rng.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0
                    decision.latency_s += (rule.fixed_ms + jitter) / 1000
                else:
                    decision.outcome = rule
        return decision
