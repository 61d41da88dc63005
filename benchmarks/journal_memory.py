"""Memory of the attempt journal's in-memory view as records accumulate: bounded (the worker's) against one dict entry
per record (what the journal kept before). Each measured in its own child process, so one's freed memory cannot
flatter the other's RSS.

    python benchmarks/journal_memory.py [--records 1000000] [--remembered 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from procfs import rss_bytes


def _key(i: int) -> str:
    return f"tenant-{i % 10}/INV-2026-{i:08d}"  # a realistic journal key: tenant / invoice id


def _measure(kind: str, records: int, remembered: int) -> dict:
    from adapters.kafka.attempt_memory import RememberedAttempts

    before = rss_bytes(os.getpid())
    if kind == "bounded":
        memory = RememberedAttempts(remembered=remembered)
        for i in range(records):
            memory.apply(_key(i), "posted", 100_000 + i, None)
        extra = {"kept": len(memory), "forgotten": memory.forgotten, "filters": memory.filters}
    else:
        every: dict = {}
        for i in range(records):
            every[_key(i)] = ("posted", 100_000 + i, None)
        extra = {"kept": len(every)}
    return {"kind": kind, "records": records, "rss_growth_bytes": rss_bytes(os.getpid()) - before, **extra}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--records", type=int, default=1_000_000)
    args.add_argument("--remembered", type=int, default=50_000)
    args.add_argument("--child", choices=("bounded", "every"), help=argparse.SUPPRESS)
    opts = args.parse_args(argv)
    if opts.child:
        print(json.dumps(_measure(opts.child, opts.records, opts.remembered)))
        return 0
    results = []
    for kind in ("bounded", "every"):
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--records", str(opts.records),
                              "--remembered", str(opts.remembered)], check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout))
    bounded, every = results
    print(f"{opts.records:,} journal records, {opts.remembered:,} kept whole:")
    print(f"  bounded (kept {bounded['kept']:,}, {bounded['filters']} Bloom filter(s)): "
          f"+{bounded['rss_growth_bytes'] / 1e6:.1f} MB RSS")
    print(f"  one entry per record (before): +{every['rss_growth_bytes'] / 1e6:.1f} MB RSS, "
          f"{every['rss_growth_bytes'] / opts.records:.0f} B a record")
    print(f"  ratio: {every['rss_growth_bytes'] / max(bounded['rss_growth_bytes'], 1):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
