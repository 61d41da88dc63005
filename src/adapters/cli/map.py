"""`procountor-connector map FILE... --jsonl [--scheme fi] [--vat-rates 25.5,14,10,0 | --document-vat-rates]`:
the exact ``POST /invoices`` body each UBL file would become, without any network.

The company is a built-in copy of the emulator's demo company (Finnish VAT 25.5/14/10/0, its VAT statuses and bank
accounts); ``--vat-rates`` replaces its VAT percents and ``--document-vat-rates`` enables whatever rates each document
uses (for foreign test corpora, where the point is the arithmetic). A foreign-currency document gets the placeholder
rate ``--currency-rate`` (default 1.0), because the real one comes from Procountor. Product ids are left out of rows
(nothing is looked up); ``products`` lists what would be looked up.

Output with ``--jsonl``, one JSON object per file:
``{"file", "ok": true, "invoice": <body>, "products": [...], "attachments": [...], "reference": {...},
"warnings": [...], "totals": {...}}`` or ``{"file", "ok": false, "error": {"code", "message", "field_errors"}}``.
Exit status 0 when every file mapped, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from adapters.procountor.company_context import FINNISH_VAT_PERCENTS, CompanyContext, demo_company_context
from adapters.procountor.gateway import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, attachment_name
from adapters.procountor.invoice_mapping import map_invoice
from adapters.procountor.json_codec import encode_json
from adapters.ubl.parser import UblInvoiceParser
from domain.connection import ConnectionSettings
from domain.errors import DocumentError, TransferError
from domain.invoice import Invoice
from domain.payment_reference import SCHEMES, choose_payment_reference
from domain.posting import InvoicePosting, LineProduct, ProductDisposition
from domain.totals import check_totals


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("map", help="print the Procountor POST /invoices body of UBL files (no network)")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per file (default: a short summary)")
    parser.add_argument("--scheme", choices=SCHEMES, default="fi", help="payment reference scheme (default fi)")
    rates = parser.add_mutually_exclusive_group()
    rates.add_argument("--vat-rates", default=",".join(FINNISH_VAT_PERCENTS),
                       help="the company's sales VAT percents, comma-separated (default 25.5,14,10,0)")
    rates.add_argument("--document-vat-rates", action="store_true",
                       help="enable every VAT rate a document uses (for foreign test documents)")
    parser.add_argument("--currency-rate", default="1.0",
                        help="exchange rate for foreign-currency documents (units per EUR; default 1.0)")
    parser.add_argument("--default-sales-account", default=ConnectionSettings().default_sales_account)
    parser.set_defaults(handler=run)


def _decimal_list(text: str) -> list[Decimal]:
    try:
        return [Decimal(part.strip()) for part in text.split(",") if part.strip()]
    except InvalidOperation as exc:
        raise SystemExit(f"--vat-rates: not a list of numbers: {text!r}") from exc


def document_rates(invoice: Invoice) -> set[Decimal]:
    rates = {line.vat_rate or Decimal(0) for line in invoice.lines}
    rates |= {ac.vat_rate or Decimal(0) for ac in invoice.allowances_charges}
    return rates | {Decimal(0)}  # cash rounding rows use 0 %


def map_file(path: Path, args: argparse.Namespace, parser: UblInvoiceParser) -> dict[str, Any]:
    record: dict[str, Any] = {"file": str(path)}
    try:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError("FILE_UNREADABLE", f"{exc.strerror or exc}") from exc
        invoice = parser.parse(data)
        rule_errors = check_totals(invoice)
        if rule_errors:
            raise rule_errors[0]
        settings = ConnectionSettings(payment_reference_scheme=args.scheme,
                                      default_sales_account=args.default_sales_account)
        rates = document_rates(invoice) if args.document_vat_rates else _decimal_list(args.vat_rates)
        company: CompanyContext = demo_company_context(rates)
        if invoice.currency != company.currency:
            company = company.with_rate(invoice.currency, invoice.issue_date.isoformat(), Decimal(args.currency_rate))
        document_reference = next((pm.payment_id for pm in invoice.payment_means if pm.payment_id), None)
        reference = choose_payment_reference(document_reference, invoice.invoice_number, args.scheme)
        line_products = tuple(LineProduct(line.id, ProductDisposition.DEFAULTED, None) for line in invoice.lines)
        mapped = map_invoice(InvoicePosting(invoice, reference, line_products, settings), company)
    except TransferError as error:
        record.update(ok=False, error={"code": error.code, "message": error.message,
                                       "field_errors": [asdict(f) for f in error.field_errors]})
        return record
    record.update(
        ok=True, invoice=mapped.body,
        products=[{"line": line.id, "code": line.seller_item_id,
                   "action": "look up by code" if (line.seller_item_id or "").strip()
                   else f"default sales account {settings.default_sales_account}"} for line in invoice.lines],
        attachments=[_attachment(a) for a in invoice.attachments],
        reference={"reference": reference.reference, "scheme": reference.scheme, "source": reference.source,
                   "replaced": reference.replaced, "reason": reference.reason,
                   "type": mapped.body["paymentInfo"].get("bankReferenceCodeType")},
        warnings=[asdict(w) for w in mapped.warnings],
        totals={"expected": asdict(mapped.expected), "procountor": asdict(mapped.computed),
                "prepaid": invoice.totals.prepaid, "payable": invoice.totals.payable,
                "row_strategies": list(mapped.row_strategies)},
    )
    return record


def _attachment(attachment) -> dict[str, Any]:
    if attachment.content is None:
        return {"id": attachment.id, "external_uri": attachment.external_uri, "action": "recorded in notes"}
    mime = (attachment.mime_code or "").lower()
    size = len(attachment.content)
    action = "upload"
    if mime not in ATTACHMENT_TYPES:
        action = "refused: ATTACHMENT_TYPE"
    elif size > MAX_ATTACHMENT_BYTES:
        action = "refused: ATTACHMENT_TOO_LARGE"
    return {"id": attachment.id, "name": attachment_name(attachment), "mime": attachment.mime_code, "bytes": size,
            "action": action}


def run(args: argparse.Namespace) -> int:
    parser = UblInvoiceParser()
    failed = 0
    out = sys.stdout
    for path in args.files:
        record = map_file(path, args, parser)
        failed += not record["ok"]
        if args.jsonl:
            out.write(encode_json(record).decode("utf-8") + "\n")
        elif record["ok"]:
            totals = record["totals"]["procountor"]
            out.write(f"ok    {path}: {len(record['invoice']['invoiceRows'])} rows, net {totals['net']}, "
                      f"VAT {totals['vat']}, gross {totals['gross']}, {len(record['warnings'])} warnings\n")
        else:
            out.write(f"FAIL  {path}: {record['error']['code']}: {record['error']['message']}\n")
        out.flush()
    return 1 if failed else 0
