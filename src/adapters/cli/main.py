"""`procountor-connector`: one console script, one module per sub-command.

Each module named in COMMANDS exposes ``register(subparsers)``, which adds its parser and sets ``handler`` to a
function taking the parsed arguments and returning an exit status. Entrypoints stay thin: they parse arguments,
ask the composition root for what they need, and print.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: tuple[str, ...] = (
    "emulator",
    "broker",
    "run",
    "publish",
    "demo",
    "connections",
    "ocr",
    "validate",
    "errors",
    "replay",
    "map",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="procountor-connector", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"adapters.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
