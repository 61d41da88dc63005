"""The audit trail: every error-log action as an Avro ``ErrorLogAction`` record on the audit topic.

Confluent wire format like the connector's other events; without a schema registry the id is pinned to 1004, with
one the schema is registered under ``<audit topic>-value`` and its id used (``registered_audit_schema_id``).
"""

from __future__ import annotations

import io
import json
import struct
from importlib import resources

import fastavro

from adapters.kafka.acked_producer import AckedProducer
from adapters.kafka.avro_codec import RegistrySchemaIds
from domain.error_log import ErrorLogAction

AUDIT_SCHEMA_ID = 1004  # pinned, without a registry
_HEADER = struct.Struct(">bI")
_SCHEMA_TEXT = resources.files("adapters.errorlog").joinpath("schemas", "ErrorLogAction.avsc").read_text(
    encoding="utf-8")
_SCHEMA = fastavro.parse_schema(json.loads(_SCHEMA_TEXT))


def registered_audit_schema_id(registry_url: str, topic: str) -> int:
    return RegistrySchemaIds(registry_url, {"ErrorLogAction": f"{topic}-value"},
                             load=lambda _name: _SCHEMA_TEXT).id_for("ErrorLogAction")


def encode_action(action: ErrorLogAction, schema_id: int = AUDIT_SCHEMA_ID) -> bytes:
    tenant, _, invoice_id = action.key.partition("/")
    record = {"action_id": action.action_id, "action": action.kind, "tenant": tenant, "invoice_id": invoice_id,
              "actor": action.actor, "at": action.at, "reason": action.reason, "via": action.via,
              "replay_count": action.replay_count, "previous_status": action.previous_status, "code": action.code}
    buffer = io.BytesIO()
    buffer.write(_HEADER.pack(0, schema_id))
    fastavro.schemaless_writer(buffer, _SCHEMA, record)
    return buffer.getvalue()


def decode_action(data: bytes, schema_id: int = AUDIT_SCHEMA_ID) -> dict:
    magic, found = _HEADER.unpack_from(data)
    if magic != 0 or found != schema_id:
        raise ValueError(f"not an ErrorLogAction record (magic {magic}, schema id {found})")
    buffer = io.BytesIO(data)
    buffer.seek(_HEADER.size)
    return fastavro.schemaless_reader(buffer, _SCHEMA, None)


class KafkaAuditTrail:
    def __init__(self, producer: AckedProducer, topic: str, schema_id: int = AUDIT_SCHEMA_ID) -> None:
        self._producer = producer
        self._topic = topic
        self._schema_id = schema_id

    def record(self, action: ErrorLogAction) -> None:
        self._producer.send(self._topic, action.key.encode(), encode_action(action, self._schema_id))
