"""`procountor-connector ocr --scheme SCHEME BASE...`: generate payment references; `--validate REF...`: check them.

Generating prints one reference per line (exit 1 if a base is unusable, with the reason on stderr). Validating
prints ``REF valid`` or ``REF invalid`` per line and exits 1 when any is invalid.
"""

from __future__ import annotations

import argparse
import sys

from domain.errors import InvoiceRuleError
from domain.payment_reference import SCHEMES, generate, is_valid


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ocr", help="generate or validate payment references (fi, rf, fi-rf, se, se-length, no-mod10, no-mod11)"
    )
    parser.add_argument("--scheme", required=True, choices=SCHEMES, help="payment reference scheme")
    parser.add_argument("--validate", action="store_true", help="treat the arguments as references and check them")
    parser.add_argument("values", nargs="+", metavar="BASE_OR_REF")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for value in args.values:
        if args.validate:
            valid = is_valid(args.scheme, value)
            print(f"{value} {'valid' if valid else 'invalid'}")
            status |= not valid
            continue
        try:
            print(generate(args.scheme, value))
        except InvoiceRuleError as exc:
            print(f"{value}: {exc}", file=sys.stderr)
            status = 1
    return status
