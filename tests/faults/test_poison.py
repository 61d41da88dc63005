"""Scenario 6: poison events among good ones: corrupt Avro, an unknown schema id, an empty value, XML that is not UBL,
XXE, an entity bomb, a 20 MB document, and an invoice whose attachment Procountor does not accept. Each must land in
the error log with its reason (and the attachment case must not also be in Procountor); the good invoices flow on."""

from __future__ import annotations

import dataclasses
import os
import random
import struct
import time
from pathlib import Path

from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.events import invoice_issued_record
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from domain.invoice import Attachment
from tests.faults.harness import Planned, plan_invoice, plan_stream, warm_up
from tests.faults.invariant import assert_invariant, conclude

XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
       b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&secret;</Invoice>')
BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                   for i in range(1, 10))
        + b']>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>')


# Memory: after the storm (and ordinary traffic after it) the worker's RSS must be back within 10 % of its warmed-up
# baseline. It used to stay ~1.4x (69-72 MB before, 100-176 MB after): glibc's dynamic mmap threshold rose to 20 MB
# after the big event, so later allocations filled per-thread arenas that were never trimmed, and the failed
# transfer's traceback kept both 20 MB copies (value and document) in a reference cycle until a full collection.
# The worker now fixes the mmap threshold (adapters/kafka/memory.py) and collects after large events; measured
# 1.01 over repeated runs.
MEMORY_BOUND = 1.10
MEMORY_SLACK_MB = 5.0  # and more than this many MB over the baseline


def _big_document() -> bytes:
    """A real invoice carrying a ~15 MB embedded PDF: about 20 MB of UBL."""
    invoice = sample_invoice("POISON-BIG", lines=3, seed=5)
    content = b"%PDF-1.4\n" + random.Random(5).randbytes(15_000_000)
    attachment = Attachment(id="BIG", filename="scan.pdf", mime_code="application/pdf", content=content)
    return render_ubl(dataclasses.replace(invoice, attachments=(attachment,)))


def _odd_attachment() -> Planned:
    """Valid UBL; its attachment's MIME type is one Procountor refuses (not a Peppol BIS attachment type)."""
    invoice = sample_invoice("POISON-MIME", lines=2, seed=6)
    attachment = Attachment(id="TXT", filename="notes.txt", mime_code="text/plain", content=b"see you in court")
    planned = plan_invoice("acme", "poison-mime", "POISON-MIME", seed=6)
    planned.document = render_ubl(dataclasses.replace(invoice, attachments=(attachment,)))
    planned.expect, planned.expect_code = "error", "ATTACHMENT_TYPE"  # refused before the POST, not after it
    return planned


def poison() -> list[Planned]:
    codec = AvroCodec()
    valid_record = codec.encode("InvoiceIssued", invoice_issued_record("e", "acme", "x", b"<x/>"))

    def avro(invoice_id: str, document: bytes, code: str) -> Planned:
        return Planned("acme", invoice_id, document=document, expect="error", expect_code=code)

    def raw(invoice_id: str, value: bytes | None, code: str) -> Planned:
        return Planned("acme", invoice_id, raw_value=value, raw=True, expect="error", expect_code=code)

    return [
        raw("poison-corrupt-avro", b"\x00\x00\x00\x03\xe9\xff\xff\xff not avro at all", "AVRO_"),
        raw("poison-unknown-schema", b"\x00" + struct.pack(">I", 4242) + valid_record[5:], "AVRO_UNKNOWN_SCHEMA"),
        raw("poison-empty", None, "AVRO_EMPTY"),
        raw("poison-zero-bytes", b"", "AVRO_"),
        avro("poison-not-ubl", b"<order><id>1</id><total>10.00</total></order>", "UBL_"),
        avro("poison-xxe", XXE, "UBL_DTD_FORBIDDEN"),
        avro("poison-bomb", BOMB, "UBL_DTD_FORBIDDEN"),
        avro("poison-big", _big_document(), "UBL_TOO_LARGE"),
        avro("poison-not-xml", b"\x89PNG\r\n\x1a\n not xml", "UBL_"),
        _odd_attachment(),
    ]


def _save_smaps(worker, label: str) -> None:
    """Diagnostics (``PROCOUNTOR_FAULTS_SMAPS_DIR``): the worker's memory map at a moment of the scenario."""
    target = os.environ.get("PROCOUNTOR_FAULTS_SMAPS_DIR")
    if target and worker.alive():
        Path(target).mkdir(parents=True, exist_ok=True)
        smaps = Path(f"/proc/{worker.pid}/smaps").read_text()
        Path(target, f"{label}.smaps").write_text(smaps)
        heads = []
        with open(f"/proc/{worker.pid}/mem", "rb") as mem:  # what the big anonymous mappings hold
            for line in smaps.splitlines():
                fields = line.split()
                if "-" in fields[0] and len(fields) == 5:
                    start, end = (int(x, 16) for x in fields[0].split("-"))
                    if end - start >= 8 << 20:
                        for offset in (0, 4096, 16 << 10, 1 << 20):
                            try:
                                mem.seek(start + offset)
                                heads.append(f"{fields[0]} +{offset}: {mem.read(96)!r}")
                            except OSError as exc:
                                heads.append(f"{fields[0]} +{offset}: {exc}")
        Path(target, f"{label}.heads").write_text("\n".join(heads))


def test_poison_events(scenario_factory) -> None:
    # PROCOUNTOR_FAULTS_MALLOC_TUNING=0: the worker without its allocator tuning (adapters/kafka/memory.py), to compare
    untuned = ({"PROCOUNTOR_CONNECTOR_MALLOC_TUNING": "0"}
               if os.environ.get("PROCOUNTOR_FAULTS_MALLOC_TUNING") == "0" else {})
    scn = scenario_factory("6-poison", big_messages=True, worker_env=untuned)
    w1 = scn.worker("w1").start()
    scn.wait_until_started(w1)
    warm = plan_stream("acme", "PSN", 10)
    baseline = warm_up(scn, w1, warm)
    _save_smaps(w1, "baseline")
    good = plan_stream("acme", "PSN", 70, start=10)
    bad = poison()
    plan = list(good)
    for i, planned in enumerate(bad):  # spread the poison through the stream
        plan.insert(5 + i * 7, planned)
    scn.fault_ended()
    started = time.monotonic()
    publishing = scn.publisher.stream(plan, per_second=6.0)
    publishing.join(120)
    scn.notes.append(f"{len(bad)} poison events among {len(good)} good ones, "
                     f"published in {time.monotonic() - started:.0f} s")
    if not scn.wait_settled(plan, 90):
        scn.notes.append("not every event had an outcome before the after-storm batch")
    after = plan_stream("acme", "PSN", 20, start=80)  # ordinary traffic after the storm, before memory is read
    warm_up(scn, w1, after)
    _save_smaps(w1, "after")
    row = conclude(scn, warm + plan + after, settle_timeout=60, faults_injected=len(bad), memory_worker=w1,
                   baseline_kb=baseline, memory_slack_mb=MEMORY_SLACK_MB, memory_bound=MEMORY_BOUND)
    assert_invariant(row)
