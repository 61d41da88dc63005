"""The invariant, from the emulator's state and the topics, and the scenario's report row.

For every published invoice (key), exactly one of:
  (a) one live invoice in Procountor with its originalInvoiceNumber, totals equal to the UBL totals, at least one
      InvoiceTransferred event, and no live error-log record;
  (b) no invoice in Procountor and a live error-log record with a classified reason (failure class and code), or a
      tombstone written by an operator's ``ignore`` (in the audit topic).
Anything else is counted: duplicates (more than one invoice for a number), lost (neither a posted invoice nor an
error-log record), inconsistent (posted and in the error log, or a result without an invoice), totals mismatches,
duplicate attachments, invoices nobody published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from adapters.demo.topic_reader import read_topic
from adapters.procountor.gateway import booked_totals
from domain.posting import totals_differences
from tests.faults.harness import Planned, Scenario

CLASSES = {"permanent", "transient", "connection"}


@dataclass
class Row:
    scenario: str
    events_published: int
    faults_injected: int
    invoices_posted: int
    duplicates: int
    lost: int
    dead_lettered: int
    recovery_s: float | None
    recovery_median_s: float | None = None
    inconsistent: int = 0
    totals_mismatch: int = 0
    duplicate_attachments: int = 0
    unexpected_invoices: int = 0
    wrong_outcome: int = 0
    result_events: int = 0
    redelivered_results: int = 0
    rss_baseline_mb: float | None = None
    rss_after_mb: float | None = None
    rss_ratio: float | None = None
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def ignored_keys(scenario: Scenario) -> set[str]:
    """Keys an operator removed from the error log with ``ignore`` (the audit topic)."""
    from adapters.errorlog.audit import decode_action

    keys = set()
    for message in read_topic(scenario.bootstrap, scenario.topics.audit):
        try:
            action = decode_action(message.value())
        except Exception:  # noqa: BLE001 - not an action record
            continue
        if action["action"] == "ignore":
            keys.add(f"{action['tenant']}/{action['invoice_id']}")
    return keys


def check(scenario: Scenario, plan: list[Planned], faults_injected: int) -> Row:
    results, dead_letters, error_log = scenario.watcher.snapshot()
    ignored = ignored_keys(scenario) if any(v is None for v in error_log.values()) else set()
    posted_by_tenant: dict[str, dict[str, list[dict]]] = {}
    for tenant in scenario.tenants:
        by_number: dict[str, list[dict]] = {}
        for invoice in scenario.emulator.invoices(tenant):
            if invoice.get("status") != "INVALIDATED":
                by_number.setdefault(invoice.get("originalInvoiceNumber"), []).append(invoice)
        posted_by_tenant[tenant] = by_number
    violations: list[str] = []
    row = Row(scenario.name, scenario.publisher.published, faults_injected, 0, 0, 0, 0, scenario.recovery_s())
    gaps = sorted(scenario.recovery_gaps())
    row.recovery_median_s = gaps[len(gaps) // 2] if gaps else None
    known: set[tuple[str, str]] = set()
    for p in plan:
        invoices = posted_by_tenant[p.tenant].get(p.number, []) if p.number else []
        known.add((p.tenant, p.number))
        record = error_log.get(p.key)
        live_error = record is not None
        has_result = bool(results.get(p.key))
        row.result_events += len(results.get(p.key, []))
        row.redelivered_results += max(len(results.get(p.key, [])) - 1, 0)
        row.invoices_posted += len(invoices)
        if len(invoices) > 1:
            row.duplicates += len(invoices) - 1
            violations.append(f"{p.key}: {len(invoices)} invoices in Procountor (ids {[i['id'] for i in invoices]})")
        if invoices:
            if live_error:
                row.inconsistent += 1
                violations.append(f"{p.key}: in Procountor (id {invoices[0]['id']}) and in the error log "
                                  f"({record.get('code')}: {record.get('message')[:160]})")
            elif not has_result:
                row.lost += 1
                violations.append(f"{p.key}: in Procountor but no InvoiceTransferred event")
            for invoice in invoices:
                booked = booked_totals(invoice, invoice.get("currency") or "EUR")
                differences = totals_differences(p.totals, booked) if booked and p.totals else ["no totals"]
                if differences:
                    row.totals_mismatch += 1
                    violations.append(f"{p.key}: totals differ: {differences}")
                names = [a.get("name") for a in invoice.get("attachments") or []]
                if len(names) != len(set(names)):
                    row.duplicate_attachments += 1
                    violations.append(f"{p.key}: attachment uploaded twice: {names}")
            if p.expect == "error":
                row.wrong_outcome += 1
                violations.append(f"{p.key}: expected a classified failure, but it was posted")
        else:
            if live_error:
                row.dead_lettered += 1
                if record.get("failure_class") not in CLASSES or not record.get("code"):
                    violations.append(f"{p.key}: error-log record without a classified reason: {record}")
                if p.expect_code and not str(record.get("code")).startswith(p.expect_code):
                    row.wrong_outcome += 1
                    violations.append(f"{p.key}: error code {record.get('code')}, expected {p.expect_code}*")
                if p.expect == "transferred":
                    row.wrong_outcome += 1
                    violations.append(f"{p.key}: expected in Procountor, dead-lettered: {record.get('code')}: "
                                      f"{str(record.get('message'))[:160]}")
            elif p.key in error_log and p.key in ignored:
                row.dead_lettered += 1  # removed from the log by an operator, on purpose
            else:
                row.lost += 1
                why = "a result event but no invoice" if has_result else "no invoice and no error-log record"
                violations.append(f"{p.key}: lost ({why}; dead letters: {len(dead_letters.get(p.key, []))})")
    for tenant, by_number in posted_by_tenant.items():
        for number, invoices in by_number.items():
            if (tenant, number) not in known:
                row.unexpected_invoices += len(invoices)
                violations.append(f"{tenant}: invoice {number} in Procountor that nobody published")
    row.violations = violations
    row.seconds = round(_now() - scenario.started, 1)
    row.notes = list(scenario.notes)
    return row


def add_memory(row: Row, baseline_kb: int | None, after_kb: int | None, bound: float = 1.25,
               slack_mb: float | None = 15.0) -> None:
    """RSS after the storm against the warmed-up baseline; over ``bound`` (and ``slack_mb``) is a violation."""
    if not baseline_kb or not after_kb:
        row.notes.append("memory not measured (no surviving worker)")
        return
    row.rss_baseline_mb = round(baseline_kb / 1024, 1)
    row.rss_after_mb = round(after_kb / 1024, 1)
    row.rss_ratio = round(after_kb / baseline_kb, 2)
    if slack_mb is None:
        row.notes.append(f"memory reported, not asserted: RSS {row.rss_baseline_mb} -> {row.rss_after_mb} MB")
        return
    if after_kb > baseline_kb * bound and (after_kb - baseline_kb) / 1024 > slack_mb:
        row.violations.append(f"worker RSS {row.rss_after_mb} MB after the storm vs {row.rss_baseline_mb} MB "
                              f"baseline (ratio {row.rss_ratio} > {bound})")


def _now() -> float:
    import time

    return time.monotonic()


ZERO = Decimal(0)


def conclude(scenario: Scenario, plan: list[Planned], *, settle_timeout: float, faults_injected: int,
             memory_worker=None, baseline_kb: int | None = None, quiet_s: float = 2.0,
             memory_slack_mb: float | None = 15.0, memory_bound: float = 1.25) -> Row:
    """Wait (bounded) until every invoice has an outcome, let the topics go quiet, check, record the row."""
    import time

    from tests.faults import report

    settled = scenario.wait_settled(plan, settle_timeout)
    if not settled:
        scenario.notes.append(f"not every invoice had an outcome after {settle_timeout}s")
    last = -1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # redeliveries after the last kill may still add results
        count = scenario.watcher.outcome_count()
        if count == last:
            break
        last = count
        time.sleep(quiet_s)
    after_kb = memory_worker.rss_kb() if memory_worker is not None and memory_worker.alive() else None
    row = check(scenario, plan, faults_injected)
    if memory_worker is not None:
        add_memory(row, baseline_kb, after_kb, bound=memory_bound, slack_mb=memory_slack_mb)
    report.record(row)
    return row


def assert_invariant(row: Row) -> None:
    assert row.ok, f"{row.scenario}: {len(row.violations)} violation(s):\n  " + "\n  ".join(row.violations[:40])
