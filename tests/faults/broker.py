"""A private broker for the broker scenario: started by scripts/kafka-local, then stopped and started again with the
same data and ports (scripts/kafka-local's own ``start`` wipes the data, so the restart relaunches the same java
command line). Always stopped at the end through scripts/kafka-local, by pid file."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from adapters.kafka.local_broker import LocalKafkaBroker


class RestartableBroker:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.broker = LocalKafkaBroker(state_dir=state_dir)
        self.bootstrap: str | None = None
        self._cmdline: list[str] = []
        self._cwd = "/"

    def _pid(self) -> int:
        return int((self.state_dir / "pid").read_text().strip())

    def start(self) -> str:
        self.bootstrap = self.broker.start()
        pid = self._pid()
        self._cmdline = [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
        self._cwd = os.readlink(f"/proc/{pid}/cwd")
        return self.bootstrap

    def stop_now(self, timeout: float = 60) -> None:
        """Stop the broker process (SIGTERM, a clean shutdown) and keep its data."""
        pid = self._pid()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        with (self.state_dir / "stdout.log").open("ab") as out:
            proc = subprocess.Popen(self._cmdline, cwd=self._cwd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        (self.state_dir / "pid").write_text(f"{proc.pid}\n")
        self._wait_metadata()

    def _wait_metadata(self, timeout: float = 90) -> None:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if admin.list_topics(timeout=2).brokers:
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.3)
        raise RuntimeError("the restarted broker did not answer")

    def close(self) -> None:
        self.broker.stop()
