"""In-memory implementations of the error-log ports, for unit tests of the use cases and the HTTP API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from domain.error_log import DeadLetter, ErrorLogAction, ErrorLogEntry, ErrorStatus, OriginalEvent, SourceLocation
from domain.errors import FieldError

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def entry(key: str = "acme/INV-1", *, code: str = "PROCOUNTOR_VALIDATION", status: ErrorStatus = ErrorStatus.OPEN,
          replay_count: int = 0, minutes: int = 0, offset: int = 7) -> ErrorLogEntry:
    tenant, _, invoice_id = key.partition("/")
    at = T0 + dt.timedelta(minutes=minutes)
    return ErrorLogEntry(
        tenant=tenant, invoice_id=invoice_id, event_id=f"evt-{invoice_id}", status=status,
        failure_class="permanent", code=code, message="product could not be created",
        source=SourceLocation("qvalia.invoices.issued", 0, offset, at), attempts=1, first_failure_at=at,
        last_failure_at=at, field_errors=(FieldError("products[0].name", "required", "PROC-1"),),
        http_status=400, invoice_number=invoice_id, customer_name="Asiakas Oy", currency="EUR",
        payable_amount=Decimal("124.00"), issue_date=dt.date(2026, 3, 1), replay_count=replay_count)


@dataclass
class MemoryErrorLog:
    state: dict[str, ErrorLogEntry] = field(default_factory=dict)
    writes: list[tuple[str, ErrorLogEntry | None]] = field(default_factory=list)

    @classmethod
    def of(cls, *entries: ErrorLogEntry) -> MemoryErrorLog:
        return cls({e.key: e for e in entries})

    def entries(self) -> list[ErrorLogEntry]:
        return list(self.state.values())

    def get(self, key: str) -> ErrorLogEntry | None:
        return self.state.get(key)

    def write(self, entry_: ErrorLogEntry) -> None:
        self.state[entry_.key] = entry_
        self.writes.append((entry_.key, entry_))

    def remove(self, key: str) -> None:
        self.state.pop(key, None)
        self.writes.append((key, None))


@dataclass
class MemoryOriginals:
    missing: set[str] = field(default_factory=set)

    def fetch(self, entry_: ErrorLogEntry) -> OriginalEvent | None:
        if entry_.key in self.missing:
            return None
        return OriginalEvent(key=entry_.key, topic=entry_.source.topic, value=b"original " + entry_.key.encode(),
                             headers=(("trace", b"1"),))


@dataclass
class RecordingReplayer:
    sent: list[tuple[OriginalEvent, ErrorLogAction]] = field(default_factory=list)
    fail: bool = False

    def replay(self, event: OriginalEvent, action: ErrorLogAction) -> None:
        if self.fail:
            raise RuntimeError("broker down")
        self.sent.append((event, action))


@dataclass
class RecordingAudit:
    actions: list[ErrorLogAction] = field(default_factory=list)

    def record(self, action: ErrorLogAction) -> None:
        self.actions.append(action)


@dataclass
class MemoryDeadLetters:
    letters: list[DeadLetter] = field(default_factory=list)

    def all(self) -> list[DeadLetter]:
        return list(self.letters)


def dead_letter(key: str, *, code: str = "PROCOUNTOR_VALIDATION", minutes: int = 0,
                replay_count: int = 0) -> DeadLetter:
    tenant, _, invoice_id = key.partition("/")
    original = OriginalEvent(key=key, topic="qvalia.invoices.issued", value=f"event {key}".encode(),
                             headers=(("dlt.error-code", code.encode()),), replay_count=replay_count)
    return DeadLetter(original=original, tenant=tenant, invoice_id=invoice_id, code=code,
                      dead_lettered_at=T0 + dt.timedelta(minutes=minutes))
