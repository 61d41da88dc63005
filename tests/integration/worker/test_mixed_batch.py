"""The whole product on the real broker and the emulator: a mixed batch in, exactly one outcome per event out."""

from __future__ import annotations

import pytest

from adapters.demo.runner import run_demo
from adapters.demo.sample_batch import demo_batch

pytestmark = pytest.mark.kafka


def test_mixed_batch_gets_one_outcome_per_event_and_no_duplicates(kafka_bootstrap: str, monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    batch = demo_batch()
    result = run_demo(timeout_s=120, progress=lambda _text: None)

    assert result.published == len(batch)
    assert result.outcomes_missing == 0
    assert result.duplicates == 0
    expected_ok = [e for e in batch if e.expect == "transferred"]
    assert result.transferred == len(expected_ok)
    assert result.invoices_in_emulator == len(expected_ok)
    assert result.failed == len(batch) - len(expected_ok)
    codes = {entry["invoice_id"]: entry["code"] for entry in result.error_log}
    for event in batch:
        if event.expect != "transferred":
            assert codes[event.invoice_id].startswith(event.expect), (event.invoice_id, codes.get(event.invoice_id))
    assert all(r["totals_match"] for r in result.results)
    # Secrets never reach the logs or the events.
    from adapters.procountor.emulator.config import DEMO_API_KEY, DEMO_CLIENT_SECRET

    everything = result.worker_log.read_text() + repr(result.results) + repr(result.error_log)
    assert DEMO_CLIENT_SECRET not in everything and DEMO_API_KEY not in everything
    assert "Bearer " not in everything or "Bearer ***" in everything
