"""Bulk replay from the dead-letter topic: selection, pacing, progress, safe to run twice."""

from __future__ import annotations

import datetime as dt

from application.replay_dead_letters import Pacer, ReplayDeadLetters, ReplayFilter
from domain.error_log import ErrorStatus, Scope
from tests.unit.errorlog.memory import (
    T0,
    MemoryDeadLetters,
    MemoryErrorLog,
    RecordingAudit,
    RecordingReplayer,
    dead_letter,
    entry,
)

OPERATOR = Scope(actor="ops")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def tool(letters, *entries, clock=None):
    clock = clock or FakeClock()
    log, replayer, audit = MemoryErrorLog.of(*entries), RecordingReplayer(), RecordingAudit()
    use_case = ReplayDeadLetters(MemoryDeadLetters(letters), log, replayer, audit, monotonic=clock.monotonic,
                                 sleep=clock.sleep)
    return use_case, log, replayer, audit


def test_selects_latest_per_key_within_window_and_filters() -> None:
    letters = [dead_letter("acme/1", minutes=0), dead_letter("acme/1", minutes=5, replay_count=1),
               dead_letter("acme/2", minutes=10, code="BR-CO-15"), dead_letter("other/3", minutes=20)]
    use_case, *_ = tool(letters, entry("acme/1"), entry("acme/2"), entry("other/3"))
    chosen = use_case.select(OPERATOR, ReplayFilter()).chosen
    assert [(d.original.key, d.original.replay_count) for d, _e in chosen] == [("acme/1", 1), ("acme/2", 0),
                                                                                ("other/3", 0)]
    window = ReplayFilter(since=T0 + dt.timedelta(minutes=5), until=T0 + dt.timedelta(minutes=20))
    assert [d.original.key for d, _ in use_case.select(OPERATOR, window).chosen] == ["acme/1", "acme/2"]
    assert [d.original.key for d, _ in use_case.select(OPERATOR, ReplayFilter(code="BR-CO-15")).chosen] == ["acme/2"]
    assert [d.original.key for d, _ in use_case.select(Scope("x", "other"), ReplayFilter()).chosen] == ["other/3"]


def test_skips_what_is_not_open_unless_everything() -> None:
    letters = [dead_letter(k) for k in ("a/1", "a/2", "a/3", "a/4")]
    use_case, *_ = tool(letters, entry("a/1"), entry("a/2", status=ErrorStatus.REPROCESSING),
                        entry("a/3", status=ErrorStatus.PARKED))
    selection = use_case.select(OPERATOR, ReplayFilter())
    assert [d.original.key for d, _ in selection.chosen] == ["a/1"]
    assert selection.skipped == {"already reprocessing": 1, "parked": 1,
                                 "not in the error log (resolved or ignored)": 1}
    assert len(use_case.select(OPERATOR, ReplayFilter(everything=True)).chosen) == 4


def test_run_paces_reports_progress_marks_reprocessing_and_audits() -> None:
    clock = FakeClock()
    letters = [dead_letter(f"a/{i}") for i in range(100)]
    use_case, log, replayer, audit = tool(letters, *[entry(f"a/{i}", replay_count=1) for i in range(100)],
                                          clock=clock)
    progress = []
    report = use_case.run(OPERATOR, use_case.select(OPERATOR, ReplayFilter()), rate=20,
                          progress=lambda done, total: progress.append((done, total)))
    assert report.replayed == 100 and len(replayer.sent) == 100 and len(audit.actions) == 100
    assert abs(clock.now - 99 / 20) < 1e-9, "100 sends at 20/s take 4.95 s: the first goes at once"
    assert progress[0] == (1, 100) and progress[-1] == (100, 100)
    assert all(log.get(f"a/{i}").status is ErrorStatus.REPROCESSING for i in range(100))
    assert {a.replay_count for _e, a in replayer.sent} == {2}
    assert {a.via for a in audit.actions} == {"dlq-replay"}


def test_second_run_replays_nothing_that_is_reprocessing() -> None:
    letters = [dead_letter(f"a/{i}") for i in range(5)]
    use_case, _log, replayer, _audit = tool(letters, *[entry(f"a/{i}") for i in range(5)])
    use_case.run(OPERATOR, use_case.select(OPERATOR, ReplayFilter()), rate=None)
    second = use_case.select(OPERATOR, ReplayFilter())
    assert second.chosen == [] and second.skipped == {"already reprocessing": 5}
    assert len(replayer.sent) == 5


def test_dry_run_sends_nothing() -> None:
    use_case, log, replayer, audit = tool([dead_letter("a/1")], entry("a/1"))
    report = use_case.run(OPERATOR, use_case.select(OPERATOR, ReplayFilter()), rate=1, dry_run=True)
    assert report.dry_run and report.replayed == 0 and replayer.sent == [] and log.writes == [] and audit.actions == []


def test_pacer_without_rate_never_sleeps() -> None:
    clock = FakeClock()
    pacer = Pacer(None, clock.monotonic, clock.sleep)
    for _ in range(10):
        pacer.wait()
    assert clock.slept == []
