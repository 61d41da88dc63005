"""`procountor-connector errors list|show|reprocess|ignore`: the error log from the command line.

Every action goes through the same use cases as the HTTP API and is written to the audit topic with the actor
(``--actor``, default: $PROCOUNTOR_CONNECTOR_ACTOR or the operating-system user).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("errors", help="view, reprocess or ignore invoices in the error log")
    commands = parser.add_subparsers(dest="errors_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    common.add_argument("--actor", default=os.environ.get("PROCOUNTOR_CONNECTOR_ACTOR") or _user(),
                        help="who acts, for the audit trail")

    listing = commands.add_parser("list", parents=[common], help="the error log, newest failure first")
    listing.add_argument("--tenant")
    listing.add_argument("--code")
    listing.add_argument("--status", choices=["OPEN", "REPROCESSING", "PARKED"])
    listing.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", parents=[common], help="one record: error, metadata, original document")
    show.add_argument("id", help="tenant/invoice_id")
    show.add_argument("--json", action="store_true")
    show.add_argument("--document", action="store_true", help="also print the original UBL document")
    show.set_defaults(handler=run_show)

    reprocess = commands.add_parser("reprocess", parents=[common],
                                    help="replay the original events (by id, or every OPEN record of a selection)")
    reprocess.add_argument("ids", nargs="*", metavar="ID")
    reprocess.add_argument("--tenant")
    reprocess.add_argument("--code")
    reprocess.add_argument("--reason")
    reprocess.add_argument("--dry-run", action="store_true")
    reprocess.add_argument("--force", action="store_true", help="also replay a record that is already REPROCESSING")
    reprocess.add_argument("--json", action="store_true")
    reprocess.set_defaults(handler=run_reprocess)

    ignore = commands.add_parser("ignore", parents=[common],
                                 help="remove records from the log (their events stay in the topics)")
    ignore.add_argument("ids", nargs="+", metavar="ID")
    ignore.add_argument("--reason", required=True)
    ignore.add_argument("--dry-run", action="store_true")
    ignore.add_argument("--json", action="store_true")
    ignore.set_defaults(handler=run_ignore)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def _tools(args: argparse.Namespace):
    from adapters.kafka.config import WorkerConfig
    from bootstrap import build_error_log_tools

    config = WorkerConfig.from_env({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": args.bootstrap_servers})
    return build_error_log_tools(config, via="cli")


def _scope(args: argparse.Namespace):
    from domain.error_log import Scope

    return Scope(actor=args.actor)


def _console():
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped: rich would wrap at 80 columns and split ids
        console.width = 200
    return console


def run_list(args: argparse.Namespace) -> int:
    from adapters.errorlog import render
    from domain.error_log import ErrorStatus

    tools = _tools(args)
    try:
        entries = tools.actions.list(_scope(args), tenant=args.tenant, code=args.code,
                                     status=ErrorStatus(args.status) if args.status else None)
    finally:
        tools.close()
    if args.json:
        if entries:
            print(render.json_lines(entries))
    else:
        _console().print(render.table(entries))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from adapters.errorlog import render
    from adapters.errorlog.records import entry_to_json
    from application.error_log_actions import ErrorNotFound
    from domain.error_log import InvalidErrorId

    tools = _tools(args)
    try:
        try:
            entry = tools.actions.show(_scope(args), args.id)
        except (InvalidErrorId, ErrorNotFound) as exc:
            print(f"errors show: {args.id}: {'not in the error log' if isinstance(exc, ErrorNotFound) else exc}",
                  file=sys.stderr)
            return 1
        document = tools.document_of(tools.originals.fetch(entry)) if args.document else None
    finally:
        tools.close()
    if args.json:
        data = entry_to_json(entry)
        if args.document:
            data["document"] = _as_text(document)
        print(json.dumps(data, ensure_ascii=False))
        return 0
    render.detail(_console(), entry)
    if args.document:
        print("\n--- original document ---")
        print(_as_text(document) if document is not None else "(the original event is no longer retained)")
    return 0


def _as_text(document: bytes | None) -> str | None:
    if document is None:
        return None
    try:
        return document.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(document).decode()


def run_reprocess(args: argparse.Namespace) -> int:
    from adapters.errorlog import render

    if bool(args.ids) == bool(args.tenant or args.code):
        print("errors reprocess: give IDs, or a selection with --tenant and/or --code, not both", file=sys.stderr)
        return 2
    tools = _tools(args)
    try:
        if args.ids:
            results = tools.actions.reprocess(_scope(args), args.ids, reason=args.reason, dry_run=args.dry_run,
                                              force=args.force)
        else:
            results = tools.actions.reprocess_matching(_scope(args), tenant=args.tenant, code=args.code,
                                                       reason=args.reason, dry_run=args.dry_run)
    finally:
        tools.close()
    render.results(_console(), results, args.json)
    if not results and not args.json:
        print("nothing to reprocess: no OPEN record matches")
    return 0 if all(r.ok for r in results) else 1


def run_ignore(args: argparse.Namespace) -> int:
    from adapters.errorlog import render
    from application.error_log_actions import ReasonRequired

    tools = _tools(args)
    try:
        results = tools.actions.ignore(_scope(args), args.ids, reason=args.reason, dry_run=args.dry_run)
    except ReasonRequired as exc:
        print(f"errors ignore: {exc}", file=sys.stderr)
        return 2
    finally:
        tools.close()
    render.results(_console(), results, args.json)
    return 0 if all(r.ok for r in results) else 1
