"""Scenario 4: Procountor misbehaves while invoices flow: 5xx bursts, a 429 storm, connection resets, slow answers and
gateway timeouts, and "saved, then answered 500" on the invoice POST.

The worker's client gives up after 1 s here, so the "timeouts" phase's slow POSTs (handled after 2 s) are saved after
the client gave up: the look-up right after the timeout cannot see them, and only the settle window
(PROCOUNTOR_CONNECTOR_OUTCOME_SETTLE_S, 5 s in the harness) keeps the redelivered invoice from a second POST.
With the window set to 0 this scenario finds the duplicates."""

from __future__ import annotations

import time

from tests.faults.harness import at, plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude

PHASES = (  # (name, rules); each phase lasts PHASE_S seconds, then its rules are removed
    ("5xx burst", [dict(kind="error", status=503, rate=0.5), dict(kind="error", status=500, html=True, rate=0.2)]),
    ("429 storm", [dict(kind="throttle", rate=0.7, retry_after=1)]),
    ("connection resets", [dict(kind="reset", rate=0.35)]),
    ("timeouts", [dict(kind="timeout", delay_s=2.5, rate=0.25, process=False),
                  dict(kind="timeout", delay_s=2.0, rate=0.25, process=True, methods=["POST"])]),
    ("saved then 500", [dict(kind="saved_then_500", rate=0.5, methods=["POST"])]),
)
PHASE_S = 6


def test_procountor_faults(scenario_factory) -> None:
    scn = scenario_factory("4-emulator-faults", worker_env={"PROCOUNTOR_CONNECTOR_PROCOUNTOR_TIMEOUT_S": "1.0"})
    w1 = scn.worker("w1").start()
    scn.wait_until_started(w1)
    warm = plan_stream("acme", "EMU", 10)
    baseline = warm_up(scn, w1, warm)
    plan = plan_stream("acme", "EMU", 150, start=10)
    started = time.monotonic()
    publishing = scn.publisher.stream(plan, per_second=4.5)
    for i, (name, rules) in enumerate(PHASES):
        at(started, 2 + i * (PHASE_S + 1))
        ids = [scn.emulator.add_fault(**rule) for rule in rules]
        time.sleep(PHASE_S)
        fired = sum(r["fired"] for r in scn.emulator.server.app.faults.describe() if r["id"] in ids)
        for rule_id in ids:
            scn.emulator.remove_fault(rule_id)
        scn.fault_ended()
        scn.notes.append(f"{name}: {fired} requests hit")
    publishing.join(120)
    injected = sum(int(n.rsplit(":", 1)[1].split()[0]) for n in scn.notes)
    row = conclude(scn, warm + plan, settle_timeout=120, faults_injected=injected, memory_worker=w1,
                   baseline_kb=baseline)
    assert_invariant(row)
