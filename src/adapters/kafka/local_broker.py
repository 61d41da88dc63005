"""Drive scripts/kafka-local from Python: the demo and the test fixture start a real broker through it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def project_root() -> Path:
    """The checkout this package was installed from (editable installs), or the working directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "scripts" / "kafka-local").exists():
            return parent
    return Path.cwd()


class LocalKafkaBroker:
    def __init__(self, state_dir: Path | None = None, root: Path | None = None) -> None:
        self.root = root or project_root()
        self.script = self.root / "scripts" / "kafka-local"
        if not self.script.exists():
            raise FileNotFoundError(f"{self.script} not found: run from a checkout of procountor-connector")
        self.env = dict(os.environ)
        if state_dir is not None:
            self.env["KAFKA_LOCAL_STATE_DIR"] = str(state_dir)

    def start(self, port: int | None = None, timeout: float = 600) -> str:
        cmd = [str(self.script), "start"] + (["--port", str(port)] if port else [])
        out = subprocess.run(cmd, env=self.env, check=True, capture_output=True, text=True, timeout=timeout)
        last = out.stdout.strip().splitlines()[-1]
        return last.split("=", 1)[1]

    def stop(self) -> None:
        subprocess.run([str(self.script), "stop"], env=self.env, check=False, capture_output=True, timeout=60)

    def status(self) -> str | None:
        out = subprocess.run([str(self.script), "status"], env=self.env, capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            return None
        return out.stdout.strip().rsplit("=", 1)[1]
