"""`procountor-connector connections list|verify TENANT`: tenants' Procountor connections and their status."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("connections", help="list connections or verify one against Procountor")
    parser.add_argument("action", choices=("list", "verify"))
    parser.add_argument("tenant", nargs="?")
    parser.add_argument("--connections", type=Path,
                        default=os.environ.get("PROCOUNTOR_CONNECTOR_CONNECTIONS_FILE"))
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
                        help="records the status on the connections topic when given")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from adapters.connections.file_directory import FileConnectionDirectory
    from adapters.connections.status_topic import ConnectionStatusTopic, status_of
    from adapters.kafka.config import Topics
    from adapters.procountor.connection_probe import ProcountorConnectionProbe
    from application.verify_connection import verify_connection
    from bootstrap import procountor_client_for

    if args.connections is None:
        print("no connections file: pass --connections or set PROCOUNTOR_CONNECTOR_CONNECTIONS_FILE")
        return 2
    topic = ConnectionStatusTopic(args.bootstrap_servers, Topics.from_env().connections) \
        if args.bootstrap_servers else None
    directory = FileConnectionDirectory.from_file(args.connections, on_status=topic.publish if topic else None)
    if topic is not None:
        for tenant, record in topic.read_latest().items():
            directory.apply_status(tenant, status_of(record), record.get("reason"))
    console = Console()
    if args.action == "list":
        table = Table(title="Procountor connections")
        for column in ("tenant", "base url", "client id", "status", "reason"):
            table.add_column(column, overflow="fold")
        for c in directory.all():
            table.add_row(c.tenant, c.base_url, c.credentials.client_id, c.status.value, c.status_reason or "")
        console.print(table)
        return 0
    connection = directory.get(args.tenant or "")
    if connection is None:
        console.print(f"unknown tenant {args.tenant!r}")
        return 2
    with procountor_client_for(connection) as client:
        report = verify_connection(connection, ProcountorConnectionProbe(client), directory)
    console.print(f"{report.tenant}: {report.status.value.upper()}")
    if report.company:
        console.print(f"  company {report.company.name} ({report.company.business_id})")
    console.print(f"  sales VAT percents: {', '.join(str(v) for v in report.vat_percents) or '-'}")
    for problem in report.problems:
        console.print(f"  problem: {problem}")
    return 0 if not report.problems else 1
