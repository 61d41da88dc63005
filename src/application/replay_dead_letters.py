"""Use case: bulk replay from the dead-letter topic, rate-limited, with progress, safe to run twice.

Selection: the dead letters in the time window (when they were dead-lettered) matching tenant and code, the latest
per invoice. By default only invoices still OPEN in the error log are replayed: one resolved, ignored, PARKED or
already REPROCESSING is skipped (``everything=True`` replays them regardless). Running the tool twice is safe either
way: a second run finds the first run's invoices REPROCESSING or gone from the log, and a replay that does get out
finds the invoice already posted (attempt journal + look-up by originalInvoiceNumber) and posts nothing.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from application.error_log_actions import send_replay, utc_now
from domain.error_log import (
    AuditTrail,
    DeadLetter,
    DeadLetters,
    ErrorLog,
    ErrorLogAction,
    ErrorLogEntry,
    ErrorStatus,
    EventReplayer,
    Scope,
)

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class ReplayFilter:
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    tenant: str | None = None
    code: str | None = None
    everything: bool = False  # also replay invoices no longer OPEN in the error log

    def matches(self, letter: DeadLetter) -> bool:
        return ((self.since is None or letter.dead_lettered_at >= self.since)
                and (self.until is None or letter.dead_lettered_at < self.until)
                and (self.tenant is None or letter.tenant == self.tenant)
                and (self.code is None or letter.code == self.code))


@dataclass(frozen=True)
class Selection:
    chosen: list[tuple[DeadLetter, ErrorLogEntry | None]]
    skipped: dict[str, int]


@dataclass(frozen=True)
class ReplayReport:
    replayed: int
    skipped: dict[str, int]
    elapsed_s: float
    dry_run: bool

    @property
    def rate(self) -> float:
        return self.replayed / self.elapsed_s if self.elapsed_s > 0 else float(self.replayed)


class Pacer:
    """At most ``rate`` sends per second, evenly spaced (no burst): the n-th send waits until start + n/rate."""

    def __init__(self, rate: float | None, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._monotonic, self._sleep = monotonic, sleep
        self._start: float | None = None
        self._sent = 0

    def wait(self) -> None:
        now = self._monotonic()
        if self._start is None:
            self._start = now
        due = self._start + self._sent * self._interval
        if due > now:
            self._sleep(due - now)
        self._sent += 1


@dataclass
class ReplayDeadLetters:
    dead_letters: DeadLetters
    log: ErrorLog
    replayer: EventReplayer
    audit: AuditTrail
    clock: Callable[[], dt.datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    def select(self, scope: Scope, wanted: ReplayFilter) -> Selection:
        latest: dict[str, DeadLetter] = {}
        for letter in self.dead_letters.all():
            if scope.allows(letter.tenant) and wanted.matches(letter):
                latest.pop(letter.original.key, None)  # keep the latest, in the order it was dead-lettered
                latest[letter.original.key] = letter
        skipped: Counter[str] = Counter()
        chosen = []
        current = {entry.key: entry for entry in self.log.entries()}  # one read of the log, not one per key
        for key, letter in latest.items():
            entry = current.get(key)
            if not wanted.everything:
                reason = _skip_reason(entry)
                if reason:
                    skipped[reason] += 1
                    continue
            chosen.append((letter, entry))
        return Selection(chosen, dict(skipped))

    def run(self, scope: Scope, selection: Selection, *, rate: float | None, reason: str | None = None,
            dry_run: bool = False, progress: Progress | None = None) -> ReplayReport:
        pacer = Pacer(rate, self.monotonic, self.sleep)
        started = self.monotonic()
        total = len(selection.chosen)
        for done, (letter, entry) in enumerate(selection.chosen, start=1):
            if not dry_run:
                pacer.wait()
                count = max(letter.original.replay_count, entry.replay_count if entry else 0) + 1
                action = ErrorLogAction(
                    action_id=self.new_id(), kind="replay", key=letter.original.key, actor=scope.actor,
                    at=self.clock(), reason=reason, via="dlq-replay", replay_count=count,
                    previous_status=entry.status.value if entry else None, code=letter.code)
                send_replay(self.log, self.replayer, self.audit, entry, letter.original, action)
            if progress is not None:
                progress(done, total)
        return ReplayReport(replayed=0 if dry_run else total, skipped=selection.skipped,
                            elapsed_s=self.monotonic() - started, dry_run=dry_run)


def _skip_reason(entry: ErrorLogEntry | None) -> str | None:
    if entry is None:
        return "not in the error log (resolved or ignored)"
    if entry.status is ErrorStatus.REPROCESSING:
        return "already reprocessing"
    if entry.status is ErrorStatus.PARKED:
        return "parked"
    return None
