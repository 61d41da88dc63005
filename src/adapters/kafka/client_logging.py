"""librdkafka's own log lines go through Python logging (and so to the worker's log), not straight to stderr."""

import logging

RDKAFKA_LOGGER = logging.getLogger("librdkafka")
