"""Every metric the worker exports, defined in one place (Prometheus names and labels are an interface)."""

from __future__ import annotations

from collections.abc import Sized
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class JournalSize(Sized, Protocol):
    @property
    def forgotten(self) -> int: ...


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.consumed = Counter("connector_events_consumed_total", "InvoiceIssued events taken from Kafka",
                                registry=self.registry)
        self.transferred = Counter("connector_invoices_transferred_total", "Invoices that exist in Procountor",
                                   registry=self.registry)
        self.failed = Counter("connector_invoices_failed_total", "Failed transfers by class and code",
                              ["failure_class", "code"], registry=self.registry)
        self.in_flight = Gauge("connector_events_in_flight", "Events taken and not yet finished",
                               registry=self.registry)
        self.latency = Histogram("connector_transfer_seconds", "Time to transfer one invoice",
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
                                 registry=self.registry)
        self.consumer_lag = Gauge("connector_consumer_lag", "Messages behind the end of the input topic",
                                  ["partition"], registry=self.registry)
        self.journal_records = Gauge("connector_attempt_journal_records",
                                     "Attempt-journal records in memory: whole, or forgotten (kept as a key only)",
                                     ["kept"], registry=self.registry)

    def watch_journal(self, journal: JournalSize) -> None:
        """Read at every scrape: how close the journal is to its bound, and how much it has forgotten."""
        self.journal_records.labels(kept="whole").set_function(lambda: len(journal))
        self.journal_records.labels(kept="key_only").set_function(lambda: journal.forgotten)
