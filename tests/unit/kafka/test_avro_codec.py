"""The Confluent wire format, with pinned schema ids (registry-less) and with a schema registry."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from adapters.kafka.avro_codec import AvroCodec, AvroDecodeError, RegistrySchemaIds
from adapters.kafka.events import invoice_issued_record


def _issued() -> dict:
    return invoice_issued_record("e1", "acme", "inv-1", b"<Invoice/>",
                                 occurred_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))


def test_pinned_ids_write_the_confluent_header() -> None:
    value = AvroCodec().encode("InvoiceIssued", _issued())
    assert value[0] == 0 and struct.unpack(">I", value[1:5])[0] == 1001
    assert AvroCodec().decode(value) == ("InvoiceIssued", _issued())


def test_a_registry_assigns_the_ids_and_both_sides_agree() -> None:
    subjects = {"InvoiceIssued": "in-value", "InvoiceTransferred": "out-value", "InvoiceTransferFailed": "err-value"}
    codec = AvroCodec(RegistrySchemaIds("mock://codec-test", subjects))
    value = codec.encode("InvoiceIssued", _issued())
    schema_id = struct.unpack(">I", value[1:5])[0]
    assert schema_id not in (1001, 1002, 1003)
    assert codec.decode(value, expected="InvoiceIssued")[1] == _issued()


@pytest.mark.parametrize("value, code", [
    (None, "AVRO_EMPTY"), (b"\x00\x00", "AVRO_TRUNCATED"), (b"\x01\x00\x00\x03\xe9xx", "AVRO_BAD_MAGIC"),
    (b"\x00\x00\x00\x00\x07xx", "AVRO_UNKNOWN_SCHEMA"), (b"\x00\x00\x00\x03\xe9\xff\xff", "AVRO_CORRUPT"),
])
def test_bad_values_are_classified(value, code) -> None:
    with pytest.raises(AvroDecodeError) as info:
        AvroCodec().decode(value)
    assert info.value.code == code


def test_a_result_record_is_not_taken_for_an_invoice_event() -> None:
    codec = AvroCodec()
    with pytest.raises(AvroDecodeError) as info:
        codec.decode(codec.encode("InvoiceTransferFailed", {
            "event_id": "e", "tenant": "t", "invoice_id": "i", "failure_class": "permanent", "code": "X",
            "message": "m", "attempts": 1, "first_failure_at": dt.datetime.now(dt.UTC),
            "last_failure_at": dt.datetime.now(dt.UTC),
            "source": {"topic": "t", "partition": 0, "offset": 1, "timestamp": dt.datetime.now(dt.UTC)}}),
            expected="InvoiceIssued")
    assert info.value.code == "AVRO_UNEXPECTED_SCHEMA"
