"""Between error-log topic records (Avro InvoiceTransferFailed + headers) and ``ErrorLogEntry`` values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from adapters.kafka import messages as h
from domain.error_log import ErrorLogEntry, ErrorStatus, SourceLocation
from domain.errors import FieldError


def _header(headers, name: str) -> bytes | None:
    for key, value in headers or ():
        if key == name:
            return value
    return None


def _int_header(headers, name: str) -> int:
    raw = _header(headers, name)
    try:
        return max(int(raw), 0) if raw else 0
    except ValueError:
        return 0


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def entry_from_record(record: dict, headers=None, timestamp_ms: int | None = None) -> ErrorLogEntry:
    source = record["source"]
    action_id = _header(headers, h.HEADER_ACTION_ID)
    return ErrorLogEntry(
        tenant=record["tenant"], invoice_id=record["invoice_id"], event_id=record["event_id"],
        status=ErrorStatus(record.get("status") or "OPEN"), failure_class=record["failure_class"],
        code=record["code"], message=record["message"],
        source=SourceLocation(source["topic"], source["partition"], source["offset"], source["timestamp"]),
        attempts=record["attempts"], first_failure_at=record["first_failure_at"],
        last_failure_at=record["last_failure_at"],
        field_errors=tuple(FieldError(fe["field"], fe["message"], fe.get("rule")) for fe in record["field_errors"]),
        http_status=record.get("http_status"), invoice_number=record.get("invoice_number"),
        customer_name=record.get("customer_name"), currency=record.get("currency"),
        payable_amount=_decimal(record.get("payable_amount")), issue_date=_date(record.get("issue_date")),
        replay_count=_int_header(headers, h.HEADER_REPLAY_COUNT),
        updated_at=dt.datetime.fromtimestamp(timestamp_ms / 1000, dt.UTC) if timestamp_ms else None,
        action_id=action_id.decode("utf-8", "replace") if action_id else None,
    )


def record_from_entry(entry: ErrorLogEntry) -> dict:
    return {
        "event_id": entry.event_id, "tenant": entry.tenant, "invoice_id": entry.invoice_id,
        "status": entry.status.value, "failure_class": entry.failure_class, "code": entry.code,
        "message": entry.message,
        "field_errors": [{"field": fe.field, "message": fe.message, "rule": fe.rule} for fe in entry.field_errors],
        "http_status": entry.http_status, "attempts": entry.attempts, "first_failure_at": entry.first_failure_at,
        "last_failure_at": entry.last_failure_at,
        "source": {"topic": entry.source.topic, "partition": entry.source.partition,
                   "offset": entry.source.offset, "timestamp": entry.source.timestamp},
        "invoice_number": entry.invoice_number, "customer_name": entry.customer_name, "currency": entry.currency,
        "payable_amount": str(entry.payable_amount) if entry.payable_amount is not None else None,
        "issue_date": entry.issue_date.isoformat() if entry.issue_date else None,
    }


def headers_for(entry: ErrorLogEntry) -> list[tuple[str, bytes]]:
    headers = []
    if entry.replay_count:
        headers.append((h.HEADER_REPLAY_COUNT, str(entry.replay_count).encode()))
    if entry.action_id:
        headers.append((h.HEADER_ACTION_ID, entry.action_id.encode()))
    return headers


def entry_to_json(entry: ErrorLogEntry) -> dict:
    """The JSON shape of a record for the CLI's --json and the HTTP API."""
    def iso(value):
        return value.isoformat() if value is not None else None

    return {
        "id": entry.key, "tenant": entry.tenant, "invoice_id": entry.invoice_id, "event_id": entry.event_id,
        "status": entry.status.value,
        "error": {"class": entry.failure_class, "code": entry.code, "message": entry.message,
                  "http_status": entry.http_status, "rule_ids": list(entry.rule_ids),
                  "field_errors": [{"field": fe.field, "message": fe.message, "rule": fe.rule}
                                   for fe in entry.field_errors]},
        "invoice": {"number": entry.invoice_number, "customer": entry.customer_name, "currency": entry.currency,
                    "amount": str(entry.payable_amount) if entry.payable_amount is not None else None,
                    "issue_date": iso(entry.issue_date)},
        "source": {"topic": entry.source.topic, "partition": entry.source.partition, "offset": entry.source.offset,
                   "timestamp": iso(entry.source.timestamp)},
        "attempts": entry.attempts, "replay_count": entry.replay_count,
        "first_failure_at": iso(entry.first_failure_at), "last_failure_at": iso(entry.last_failure_at),
        "updated_at": iso(entry.updated_at),
    }
