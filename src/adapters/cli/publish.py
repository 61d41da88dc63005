"""`procountor-connector publish FILE... --tenant T`: produce InvoiceIssued events, as Qvalia's platform does."""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("publish", help="produce an InvoiceIssued event per UBL file")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--topic", default=None, help="default: the configured invoices topic")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from confluent_kafka import Producer

    from adapters.kafka.avro_codec import AvroCodec
    from adapters.kafka.config import Topics
    from adapters.kafka.events import event_key, invoice_issued_record

    topic = args.topic or Topics.from_env().invoices
    codec = AvroCodec()
    producer = Producer({"bootstrap.servers": args.bootstrap_servers, "enable.idempotence": True,
                         "message.max.bytes": 33554432})
    failures: list[str] = []
    for path in args.files:
        invoice_id = path.stem
        record = invoice_issued_record(str(uuid.uuid4()), args.tenant, invoice_id, path.read_bytes())
        producer.produce(topic, key=event_key(args.tenant, invoice_id), value=codec.encode("InvoiceIssued", record),
                         on_delivery=lambda err, _msg, p=path: failures.append(f"{p}: {err}") if err else None)
        print(f"{path}\t{args.tenant}/{invoice_id}")
    producer.flush(60)
    for failure in failures:
        print(f"not delivered: {failure}")
    return 1 if failures else 0
