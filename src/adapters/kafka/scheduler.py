"""Many invoices in flight, one at a time per key.

Events of one key (tenant/invoice) run strictly in order; events of different keys run concurrently, up to the
thread pool's size. Free threads go to the tenants with the fewest running events first: each tenant's requests are
rate-limited per API client, so a thread given to a tenant that already has many running only sleeps in its rate
limiter while another tenant's invoices wait for a thread (one tenant's bulk upload must not starve the others).
A transient failure delays only its own key (the event stays at the head of its key's queue
with a not-before time); a tenant whose connection failed is held, so its events wait without running. Only the
poll loop's thread calls this class.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.kafka.messages import ConsumedMessage
from application.messages import TransferInvoice


@dataclass
class WorkItem:
    message: ConsumedMessage
    command: TransferInvoice
    attempts: int = 0
    not_before: float = 0.0
    first_failure_at: object | None = None  # datetime of the first failure, for the error log
    started_at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> str:
        return self.command.key

    @property
    def tenant(self) -> str:
        return self.command.tenant


class KeyedScheduler:
    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = capacity
        self._clock = clock
        self._queues: dict[str, deque[WorkItem]] = {}
        self._running: set[str] = set()
        self._held_until: dict[str, float] = {}  # tenant -> monotonic time of its next probe
        self._paused_until = 0.0

    # -- what the poll loop feeds in -----------------------------------------------------------------------------
    def submit(self, item: WorkItem) -> None:
        self._queues.setdefault(item.key, deque()).append(item)

    def finished(self, item: WorkItem) -> None:
        """The head of ``item``'s key is done (its outcome produced): the next event of the key may run."""
        self._running.discard(item.key)
        queue = self._queues.get(item.key)
        if queue and queue[0] is item:
            queue.popleft()
        if queue is not None and not queue:
            del self._queues[item.key]

    def retry_later(self, item: WorkItem, delay_s: float) -> None:
        self._running.discard(item.key)
        item.not_before = self._clock() + delay_s

    def hold_tenant(self, tenant: str, delay_s: float) -> None:
        self._held_until[tenant] = self._clock() + delay_s

    def release_tenant(self, tenant: str) -> None:
        self._held_until.pop(tenant, None)

    def pause_all(self, delay_s: float) -> None:
        """The circuit breaker is open: start nothing new for a while."""
        self._paused_until = self._clock() + delay_s

    def drop_partitions(self, partitions: set[tuple[str, int]]) -> list[WorkItem]:
        """Forget queued work of revoked or lost partitions (it will be redelivered to their new owner)."""
        dropped = []
        for key in list(self._queues):
            queue = self._queues[key]
            kept = deque(i for i in queue
                         if (i.message.location.topic, i.message.location.partition) not in partitions
                         or (key in self._running and i is queue[0]))
            dropped.extend(i for i in queue if i not in kept)
            if kept:
                self._queues[key] = kept
            else:
                del self._queues[key]
        return dropped

    # -- what may run now ----------------------------------------------------------------------------------------
    def ready(self) -> list[WorkItem]:
        """Items to start now, fewest-running tenant first; the caller must start every one it is given."""
        now = self._clock()
        free = self._capacity - len(self._running)
        if now < self._paused_until or free <= 0:
            return []
        waiting: dict[str, deque[WorkItem]] = {}  # tenant -> startable heads, in arrival order
        for key, queue in self._queues.items():
            if key in self._running:
                continue
            head = queue[0]
            if head.not_before > now:
                continue
            held = self._held_until.get(head.tenant)
            # A held tenant gets one probe when its hold expires; the rest keep waiting for its outcome.
            if held is not None and (held > now or head.tenant in waiting):
                continue
            waiting.setdefault(head.tenant, deque()).append(head)
        # A running event is the head of its key's queue until finished() pops it.
        running_per_tenant = Counter(self._queues[key][0].tenant for key in self._running)
        turns = [(running_per_tenant[tenant], order, tenant) for order, tenant in enumerate(waiting)]
        heapq.heapify(turns)
        started = []
        while turns and len(started) < free:
            running, order, tenant = heapq.heappop(turns)
            head = waiting[tenant].popleft()
            if tenant in self._held_until:
                self._held_until[tenant] = now + 3600  # the probe is out; its outcome releases or re-holds
            self._running.add(head.key)
            started.append(head)
            if waiting[tenant]:
                heapq.heappush(turns, (running + 1, order, tenant))
        return started

    @property
    def buffered(self) -> int:
        return sum(len(q) for q in self._queues.values())

    @property
    def running(self) -> int:
        return len(self._running)

    def running_in(self, partitions: set[tuple[str, int]]) -> int:
        return sum(1 for key in self._running
                   if (self._queues[key][0].message.location.topic,
                       self._queues[key][0].message.location.partition) in partitions)
