"""The journal's size is on /metrics, read at scrape time."""

from __future__ import annotations

from prometheus_client import generate_latest

from adapters.kafka.worker_metrics import WorkerMetrics


class SizedJournal:
    def __init__(self) -> None:
        self.whole, self.forgotten = 0, 0

    def __len__(self) -> int:
        return self.whole


def test_the_journal_gauge_follows_the_journal() -> None:
    metrics, journal = WorkerMetrics(), SizedJournal()
    metrics.watch_journal(journal)
    journal.whole, journal.forgotten = 50_000, 1_234
    text = generate_latest(metrics.registry).decode()
    assert 'connector_attempt_journal_records{kept="whole"} 50000.0' in text
    assert 'connector_attempt_journal_records{kept="key_only"} 1234.0' in text
