"""Profile the worker's hot path under load with py-spy (sampling every thread of the worker process).

    python benchmarks/profile_worker.py [--seconds 20] [--latency-ms 0] [--out benchmarks/results]

Starts the same rig as run.py (broker from KAFKA_BOOTSTRAP_SERVERS or a private one, emulator, worker), warms it up,
then keeps 10 tenants' invoices flowing while ``py-spy record`` samples the worker; writes a flame graph (SVG) and
the raw collapsed stacks, and prints the functions with the most samples (own and cumulative).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from e2e import Rig
from run import start_broker


def top_frames(collapsed: Path, limit: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    cumulative: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            cumulative[frame] += n
    out = [f"{total} samples", "", "own:"]
    out += [f"  {n / total * 100:5.1f}%  {frame}" for frame, n in own.most_common(limit)]
    out += ["", "cumulative:"]
    out += [f"  {n / total * 100:5.1f}%  {frame}" for frame, n in cumulative.most_common(limit * 2)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if shutil.which("py-spy") is None:
        print("py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="procountor-profile-"))
    bootstrap, broker_pid, stop_broker = start_broker(workdir, print)
    rig = Rig(bootstrap, broker_pid, workdir)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        rig.batch("warm-up", "worker", 0, 10, 200)
        collapsed = args.out / "worker-profile.txt"
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(rig.worker.pid), "--duration", str(args.seconds),
                                "--rate", "200", "--format", "raw", "--output", str(collapsed), "--nonblocking",
                                "--gil"])
        load = threading.Thread(target=lambda: rig.batch("under profile", "worker", args.latency_ms, 10,
                                                         200 * args.seconds, paced=True), daemon=True)
        load.start()
        spy.wait()
        load.join()
        print(top_frames(collapsed))
    finally:
        rig.close()
        stop_broker()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
