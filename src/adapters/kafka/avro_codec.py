"""Avro encoding of the connector's events in the Confluent wire format.

Every value is ``0x00`` + a 4-byte big-endian schema id + the Avro binary body, so consumers that use a schema
registry read these topics unchanged. Without a registry (the documented default for local runs and tests) the ids
are pinned per schema in ``PINNED_SCHEMA_IDS``; with a registry URL configured the ids are registered at start-up
(see ``RegistrySchemaIds``).
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import fastavro

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")

SCHEMA_NAMES = ("InvoiceIssued", "InvoiceTransferred", "InvoiceTransferFailed")
PINNED_SCHEMA_IDS = {"InvoiceIssued": 1001, "InvoiceTransferred": 1002, "InvoiceTransferFailed": 1003}


class AvroDecodeError(ValueError):
    """The bytes are not a value this codec can read: wrong magic byte, unknown schema id, or a corrupt body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def load_schema_text(name: str) -> str:
    return resources.files("adapters.kafka").joinpath("schemas", f"{name}.avsc").read_text(encoding="utf-8")


class SchemaIds(Protocol):
    def id_for(self, name: str) -> int: ...


@dataclass(frozen=True)
class PinnedSchemaIds:
    ids: dict[str, int]

    def id_for(self, name: str) -> int:
        return self.ids[name]


class RegistrySchemaIds:
    """Registers each schema with a Confluent-compatible schema registry under ``<topic>-value`` subjects.
    Imported lazily: the registry client is only needed when a registry URL is configured."""

    def __init__(self, url: str, subjects: dict[str, str],
                 load: Callable[[str], str] = load_schema_text) -> None:
        from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

        # new_client also understands mock:// URLs (an in-process registry, for tests and local runs)
        client = SchemaRegistryClient.new_client({"url": url})
        self._ids = {
            name: client.register_schema(subject, Schema(load(name), "AVRO"))
            for name, subject in subjects.items()
        }

    def id_for(self, name: str) -> int:
        return self._ids[name]


class AvroCodec:
    """Encodes and decodes the connector's event records. Records are plain dicts (fastavro's own shape);
    the typed event dataclasses live in ``adapters.kafka.events``."""

    def __init__(self, schema_ids: SchemaIds | None = None) -> None:
        ids = schema_ids or PinnedSchemaIds(PINNED_SCHEMA_IDS)
        self._schemas = {name: fastavro.parse_schema(json.loads(load_schema_text(name))) for name in SCHEMA_NAMES}
        self._id_by_name = {name: ids.id_for(name) for name in SCHEMA_NAMES}
        self._name_by_id = {schema_id: name for name, schema_id in self._id_by_name.items()}

    def encode(self, name: str, record: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        buffer.write(_HEADER.pack(MAGIC_BYTE, self._id_by_name[name]))
        fastavro.schemaless_writer(buffer, self._schemas[name], record)
        return buffer.getvalue()

    def decode(self, data: bytes | None, expected: str | None = None) -> tuple[str, dict[str, Any]]:
        """Return (schema name, record). Raises AvroDecodeError for anything that is not a well-formed value."""
        if not data:
            raise AvroDecodeError("AVRO_EMPTY", "the message has no value")
        if len(data) < _HEADER.size:
            raise AvroDecodeError("AVRO_TRUNCATED", f"{len(data)} bytes is shorter than the wire-format header")
        magic, schema_id = _HEADER.unpack_from(data)
        if magic != MAGIC_BYTE:
            raise AvroDecodeError("AVRO_BAD_MAGIC", f"magic byte {magic} is not the Confluent wire format (0)")
        name = self._name_by_id.get(schema_id)
        if name is None:
            raise AvroDecodeError("AVRO_UNKNOWN_SCHEMA", f"schema id {schema_id} is not one this worker knows")
        if expected is not None and name != expected:
            raise AvroDecodeError("AVRO_UNEXPECTED_SCHEMA", f"expected {expected}, got {name}")
        buffer = io.BytesIO(data)
        buffer.seek(_HEADER.size)
        try:
            record = fastavro.schemaless_reader(buffer, self._schemas[name], None)
        except Exception as exc:  # fastavro raises a zoo of types on corrupt input
            raise AvroDecodeError("AVRO_CORRUPT",
                                  f"the {name} body could not be decoded ({type(exc).__name__})") from exc
        if buffer.tell() != len(data):
            raise AvroDecodeError("AVRO_CORRUPT", f"{len(data) - buffer.tell()} trailing bytes after the {name} record")
        return name, record
