"""Scenario 5: one tenant's Procountor credentials are revoked mid-stream and restored later; the other tenant's
invoices keep flowing, the revoked tenant's invoices wait (held, not dead-lettered) and go through after restore."""

from __future__ import annotations

import time

from tests.faults.harness import at, plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude


def test_credentials_revoked_then_restored(scenario_factory) -> None:
    scn = scenario_factory("5-revoked-credentials", tenants=["acme", "beta"])
    w1 = scn.worker("w1").start()
    scn.wait_until_started(w1)
    warm = plan_stream("acme", "REV-A", 5) + plan_stream("beta", "REV-B", 5)
    baseline = warm_up(scn, w1, warm)
    acme, beta = plan_stream("acme", "REV-A", 60, start=5), plan_stream("beta", "REV-B", 60, start=5)
    plan = [p for pair in zip(acme, beta) for p in pair]
    started = time.monotonic()
    publishing = scn.publisher.stream(plan, per_second=5.0)
    at(started, 5)
    scn.emulator.revoke("beta")
    at(started, 17)
    scn.emulator.restore("beta")
    scn.fault_ended()
    scn.notes.append("beta revoked from 5 s to 17 s")
    publishing.join(120)
    row = conclude(scn, warm + plan, settle_timeout=90, faults_injected=1, memory_worker=w1, baseline_kb=baseline)
    assert_invariant(row)
