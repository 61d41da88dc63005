"""Audit records carry the id a schema registry gave ErrorLogAction, so registry-aware consumers can read them; without
a registry the pinned id stays."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from adapters.errorlog.audit import AUDIT_SCHEMA_ID, decode_action, encode_action, registered_audit_schema_id
from domain.error_log import ErrorLogAction

ACTION = ErrorLogAction("a-1", "ignore", "acme/INV-1", "ops@acme", dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC),
                        reason="duplicate sent by mistake", via="http")


def test_the_registered_id_is_written() -> None:
    url = "mock://audit-schema-test"
    schema_id = registered_audit_schema_id(url, "procountor.connector.audit")
    assert schema_id != AUDIT_SCHEMA_ID
    value = encode_action(ACTION, schema_id)
    assert struct.unpack(">I", value[1:5])[0] == schema_id
    assert decode_action(value, schema_id)["reason"] == "duplicate sent by mistake"
    with pytest.raises(ValueError):
        decode_action(value)  # read as the pinned id: refused, not misread


def test_without_a_registry_the_pinned_id_is_used() -> None:
    value = encode_action(ACTION)
    assert struct.unpack(">I", value[1:5])[0] == AUDIT_SCHEMA_ID
    assert decode_action(value)["actor"] == "ops@acme"
