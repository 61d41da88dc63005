"""`procountor-connector demo`: broker, emulator, worker and sample invoices, then a summary and the error log."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the whole product locally on sample invoices")
    parser.add_argument("--invoices", type=Path, default=None, help="publish these *.xml files instead of samples")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from adapters.demo.runner import run_demo

    console = Console(stderr=args.json)
    result = run_demo(args.invoices, args.timeout, progress=lambda text: console.print(f"[dim]{text}[/dim]"))
    summary = result.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        table = Table(title="Demo summary (from the topics and the emulator's state)")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key, value in summary.items():
            table.add_row(key.replace("_", " "), str(value))
        console.print(table)
        transferred = Table(title="Transferred invoices")
        for column in ("invoice", "procountor id", "payable", "reference", "products m/c/d", "attachments"):
            transferred.add_column(column)
        for r in sorted(result.results, key=lambda r: r["invoice_number"]):
            transferred.add_row(r["invoice_number"], str(r["procountor_invoice_id"]),
                                f"{r['payable_amount']} {r['currency']}", r["payment_reference"],
                                f"{r['products_matched']}/{r['products_created']}/{r['products_defaulted']}",
                                str(r["attachments"]))
        console.print(transferred)
        errors = Table(title="Error log")
        for column in ("tenant/invoice", "code", "class", "message"):
            errors.add_column(column, overflow="fold")
        for e in sorted(result.error_log, key=lambda e: e["invoice_id"]):
            errors.add_row(f"{e['tenant']}/{e['invoice_id']}", e["code"], e["failure_class"], e["message"][:160])
        console.print(errors)
    ok = result.outcomes_missing == 0 and result.duplicates == 0
    return 0 if ok else 1
