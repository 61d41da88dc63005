"""`procountor-connector replay --from-dlq`: bulk replay of dead letters, rate-limited, with progress.

Safe to run twice: by default only invoices still OPEN in the error log are replayed (a first run leaves them
REPROCESSING, then gone), and with ``--all`` a replayed invoice that already exists in Procountor is found by the
worker and not posted again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
import sys

RELATIVE = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """An ISO 8601 time (UTC when no offset is given) or an age such as 30m, 2h, 7d."""
    now = now or dt.datetime.now(dt.UTC)
    match = RELATIVE.match(text.strip())
    if match:
        return now - dt.timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is neither an ISO time nor an age like 30m, 2h, 7d") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError("the rate is events per second, more than 0")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="bulk replay of dead letters (rate-limited, safe to run twice)")
    parser.add_argument("--from-dlq", action="store_true", required=True,
                        help="replay from the dead-letter topic (the only source)")
    parser.add_argument("--since", type=parse_time, help="dead-lettered at or after (ISO time or age: 2h, 7d)")
    parser.add_argument("--until", type=parse_time, help="dead-lettered before (ISO time or age)")
    parser.add_argument("--code")
    parser.add_argument("--tenant")
    parser.add_argument("--rate", type=positive_rate, default=50.0, help="events per second (default 50)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be replayed, send nothing")
    parser.add_argument("--all", dest="everything", action="store_true",
                        help="also replay invoices no longer OPEN in the error log (resolved, ignored, parked)")
    parser.add_argument("--reason")
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--actor", default=os.environ.get("PROCOUNTOR_CONNECTOR_ACTOR") or _user())
    parser.set_defaults(handler=run)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "cli"


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from adapters.kafka.config import WorkerConfig
    from application.replay_dead_letters import ReplayFilter
    from bootstrap import build_error_log_tools
    from domain.error_log import Scope

    err = Console(stderr=True)
    config = WorkerConfig.from_env({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": args.bootstrap_servers})
    tools = build_error_log_tools(config, via="dlq-replay")
    scope = Scope(actor=args.actor)
    try:
        selection = tools.replay.select(scope, ReplayFilter(since=args.since, until=args.until, tenant=args.tenant,
                                                            code=args.code, everything=args.everything))
        total = len(selection.chosen)
        verb = "would replay" if args.dry_run else "replaying"
        err.print(f"replay: {verb} {total} dead letter(s) at most {args.rate:g}/s; skipped: "
                  f"{selection.skipped or 'none'}", highlight=False)
        if args.dry_run:
            for letter, entry in selection.chosen:
                print(f"{letter.original.key}\t{letter.code}\t{entry.status.value if entry else '-'}")
        columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as progress:
            task = progress.add_task("replay", total=total)
            step = max(total // 10, 1)

            def report(done: int, all_: int) -> None:
                progress.update(task, completed=done)
                if not err.is_terminal and (done % step == 0 or done == all_):
                    print(f"replay: {done}/{all_}", file=sys.stderr, flush=True)

            result = tools.replay.run(scope, selection, rate=args.rate, reason=args.reason, dry_run=args.dry_run,
                                      progress=report)
    finally:
        tools.close()
    err.print(f"replay: {'replayed' if not result.dry_run else 'would replay'} "
              f"{result.replayed if not result.dry_run else total} in {result.elapsed_s:.1f}s "
              f"({result.rate:.1f}/s)", highlight=False)
    return 0
