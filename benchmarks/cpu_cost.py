"""CPU per invoice of the worker's own work, against the physical floor: lxml parsing the same bytes.

Per document, best-of-N CPU time (``time.process_time``, the steps interleaved round by round: ``cpu_timer``) of:

* floor      ``lxml.etree.fromstring`` of the document bytes, default parser (nothing can do less than this);
* parse      ``UblInvoiceParser.parse`` (hardened parse + walk to the domain ``Invoice``);
* map        payment reference + ``map_invoice`` (the ``POST /invoices`` body) with a warm product cache;
* avro       decode of the InvoiceIssued event + encode of the InvoiceTransferred result (what the worker does
             per event; the publisher's encode of InvoiceIssued is not the worker's work);
* json       the body serialised for HTTP (``encode_json``): reported, not part of the ratio the issue defines.

``ratio = (parse + map + avro) / floor``; ``ratio_with_json`` adds the HTTP body; ``ratio_without_map`` leaves the
mapping out, (parse + avro) / floor: what the ratio would be if mapping cost nothing, so whether the target is
reachable at all for a document of that size with this parser and fastavro.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cpu_timer import interleaved_best
from lxml import etree

from adapters.kafka.avro_codec import AvroCodec
from adapters.kafka.events import invoice_issued_record, transferred_record
from adapters.procountor.company_context import demo_company_context
from adapters.procountor.invoice_mapping import map_invoice
from adapters.procountor.json_codec import encode_json
from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from application.messages import InvoiceSummary, InvoiceTransferred, ProductCounts, TransferInvoice
from application.transfer_invoice import summarise
from domain.connection import ConnectionSettings
from domain.payment_reference import choose_payment_reference
from domain.posting import BookedTotals, InvoicePosting, LineProduct, ProductDisposition, ProductRef

SIZES = (1, 60, 500)
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@dataclass
class Cost:
    name: str
    lines: int
    size: int
    floor: float
    parse: float
    map: float
    avro: float
    json: float

    @property
    def ours(self) -> float:
        return self.parse + self.map + self.avro

    @property
    def ratio(self) -> float:
        return self.ours / self.floor

    @property
    def ratio_with_json(self) -> float:
        return (self.ours + self.json) / self.floor

    @property
    def ratio_without_map(self) -> float:
        return (self.parse + self.avro) / self.floor

    def as_dict(self) -> dict:
        return {"name": self.name, "lines": self.lines, "bytes": self.size, "floor_us": self.floor * 1e6,
                "parse_us": self.parse * 1e6, "map_us": self.map * 1e6, "avro_us": self.avro * 1e6,
                "json_us": self.json * 1e6, "ours_us": self.ours * 1e6, "ratio": self.ratio,
                "ratio_with_json": self.ratio_with_json, "ratio_without_map": self.ratio_without_map}


class Pipeline:
    """The per-invoice steps, wired the way the worker wires them."""

    def __init__(self) -> None:
        self.codec = AvroCodec()
        self.parser = UblInvoiceParser()
        self.settings = ConnectionSettings()
        self.plain = etree.XMLParser()

    def company_for(self, invoice):
        rates = {line.vat_rate or Decimal(0) for line in invoice.lines}
        rates |= {ac.vat_rate or Decimal(0) for ac in invoice.allowances_charges} | {Decimal(0)}
        company = demo_company_context(rates)
        if invoice.currency != company.currency:
            company = company.with_rate(invoice.currency, invoice.issue_date.isoformat(), Decimal("7.4567"))
        return company

    def measure(self, name: str, data: bytes, budget: float, rounds: int) -> Cost:
        invoice = self.parser.parse(data)
        company = self.company_for(invoice)
        products = {}  # the gateway's warm product cache: one ProductRef per seller item id
        line_products = []
        for line in invoice.lines:
            code = (line.seller_item_id or "").strip()
            if code:
                ref = products.setdefault(code, ProductRef(1000 + len(products), code, line.name or code))
                line_products.append(LineProduct(line.id, ProductDisposition.MATCHED, ref))
            else:
                line_products.append(LineProduct(line.id, ProductDisposition.DEFAULTED, None))
        line_products = tuple(line_products)

        def do_map(invoice=invoice):
            reference = choose_payment_reference(
                next((pm.payment_id for pm in invoice.payment_means if pm.payment_id), None),
                invoice.invoice_number, self.settings.payment_reference_scheme)
            return map_invoice(InvoicePosting(invoice, reference, line_products, self.settings), company)

        body = do_map().body
        event = self.codec.encode("InvoiceIssued", invoice_issued_record(str(uuid.uuid4()), "bench", name, data))
        command = TransferInvoice(event_id="e", tenant="bench", invoice_id=name, document=data)
        totals = invoice.totals
        summary: InvoiceSummary = summarise(invoice)
        outcome = InvoiceTransferred(
            command=command, summary=summary, procountor_id=123, already_existed=False,
            payment_reference="1232", payment_reference_source="document", products=ProductCounts(len(products)),
            attachments=0, booked=BookedTotals(totals.tax_exclusive, invoice.tax_total, totals.tax_inclusive),
            tax_exclusive=totals.tax_exclusive, tax=invoice.tax_total, tax_inclusive=totals.tax_inclusive,
            prepaid=totals.prepaid or Decimal(0), payable=totals.payable)

        def do_avro():
            self.codec.decode(event, expected="InvoiceIssued")
            self.codec.encode("InvoiceTransferred", transferred_record(outcome, 1, 10))

        best = interleaved_best({"floor": lambda: etree.fromstring(data, self.plain),
                                 "parse": lambda: self.parser.parse(data), "map": do_map, "avro": do_avro,
                                 "json": lambda: encode_json(body)}, budget, rounds)
        return Cost(name, len(invoice.lines), len(data), best["floor"], best["parse"], best["map"], best["avro"],
                    best["json"])


def corpus_documents(limit: int | None) -> list[Path]:
    """Corpus documents that are valid UBL 2.1 with no fatal EN 16931 / Peppol finding (the test suite's set)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t")
                if r["xsd_ubl21"] == "ok" and r["bis3021_cen_fatal"] == "0" and r["bis3021_peppol_fatal"] == "0"]
    rows.sort(key=lambda r: r["path"])
    if limit is not None and len(rows) > limit:
        step = len(rows) / limit  # an even spread over the sorted list, deterministic
        rows = [rows[int(i * step)] for i in range(limit)]
    return [CORPUS / r["path"] for r in rows]


def run_cpu_cost(quick: bool, progress=print) -> dict:
    pipeline = Pipeline()
    budget, rounds = (0.15, 3) if quick else (0.5, 5)
    generated = []
    for lines in SIZES:
        data = render_ubl(sample_invoice(f"BENCH-{lines}", lines))
        cost = pipeline.measure(f"generated-{lines}", data, budget, rounds)
        progress(f"  cpu {cost.name}: floor {cost.floor * 1e6:.0f} µs, ours {cost.ours * 1e6:.0f} µs, "
                 f"ratio {cost.ratio:.2f} (without the mapping {cost.ratio_without_map:.2f})")
        generated.append(cost)
    corpus, skipped = [], 0
    for path in corpus_documents(40 if quick else None):
        try:
            corpus.append(pipeline.measure(path.name, path.read_bytes(), budget / 10, 3))
        except Exception:  # noqa: BLE001 - a document the mapping refuses (a rate no company has) is skipped
            skipped += 1
    result = {"generated": [c.as_dict() for c in generated], "corpus": None}
    if corpus:
        floor = sum(c.floor for c in corpus)
        ours = sum(c.ours for c in corpus)
        ratios = sorted(c.ratio for c in corpus)
        result["corpus"] = {
            "documents": len(corpus), "skipped": skipped, "bytes": sum(c.size for c in corpus),
            "floor_us": floor * 1e6, "ours_us": ours * 1e6, "parse_us": sum(c.parse for c in corpus) * 1e6,
            "map_us": sum(c.map for c in corpus) * 1e6, "avro_us": sum(c.avro for c in corpus) * 1e6,
            "json_us": sum(c.json for c in corpus) * 1e6, "ratio": ours / floor,
            "ratio_with_json": (ours + sum(c.json for c in corpus)) / floor,
            "ratio_without_map": sum(c.parse + c.avro for c in corpus) / floor,
            "ratio_median": ratios[len(ratios) // 2], "ratio_max": ratios[-1]}
        progress(f"  cpu corpus: {len(corpus)} documents ({skipped} skipped), ratio {ours / floor:.2f} "
                 f"(median per document {ratios[len(ratios) // 2]:.2f})")
    ratios = [c.ratio for c in generated] + ([result["corpus"]["ratio"]] if corpus else [])
    result["cpu_ratio_to_floor"] = max(ratios)
    result["cpu_ratio_without_mapping"] = max([c.ratio_without_map for c in generated]
                                              + ([result["corpus"]["ratio_without_map"]] if corpus else []))
    return result


if __name__ == "__main__":
    import json
    print(json.dumps(run_cpu_cost(quick=True), indent=1))
