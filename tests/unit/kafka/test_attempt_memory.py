"""The attempt journal's memory: the newest records in full, older keys in Bloom filters, never a false "new"."""

from __future__ import annotations

import pytest

from adapters.kafka.attempt_memory import RememberedAttempts
from domain.ports import AttemptRecord, AttemptState


def keys(n: int, prefix: str = "tenant/INV-") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_a_recent_record_comes_back_whole() -> None:
    memory = RememberedAttempts(remembered=10)
    memory.apply("t/1", "attempting", None, 123.5)
    assert memory.get("t/1") == AttemptRecord(AttemptState.ATTEMPTING, None, 123.5)
    memory.apply("t/1", "posted", 42, None)
    assert memory.get("t/1") == AttemptRecord(AttemptState.POSTED, 42)
    assert memory.get("t/2") is None


def test_posted_is_final() -> None:
    memory = RememberedAttempts(remembered=10)
    memory.apply("t/1", "posted", 42, None)
    memory.apply("t/1", "attempting", None, 1.0)  # a replay's late ATTEMPTING racing the success
    assert memory.get("t/1") == AttemptRecord(AttemptState.POSTED, 42)


def test_old_records_are_forgotten_but_never_read_as_new() -> None:
    memory = RememberedAttempts(remembered=1000)
    written = keys(20_000)
    for key in written:
        memory.apply(key, "posted", 1, None)
    assert len(memory) <= 1000 + memory._slack  # bounded, whatever was written
    assert memory.forgotten == 20_000 - len(memory)
    for key in written[:memory.forgotten]:
        assert memory.get(key) == AttemptRecord(AttemptState.FORGOTTEN)
    for key in written[memory.forgotten:]:  # the newest are kept whole
        assert memory.get(key) == AttemptRecord(AttemptState.POSTED, 1)


def test_eviction_goes_by_first_write_not_by_update() -> None:
    memory = RememberedAttempts(remembered=100)  # slack 100: evicts once 201 are held
    memory.apply("first", "attempting", None, 1.0)
    for key in keys(199):
        memory.apply(key, "posted", 1, None)
    memory.apply("first", "posted", 7, None)  # an update keeps its place at the front
    memory.apply("one-more", "posted", 1, None)
    assert memory.get("first") == AttemptRecord(AttemptState.FORGOTTEN)
    assert memory.get("one-more") == AttemptRecord(AttemptState.POSTED, 1)


def test_false_positives_stay_rare_for_keys_never_written() -> None:
    memory = RememberedAttempts(remembered=100, filter_capacity=10_000)
    for key in keys(30_000):
        memory.apply(key, "posted", 1, None)
    assert memory.filters == 3  # a full filter is kept and a new one started
    unseen = keys(20_000, prefix="other/INV-")
    false = sum(memory.get(key) is not None for key in unseen)
    assert false / len(unseen) < 0.005  # 3 filters at 0.1 % each


def test_a_forgotten_key_written_again_is_whole_again() -> None:
    memory = RememberedAttempts(remembered=100)
    for key in keys(300):
        memory.apply(key, "posted", 1, None)
    assert memory.get("tenant/INV-0").state is AttemptState.FORGOTTEN
    memory.apply("tenant/INV-0", "attempting", None, 5.0)
    assert memory.get("tenant/INV-0") == AttemptRecord(AttemptState.ATTEMPTING, None, 5.0)


def test_a_tombstone_removes_the_record() -> None:
    memory = RememberedAttempts(remembered=10)
    memory.apply("t/1", "posted", 1, None)
    memory.remove("t/1")
    assert memory.get("t/1") is None


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError):
        RememberedAttempts().apply("t/1", "maybe", None, None)
