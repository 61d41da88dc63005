"""`procountor-connector run`: the worker, as deployed (configuration from the environment)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import structlog


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run the worker: InvoiceIssued events in, Procountor invoices out")
    parser.add_argument("--connections", type=Path, default=None,
                        help="connections file (default: $PROCOUNTOR_CONNECTOR_CONNECTIONS_FILE)")
    parser.add_argument("--ops-host", default=os.environ.get("PROCOUNTOR_CONNECTOR_OPS_HOST", "127.0.0.1"))
    parser.add_argument("--ops-port", type=int, default=int(os.environ.get("PROCOUNTOR_CONNECTOR_OPS_PORT", "9400")))
    parser.add_argument("--log-level", default=os.environ.get("PROCOUNTOR_CONNECTOR_LOG_LEVEL", "INFO"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapters.errorlog.http_api import error_log_routes
    from adapters.errorlog.tokens import ApiTokens
    from adapters.logging_setup import configure_logging
    from adapters.ops.server import OpsServer, ops_app
    from bootstrap import build_error_log_tools, build_worker

    configure_logging(args.log_level)
    log = structlog.get_logger("procountor_connector")
    app = build_worker(connections_file=args.connections)
    tools = build_error_log_tools(app.worker.config, via="http", create_topics=False)
    routes = error_log_routes(tools.actions, ApiTokens.from_env(), tools.document_of)
    ops = OpsServer(ops_app(app.worker.metrics.registry, ready=lambda: True, extra_routes=routes),
                    args.ops_host, args.ops_port).start()
    log.info("ops_server_started", port=ops.port)
    app.worker.install_signal_handlers()
    try:
        app.worker.run()
    finally:
        ops.stop()
        tools.close()
        app.close()
    return 0
