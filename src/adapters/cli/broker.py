"""`procountor-connector broker start|stop|status`: the local Apache Kafka broker (scripts/kafka-local)."""

from __future__ import annotations

import argparse

from adapters.kafka.local_broker import LocalKafkaBroker


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("broker", help="start, stop or show the local Kafka broker (no Docker needed)")
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=None)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    broker = LocalKafkaBroker()
    if args.action == "start":
        print(f"KAFKA_BOOTSTRAP_SERVERS={broker.start(port=args.port)}")
        return 0
    if args.action == "stop":
        broker.stop()
        return 0
    bootstrap = broker.status()
    print(f"running KAFKA_BOOTSTRAP_SERVERS={bootstrap}" if bootstrap else "not running")
    return 0 if bootstrap else 1
