"""A deliberately broken worker, ONLY for showing that the fault-injection suite catches real bugs.

``PROCOUNTOR_FAULTS_MUTANT=<name> python -m pytest -m faults tests/faults`` makes the harness start this module instead
of ``adapters.cli.main``; it patches one guarantee away, then runs the ordinary ``procountor-connector run``:

* ``no_idempotency`` - the attempt journal forgets everything and the look-up in Procountor never finds the invoice,
  so a redelivered, retried or replayed event is posted again (the "idempotency check" disabled);
* ``commit_before_outcome`` - an event's offset is stored for commit as soon as it is taken, before its outcome exists,
  so a crash loses the events in flight;
* ``give_up_early`` - an undecodable (poison) event is skipped without a dead letter or error-log record, and a
  tenant whose connection fails has its invoices dead-lettered at once instead of held until it works again.

Nothing in src/ knows about this module.
"""

from __future__ import annotations

import os
import sys

from confluent_kafka import TopicPartition


def no_idempotency() -> None:
    from adapters.kafka.attempt_journal import KafkaAttemptJournal
    from adapters.procountor.gateway import ProcountorAccountingGateway

    KafkaAttemptJournal.get = lambda self, key: None
    ProcountorAccountingGateway.find_posted_invoice = lambda self, invoice: None


def commit_before_outcome() -> None:
    from adapters.kafka.worker import InvoiceWorker

    original_take = InvoiceWorker._take

    def take(self, raw) -> None:
        original_take(self, raw)
        if raw.error() is None:
            self._consumer.store_offsets(offsets=[TopicPartition(raw.topic(), raw.partition(), raw.offset() + 1)])

    def finish_offset(self, message) -> None:
        offsets = self._offsets.get((message.location.topic, message.location.partition))
        if offsets is not None:
            offsets.finish(message.location.offset)
            self._buffered -= 1

    InvoiceWorker._take = take
    InvoiceWorker._finish_offset = finish_offset
    InvoiceWorker._store_offsets = lambda self: None


def give_up_early() -> None:
    import dataclasses

    from adapters.kafka.worker import InvoiceWorker
    from application.messages import TransferFailed
    from application.transfer_invoice import TransferInvoiceHandler
    from domain.errors import FailureClass, TransferError

    InvoiceWorker._undecodable = lambda self, message, exc: self._finish_offset(message)
    original_call = TransferInvoiceHandler.__call__

    def call(self, command):
        outcome = original_call(self, command)
        if isinstance(outcome, TransferFailed) and outcome.error.failure_class is FailureClass.CONNECTION:
            error = TransferError(outcome.error.code, outcome.error.message, FailureClass.PERMANENT)
            return dataclasses.replace(outcome, error=error)
        return outcome

    TransferInvoiceHandler.__call__ = call


MUTANTS = {"no_idempotency": no_idempotency, "commit_before_outcome": commit_before_outcome,
           "give_up_early": give_up_early}

if __name__ == "__main__":
    MUTANTS[os.environ["PROCOUNTOR_FAULTS_MUTANT"]]()
    from adapters.cli.main import main

    sys.exit(main(sys.argv[1:]))
