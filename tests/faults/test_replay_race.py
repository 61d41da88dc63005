"""Scenario 7: reprocess and replay racing with normal traffic for the same invoices.

One tenant's invoice POSTs fail (HTTP 500, nothing saved) until its invoices are dead-lettered. Then, all at once:
``procountor-connector errors reprocess`` for most of them, ``errors ignore`` for two, ``replay --from-dlq --all``
for every dead letter, the original events published again (an upstream re-send), and replay-marked events for
invoices of the other tenant that were already transferred. Each invoice must still be in Procountor once, or
(the ignored ones, if no replay brought them back) out of the log by an operator's decision.
"""

from __future__ import annotations

import threading
import time

from adapters.kafka.messages import HEADER_REPLAY, HEADER_REPLAY_REASON
from tests.faults.harness import plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude


def test_reprocess_and_replay_race_normal_traffic(scenario_factory) -> None:
    scn = scenario_factory("7-replay-race", tenants=["acme", "beta"],
                           worker_env={"PROCOUNTOR_CONNECTOR_TRANSIENT_MAX_ATTEMPTS": "2"})
    w1 = scn.worker("w1").start()
    scn.worker("w2").start()  # a second member of the group, so replays and traffic meet on both
    scn.wait_until_started(w1)
    warm = plan_stream("acme", "RPL-A", 6)
    baseline = warm_up(scn, w1, warm)
    failing = scn.emulator.add_fault(kind="error", status=500, company="beta", path_prefix="/api/invoices",
                                     methods=["POST"])
    acme, beta = plan_stream("acme", "RPL-A", 40, start=6), plan_stream("beta", "RPL-B", 14)
    scn.publisher.stream([p for pair in zip(acme, beta) for p in pair] + acme[len(beta):], per_second=8).join(60)
    if not scn.wait_settled(beta, 60):
        raise AssertionError("beta's invoices were not dead-lettered")
    scn.emulator.remove_fault(failing)
    scn.fault_ended()

    ignored = [p.key for p in beta[:2]]
    for p in beta[:2]:
        p.expect = "either"  # ignored; a replay --all may still bring it back, which is fine once
    ignore = scn.cli("errors", "ignore", *ignored, "--reason", "faults suite: not wanted")
    assert ignore.returncode == 0, ignore.stdout + ignore.stderr

    results: dict[str, object] = {}

    def run(name: str, *args: str) -> None:
        results[name] = scn.cli(*args)

    racers = [
        threading.Thread(target=run, args=("reprocess", "errors", "reprocess", *[p.key for p in beta[2:]],
                                           "--reason", "faults suite")),
        threading.Thread(target=run, args=("replay", "replay", "--from-dlq", "--all", "--rate", "200",
                                           "--reason", "faults suite")),
    ]
    for racer in racers:
        racer.start()
    for p in beta + acme[:15]:  # the same invoices again as normal traffic
        scn.publisher.publish(p)
    for p in acme[15:25]:  # and replay-marked events for invoices already in Procountor
        scn.publisher.publish(p, headers=[(HEADER_REPLAY, b"1"), (HEADER_REPLAY_REASON, b"faults suite")])
    scn.publisher.flush()
    for racer in racers:
        racer.join(120)
    refused = []
    for name, done in results.items():  # losing the race is fine: "not-found" (normal traffic resolved the record
        # first) or "already-reprocessing" (the bulk replay took it first); anything else is a tool failure
        refused += [f"{name}: {line}" for line in done.stdout.splitlines() + done.stderr.splitlines()
                    if line.startswith("FAIL") and "not-found" not in line and "already-reprocessing" not in line]
        if done.returncode != 0 and not done.stdout.strip().startswith(("ok", "FAIL")):
            refused.append(f"{name}: exit {done.returncode}: {done.stderr[-500:]}")
        scn.notes.append(f"{name}: exit {done.returncode}, {done.stdout.count('not-found')} already resolved, "
                         f"{done.stdout.count('already-reprocessing')} already reprocessing")
    time.sleep(3)  # let the replays reach the workers before waiting for quiet
    scn.notes.append(f"ignored {len(ignored)}, reprocessed {len(beta) - 2}, replay --all, "
                     f"{len(beta) + 25} events re-published for the same invoices")
    row = conclude(scn, warm + acme + beta, settle_timeout=90, faults_injected=1 + len(beta) + 25, quiet_s=3,
                   memory_worker=w1, baseline_kb=baseline)
    assert_invariant(row)
    assert not refused, "\n".join(refused)
