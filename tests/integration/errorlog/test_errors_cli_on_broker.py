"""`procountor-connector errors ...` on the real broker: list, show, reprocess (dry run and real), ignore."""

from __future__ import annotations

import json

import pytest

from adapters.cli.main import main
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from tests.integration.errorlog.harness import (
    TENANT,
    add_fault,
    emulator,
    fresh_topics,
    running_worker,
    tools_for,
    wait_for,
    worker_config,
    write_connections,
)
from tests.integration.worker.kafka_helpers import publish

pytestmark = pytest.mark.kafka


def json_lines(out: str) -> list[dict]:
    """The command's JSON lines (the worker in this process logs to stdout too)."""
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_errors_cli(kafka_bootstrap: str, monkeypatch, capsys) -> None:
    topics = fresh_topics(kafka_bootstrap)
    for name, value in topics.__dict__.items():
        monkeypatch.setenv(f"PROCOUNTOR_CONNECTOR_TOPIC_{name.upper()}", value)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    config = worker_config(kafka_bootstrap, topics)
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config) as tools:
        add_fault(server, kind="error", status=400, methods=["POST"], path_prefix="/api/products")
        publish(kafka_bootstrap, topics.invoices, [(TENANT, n, render_ubl(sample_invoice(n, lines=1, seed=i)))
                                                   for i, n in enumerate(["CLI-1", "CLI-2"])])
        wait_for(lambda: len(tools.log.entries()) == 2, what="two records")
        capsys.readouterr()

        assert main(["errors", "list", "--json", "--tenant", TENANT]) == 0
        lines = json_lines(capsys.readouterr().out)
        assert sorted(r["id"] for r in lines) == ["demo/CLI-1", "demo/CLI-2"]
        assert {r["error"]["code"] for r in lines} == {"PROCOUNTOR_VALIDATION"}

        assert main(["errors", "list"]) == 0
        table = capsys.readouterr().out
        assert "demo/CLI-1" in table and "OPEN" in table

        assert main(["errors", "show", "demo/CLI-1", "--json", "--document"]) == 0
        [shown] = json_lines(capsys.readouterr().out)
        assert shown["invoice"]["number"] == "CLI-1" and "<Invoice" in shown["document"]
        assert shown["source"]["topic"] == topics.invoices

        assert main(["errors", "show", "demo/NOPE"]) == 1
        assert main(["errors", "show", "no-slash"]) == 1
        capsys.readouterr()

        assert main(["errors", "reprocess", "--tenant", TENANT, "--code", "PROCOUNTOR_VALIDATION", "--dry-run"]) == 0
        assert capsys.readouterr().out.count("would-reprocess") == 2
        assert main(["errors", "reprocess", "demo/CLI-1", "--json", "--actor", "alice"]) == 0
        [result] = json_lines(capsys.readouterr().out)
        assert result["outcome"] == "reprocessing"
        # The fault is still there: depending on timing the first replay is running or has failed again (OPEN).
        status = main(["errors", "reprocess", "demo/CLI-1", "--json"])
        [again] = json_lines(capsys.readouterr().out)
        assert (status, again["outcome"]) in ((1, "already-reprocessing"), (0, "reprocessing"))

        assert main(["errors", "ignore", "demo/CLI-2", "--reason", "duplicate of CLI-1"]) == 0
        assert "ignored" in capsys.readouterr().out
        assert tools.log.get("demo/CLI-2") is None
        assert main(["errors", "ignore", "demo/CLI-2", "--reason", "again"]) == 1
        assert "not-found" in capsys.readouterr().out
