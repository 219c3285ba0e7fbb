"""Draws bench/results/latest.png from latest.json: one panel per figure, a bar per side
(median) with the min-max range. Run by bench/run.py with the bench venv's matplotlib."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIDES = [("dmskafka", "dmskafka", "#d9480f"), ("official", "official SDK", "#868e96"), ("raw", "raw Rust", "#1c7ed6")]
PANELS = [
    ("import_s", "import time (ms, lower is better)", 1000),
    ("rss_mb", "RSS after import + 1 call (MB, lower is better)", 1),
    ("seq", "sequential (calls/s)", 1),
    ("seq_p50", "sequential p50 latency (µs, lower is better)", 1),
    ("threads", "8 threads, one client (calls/s)", 1),
    ("async", "asyncio, 256 in flight (calls/s)", 1),
    ("sign", "signing only (signs/s)", 1),
    ("list", "sequential list_connector_tasks (calls/s)", 1),
]


def main(src, dst):
    result = json.load(open(src))
    summ = result["summary"]
    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    for ax, (key, title, scale) in zip(axes.flat, PANELS):
        per = summ.get(key, {})
        names, medians, lows, highs, colors = [], [], [], [], []
        for side, label, color in SIDES:
            s = per.get(side)
            if not s:
                continue
            names.append(label)
            medians.append(s["median"] * scale)
            lows.append((s["median"] - s["min"]) * scale)
            highs.append((s["max"] - s["median"]) * scale)
            colors.append(color)
        bars = ax.bar(names, medians, color=colors, yerr=[lows, highs], capsize=4)
        for bar, value in zip(bars, medians):
            ax.annotate(
                "{:,.0f}".format(value) if value >= 10 else "{:.2f}".format(value),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    last = axes.flat[-1]
    last.axis("off")
    lines = ["targets (issue 5)"] + [("met    " if t["met"] else "MISSED ") + t["target"] for t in result["targets"]]
    head = result["headroom"]
    lines += ["", "emulator max {:,.0f}/s = {:.1f}x fastest dmskafka loop".format(head["max_rate"], head["headroom"])]
    last.text(0, 1, "\n".join(lines), va="top", fontsize=8, family="monospace")
    meta = result["meta"]
    fig.suptitle(
        "dmskafka {} ({} build) vs official SDK {} vs raw Rust limit; medians of {} runs, bars = min-max".format(
            meta["dmskafka"], meta["dmskafka_build"], meta["huaweicloudsdkkafka"], meta["repeats"]
        )
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
