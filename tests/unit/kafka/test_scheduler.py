"""The keyed scheduler: per-key order, fair shares of the threads between tenants, holds and delays."""

from __future__ import annotations

import itertools

from adapters.kafka.messages import ConsumedMessage, EventLocation
from adapters.kafka.scheduler import KeyedScheduler, WorkItem
from application.messages import TransferInvoice

_offsets = itertools.count()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def item(tenant: str, invoice: str) -> WorkItem:
    location = EventLocation("invoices", 0, next(_offsets), 0)
    return WorkItem(message=ConsumedMessage(location, None, None),
                    command=TransferInvoice(event_id="e", tenant=tenant, invoice_id=invoice, document=b""))


def keys(items: list[WorkItem]) -> list[str]:
    return [i.key for i in items]


def test_events_of_one_key_run_one_at_a_time_in_order():
    scheduler = KeyedScheduler(capacity=8, clock=Clock())
    first, second = item("t1", "A"), item("t1", "A")
    scheduler.submit(first)
    scheduler.submit(second)
    assert scheduler.ready() == [first]
    assert scheduler.ready() == []
    scheduler.finished(first)
    assert scheduler.ready() == [second]


def test_one_tenants_backlog_does_not_take_every_thread():
    scheduler = KeyedScheduler(capacity=4, clock=Clock())
    for n in range(10):
        scheduler.submit(item("bulk", f"B{n}"))
    scheduler.submit(item("small", "S1"))
    scheduler.submit(item("small", "S2"))
    started = scheduler.ready()
    assert sorted(keys(started)) == ["bulk/B0", "bulk/B1", "small/S1", "small/S2"]


def test_a_freed_thread_goes_to_the_tenant_with_fewest_running():
    scheduler = KeyedScheduler(capacity=3, clock=Clock())
    for n in range(5):
        scheduler.submit(item("a", f"A{n}"))
    started = scheduler.ready()
    assert keys(started) == ["a/A0", "a/A1", "a/A2"]
    scheduler.submit(item("b", "B0"))
    scheduler.finished(started[0])
    assert keys(scheduler.ready()) == ["b/B0"]
    scheduler.finished(started[1])
    assert keys(scheduler.ready()) == ["a/A3"]


def test_within_a_tenant_arrival_order_is_kept():
    scheduler = KeyedScheduler(capacity=2, clock=Clock())
    for n in range(4):
        scheduler.submit(item("a", f"A{n}"))
    assert keys(scheduler.ready()) == ["a/A0", "a/A1"]


def test_a_delayed_event_waits_for_its_time_and_others_pass_it():
    clock = Clock()
    scheduler = KeyedScheduler(capacity=4, clock=clock)
    slow, other = item("a", "A0"), item("a", "A1")
    scheduler.submit(slow)
    scheduler.submit(other)
    assert scheduler.ready() == [slow, other]
    scheduler.retry_later(slow, 5.0)
    assert scheduler.ready() == []
    clock.now += 5.0
    assert scheduler.ready() == [slow]


def test_a_held_tenant_sends_one_probe_when_its_hold_expires():
    clock = Clock()
    scheduler = KeyedScheduler(capacity=8, clock=clock)
    for n in range(3):
        scheduler.submit(item("down", f"D{n}"))
    scheduler.submit(item("up", "U0"))
    scheduler.hold_tenant("down", 30.0)
    assert keys(scheduler.ready()) == ["up/U0"]
    clock.now += 30.0
    probe = scheduler.ready()
    assert keys(probe) == ["down/D0"]
    assert scheduler.ready() == []
    scheduler.release_tenant("down")
    scheduler.finished(probe[0])
    assert keys(scheduler.ready()) == ["down/D1", "down/D2"]


def test_nothing_starts_while_paused_and_running_counts_stay_right():
    clock = Clock()
    scheduler = KeyedScheduler(capacity=2, clock=clock)
    a, b = item("a", "A0"), item("b", "B0")
    scheduler.submit(a)
    scheduler.submit(b)
    scheduler.pause_all(10.0)
    assert scheduler.ready() == []
    clock.now += 10.0
    assert scheduler.ready() == [a, b]
    assert scheduler.running == 2
    scheduler.finished(a)
    scheduler.retry_later(b, 0.0)
    assert scheduler.running == 0
    assert scheduler.ready() == [b]
