"""The error-log use cases on in-memory ports: scoping, REPROCESSING before the replay, no double reprocess."""

from __future__ import annotations

import threading

import pytest

from application.error_log_actions import ErrorLogActions, ErrorNotFound, Outcome, ReasonRequired
from domain.error_log import ErrorStatus, InvalidErrorId, Scope, parse_error_id
from tests.unit.errorlog.memory import (
    MemoryErrorLog,
    MemoryOriginals,
    RecordingAudit,
    RecordingReplayer,
    entry,
)

OPERATOR = Scope(actor="ops")
ACME = Scope(actor="acme-ui", tenant="acme")


def actions(*entries, **kwargs):
    log = MemoryErrorLog.of(*entries)
    replayer, audit, originals = RecordingReplayer(), RecordingAudit(), MemoryOriginals()
    use_cases = ErrorLogActions(log=log, originals=originals, replayer=replayer, audit=audit, via="http",
                                new_id=iter(f"a{i}" for i in range(1000)).__next__, **kwargs)
    return use_cases, log, replayer, audit, originals


def test_list_filters_and_scopes_newest_first() -> None:
    use_cases, *_ = actions(entry("acme/1", minutes=1), entry("acme/2", code="BR-CO-15", minutes=2),
                            entry("other/3", minutes=3))
    assert [e.key for e in use_cases.list(OPERATOR)] == ["other/3", "acme/2", "acme/1"]
    assert [e.key for e in use_cases.list(ACME)] == ["acme/2", "acme/1"]
    assert [e.key for e in use_cases.list(OPERATOR, code="BR-CO-15")] == ["acme/2"]
    assert [e.key for e in use_cases.list(ACME, tenant="other")] == []


def test_show_hides_other_tenants_and_rejects_bad_ids() -> None:
    use_cases, *_ = actions(entry("other/3"))
    assert use_cases.show(OPERATOR, "other/3").key == "other/3"
    with pytest.raises(ErrorNotFound):
        use_cases.show(ACME, "other/3")
    for bad in ("", "no-slash", "/x", "acme/", "a/\x00b", "a/" + "x" * 500):
        with pytest.raises(InvalidErrorId):
            use_cases.show(OPERATOR, bad)


def test_invoice_ids_may_contain_a_slash() -> None:
    assert parse_error_id("acme/2026/INV-1") == ("acme", "2026/INV-1")


def test_reprocess_marks_reprocessing_before_replaying_and_audits() -> None:
    use_cases, log, replayer, audit, _ = actions(entry("acme/1", replay_count=1))
    [result] = use_cases.reprocess(ACME, ["acme/1"], reason="product fixed")
    assert result.outcome is Outcome.REPROCESSING and result.ok
    _key, written = log.writes[0]
    assert written.status is ErrorStatus.REPROCESSING and written.action_id == "a0" and written.replay_count == 2
    event, action = replayer.sent[0]
    assert event.value == b"original acme/1"
    assert (action.kind, action.actor, action.reason, action.replay_count, action.via) == \
        ("reprocess", "acme-ui", "product fixed", 2, "http")
    assert audit.actions == [action] and action.previous_status == "OPEN"


def test_a_second_reprocess_while_the_first_runs_is_refused_unless_forced() -> None:
    use_cases, _log, replayer, _audit, _ = actions(entry("acme/1"))
    assert use_cases.reprocess(OPERATOR, ["acme/1"])[0].outcome is Outcome.REPROCESSING
    assert use_cases.reprocess(OPERATOR, ["acme/1"])[0].outcome is Outcome.ALREADY_REPROCESSING
    assert len(replayer.sent) == 1
    assert use_cases.reprocess(OPERATOR, ["acme/1"], force=True)[0].outcome is Outcome.REPROCESSING
    assert [a.replay_count for _e, a in replayer.sent] == [1, 2]


def test_concurrent_reprocesses_of_one_id_replay_once() -> None:
    use_cases, _log, replayer, _audit, _ = actions(entry("acme/1"))
    barrier = threading.Barrier(8)
    outcomes = []

    def go() -> None:
        barrier.wait()
        outcomes.extend(r.outcome for r in use_cases.reprocess(OPERATOR, ["acme/1"]))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(Outcome.REPROCESSING) == 1 and len(replayer.sent) == 1


def test_reprocess_reports_unknown_invalid_out_of_scope_and_missing_originals() -> None:
    use_cases, _log, replayer, _audit, originals = actions(entry("acme/1"), entry("other/2"), entry("acme/3"))
    originals.missing.add("acme/3")
    results = use_cases.reprocess(ACME, ["acme/1", "acme/404", "other/2", "bad", "acme/3", "acme/1"])
    assert [(r.key, r.outcome) for r in results] == [
        ("acme/1", Outcome.REPROCESSING), ("acme/404", Outcome.NOT_FOUND), ("other/2", Outcome.NOT_FOUND),
        ("bad", Outcome.INVALID_ID), ("acme/3", Outcome.ORIGINAL_MISSING)]
    assert len(replayer.sent) == 1


def test_a_failed_replay_puts_the_record_back() -> None:
    use_cases, log, replayer, audit, _ = actions(entry("acme/1"))
    replayer.fail = True
    with pytest.raises(RuntimeError):
        use_cases.reprocess(OPERATOR, ["acme/1"])
    assert log.get("acme/1").status is ErrorStatus.OPEN and audit.actions == []


def test_dry_run_changes_nothing() -> None:
    use_cases, log, replayer, audit, _ = actions(entry("acme/1"))
    assert use_cases.reprocess(OPERATOR, ["acme/1"], dry_run=True)[0].outcome is Outcome.WOULD_REPROCESS
    assert use_cases.ignore(OPERATOR, ["acme/1"], reason="x", dry_run=True)[0].outcome is Outcome.WOULD_IGNORE
    assert log.writes == [] and replayer.sent == [] and audit.actions == []


def test_reprocess_matching_takes_only_open_records() -> None:
    use_cases, _log, replayer, _audit, _ = actions(
        entry("acme/1"), entry("acme/2", status=ErrorStatus.PARKED), entry("acme/3", status=ErrorStatus.REPROCESSING),
        entry("acme/4", code="OTHER"), entry("other/5"))
    results = use_cases.reprocess_matching(OPERATOR, tenant="acme", code="PROCOUNTOR_VALIDATION")
    assert [r.key for r in results] == ["acme/1"] and len(replayer.sent) == 1


def test_ignore_tombstones_and_audits_with_the_reason() -> None:
    use_cases, log, replayer, audit, _ = actions(entry("acme/1"), entry("other/2"))
    with pytest.raises(ReasonRequired):
        use_cases.ignore(ACME, ["acme/1"], reason="  ")
    results = use_cases.ignore(ACME, ["acme/1", "other/2"], reason="credit note issued instead")
    assert [r.outcome for r in results] == [Outcome.IGNORED, Outcome.NOT_FOUND]
    assert log.writes == [("acme/1", None)] and "other/2" in log.state and replayer.sent == []
    [action] = audit.actions
    assert (action.kind, action.key, action.actor, action.reason) == \
        ("ignore", "acme/1", "acme-ui", "credit note issued instead")
