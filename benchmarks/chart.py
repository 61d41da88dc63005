"""Throughput against emulator latency: the worker, the bound and the one-at-a-time loop (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def throughput_chart(rows: list[dict], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    colours = {1: "tab:blue", 10: "tab:orange"}
    for tenants in sorted({r["tenants"] for r in rows}):
        mine = sorted((r for r in rows if r["tenants"] == tenants), key=lambda r: r["latency_ms"])
        x = [r["latency_ms"] for r in mine]
        colour = colours.get(tenants)
        label = f"{tenants} tenant{'s' if tenants > 1 else ''}"
        ax.plot(x, [r["bound"] for r in mine], "--", color=colour, alpha=0.6, label=f"bound, {label}")
        ax.plot(x, [r["worker"] for r in mine], "o-", color=colour, label=f"worker, {label}")
        ax.plot(x, [r["one_at_a_time"] for r in mine], "s:", color=colour, alpha=0.8,
                label=f"one-at-a-time, {label}")
    ax.set_yscale("log")
    ax.set_xlabel("emulator latency per request (ms)")
    ax.set_ylabel("invoices per second (log scale)")
    ax.set_title("Throughput against Procountor latency (20 requests/s per tenant)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
