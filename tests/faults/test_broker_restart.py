"""Scenario 3: the broker is stopped and started again (same data) while invoices flow; the worker is not restarted."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.faults.broker import RestartableBroker
from tests.faults.harness import at, plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude

DOWN_S = 8


def test_broker_stopped_and_restarted(scenario_factory) -> None:
    broker = RestartableBroker(Path(tempfile.mkdtemp(prefix="faults-broker-")))
    bootstrap = broker.start()
    try:
        scn = scenario_factory("3-broker-restart", bootstrap=bootstrap)
        w1 = scn.worker("w1").start()
        scn.wait_until_started(w1)
        warm = plan_stream("acme", "BRK", 10)
        baseline = warm_up(scn, w1, warm)
        plan = plan_stream("acme", "BRK", 110, start=10)
        started = time.monotonic()
        publishing = scn.publisher.stream(plan, per_second=5.0)
        at(started, 6)
        broker.stop_now()
        stopped = time.monotonic()
        time.sleep(DOWN_S)
        broker.restart()
        scn.fault_ended()
        scn.notes.append(f"broker down {time.monotonic() - stopped:.1f} s (SIGTERM, restarted with the same data)")
        publishing.join(180)
        row = conclude(scn, warm + plan, settle_timeout=120, faults_injected=1, memory_worker=w1,
                       baseline_kb=baseline)
        assert w1.alive(), "the worker died with the broker:\n" + w1.log_text()[-3000:]
        assert_invariant(row)
    finally:
        for scenario_worker in getattr(locals().get("scn"), "workers", []):
            scenario_worker.stop(20)
        broker.close()
