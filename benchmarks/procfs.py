"""Resident memory and CPU time of processes (and of their Python vs librdkafka threads) from /proc; machine facts."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass(frozen=True)
class CpuSample:
    total: float  # CPU seconds, all threads
    python: float  # CPU seconds of threads that are not librdkafka's own ("rdk:*"): the GIL-bound part

    def __sub__(self, other: CpuSample) -> CpuSample:
        return CpuSample(self.total - other.total, self.python - other.python)


def cpu(pid: int | None) -> CpuSample:
    if pid is None:
        return CpuSample(0.0, 0.0)
    total = python = 0.0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return CpuSample(0.0, 0.0)
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
            comm = (task / "comm").read_text().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile (its time is lost for this sample)
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS
        total += seconds
        if not comm.startswith("rdk:"):
            python += seconds
    return CpuSample(total, python)


def machine_busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine (every process, every core) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / TICKS


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    import confluent_kafka
    import fastavro
    import lxml
    from lxml import etree
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(mem / 2 ** 30, 1),
            "kernel": platform.release(), "python": platform.python_version(), "lxml": lxml.__version__,
            "libxml2": ".".join(map(str, etree.LIBXML_VERSION)), "fastavro": fastavro.__version__,
            "confluent_kafka": confluent_kafka.version()[0], "librdkafka": confluent_kafka.libversion()[0]}
