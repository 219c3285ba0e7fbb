"""Turns the raw samples into medians (min-max), ratios, target checks and Markdown."""

import statistics

SIDES = ("dmskafka", "official", "raw")

# figure key -> (title, unit, what is compared, higher is better)
FIGURES = {
    "import_s": ("import time", "ms", 1000, False),
    "rss_mb": ("RSS after import + 1 call", "MB", 1, False),
    # dmskafka only: what every pytest run pays once dmskafka is installed (after pytest's own import).
    "plugin_import_s": ("pytest plugin import (_dmskafka_pytestplugin)", "ms", 1000, False),
    "seq": ("sequential create_connector", "calls/s", 1, True),
    "seq_p50": ("sequential p50 latency", "µs", 1, False),
    "seq_p99": ("sequential p99 latency", "µs", 1, False),
    "list": ("sequential list_connector_tasks (a page of 10 tasks)", "calls/s", 1, True),
    "threads": ("8 threads, one client", "calls/s", 1, True),
    "async": ("asyncio, 256 in flight", "calls/s", 1, True),
    "sign": ("signing only, HMAC_SHA256", "signs/s", 1, True),
    # The other signing algorithms, each against the official signer of the same algorithm.
    "sign_hmac_sm3": ("signing only, HMAC_SM3", "signs/s", 1, True),
    "sign_ecdsa_p256_sha256": ("signing only, ECDSA_P256_SHA256", "signs/s", 1, True),
    "sign_sm2_sm3": ("signing only, SM2_SM3", "signs/s", 1, True),
}

# (figure, comparison, threshold, description): checked on the ratios of medians.
TARGETS = [
    ("import_s", "speedup_official", 10, "import >= 10x faster than the official SDK"),
    ("rss_mb", "fraction_official", 0.5, "RSS after import + 1 call <= 1/2 of the official SDK's"),
    ("seq", "vs_official", 10, "sequential >= 10x the official SDK"),
    ("seq", "vs_raw", 1 / 1.5, "sequential within 1.5x of the raw Rust loop"),
    ("threads", "vs_official", 10, "8 threads >= 10x the official SDK"),
    ("async", "vs_official", 20, "asyncio >= 20x the official async client"),
    ("sign", "vs_official", 8, "signing from Python >= 8x the official Signer"),
]


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarize(samples):
    """samples[figure][side] = list of numbers -> same shape with summary dicts."""
    return {fig: {side: summary(vals) for side, vals in per_side.items()} for fig, per_side in samples.items()}


def _median(summ, fig, side):
    s = summ.get(fig, {}).get(side)
    return s["median"] if s else None


def ratios(summ):
    out = {}
    for fig in FIGURES:
        d, o, r = (_median(summ, fig, s) for s in SIDES)
        entry = {}
        if d and o:
            entry["vs_official"] = d / o
            entry["speedup_official"] = o / d
            entry["fraction_official"] = d / o
        if d and r:
            entry["vs_raw"] = d / r
        out[fig] = entry
    return out


def check_targets(rat):
    rows = []
    for fig, kind, threshold, text in TARGETS:
        value = rat.get(fig, {}).get(kind)
        if value is None:
            met = None
        elif kind == "fraction_official":
            met = value <= threshold
        else:
            met = value >= threshold
        rows.append({"target": text, "value": value, "kind": kind, "met": met})
    return rows


def _fmt(v, scale=1):
    if v is None:
        return "–"
    v *= scale
    if abs(v) >= 100:
        return "{:,.0f}".format(v)
    if abs(v) >= 10:
        return "{:.1f}".format(v)
    return "{:.2f}".format(v)


def _cell(s, scale):
    if not s:
        return "–"
    return "{} ({}–{})".format(_fmt(s["median"], scale), _fmt(s["min"], scale), _fmt(s["max"], scale))


def _ratio_text(kind, value):
    if value is None:
        return "–"
    if kind == "speedup_official":
        return "{:.1f}x faster".format(value)
    if kind == "fraction_official":
        return "{:.2f}x".format(value)
    if kind == "vs_raw":
        return "{:.2f}x ({:.2f}x slower)".format(value, 1 / value) if value else "–"
    return "{:.1f}x".format(value)


def figures_table(summ, rat):
    lines = [
        "| figure | unit | dmskafka | official SDK | raw Rust limit | dmskafka / official | dmskafka / raw |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for fig, (title, unit, scale, _) in FIGURES.items():
        per = summ.get(fig)
        if not per:
            continue
        r = rat.get(fig, {})
        lines.append(
            "| {} | {} | {} | {} | {} | {} | {} |".format(
                title,
                unit,
                *(_cell(per.get(s), scale) for s in SIDES),
                _fmt(r.get("vs_official")) + "x" if "vs_official" in r else "–",
                _fmt(r.get("vs_raw")) + "x" if "vs_raw" in r else "–",
            )
        )
    return "\n".join(lines)


def cpu_table(summ):
    lines = [
        "| CPU per call (µs, client process, all threads) | dmskafka | official SDK | raw Rust limit |",
        "| --- | --- | --- | --- |",
    ]
    for fig in ("seq", "threads", "async"):
        per = summ.get(fig + "_cpu")
        if per:
            lines.append("| {} | {} |".format(FIGURES[fig][0], " | ".join(_cell(per.get(s), 1) for s in SIDES)))
    return "\n".join(lines)


def targets_table(rows):
    lines = ["| target | measured | met |", "| --- | --- | --- |"]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "–"}[row["met"]]
        lines.append("| {} | {} | {} |".format(row["target"], _ratio_text(row["kind"], row["value"]), met))
    return "\n".join(lines)


def headroom_table(head):
    lines = ["| emulator | value |", "| --- | --- |"]
    for key, text, fmt in (
        ("max_rate", "max rate: raw_limit flood, 64 keep-alive connections, sharing the cores (calls/s)", "{:,.0f}"),
        ("cpu_us_at_max", "emulator CPU per request at that rate (µs)", "{:.1f}"),
        ("cpu_capacity", "capacity with every core to itself (cores / CPU per request, calls/s)", "{:,.0f}"),
        ("fastest_dmskafka", "fastest dmskafka loop (calls/s): " + head.get("fastest_figure", ""), "{:,.0f}"),
        ("cpu_us_under_fastest", "emulator CPU per request under that loop (µs)", "{:.1f}"),
        ("headroom", "**max rate / fastest dmskafka loop**", "**{:.2f}x**"),
        ("capacity_headroom", "capacity / fastest dmskafka loop", "{:.2f}x"),
    ):
        value = head.get(key)
        lines.append("| {} | {} |".format(text, "–" if value is None else fmt.format(value)))
    return "\n".join(lines)


def markdown(result):
    meta = result["meta"]
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Generated by `make bench` ({started}, {secs:.0f} s of which build and set-up {setup:.0f} s). "
            "{build} build of dmskafka {dmskafka}; official huaweicloudsdkcore {core} / huaweicloudsdkkafka "
            "{kafka}; {python}; {cpus} CPUs, shared (load average {load} at start, {load_end} at end). "
            "Medians of {repeats} interleaved runs of {run_secs} s each (import/RSS and the pytest plugin's "
            "import: {imports} fresh processes per SDK), min–max in brackets.".format(
                started=meta["started"],
                secs=meta["elapsed_s"],
                setup=meta.get("setup_s", 0),
                build=meta["dmskafka_build"],
                dmskafka=meta["dmskafka"],
                core=meta["huaweicloudsdkcore"],
                kafka=meta["huaweicloudsdkkafka"],
                python=meta["python"],
                cpus=meta["cpus"],
                load=meta["load_at_start"],
                load_end=meta.get("load_at_end", "?"),
                repeats=meta["repeats"],
                run_secs=meta["run_secs"],
                imports=meta["import_runs"],
            ),
            "",
            figures_table(result["summary"], result["ratios"]),
            "",
            "## Targets (issue 5)",
            "",
            targets_table(result["targets"]),
            "",
            "## Emulator headroom (issue 3: >= 5x the fastest dmskafka loop)",
            "",
            headroom_table(result["headroom"]),
            "",
            "## CPU time per call",
            "",
            cpu_table(result["summary"]),
            "",
            "Raw limit per figure: sequential = one call at a time on a current-thread runtime "
            "(a multi-thread runtime with `block_on` per call: {blockon} calls/s); 8 threads = 8 calls "
            "in flight on a multi-thread runtime; asyncio = 256 in flight; signing = the Rust signer "
            "called from Rust.".format(blockon=_fmt(_median(result["summary"], "seq_blockon", "raw"))),
            "",
        ]
    )
