"""What the attempt journal keeps in memory: the newest records in full, the keys of older ones in Bloom filters.

A worker runs for months and the journal topic keeps a record per invoice ever attempted. Keeping them all costs
~180 B an invoice without bound. The full records that matter for the common case are the recent ones: a
redelivery after a crash or a rebalance comes from the uncommitted window, and a publisher's duplicate usually
follows its original closely. So the newest ``remembered`` records stay in a dict, and the keys of older ones go into
Bloom filters: 14.4 bits a key at a 0.1 % false-positive rate, ~1.8 MB a million keys.

A key found only in a filter reads as FORGOTTEN: it may have been attempted or posted, so the transfer asks
Procountor before posting, as for a replay. A filter never says no for a key it holds, so an evicted invoice is never
posted again blindly; a false positive costs one look-up for a first delivery (0.1 % of them once filters exist).
"""

from __future__ import annotations

from itertools import islice

from rbloom import Bloom

from domain.ports import AttemptRecord, AttemptState

Entry = tuple[str, int | None, float | None]  # (state, procountor id, attempted at)

FILTER_CAPACITY = 1_000_000  # keys per filter; a full filter is kept and a new one started
FILTER_FALSE_POSITIVE_RATE = 0.001
_FORGOTTEN = AttemptRecord(AttemptState.FORGOTTEN)


class RememberedAttempts:
    """Not thread-safe: the journal calls it under its lock."""

    def __init__(self, remembered: int = 50_000, filter_capacity: int = FILTER_CAPACITY) -> None:
        if remembered < 1:
            raise ValueError("remembered must be at least 1")
        self.remembered = remembered
        # Evicting in batches keeps the amortised cost per record at O(remembered / slack); the dict is rebuilt
        # (not popped from the front), which also gives back the slots of the evicted entries.
        self._slack = max(100, remembered // 10)
        self._entries: dict[str, Entry] = {}  # insertion order is age order: an update keeps the first position
        self._filter_capacity = filter_capacity
        self._filters: list[Bloom] = []
        self._in_last_filter = 0
        self.forgotten = 0

    def get(self, key: str) -> AttemptRecord | None:
        entry = self._entries.get(key)
        if entry is not None:
            return AttemptRecord(AttemptState(entry[0]), entry[1], entry[2])
        for bloom in self._filters:
            if key in bloom:
                return _FORGOTTEN
        return None

    def apply(self, key: str, state: AttemptState | str, procountor_id: int | None, attempted_at: float | None) -> int:
        """Keep a record read from or written to the journal; returns how many old records it made forget."""
        state = AttemptState(state)  # a member passes through; an unknown string raises ValueError
        current = self._entries.get(key)
        # POSTED is final: a late ATTEMPTING record (a replay racing a success) must not hide the posted id.
        if current is not None and current[0] == AttemptState.POSTED.value and state is not AttemptState.POSTED:
            return 0
        # The enum's own string rather than json's fresh copy: one shared object per state, not one per entry.
        self._entries[key] = (state.value, procountor_id, attempted_at)
        if len(self._entries) > self.remembered + self._slack:
            return self._forget_oldest(len(self._entries) - self.remembered)
        return 0

    def remove(self, key: str) -> None:
        """A tombstone: the record is gone (a key already in a filter stays there; that costs a look-up, no more)."""
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def filters(self) -> int:
        return len(self._filters)

    def _forget_oldest(self, count: int) -> int:
        oldest = list(islice(self._entries, count))
        for key in oldest:
            if not self._filters or self._in_last_filter >= self._filter_capacity:
                self._filters.append(Bloom(self._filter_capacity, FILTER_FALSE_POSITIVE_RATE))
                self._in_last_filter = 0
            self._filters[-1].add(key)
            self._in_last_filter += 1
        self._entries = dict(islice(self._entries.items(), count, None))
        self.forgotten += count
        return count
