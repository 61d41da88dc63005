"""The error log as Kafka-native operations: a view of the compacted error-log topic, the replayer, the audit
writer, the dead-letter reader, the HTTP API and the operators' page."""
