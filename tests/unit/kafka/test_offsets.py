from adapters.kafka.offsets import PartitionOffsets


def test_commit_waits_for_the_earliest_unfinished_offset() -> None:
    offsets = PartitionOffsets()
    for offset in (10, 11, 12):
        offsets.take(offset)
    offsets.finish(12)
    offsets.finish(11)
    assert offsets.committable() is None
    offsets.finish(10)
    assert offsets.committable() == 13
    assert offsets.in_flight == 0
    assert offsets.committable() is None


def test_commit_advances_over_a_finished_prefix_only() -> None:
    offsets = PartitionOffsets()
    for offset in range(5):
        offsets.take(offset)
    for offset in (0, 1, 3):
        offsets.finish(offset)
    assert offsets.committable() == 2
    assert offsets.in_flight == 2


def test_bytes_in_flight_follow_taken_and_finished_events() -> None:
    offsets = PartitionOffsets()
    offsets.take(0, 1000)
    offsets.take(1, 20_000_000)
    assert offsets.in_flight_bytes == 20_001_000
    assert offsets.finish(1) == 20_000_000
    assert offsets.in_flight_bytes == 1000
