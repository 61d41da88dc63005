"""The audit trail: every error-log action as an Avro ``ErrorLogAction`` record on the audit topic.

Confluent wire format like the connector's other events; without a schema registry the id is pinned to 1004.
"""

from __future__ import annotations

import io
import json
import struct
from importlib import resources

import fastavro

from adapters.kafka.acked_producer import AckedProducer
from domain.error_log import ErrorLogAction

AUDIT_SCHEMA_ID = 1004
_HEADER = struct.Struct(">bI")
_SCHEMA = fastavro.parse_schema(json.loads(
    resources.files("adapters.errorlog").joinpath("schemas", "ErrorLogAction.avsc").read_text(encoding="utf-8")))


def encode_action(action: ErrorLogAction) -> bytes:
    tenant, _, invoice_id = action.key.partition("/")
    record = {"action_id": action.action_id, "action": action.kind, "tenant": tenant, "invoice_id": invoice_id,
              "actor": action.actor, "at": action.at, "reason": action.reason, "via": action.via,
              "replay_count": action.replay_count, "previous_status": action.previous_status, "code": action.code}
    buffer = io.BytesIO()
    buffer.write(_HEADER.pack(0, AUDIT_SCHEMA_ID))
    fastavro.schemaless_writer(buffer, _SCHEMA, record)
    return buffer.getvalue()


def decode_action(data: bytes) -> dict:
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != 0 or schema_id != AUDIT_SCHEMA_ID:
        raise ValueError(f"not an ErrorLogAction record (magic {magic}, schema id {schema_id})")
    buffer = io.BytesIO(data)
    buffer.seek(_HEADER.size)
    return fastavro.schemaless_reader(buffer, _SCHEMA, None)


class KafkaAuditTrail:
    def __init__(self, producer: AckedProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    def record(self, action: ErrorLogAction) -> None:
        self._producer.send(self._topic, action.key.encode(), encode_action(action))
