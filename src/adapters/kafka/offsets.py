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
        self._sizes: dict[int, int] = {}  # bytes of each unfinished event, for the in-flight memory bound
        self.in_flight_bytes = 0

    def take(self, offset: int, size: int = 0) -> None:
        heapq.heappush(self._pending, offset)
        self._sizes[offset] = size
        self.in_flight_bytes += size

    def finish(self, offset: int) -> int:
        """Mark ``offset`` done; returns the bytes it held."""
        self._finished.add(offset)
        size = self._sizes.pop(offset, 0)
        self.in_flight_bytes -= size
        return size

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
