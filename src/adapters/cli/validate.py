"""`procountor-connector validate FILE... [--artefacts DIR] [--json]`: would these documents transfer?

For each file: parse it with the connector's UBL parser (parse errors), check the EN 16931 totals the connector
relies on (domain rule errors) and, when validation artefacts are given (``--artefacts`` or the environment variable
``PROCOUNTOR_CONNECTOR_VALIDATION_DIR``, a folder laid out like ``shared/schemas``), run the UBL 2.1 XSD and the
Peppol BIS 3.0 Schematron (validation findings; needs the optional ``saxonche``, extra ``validation``).

A file is ok when it parses, breaks no domain rule and has no fatal finding or validation error; warnings do not
fail it. Exit status: 0 all ok, 1 any file not ok, 2 the validator could not be set up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.validation import PeppolValidator, ValidationFinding, ValidationReport, ValidationUnavailable
from domain.errors import DocumentError, InvoiceRuleError, TransferError
from domain.totals import check_totals

ARTEFACTS_ENV = "PROCOUNTOR_CONNECTOR_VALIDATION_DIR"
_NAMESPACE_TEST = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]")  # SVRL location noise


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check UBL invoice files: parse, totals, optional XSD+Schematron")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--artefacts", type=Path, default=None,
                        help=f"XSD + Schematron folder (like shared/schemas); default ${ARTEFACTS_ENV}")
    parser.add_argument("--json", action="store_true", help="print a JSON array, one object per file")
    parser.add_argument("--warnings", action="store_true", help="list warning findings too (text output)")
    parser.set_defaults(handler=run)


@dataclass
class FileReport:
    file: str
    parse_errors: list[TransferError] = field(default_factory=list)
    rule_errors: list[InvoiceRuleError] = field(default_factory=list)
    validation: ValidationReport | None = None  # None: no artefacts configured

    @property
    def ok(self) -> bool:
        return not self.parse_errors and not self.rule_errors and (self.validation is None or self.validation.ok)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok,
            "parse_errors": [_error_dict(e) for e in self.parse_errors],
            "rule_errors": [_error_dict(e) for e in self.rule_errors],
            "validated": self.validation is not None,
            "validation_errors": [_error_dict(e) for e in self.validation.errors] if self.validation else [],
            "findings": [asdict(f) for f in self.validation.findings] if self.validation else [],
        }


def _error_dict(error: TransferError) -> dict:
    return {
        "code": error.code,
        "message": error.message,
        "field_errors": [asdict(f) for f in error.field_errors],
    }


def check_file(path: Path, parser: UblInvoiceParser, validator: PeppolValidator | None) -> FileReport:
    report = FileReport(file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.parse_errors.append(DocumentError(code="FILE_UNREADABLE", message=f"{exc.strerror or exc}"))
        return report
    try:
        invoice = parser.parse(data)
    except DocumentError as exc:
        report.parse_errors.append(exc)
    else:
        report.rule_errors.extend(check_totals(invoice))
    if validator is not None:
        report.validation = validator.validate(data)
    return report


def run(args: argparse.Namespace) -> int:
    artefacts = args.artefacts or (Path(os.environ[ARTEFACTS_ENV]) if os.environ.get(ARTEFACTS_ENV) else None)
    try:
        validator = PeppolValidator(artefacts) if artefacts is not None else None
    except ValidationUnavailable as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return 2
    parser = UblInvoiceParser()
    reports = [check_file(path, parser, validator) for path in args.files]
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print_text(report, show_warnings=args.warnings)
    return 0 if all(r.ok for r in reports) else 1


def _print_text(report: FileReport, *, show_warnings: bool) -> None:
    print(f"{report.file}: {'ok' if report.ok else 'INVALID'}")
    for error in report.parse_errors:
        print(f"  parse error {error.code}: {error.message}")
    for error in report.rule_errors:
        print(f"  rule error {error.code}: {error.message}")
    if report.validation is None:
        print("  validation: skipped (no artefacts; use --artefacts or $" + ARTEFACTS_ENV + ")")
        return
    for error in report.validation.errors:
        print(f"  validation error {error.code}: {error.message}")
    for finding in report.validation.fatal:
        print(_finding_line(finding))
    warnings = report.validation.warnings
    if show_warnings:
        for finding in warnings:
            print(_finding_line(finding))
    elif warnings:
        print(f"  {len(warnings)} warning(s) (--warnings to list)")


def _finding_line(finding: ValidationFinding) -> str:
    location = _NAMESPACE_TEST.sub(r"\1", finding.location)  # /*:Invoice[namespace-uri()='...'][1] -> /Invoice[1]
    return f"  {finding.flag} {finding.rule} [{finding.source}] at {location}: {finding.message}"
