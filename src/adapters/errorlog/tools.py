"""The error-log tools (the use cases on their Kafka adapters), as the composition root hands them to the CLI and
the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.errorlog.dead_letters import KafkaOriginalEvents
from adapters.errorlog.topic_view import KafkaErrorLog
from adapters.kafka.acked_producer import AckedProducer
from adapters.kafka.avro_codec import AvroCodec, AvroDecodeError
from application.error_log_actions import ErrorLogActions
from application.replay_dead_letters import ReplayDeadLetters
from domain.error_log import OriginalEvent


@dataclass
class ErrorLogTools:
    actions: ErrorLogActions
    replay: ReplayDeadLetters
    log: KafkaErrorLog
    originals: KafkaOriginalEvents
    producer: AckedProducer
    codec: AvroCodec

    def document_of(self, original: OriginalEvent | None) -> bytes | None:
        """The UBL document inside an original InvoiceIssued event (None when it is not a readable event)."""
        if original is None:
            return None
        try:
            _name, record = self.codec.decode(original.value, expected="InvoiceIssued")
        except AvroDecodeError:
            return None
        return record["document"]

    def close(self) -> None:
        self.producer.close()
        self.log.close()
        self.originals.close()

