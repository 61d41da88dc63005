"""How close is parse-to-domain to the floor set by lxml's own parsing?

For sample invoices of 1, 60 and 500 lines, measures per-invoice CPU time (``time.process_time`` over many
iterations, best of several rounds) of ``lxml.etree.fromstring`` alone and of ``UblInvoiceParser.parse`` (safe
parsing + walk to the domain model) on the same bytes, and prints the ratio. Target: ratio <= 2.0.

    python benchmarks/parse_floor.py [--rounds 5] [--budget 0.5]
"""

from __future__ import annotations

import argparse
import time

from lxml import etree

from adapters.ubl.parser import UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl

SIZES = (1, 60, 500)


def per_call(fn, data: bytes, budget: float, rounds: int) -> float:
    """Best-of-``rounds`` CPU seconds per call, each round running for about ``budget`` CPU seconds."""
    start = time.process_time()
    fn(data)
    once = max(time.process_time() - start, 1e-6)
    iterations = max(10, int(budget / once))
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(iterations):
            fn(data)
        best = min(best, (time.process_time() - start) / iterations)
    return best


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--budget", type=float, default=0.5, help="CPU seconds per round")
    opts = args.parse_args(argv)

    parser = UblInvoiceParser()
    plain = etree.XMLParser()
    print(f"{'lines':>5} {'bytes':>9} {'fromstring µs':>14} {'parse µs':>10} {'ratio':>6}")
    worst = 0.0
    for lines in SIZES:
        data = render_ubl(sample_invoice(f"BENCH-{lines}", lines))
        assert parser.parse(data).line_count == lines
        floor = per_call(lambda d: etree.fromstring(d, plain), data, opts.budget, opts.rounds)
        ours = per_call(parser.parse, data, opts.budget, opts.rounds)
        ratio = ours / floor
        worst = max(worst, ratio)
        print(f"{lines:>5} {len(data):>9} {floor * 1e6:>14.1f} {ours * 1e6:>10.1f} {ratio:>6.2f}")
    print(f"worst ratio {worst:.2f} (target <= 2.00)")
    print(f"parse_ratio_max={worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
