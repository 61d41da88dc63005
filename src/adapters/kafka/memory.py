"""The worker's allocator policy: a fixed glibc mmap threshold, so that memory of a huge event goes back to the OS.

glibc raises its mmap threshold (and with it the trim threshold, to twice as much) every time a block that was
mmapped is freed, up to 32 MB. After one ~20 MB event (its bytes copied out of librdkafka, Avro-decoded, dead-
lettered), every later allocation below 20 MB, from any thread, came from the per-thread arenas instead, which grew
by tens of MB and were not trimmed (a 40 MB trim threshold): the worker's RSS stayed ~1.4x its baseline after the
poison storm (scenario 6 of tests/faults). Setting the threshold explicitly turns the dynamic adjustment off
(mallopt(3)): blocks over it are always mmapped and unmapped when freed, and the trim threshold stays at 128 KiB.

Measured on scenario 6 (RSS after the storm / warmed-up baseline, with the worker's collection after large events):
default 1.39; fixed 1 MiB 1.01, fixed 4 MiB 1.01, 4 MiB with an 8 MiB trim threshold 1.08, MALLOC_ARENA_MAX=2 2.46.
Throughput (benchmarks/e2e.py rig, 800 small invoices, 10 tenants): 1 MiB cost ~18 % more worker CPU per invoice
(librdkafka's 1-4 MB fetch buffers were mmapped and faulted in each time); 4 MiB was within the noise of the default.

Done with mallopt at start-up rather than with MALLOC_*/GLIBC_TUNABLES environment variables, so that it holds in
any deployment; a no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import structlog

log = structlog.get_logger(__name__)

M_MMAP_THRESHOLD = -3
# Blocks of at least 4 MiB are mmapped: big documents, their copies and the fetch buffers that carry them. Small
# enough that a huge event leaves nothing behind in the arenas, large enough that ordinary invoices (tens of kB) and
# librdkafka's fetch responses of small records (1 MiB per partition) keep coming from the arenas.
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024
ENV_OPT_OUT = "PROCOUNTOR_CONNECTOR_MALLOC_TUNING"  # "0": leave glibc's defaults alone


def tune_allocator(mmap_threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold for this process (the trim threshold then stays at its 128 KiB default instead of
    following it); True if applied."""
    if os.environ.get(ENV_OPT_OUT, "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    applied = bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold))
    log.info("allocator_tuned", applied=applied, mmap_threshold=mmap_threshold)
    return applied
