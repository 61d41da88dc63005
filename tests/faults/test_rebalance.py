"""Scenario 2: two workers in one consumer group; one is SIGKILLed and another added mid-stream, so partitions move
while Procountor requests are in flight (every API call is slowed down to keep requests in flight)."""

from __future__ import annotations

import time

from tests.faults.harness import at, plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude


def test_kill_one_add_one(scenario_factory) -> None:
    scn = scenario_factory("2-rebalance")
    w1, w2 = scn.worker("w1").start(), scn.worker("w2").start()
    scn.wait_until_started(w1)
    scn.wait_until_started(w2)
    warm = plan_stream("acme", "REB", 10)
    baseline = warm_up(scn, w2, warm)
    scn.emulator.add_fault(kind="latency", fixed_ms=150, jitter_ms=250)  # requests stay in flight for a while
    plan = plan_stream("acme", "REB", 130, start=10)
    started = time.monotonic()
    publishing = scn.publisher.stream(plan, per_second=5.0)
    at(started, 8)
    w1.kill()  # no revoke, no commit: its partitions move only when its session expires
    scn.fault_ended()
    at(started, 13)
    w3 = scn.worker("w3").start()  # joining: a cooperative rebalance while w2 is busy
    scn.fault_ended()
    publishing.join(120)
    scn.notes.append("w1 SIGKILLed at 8 s, w3 added at 13 s; 150-400 ms latency on every API call")
    row = conclude(scn, warm + plan, settle_timeout=90, faults_injected=2, memory_worker=w2, baseline_kb=baseline)
    assert w3.alive() and w2.alive()
    assert_invariant(row)
