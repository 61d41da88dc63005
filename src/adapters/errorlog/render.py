"""Error-log records for people (a rich table, a detail view) and for programs (JSON lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from adapters.errorlog.records import entry_to_json
from application.error_log_actions import ActionResult
from domain.error_log import ErrorLogEntry

STATUS_STYLE = {"OPEN": "red", "REPROCESSING": "yellow", "PARKED": "magenta"}


def _short(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def table(entries: list[ErrorLogEntry]) -> Table:
    grid = Table(title=f"Error log: {len(entries)} record(s)", show_lines=False)
    grid.add_column("id", no_wrap=True)
    for column in ("status", "code", "message", "invoice", "customer", "amount", "issued", "last failure"):
        grid.add_column(column, overflow="fold")
    for e in entries:
        amount = f"{e.payable_amount} {e.currency}" if e.payable_amount is not None else ""
        grid.add_row(e.key, f"[{STATUS_STYLE.get(e.status.value, '')}]{e.status.value}[/]", e.code,
                     _short(e.message, 60), e.invoice_number or "", _short(e.customer_name, 30), amount,
                     e.issue_date.isoformat() if e.issue_date else "",
                     e.last_failure_at.strftime("%Y-%m-%d %H:%M:%S"))
    return grid


def json_lines(entries: Iterable[ErrorLogEntry]) -> str:
    return "\n".join(json.dumps(entry_to_json(e), ensure_ascii=False) for e in entries)


def detail(console: Console, entry: ErrorLogEntry) -> None:
    data = entry_to_json(entry)
    error, invoice, source = data["error"], data["invoice"], data["source"]
    console.print(f"[bold]{entry.key}[/]  [{STATUS_STYLE.get(entry.status.value, '')}]{entry.status.value}[/]",
                  highlight=False)
    rows = [
        ("error", f"{error['class']} {error['code']}: {error['message']}"),
        ("http status", error["http_status"]), ("rule ids", ", ".join(error["rule_ids"])),
        ("invoice", invoice["number"]), ("customer", invoice["customer"]),
        ("amount", f"{invoice['amount']} {invoice['currency']}" if invoice["amount"] else None),
        ("issue date", invoice["issue_date"]),
        ("source", f"{source['topic']}[{source['partition']}]@{source['offset']} ({source['timestamp']})"),
        ("event id", data["event_id"]), ("attempts", data["attempts"]), ("replays", data["replay_count"]),
        ("first failure", data["first_failure_at"]), ("last failure", data["last_failure_at"]),
        ("state written", data["updated_at"]),
    ]
    for name, value in rows:
        if value not in (None, ""):
            console.print(f"  {name:>14}: {value}", highlight=False, markup=False)
    for fe in error["field_errors"]:
        rule = f" [{fe['rule']}]" if fe["rule"] else ""
        console.print(f"  {'field error':>14}: {fe['field']}: {fe['message']}{rule}", highlight=False, markup=False)


def results(console: Console, results_: list[ActionResult], as_json: bool) -> None:
    for r in results_:
        if as_json:
            print(json.dumps({"id": r.key, "outcome": r.outcome.value, "ok": r.ok, "detail": r.detail}))
        else:
            mark = "ok  " if r.ok else "FAIL"
            console.print(f"{mark} {r.key}: {r.outcome.value}{' - ' + r.detail if r.detail else ''}",
                          highlight=False, markup=False)
