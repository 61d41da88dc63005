"""The performance report (issue 8): cost per invoice against the parse floor, throughput against the API bound,
the Kafka floor and a one-at-a-time loop, Procountor requests per invoice, and memory under soak, in one run.

    python benchmarks/run.py [--quick] [--json] [--out DIR]

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, otherwise starts a private broker (``scripts/kafka-local``) and stops it
afterwards. Writes ``results.json`` and ``throughput_vs_latency.png`` to ``--out`` (default benchmarks/results).
Exit status 0 when every target holds, 1 when one does not. Method and results: BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cpu_cost import run_cpu_cost
from e2e import Rig
from procfs import machine, rss_bytes

from adapters.kafka.config import WorkerConfig
from adapters.kafka.local_broker import project_root

LATENCIES = (0, 20, 50, 100)
TENANTS = (1, 10)
TARGETS = {"cpu_ratio_to_floor": ("<=", 2.0), "e2e_efficiency_min": (">=", 0.85),
           "speedup_vs_one_at_a_time_100ms": (">=", 10.0), "rss_growth_ratio": ("<=", 0.10),
           "requests_per_invoice": ("<=", 1.5)}


class Plan:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.worker_n = {1: 100, 10: 600} if quick else {1: 300, 10: 2500}
        self.naive_n = 30 if quick else 80
        self.warmup = 1000  # enough to fill the in-flight window a few times: the steady working set
        self.soak = 2000 if quick else 20000
        self.passthrough = 5000 if quick else 20000


def start_broker(workdir: Path, progress) -> tuple[str, int | None, callable]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        return bootstrap, _broker_pid_by_port(bootstrap), lambda: None
    script = project_root() / "scripts" / "kafka-local"
    env = dict(os.environ, KAFKA_LOCAL_STATE_DIR=str(workdir / "kafka"))
    progress("starting a private Kafka broker (scripts/kafka-local) ...")
    out = subprocess.run([str(script), "start"], env=env, check=True, capture_output=True, text=True, timeout=600)
    text = out.stdout + out.stderr
    pid = re.search(r"pid (\d+)", text)
    bootstrap = out.stdout.strip().splitlines()[-1].split("=", 1)[1]
    stop = lambda: subprocess.run([str(script), "stop"], env=env, capture_output=True, timeout=120)
    return bootstrap, int(pid.group(1)) if pid else _broker_pid_by_port(bootstrap), stop


def _broker_pid_by_port(bootstrap: str) -> int | None:
    """The java process listening on the bootstrap port (for its CPU time), if it can be found."""
    port = int(bootstrap.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
        except FileNotFoundError:
            continue
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(proc.name)
        except (PermissionError, FileNotFoundError, ProcessLookupError):
            continue
    return None


def cpu_bound(batch: dict, cores: int) -> dict:
    """Invoices/s the CPU allows, from the CPU each process spent per invoice in a saturating batch: the worker's
    and the emulator's Python threads each hold one GIL (at most one core each), and all of it shares ``cores``."""
    c = batch["cpu"]
    w, e, b = (c[p]["total_ms_per_invoice"] for p in ("worker", "emulator", "broker"))
    w_py, e_py = c["worker"]["python_ms_per_invoice"], c["emulator"]["python_ms_per_invoice"]
    limits = {"worker_gil": 1000 / w_py, "emulator_gil": 1000 / e_py, "machine": cores * 1000 / (w + e + b),
              "machine_available": max(cores - batch["foreign_cores"], 0.1) * 1000 / (w + e + b)}
    return {"ms_per_invoice": {"worker": w, "worker_python": w_py, "emulator": e, "emulator_python": e_py,
                               "broker": b},
            "limits": limits, "bound": min(limits["worker_gil"], limits["emulator_gil"], limits["machine_available"]),
            "measured_in": batch["label"], "foreign_cores": batch["foreign_cores"]}


def run(plan: Plan, out: Path, progress) -> dict:
    report: dict = {"quick": plan.quick, "machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    defaults = WorkerConfig(bootstrap_servers="-")
    concurrency = defaults.worker_threads
    report["worker_config"] = {"worker_threads": concurrency, "max_in_flight": defaults.max_in_flight}
    progress("CPU per invoice against the lxml floor ...")
    report["cpu"] = run_cpu_cost(plan.quick, progress)

    workdir = Path(tempfile.mkdtemp(prefix="procountor-bench-"))
    bootstrap, broker_pid, stop_broker = start_broker(workdir, progress)
    report["broker"] = {"bootstrap": bootstrap, "pid_known": broker_pid is not None}
    progress(f"broker {bootstrap}; starting the emulator, the worker and the one-at-a-time loop ...")
    rig = Rig(bootstrap, broker_pid, workdir, tenants=max(TENANTS), rate_limit=20, progress=progress)
    batches: list[dict] = []
    memory: dict = {"start": rig.worker_rss_start}
    try:
        progress("warm-up (tokens, company settings, products created and cached) ...")
        rig.batch("warm-up worker", "worker", 0, max(TENANTS), plan.warmup)
        rig.batch("warm-up one-at-a-time", "naive", 0, max(TENANTS), 4 * max(TENANTS))
        memory["after_warmup"] = rss_bytes(rig.worker.pid)
        progress("latency sweep ...")
        for latency in LATENCIES:
            for tenants in TENANTS:
                batches.append(rig.batch(f"worker {latency} ms {tenants} tenant(s)", "worker", latency, tenants,
                                         plan.worker_n[tenants]).as_dict())
                batches.append(rig.batch(f"one-at-a-time {latency} ms {tenants} t", "naive", latency, tenants,
                                         plan.naive_n).as_dict())
        memory["after_sweep"] = rss_bytes(rig.worker.pid)
        progress(f"soak: {plan.soak} invoices, 0 ms, {max(TENANTS)} tenants, paced ...")
        soak = rig.batch(f"soak {plan.soak}", "worker", 0, max(TENANTS), plan.soak, paced=True).as_dict()
        memory["after_soak"] = rss_bytes(rig.worker.pid)
        memory["soak_invoices"] = plan.soak
        progress("Kafka floor: passthrough of the same events ...")
        report["kafka_passthrough"] = rig.passthrough(plan.passthrough)
        progress("in-flight window full of 500-line invoices ...")
        memory["window_500_lines"] = rig.memory_window(500, 5000, defaults.max_in_flight + 40, 8.0)
    finally:
        rig.close()
        stop_broker()
    report["workdir"] = str(workdir)
    report["batches"], report["soak"] = batches, soak
    return summarise(report, memory, concurrency, out)


def summarise(report: dict, memory: dict, concurrency: int, out: Path) -> dict:
    cores = report["machine"]["cores"]
    batches = report["batches"]
    worker = {(b["latency_ms"], b["tenants"]): b for b in batches if b["mode"] == "worker"}
    naive = {(b["latency_ms"], b["tenants"]): b for b in batches if b["mode"] == "naive"}
    # The CPU bound comes from the batch that saturates the machine most: the soak (0 ms, all tenants, longest).
    cpu = cpu_bound(report["soak"], cores)
    report["cpu_bound"] = cpu
    requests = sum(b["requests"] for b in worker.values())
    invoices = sum(b["n"] for b in worker.values())
    rpi = requests / invoices
    endpoints: dict[str, int] = {}
    for b in worker.values():
        for endpoint, count in b["by_endpoint"].items():
            endpoints[endpoint] = endpoints.get(endpoint, 0) + count
    report["requests"] = {"per_invoice": rpi, "invoices": invoices, "by_endpoint": endpoints}
    rows = []
    for (latency, tenants), b in sorted(worker.items()):
        r = max(b["requests"] / b["n"], 1e-9)
        rate_bound = 20 * tenants / r
        conc_bound = concurrency / (latency / 1000) if latency else float("inf")
        bound = min(rate_bound, conc_bound, cpu["bound"])
        one = naive[(latency, tenants)]["rate"]
        rows.append({"latency_ms": latency, "tenants": tenants, "worker": b["rate"], "bound": bound,
                     "rate_bound": rate_bound, "concurrency_bound": conc_bound, "cpu_bound": cpu["bound"],
                     "binding": min((rate_bound, "rate"), (conc_bound, "concurrency"), (cpu["bound"], "cpu"))[1],
                     "efficiency": b["rate"] / bound, "one_at_a_time": one, "speedup": b["rate"] / one,
                     "requests_per_invoice": b["requests"] / b["n"], "failed": b["failed"],
                     "foreign_cores": b["foreign_cores"],
                     "vs_kafka_floor": b["rate"] / report["kafka_passthrough"]["rate"]})
    report["throughput"] = rows
    memory["growth_ratio"] = memory["after_soak"] / memory["after_warmup"] - 1
    report["memory"] = memory
    speedup_100 = max(r["speedup"] for r in rows if r["latency_ms"] == 100)
    report.update({
        "cpu_ratio_to_floor": report["cpu"]["cpu_ratio_to_floor"],
        "cpu_ratio_without_mapping": report["cpu"]["cpu_ratio_without_mapping"],
        "e2e_efficiency_min": min(r["efficiency"] for r in rows),
        "speedup_vs_one_at_a_time_100ms": speedup_100,
        "requests_per_invoice": rpi,
        "rss_growth_ratio": memory["growth_ratio"],
        "e2e_at_50ms": {str(r["tenants"]): {"worker": r["worker"], "bound": r["bound"], "efficiency": r["efficiency"],
                                            "one_at_a_time": r["one_at_a_time"]}
                        for r in rows if r["latency_ms"] == 50},
    })
    report["targets"] = {name: {"value": report[name], "target": f"{op} {limit}",
                                "holds": report[name] <= limit if op == "<=" else report[name] >= limit}
                         for name, (op, limit) in TARGETS.items()}
    out.mkdir(parents=True, exist_ok=True)
    try:
        from chart import throughput_chart
        report["chart"] = str(throughput_chart(rows, out / "throughput_vs_latency.png"))
    except ImportError as exc:  # matplotlib is the optional "bench" extra
        report["chart"] = f"not drawn: {exc}"
    (out / "results.json").write_text(json.dumps(report, indent=1, default=str))
    return report


def _fmt(value: float) -> str:
    return "∞" if value == float("inf") else f"{value:.1f}"


def table(report: dict) -> str:
    lines = []
    m = report["machine"]
    lines.append(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
                 f"lxml {m['lxml']} (libxml2 {m['libxml2']}), fastavro {m['fastavro']}, "
                 f"confluent-kafka {m['confluent_kafka']} (librdkafka {m['librdkafka']}); "
                 f"{'--quick' if report['quick'] else 'full'} run")
    lines.append("")
    lines.append("CPU per invoice (µs, best of N, one core) | lines | bytes | lxml floor | parse | map | avro | "
                 "ratio | (+json body) | without map ")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in report["cpu"]["generated"]:
        lines.append(f"| {c['name']} | {c['lines']} | {c['bytes']} | {c['floor_us']:.0f} | {c['parse_us']:.0f} | "
                     f"{c['map_us']:.0f} | {c['avro_us']:.0f} | **{c['ratio']:.2f}** | {c['ratio_with_json']:.2f} | "
                     f"{c['ratio_without_map']:.2f} |")
    corpus = report["cpu"]["corpus"]
    if corpus:
        lines.append(f"| corpus, {corpus['documents']} documents (sum) | | {corpus['bytes']} | "
                     f"{corpus['floor_us']:.0f} | "
                     f"{corpus['parse_us']:.0f} | {corpus['map_us']:.0f} | {corpus['avro_us']:.0f} | "
                     f"**{corpus['ratio']:.2f}** | {corpus['ratio_with_json']:.2f} | "
                     f"{corpus['ratio_without_map']:.2f} |")
    lines.append("")
    cpu = report["cpu_bound"]
    ms = cpu["ms_per_invoice"]
    lim = cpu["limits"]
    lines.append(f"CPU bound (from '{cpu['measured_in']}'): worker {ms['worker']:.2f} ms/invoice "
                 f"({ms['worker_python']:.2f} in Python threads), emulator {ms['emulator']:.2f} "
                 f"({ms['emulator_python']:.2f}), broker {ms['broker']:.2f}; limits: worker GIL "
                 f"{lim['worker_gil']:.0f}/s, emulator GIL {lim['emulator_gil']:.0f}/s, {m['cores']} cores "
                 f"{lim['machine']:.0f}/s, cores left by other load ({cpu['foreign_cores']:.2f} cores busy elsewhere) "
                 f"{lim['machine_available']:.0f}/s -> CPU bound {cpu['bound']:.0f}/s")
    kafka = report["kafka_passthrough"]["rate"]
    lines.append(f"Kafka floor (passthrough, same broker, same events): {kafka:.0f} msg/s")
    lines.append("")
    lines.append("| latency ms | tenants | worker inv/s | bound | binding | efficiency | one-at-a-time | speedup | "
                 "req/inv | other load (cores) |")
    lines.append("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in report["throughput"]:
        lines.append(f"| {r['latency_ms']} | {r['tenants']} | {r['worker']:.1f} | {_fmt(r['bound'])} | "
                     f"{r['binding']} | "
                     f"**{r['efficiency'] * 100:.0f}%** | {r['one_at_a_time']:.1f} | {r['speedup']:.1f}x | "
                     f"{r['requests_per_invoice']:.2f} | {r['foreign_cores']:.2f} |")
    soak = report["soak"]
    mem = report["memory"]
    mb = lambda v: f"{v / 2 ** 20:.1f} MB"
    lines.append("")
    lines.append(f"soak: {soak['n']} invoices at {soak['rate']:.1f} inv/s, {soak['failed']} failed")
    lines.append(f"worker RSS: start {mb(mem['start'])}, after warm-up {mb(mem['after_warmup'])}, after sweep "
                 f"{mb(mem['after_sweep'])}, after soak of {mem['soak_invoices']} {mb(mem['after_soak'])} "
                 f"(growth {mem['growth_ratio'] * 100:+.1f}%), in-flight window full of "
                 f"{mem['window_500_lines']['events']} x 500-line invoices "
                 f"({mem['window_500_lines']['document_bytes'] / 1024:.0f} KB each) "
                 f"{mb(mem['window_500_lines']['rss_peak'])}")
    req = report["requests"]
    lines.append(f"Procountor requests per invoice (happy path, warm caches, {req['invoices']} invoices): "
                 f"{req['per_invoice']:.3f}  {req['by_endpoint']}")
    lines.append("")
    lines.append("| target | value | wanted | holds |")
    lines.append("|---|---:|---|---|")
    for name, t in report["targets"].items():
        lines.append(f"| {name} | {t['value']:.3f} | {t['target']} | {'yes' if t['holds'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (soak of 2,000 instead of 20,000)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of tables")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    progress = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else \
        (lambda *a: print(*a, flush=True))
    report = run(Plan(args.quick), args.out, progress)
    if args.json:
        print(json.dumps(report, indent=1, default=str))
    else:
        print()
        print(table(report))
    return 0 if all(t["holds"] for t in report["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
