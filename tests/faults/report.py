"""The suite's report: one row per scenario, printed as a table and saved as JSON under reports/."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

from tests.faults.harness import MUTANT_ENV, ROOT

ROWS: list[dict] = []
COLUMNS = (("scenario", "scenario"), ("events_published", "events"), ("faults_injected", "faults"),
           ("invoices_posted", "posted"), ("duplicates", "dupes"), ("lost", "lost"),
           ("dead_lettered", "dead-lettered"), ("recovery_s", "recovery s (worst)"), ("recovery_median_s", "median"),
           ("rss_ratio", "RSS after/base"),
           ("seconds", "run s"), ("ok", "invariant"))


def record(row) -> None:
    ROWS.append(row.as_dict())


def report_path() -> Path:
    if os.environ.get("PROCOUNTOR_FAULTS_REPORT"):  # e.g. runs of one scenario that must not replace the suite's
        return Path(os.environ["PROCOUNTOR_FAULTS_REPORT"])
    return ROOT / "reports" / ("faults-mutation.json" if os.environ.get(MUTANT_ENV) else "faults-latest.json")


def write() -> Path | None:
    """faults-latest.json: the suite's rows. faults-mutation.json: per mutant (tests/faults/mutant_worker.py), its
    rows and which scenarios caught it, kept across the runs of the different mutants."""
    if not ROWS:
        return None
    path = report_path()
    path.parent.mkdir(exist_ok=True)
    rows = sorted(ROWS, key=lambda r: r["scenario"])
    run = {"generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
           "host": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    mutant = os.environ.get(MUTANT_ENV)
    if mutant:
        payload = json.loads(path.read_text()) if path.exists() else {"mutants": {}}
        payload["mutants"][mutant] = {**run, "caught_by": {
            r["scenario"]: {"duplicates": r["duplicates"], "lost": r["lost"], "inconsistent": r["inconsistent"],
                            "first_violations": r["violations"][:3]} for r in rows if not r["ok"]},
            "not_caught_by": [r["scenario"] for r in rows if r["ok"]], "scenarios": rows}
    else:
        payload = {**run, "scenarios": rows}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def table():
    from rich.table import Table

    title = "fault-injection suite" + (f" (MUTANT: {os.environ[MUTANT_ENV]})" if os.environ.get(MUTANT_ENV) else "")
    t = Table(title=title)
    for _key, header in COLUMNS:
        t.add_column(header, justify="left" if _key == "scenario" else "right")
    for row in sorted(ROWS, key=lambda r: r["scenario"]):
        t.add_row(*(("PASS" if row[k] else "FAIL") if k == "ok" else "-" if row[k] is None else str(row[k])
                    for k, _ in COLUMNS))
    return t
