"""`replay --from-dlq` on the real broker: 1,000 dead letters at a given rate, with progress, twice, no double post."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from adapters.cli.main import main
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl
from tests.integration.errorlog.harness import (
    TENANT,
    add_fault,
    clear_faults,
    emulator,
    fresh_topics,
    invoice_numbers,
    running_worker,
    tools_for,
    wait_for,
    worker_config,
    write_connections,
)
from tests.integration.worker.kafka_helpers import publish, read_all

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COUNT = 1000
RATE = 100.0


def test_replaying_a_thousand_dead_letters_respects_the_rate_and_never_posts_twice(
        kafka_bootstrap: str, monkeypatch, capsys) -> None:
    topics = fresh_topics(kafka_bootstrap)
    for name, value in topics.__dict__.items():
        monkeypatch.setenv(f"PROCOUNTOR_CONNECTOR_TOPIC_{name.upper()}", value)
    config = worker_config(kafka_bootstrap, topics)
    document = {}
    with emulator() as server, running_worker(config, write_connections(server.base_url)), \
            tools_for(config) as tools:
        add_fault(server, kind="error", status=400, methods=["POST"], path_prefix="/api/products")
        numbers = [f"DLQ-{i:04d}" for i in range(COUNT)]
        for number in numbers:
            document[number] = render_ubl(sample_invoice(number, lines=1, seed=1))
        publish(kafka_bootstrap, topics.invoices, [(TENANT, n, document[n]) for n in numbers])
        read_all(kafka_bootstrap, topics.dead_letters, expected=COUNT, timeout_s=180)
        wait_for(lambda: len(tools.log.entries()) == COUNT, timeout_s=60, what="1000 records in the error log")
        clear_faults(server)

        replay = ["replay", "--from-dlq", "--rate", str(RATE), "--bootstrap-servers", kafka_bootstrap,
                  "--actor", "bulk-test", "--since", "1h", "--tenant", TENANT]
        started = time.monotonic()
        assert main(replay) == 0
        elapsed = time.monotonic() - started
        err = capsys.readouterr().err
        assert elapsed >= (COUNT - 1) / RATE, f"{COUNT} replays at {RATE}/s took only {elapsed:.1f}s"
        for step in range(100, COUNT + 1, 100):
            assert f"replay: {step}/{COUNT}" in err, err
        reported_rate = float(re.search(r"replayed 1000 in [\d.]+s \(([\d.]+)/s\)", err).group(1))
        assert reported_rate <= RATE * 1.02

        read_all(kafka_bootstrap, topics.results, expected=COUNT, timeout_s=240)
        wait_for(lambda: tools.log.entries() == [], timeout_s=60, what="an empty error log")
        assert sorted(invoice_numbers(server)) == numbers

        # Run it again: everything is resolved, so nothing is selected ...
        assert main(replay) == 0
        assert "replaying 0 dead letter(s)" in capsys.readouterr().err
        # ... and even replaying every dead letter regardless of the log posts nothing twice.
        assert main(replay + ["--all", "--rate", "1000"]) == 0
        results = read_all(kafka_bootstrap, topics.results, expected=2 * COUNT, timeout_s=240)
        assert len(results) == 2 * COUNT
        posted = Counter(invoice_numbers(server))
        assert len(posted) == COUNT and set(posted.values()) == {1}
