"""Fixtures and the end-of-session report for the fault-injection suite (marker ``faults``)."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults import report
from tests.faults.harness import Scenario


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.kafka)


@pytest.fixture
def scenario_factory(kafka_bootstrap: str, request):
    made: list[Scenario] = []
    workdir = Path(tempfile.mkdtemp(prefix="faults-"))

    def make(name: str, bootstrap: str | None = None, **options) -> Scenario:
        scenario = Scenario(name, bootstrap or kafka_bootstrap, workdir / name, **options)
        made.append(scenario)
        return scenario

    yield make
    for scenario in made:
        scenario.close()
    if not getattr(request.node, "rep_call_failed", True):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"\nworker logs kept in {workdir}")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call_failed = rep.failed
    elif rep.when == "setup" and rep.failed:
        item.rep_call_failed = True


def pytest_terminal_summary(terminalreporter) -> None:
    if not report.ROWS:
        return
    path = report.write()
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=150, force_terminal=False).print(report.table())
    terminalreporter.write_line("")
    for line in buffer.getvalue().splitlines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"fault-injection report saved to {path}")
