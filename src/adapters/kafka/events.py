"""Between Avro records and the application's commands and outcomes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from adapters.kafka.messages import HEADER_REPLAY, HEADER_REPLAY_COUNT, ConsumedMessage, EventLocation
from application.messages import InvoiceSummary, InvoiceTransferred, TransferInvoice
from domain.errors import TransferError

CENT = Decimal("0.01")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def invoice_issued_record(event_id: str, tenant: str, invoice_id: str, document: bytes,
                          occurred_at: dt.datetime | None = None, content_type: str = "application/xml") -> dict:
    return {"event_id": event_id, "tenant": tenant, "invoice_id": invoice_id,
            "occurred_at": occurred_at or now_utc(), "document": document, "content_type": content_type}


def event_key(tenant: str, invoice_id: str) -> bytes:
    return f"{tenant}/{invoice_id}".encode()


def to_command(record: dict, message: ConsumedMessage) -> TransferInvoice:
    return TransferInvoice(
        event_id=record["event_id"], tenant=record["tenant"], invoice_id=record["invoice_id"],
        document=record["document"], replay=message.header(HEADER_REPLAY) is not None)


def replay_count(message: ConsumedMessage) -> int:
    """How many replays the event has been through (0 for an original event or an unreadable header)."""
    raw = message.header(HEADER_REPLAY_COUNT)
    try:
        return max(int(raw), 0) if raw else 0
    except ValueError:
        return 0


def transferred_record(outcome: InvoiceTransferred, attempts: int, duration_ms: int) -> dict:
    command = outcome.command
    return {
        "event_id": command.event_id, "tenant": command.tenant, "invoice_id": command.invoice_id,
        "invoice_number": outcome.summary.invoice_number, "procountor_invoice_id": outcome.procountor_id,
        "already_existed": outcome.already_existed, "payment_reference": outcome.payment_reference,
        "payment_reference_source": outcome.payment_reference_source,
        "products_matched": outcome.products.matched, "products_created": outcome.products.created,
        "products_defaulted": outcome.products.defaulted, "attachments": outcome.attachments,
        "currency": outcome.summary.currency,
        "tax_exclusive_amount": outcome.tax_exclusive.quantize(CENT), "tax_amount": outcome.tax.quantize(CENT),
        "tax_inclusive_amount": outcome.tax_inclusive.quantize(CENT),
        "prepaid_amount": outcome.prepaid.quantize(CENT), "payable_amount": outcome.payable.quantize(CENT),
        "totals_match": True, "warnings": list(outcome.warnings), "attempts": attempts,
        "duration_ms": duration_ms, "transferred_at": now_utc(),
    }


def failed_record(*, event_id: str, tenant: str, invoice_id: str, error: TransferError,
                  summary: InvoiceSummary | None, location: EventLocation, attempts: int,
                  first_failure_at: dt.datetime, status: str = "OPEN") -> dict:
    return {
        "event_id": event_id, "tenant": tenant, "invoice_id": invoice_id, "status": status,
        "failure_class": error.failure_class.value, "code": error.code, "message": error.message,
        "field_errors": [{"field": fe.field, "message": fe.message, "rule": fe.rule} for fe in error.field_errors],
        "http_status": error.http_status, "attempts": attempts, "first_failure_at": first_failure_at,
        "last_failure_at": now_utc(),
        "source": {"topic": location.topic, "partition": location.partition, "offset": location.offset,
                   "timestamp": dt.datetime.fromtimestamp(max(location.timestamp_ms, 0) / 1000, dt.UTC)},
        "invoice_number": summary.invoice_number if summary else None,
        "customer_name": summary.customer_name if summary else None,
        "currency": summary.currency if summary else None,
        "payable_amount": str(summary.payable_amount) if summary else None,
        "issue_date": summary.issue_date.isoformat() if summary else None,
    }

