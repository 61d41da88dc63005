"""How close is parse-to-domain to the floor set by lxml's own parsing?

For sample invoices of 1, 60 and 500 lines, measures per-invoice CPU time (``time.process_time`` over many
iterations, best of several interleaved rounds) of ``lxml.etree.fromstring`` alone and of ``UblInvoiceParser.parse``
(safe parsing + walk to the domain model) on the same bytes, and prints the ratio. Target: ratio <= 2.0. The
pure-Python walk (the compiled walk's reference and fallback) is shown beside it.

    python benchmarks/parse_floor.py [--rounds 5] [--budget 0.5]
"""

from __future__ import annotations

import argparse

from cpu_timer import interleaved_best
from lxml import etree

from adapters.ubl.parser import COMPILED_WALK_AVAILABLE, UblInvoiceParser
from adapters.ubl.samples import sample_invoice
from adapters.ubl.writer import render_ubl

SIZES = (1, 60, 500)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--budget", type=float, default=0.5, help="CPU seconds per round")
    opts = args.parse_args(argv)

    parser, python_walk = UblInvoiceParser(), UblInvoiceParser(compiled=False)
    plain = etree.XMLParser()
    print(f"compiled walk: {'yes' if COMPILED_WALK_AVAILABLE else 'NOT BUILT (pure-Python walk)'}")
    print(f"{'lines':>5} {'bytes':>9} {'fromstring µs':>14} {'parse µs':>10} {'ratio':>6} {'python walk µs':>15} "
          f"{'ratio':>6}")
    worst = 0.0
    for lines in SIZES:
        data = render_ubl(sample_invoice(f"BENCH-{lines}", lines))
        assert parser.parse(data).line_count == lines
        steps = {"floor": lambda d=data: etree.fromstring(d, plain), "ours": lambda d=data: parser.parse(d),
                 "python": lambda d=data: python_walk.parse(d)}
        best = interleaved_best(steps, opts.budget, opts.rounds)
        ratio = best["ours"] / best["floor"]
        worst = max(worst, ratio)
        print(f"{lines:>5} {len(data):>9} {best['floor'] * 1e6:>14.1f} {best['ours'] * 1e6:>10.1f} {ratio:>6.2f} "
              f"{best['python'] * 1e6:>15.1f} {best['python'] / best['floor']:>6.2f}")
    print(f"worst ratio {worst:.2f} (target <= 2.00)")
    print(f"parse_ratio_max={worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
