"""The error log's values and ports: an invoice that could not be transferred, and what operators may do with it.

The log itself is a compacted topic keyed ``tenant/invoice_id`` (latest state per invoice; a tombstone removes it).
An operator's action is a message: *reprocess* marks the record REPROCESSING and replays the original event with
headers that say so; *ignore* writes a tombstone. Every action also goes to an audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Protocol

from domain.errors import FieldError

PARK_AFTER_REPLAYS = 3  # a replayed invoice failing for the Nth replay is PARKED: a person must look at it
MAX_ID_LENGTH = 400


class ErrorStatus(str, Enum):
    OPEN = "OPEN"  # failed; waiting for an operator
    REPROCESSING = "REPROCESSING"  # an operator replayed it; the outcome has not arrived yet
    PARKED = "PARKED"  # failed again after repeated replays; bulk selections leave it alone


class InvalidErrorId(ValueError):
    """Not an error-log id (``tenant/invoice_id``)."""


def parse_error_id(value: str) -> tuple[str, str]:
    """``tenant/invoice_id`` -> (tenant, invoice_id). The invoice id may itself contain ``/``."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise InvalidErrorId(f"an error id is 'tenant/invoice_id' of at most {MAX_ID_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidErrorId("an error id contains no control characters")
    tenant, slash, invoice_id = value.partition("/")
    if not slash or not tenant.strip() or not invoice_id.strip():
        raise InvalidErrorId(f"{value!r} is not 'tenant/invoice_id'")
    return tenant, invoice_id


@dataclass(frozen=True)
class SourceLocation:
    """Where the original InvoiceIssued event lives."""

    topic: str
    partition: int
    offset: int
    timestamp: dt.datetime


@dataclass(frozen=True)
class ErrorLogEntry:
    tenant: str
    invoice_id: str
    event_id: str
    status: ErrorStatus
    failure_class: str
    code: str
    message: str
    source: SourceLocation
    attempts: int
    first_failure_at: dt.datetime
    last_failure_at: dt.datetime
    field_errors: tuple[FieldError, ...] = ()
    http_status: int | None = None
    invoice_number: str | None = None
    customer_name: str | None = None
    currency: str | None = None
    payable_amount: Decimal | None = None
    issue_date: dt.date | None = None
    replay_count: int = 0  # how many times it has been replayed (carried in a header of the record)
    updated_at: dt.datetime | None = None  # when this state was written (the record's timestamp)
    action_id: str | None = None  # the action that set REPROCESSING, if that is the state

    @property
    def key(self) -> str:
        return f"{self.tenant}/{self.invoice_id}"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fe.rule for fe in self.field_errors if fe.rule))


@dataclass(frozen=True)
class OriginalEvent:
    """The original event, byte for byte, and the topic it was consumed from."""

    key: str
    topic: str
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    replay_count: int = 0  # replays it has already been through (from its headers)


@dataclass(frozen=True)
class DeadLetter:
    original: OriginalEvent
    tenant: str
    invoice_id: str
    code: str
    dead_lettered_at: dt.datetime


@dataclass(frozen=True)
class ErrorLogAction:
    """One operator action on one record: what goes to the audit trail and into the replay's headers."""

    action_id: str
    kind: str  # reprocess | ignore | replay
    key: str
    actor: str
    at: dt.datetime
    reason: str | None = None
    via: str = "cli"  # cli | http | dlq-replay
    replay_count: int = 0  # for a replay: the count the replayed event carries
    dry_run: bool = False
    previous_status: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Scope:
    """Who acts, and which tenants' records they may see. ``tenant=None`` sees every tenant (an operator)."""

    actor: str
    tenant: str | None = None

    def allows(self, tenant: str) -> bool:
        return self.tenant is None or self.tenant == tenant


# -- ports ---------------------------------------------------------------------------------------------------------
class ErrorLog(Protocol):
    """The error log's current state. Reads see every write made before them (read-your-writes)."""

    def entries(self) -> list[ErrorLogEntry]: ...

    def get(self, key: str) -> ErrorLogEntry | None: ...

    def write(self, entry: ErrorLogEntry) -> None:
        """Write this state for the entry's key; return once durable."""
        ...

    def remove(self, key: str) -> None:
        """Tombstone the key; return once durable."""
        ...


class OriginalEvents(Protocol):
    def fetch(self, entry: ErrorLogEntry) -> OriginalEvent | None:
        """The original event of an error-log entry, or None when it is no longer retained anywhere."""
        ...


class DeadLetters(Protocol):
    def all(self) -> list[DeadLetter]: ...


class EventReplayer(Protocol):
    def replay(self, event: OriginalEvent, action: ErrorLogAction) -> None:
        """Re-send the original bytes to their topic with headers marking the replay; return once durable."""
        ...


class AuditTrail(Protocol):
    def record(self, action: ErrorLogAction) -> None: ...
