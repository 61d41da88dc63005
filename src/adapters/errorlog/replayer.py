"""Re-sends an original event to its topic, byte for byte, with headers that mark the replay.

Headers from earlier failures (``dlt.*``) and earlier replays are dropped and the replay's own are added:
``procountor.replay`` (the action id; its presence is what the worker reads), ``procountor.replay-count``,
``procountor.replay-actor``, ``procountor.replay-reason`` and ``procountor.action-id``.
"""

from __future__ import annotations

from adapters.kafka import messages as h
from adapters.kafka.acked_producer import AckedProducer
from domain.error_log import ErrorLogAction, OriginalEvent

REPLAY_HEADERS = {h.HEADER_REPLAY, h.HEADER_REPLAY_REASON, h.HEADER_REPLAY_ACTOR, h.HEADER_REPLAY_COUNT,
                  h.HEADER_ACTION_ID}


def replay_headers(event: OriginalEvent, action: ErrorLogAction) -> list[tuple[str, bytes]]:
    carried = [(k, v) for k, v in event.headers if not k.startswith("dlt.") and k not in REPLAY_HEADERS]
    ours = [(h.HEADER_REPLAY, action.action_id.encode()),
            (h.HEADER_REPLAY_COUNT, str(action.replay_count).encode()),
            (h.HEADER_REPLAY_ACTOR, action.actor.encode()[:200]),
            (h.HEADER_ACTION_ID, action.action_id.encode())]
    if action.reason:
        ours.append((h.HEADER_REPLAY_REASON, action.reason.encode()[:1000]))
    return carried + ours


class KafkaEventReplayer:
    def __init__(self, producer: AckedProducer, default_topic: str) -> None:
        self._producer = producer
        self._default_topic = default_topic  # for a dead letter that does not name its original topic

    def replay(self, event: OriginalEvent, action: ErrorLogAction) -> None:
        self._producer.send(event.topic or self._default_topic, event.key.encode(), event.value,
                            replay_headers(event, action))
