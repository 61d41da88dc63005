"""Use cases on the error log: list, show, reprocess, ignore.

Reprocess, and why it cannot post twice:
1. Under a per-key lock (one process) the record must not already be REPROCESSING (unless forced): a second
   reprocess while the first runs is refused.
2. The record is rewritten as REPROCESSING *before* the replay is sent, so the worker's outcome (a tombstone on
   success, a new OPEN/PARKED record on failure) always lands after it on the same partition.
3. The original event is re-sent, keyed like the original, with ``procountor.replay`` headers. Even if two replays
   do get out (two processes racing, or a forced replay), they reach the same partition and the worker handles one
   key at a time; the second finds the invoice posted (attempt journal + look-up) and posts nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

from domain.error_log import (
    AuditTrail,
    ErrorLog,
    ErrorLogAction,
    ErrorLogEntry,
    ErrorStatus,
    EventReplayer,
    InvalidErrorId,
    OriginalEvent,
    OriginalEvents,
    Scope,
    parse_error_id,
)


class Outcome(str, Enum):
    REPROCESSING = "reprocessing"
    WOULD_REPROCESS = "would-reprocess"
    IGNORED = "ignored"
    WOULD_IGNORE = "would-ignore"
    NOT_FOUND = "not-found"
    INVALID_ID = "invalid-id"
    ALREADY_REPROCESSING = "already-reprocessing"
    ORIGINAL_MISSING = "original-missing"


@dataclass(frozen=True)
class ActionResult:
    key: str
    outcome: Outcome
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.REPROCESSING, Outcome.WOULD_REPROCESS, Outcome.IGNORED, Outcome.WOULD_IGNORE)


class ErrorNotFound(LookupError):
    """No such record, or not one the caller may see (the two are not told apart)."""


class ReasonRequired(ValueError):
    pass


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class ErrorLogActions:
    log: ErrorLog
    originals: OriginalEvents
    replayer: EventReplayer
    audit: AuditTrail
    via: str = "cli"
    clock: Callable[[], dt.datetime] = utc_now
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    # Striped per-key locks: a check-then-write on one key is atomic within this process.
    _locks: tuple[threading.Lock, ...] = field(default_factory=lambda: tuple(threading.Lock() for _ in range(64)),
                                               repr=False)

    # -- queries -----------------------------------------------------------------------------------------------
    def list(self, scope: Scope, *, tenant: str | None = None, code: str | None = None,
             status: ErrorStatus | None = None) -> list[ErrorLogEntry]:
        return sorted((e for e in self.log.entries()
                       if scope.allows(e.tenant) and (tenant is None or e.tenant == tenant)
                       and (code is None or e.code == code) and (status is None or e.status is status)),
                      key=lambda e: (e.last_failure_at, e.key), reverse=True)

    def show(self, scope: Scope, error_id: str) -> ErrorLogEntry:
        """Raise InvalidErrorId for a malformed id, ErrorNotFound for an unknown or out-of-scope one."""
        tenant, _ = parse_error_id(error_id)
        entry = self.log.get(error_id) if scope.allows(tenant) else None
        if entry is None:
            raise ErrorNotFound(error_id)
        return entry

    def original(self, scope: Scope, error_id: str):
        """The original event (bytes as consumed) of a record, or None when no longer retained."""
        return self.originals.fetch(self.show(scope, error_id))

    # -- actions -----------------------------------------------------------------------------------------------
    def reprocess(self, scope: Scope, error_ids: Iterable[str], *, reason: str | None = None,
                  dry_run: bool = False, force: bool = False) -> list[ActionResult]:
        return [self._each(scope, error_id, lambda entry: self._reprocess(scope, entry, reason, dry_run, force))
                for error_id in dict.fromkeys(error_ids)]

    def reprocess_matching(self, scope: Scope, *, tenant: str | None = None, code: str | None = None,
                           reason: str | None = None, dry_run: bool = False) -> list[ActionResult]:
        """Every OPEN record of the selection (PARKED and REPROCESSING ones are left alone)."""
        selected = self.list(scope, tenant=tenant, code=code, status=ErrorStatus.OPEN)
        return self.reprocess(scope, [e.key for e in selected], reason=reason, dry_run=dry_run)

    def ignore(self, scope: Scope, error_ids: Iterable[str], *, reason: str,
               dry_run: bool = False) -> list[ActionResult]:
        if not reason or not reason.strip():
            raise ReasonRequired("ignoring a record needs a reason (it goes to the audit trail)")
        return [self._each(scope, error_id, lambda entry: self._ignore(scope, entry, reason.strip(), dry_run))
                for error_id in dict.fromkeys(error_ids)]

    # -- internals ---------------------------------------------------------------------------------------------
    def _each(self, scope: Scope, error_id: str, act: Callable[[ErrorLogEntry], ActionResult]) -> ActionResult:
        try:
            parse_error_id(error_id)
        except InvalidErrorId as exc:
            return ActionResult(str(error_id), Outcome.INVALID_ID, str(exc))
        with self._lock_for(error_id):
            try:
                entry = self.show(scope, error_id)
            except ErrorNotFound:
                return ActionResult(error_id, Outcome.NOT_FOUND, "no such record in the error log")
            return act(entry)

    def _reprocess(self, scope: Scope, entry: ErrorLogEntry, reason: str | None, dry_run: bool,
                   force: bool) -> ActionResult:
        if entry.status is ErrorStatus.REPROCESSING and not force:
            since = entry.updated_at.isoformat() if entry.updated_at else "earlier"
            return ActionResult(entry.key, Outcome.ALREADY_REPROCESSING,
                                f"a reprocess started {since} has no outcome yet")
        original = self.originals.fetch(entry)
        if original is None:
            return ActionResult(entry.key, Outcome.ORIGINAL_MISSING,
                                "the original event is no longer retained in its topic nor the dead-letter topic")
        action = self._action("reprocess", scope, entry, reason, dry_run,
                              replay_count=max(entry.replay_count, original.replay_count) + 1)
        if dry_run:
            return ActionResult(entry.key, Outcome.WOULD_REPROCESS, f"replay #{action.replay_count}")
        send_replay(self.log, self.replayer, self.audit, entry, original, action)
        return ActionResult(entry.key, Outcome.REPROCESSING, f"replay #{action.replay_count}")

    def _ignore(self, scope: Scope, entry: ErrorLogEntry, reason: str, dry_run: bool) -> ActionResult:
        if dry_run:
            return ActionResult(entry.key, Outcome.WOULD_IGNORE)
        self.log.remove(entry.key)
        self.audit.record(self._action("ignore", scope, entry, reason, dry_run))
        return ActionResult(entry.key, Outcome.IGNORED)

    def _action(self, kind: str, scope: Scope, entry: ErrorLogEntry, reason: str | None, dry_run: bool,
                replay_count: int = 0) -> ErrorLogAction:
        return ErrorLogAction(action_id=self.new_id(), kind=kind, key=entry.key, actor=scope.actor, at=self.clock(),
                              reason=reason, via=self.via, replay_count=replay_count, dry_run=dry_run,
                              previous_status=entry.status.value, code=entry.code)

    def _lock_for(self, key: str) -> threading.Lock:
        return self._locks[zlib.crc32(key.encode()) % len(self._locks)]


def send_replay(log: ErrorLog, replayer: EventReplayer, audit: AuditTrail, entry: ErrorLogEntry | None,
                original: OriginalEvent, action: ErrorLogAction) -> None:
    """Mark the record REPROCESSING (when it is in the log), then re-send the original, then audit.
    REPROCESSING goes first so that the worker's outcome for the replay always lands after it."""
    if entry is not None:
        log.write(replace(entry, status=ErrorStatus.REPROCESSING, replay_count=action.replay_count,
                          updated_at=action.at, action_id=action.action_id))
    try:
        replayer.replay(original, action)
    except Exception:
        if entry is not None:
            log.write(entry)  # the replay did not go out: the record is as it was
        raise
    audit.record(action)
