"""The composition root: the one place that picks adapters for the ports and wires them.

Entrypoints (the CLI's run, demo, connections and errors commands) ask this module for what they need; tests build
the application with fakes instead (see tests/fakes.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from adapters.connections.file_directory import FileConnectionDirectory
from adapters.connections.status_topic import ConnectionStatusTopic, status_of
from adapters.errorlog.audit import AUDIT_SCHEMA_ID, KafkaAuditTrail, registered_audit_schema_id
from adapters.errorlog.dead_letters import KafkaDeadLetters, KafkaOriginalEvents
from adapters.errorlog.replayer import KafkaEventReplayer
from adapters.errorlog.tools import ErrorLogTools
from adapters.errorlog.topic_view import KafkaErrorLog
from adapters.kafka.acked_producer import AckedProducer
from adapters.kafka.attempt_journal import KafkaAttemptJournal
from adapters.kafka.avro_codec import AvroCodec, RegistrySchemaIds
from adapters.kafka.config import WorkerConfig
from adapters.kafka.topics import ensure_topics
from adapters.kafka.worker import InvoiceWorker
from adapters.logging_setup import REDACTOR
from adapters.procountor.client import ProcountorClient
from adapters.procountor.gateway import ProcountorGateways
from adapters.ubl.parser import UblInvoiceParser
from application.error_log_actions import ErrorLogActions
from application.replay_dead_letters import ReplayDeadLetters
from application.transfer_invoice import TransferInvoiceHandler
from domain.connection import Connection

CONNECTIONS_FILE_ENV = "PROCOUNTOR_CONNECTOR_CONNECTIONS_FILE"


@dataclass
class WorkerApp:
    worker: InvoiceWorker
    handler: TransferInvoiceHandler
    connections: FileConnectionDirectory
    journal: KafkaAttemptJournal

    def close(self) -> None:
        self.journal.close()


def procountor_client_for(connection: Connection, **options) -> ProcountorClient:
    REDACTOR.register(*connection.credentials.secrets())
    return ProcountorClient(connection.base_url, connection.credentials, **options)


def build_codec(config: WorkerConfig) -> AvroCodec:
    if not config.schema_registry_url:
        return AvroCodec()
    topics = config.topics
    subjects = {"InvoiceIssued": f"{topics.invoices}-value", "InvoiceTransferred": f"{topics.results}-value",
                "InvoiceTransferFailed": f"{topics.error_log}-value"}
    return AvroCodec(RegistrySchemaIds(config.schema_registry_url, subjects))


def build_connections(config: WorkerConfig, connections_file: Path) -> FileConnectionDirectory:
    status_topic = ConnectionStatusTopic(config.bootstrap_servers, config.topics.connections)
    directory = FileConnectionDirectory.from_file(connections_file, on_status=status_topic.publish)
    for tenant, record in status_topic.read_latest().items():
        directory.apply_status(tenant, status_of(record), record.get("reason"))
    for connection in directory.all():
        REDACTOR.register(*connection.credentials.secrets())
    return directory


def build_worker(config: WorkerConfig | None = None, connections_file: Path | None = None,
                 client_options: dict | None = None) -> WorkerApp:
    config = config or WorkerConfig.from_env()
    connections_file = connections_file or Path(os.environ[CONNECTIONS_FILE_ENV])
    ensure_topics(config.bootstrap_servers, config.topics)
    connections = build_connections(config, connections_file)
    journal = KafkaAttemptJournal(config.bootstrap_servers, config.topics.attempts,
                                  remembered=config.journal_remembered)
    options = {"timeout": config.procountor_timeout_s, **(client_options or {})}
    gateways = ProcountorGateways(lambda connection: procountor_client_for(connection, **options))
    handler = TransferInvoiceHandler(UblInvoiceParser(), connections, gateways, journal,
                                     outcome_settle_s=config.outcome_settle_s)
    worker = InvoiceWorker(config, handler, codec=build_codec(config), before_assign=journal.wait_until_caught_up)
    worker.metrics.watch_journal(journal)
    return WorkerApp(worker=worker, handler=handler, connections=connections, journal=journal)


def audit_schema_id(config: WorkerConfig) -> int:
    if not config.schema_registry_url:
        return AUDIT_SCHEMA_ID
    return registered_audit_schema_id(config.schema_registry_url, config.topics.audit)


def build_error_log_tools(config: WorkerConfig, via: str = "cli", create_topics: bool = True) -> ErrorLogTools:
    if create_topics:
        ensure_topics(config.bootstrap_servers, config.topics)
    topics = config.topics
    codec = build_codec(config)
    producer = AckedProducer(config.bootstrap_servers)
    log = KafkaErrorLog(config.bootstrap_servers, topics.error_log, producer, codec)
    dead_letters = KafkaDeadLetters(config.bootstrap_servers, topics.dead_letters)
    originals = KafkaOriginalEvents(config.bootstrap_servers, dead_letters)
    replayer = KafkaEventReplayer(producer, topics.invoices)
    audit = KafkaAuditTrail(producer, topics.audit, audit_schema_id(config))
    actions = ErrorLogActions(log=log, originals=originals, replayer=replayer, audit=audit, via=via)
    replay = ReplayDeadLetters(dead_letters=dead_letters, log=log, replayer=replayer, audit=audit)
    return ErrorLogTools(actions=actions, replay=replay, log=log, originals=originals, producer=producer,
                         codec=codec)
