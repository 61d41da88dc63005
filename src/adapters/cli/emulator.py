"""`procountor-connector emulator`: serve the Procountor API emulator until SIGTERM/SIGINT.

Prints one line when ready: ``PROCOUNTOR_BASE_URL=http://HOST:PORT/api``. The built-in "demo" company's credentials
are documented in ``adapters.procountor.emulator``.
"""

from __future__ import annotations

import argparse
import signal
import threading

from adapters.procountor.emulator import EmulatorConfig, EmulatorServer


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("emulator", help="serve the local Procountor API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--config", help="JSON config file (companies, limits, faults); see emulator/config.py")
    parser.add_argument("--latency-ms", type=float, default=None, help="fixed latency added to every API request")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="extra random latency, uniform 0..N ms")
    parser.add_argument("--error-rate", type=float, default=None, help="probability (0..1) of a 500 per request")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests/s per client; 0 disables")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault RNG")
    parser.add_argument("--admin-token", default=None, help="require this token on /_emulator/ endpoints")
    parser.add_argument("--token-ttl", type=float, default=None, help="access token lifetime in seconds")
    parser.set_defaults(handler=run)


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig.from_file(args.config) if args.config else EmulatorConfig()
    if args.latency_ms is not None or args.jitter_ms:
        config.faults.insert(0, {"kind": "latency", "fixed_ms": args.latency_ms or 0, "jitter_ms": args.jitter_ms})
    if args.error_rate:
        config.faults.append({"kind": "error", "rate": args.error_rate, "status": 500})
    if args.rate_limit is not None:
        config.rate_limit_per_second = args.rate_limit
    if args.seed is not None:
        config.seed = args.seed
    if args.admin_token is not None:
        config.admin_token = args.admin_token
    if args.token_ttl is not None:
        config.token_ttl_seconds = args.token_ttl
    return config


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = EmulatorServer(build_config(args), host=args.host, port=args.port).start()
    try:
        print(f"PROCOUNTOR_BASE_URL={server.base_url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0
