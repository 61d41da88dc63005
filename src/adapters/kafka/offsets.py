"""Which offset of a partition may be committed: the one after the longest run of finished offsets.

Events finish out of order (many keys in flight), but a committed offset says "everything before this is done", so
an offset is only committable once every earlier offset the worker took from the partition has its outcome
acknowledged by the broker.
"""

from __future__ import annotations

import heapq


class PartitionOffsets:
    def __init__(self) -> None:
        self._pending: list[int] = []  # heap of offsets taken and not yet finished
        self._finished: set[int] = set()
        self._highest_taken = -1

    def take(self, offset: int) -> None:
        heapq.heappush(self._pending, offset)
        self._highest_taken = max(self._highest_taken, offset)

    def finish(self, offset: int) -> None:
        self._finished.add(offset)

    def committable(self) -> int | None:
        """The offset to commit (next to read), or None when nothing new is safe to commit."""
        advanced = None
        while self._pending and self._pending[0] in self._finished:
            offset = heapq.heappop(self._pending)
            self._finished.discard(offset)
            advanced = offset + 1
        return advanced

    @property
    def in_flight(self) -> int:
        return len(self._pending) - len(self._finished)
