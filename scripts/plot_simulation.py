#!/usr/bin/env python3
"""Draws a simulation's plots from its CSV (`daeg-sim run --out DIR`):

  DIR/energy.png   production by source (stacked), consumption, storage, per interval
  DIR/prices.png   clearing price and tariff per zone
  DIR/balance.png  what balancing could not cover, and self-sufficiency per day
  DIR/bills.png    the members' net bills

Usage: plot_simulation.py DIR
"""

import csv
import json
import sys
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SOURCES = ["solar", "wind", "hydro", "thermal", "microgrid"]
COLORS = {"solar": "#f2b705", "wind": "#3d9be9", "hydro": "#1f6f8b", "thermal": "#c0392b", "microgrid": "#8e44ad"}


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(value):
    return float(value) if value not in ("", None) else float("nan")


def main(out):
    out = Path(out)
    rows = read_rows(out / "intervals.csv")
    summary = json.loads((out / "summary.json").read_text())
    times = [datetime.strptime(r["start_utc"], "%Y-%m-%d %H:%M") for r in rows]
    kwh = lambda col: [number(r[col]) / 1000 for r in rows]  # noqa: E731

    fig, ax = plt.subplots(figsize=(12, 5))
    ax.stackplot(times, *[kwh(f"{s}_wh") for s in SOURCES], labels=[s.title() for s in SOURCES],
                 colors=[COLORS[s] for s in SOURCES], alpha=0.85, step="post")
    ax.step(times, kwh("consumption_wh"), where="post", color="#222", lw=1.2, label="Consumption")
    ax.step(times, kwh("storage_charge_wh"), where="post", color="#27ae60", lw=1, ls="--", label="Storage charge")
    ax.step(times, kwh("storage_discharge_wh"), where="post", color="#27ae60", lw=1, label="Storage discharge")
    ax.set_ylabel("kWh per interval")
    ax.set_title(f"Metered production by source and consumption · self-sufficiency {summary['self_sufficiency']:.1%}")
    ax.legend(loc="upper left", ncol=4, fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "energy.png", dpi=110)
    plt.close(fig)

    zones = sorted({k.split("zone")[1] for k in rows[0] if k.startswith("price_zone")}, key=int)
    fig, ax = plt.subplots(figsize=(12, 5))
    for z in zones:
        line, = ax.step(times, [number(r[f"price_zone{z}"]) for r in rows], where="post", lw=1.3, label=f"zone {z} price")
        ax.step(times, [number(r[f"tariff_zone{z}"]) for r in rows], where="post", lw=0.9, ls="--",
                color=line.get_color(), label=f"zone {z} tariff")
    ax.set_ylabel("DAEG per kWh")
    ax.set_title(f"Clearing price and tariff per zone · volume-weighted average {summary['average_price']:.3f} DAEG/kWh")
    ax.legend(loc="upper left", ncol=len(zones), fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "prices.png", dpi=110)
    plt.close(fig)

    days = {}
    for t, r in zip(times, rows):
        d = days.setdefault(t.date(), [0.0, 0.0])
        d[0] += number(r["consumption_wh"])
        d[1] += number(r["unserved_wh"])
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(12, 7), sharex=False)
    ax1.step(times, kwh("unserved_wh"), where="post", color="#c0392b", lw=1, label="unserved")
    ax1.step(times, kwh("curtailed_wh"), where="post", color="#3d9be9", lw=1, label="curtailed")
    ax1.set_ylabel("kWh per interval")
    ax1.set_title("What balancing could not cover")
    ax1.legend(loc="upper left", fontsize=8)
    ax2.bar(list(days), [1 - u / c if c else 0 for c, u in days.values()], color="#27ae60")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("self-sufficiency")
    ax2.set_title("Self-sufficiency per day")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "balance.png", dpi=110)
    plt.close(fig)

    bills = read_rows(out / "bills.csv")
    bills.sort(key=lambda b: float(b["net_daeg"]))
    fig, ax = plt.subplots(figsize=(12, 5))
    ax.bar(range(len(bills)), [float(b["net_daeg"]) for b in bills],
           color=["#27ae60" if float(b["net_daeg"]) < 0 else "#1f77b4" for b in bills])
    ax.set_xlabel("members, by net bill")
    ax.set_ylabel("DAEG (negative: paid out)")
    ax.set_title(f"Net bills over the run · median {summary['bill_median_daeg']:.2f} DAEG")
    fig.tight_layout()
    fig.savefig(out / "bills.png", dpi=110)
    plt.close(fig)
    print(f"[plots] {', '.join(str(out / n) for n in ('energy.png', 'prices.png', 'balance.png', 'bills.png'))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
