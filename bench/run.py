"""`make bench`: dmskafka vs the official SDK vs the raw Rust limit, in one run.

Builds the release native module and the raw-limit binary, installs the official SDK into
bench/.venv-official, starts the emulator as a separate process, measures every figure of
issue 5 with the three sides interleaved run by run, prints the table and writes
bench/results/latest.{md,json,png}. See bench/README.md.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prepare  # noqa: E402
import report  # noqa: E402

ROOT = prepare.ROOT
RESULTS = ROOT / "bench" / "results"
WORKLOAD = ROOT / "bench" / "workload.py"
# What the pytest11 entry point in pyproject.toml names: the module every pytest run imports.
PYTEST_PLUGIN = "_dmskafka_pytestplugin"
# Bytecode is written and read by the benchmark's own processes (see bench/README.md).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class Worker:
    """A long-lived measuring process: one command per line in, one JSON line out."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(
            [str(a) for a in argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=ENV
        )

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("%s worker exited during %r" % (self.name, command))
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError("%s worker failed %r: %s" % (self.name, command, answer["error"]))
        return answer

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def start_emulator(instances):
    proc = subprocess.Popen(
        [prepare.VPY, ROOT / "bench" / "emulator_proc.py", str(instances)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    info = json.loads(proc.stdout.readline())
    return proc, info


def cpu_ns(pid):
    """CPU time of a process's live threads (ns), from each thread's schedstat."""
    total = 0
    task_dir = Path("/proc/%d/task" % pid)
    for task in task_dir.iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def import_samples(emu_json, runs, plugin=PYTEST_PLUGIN):
    """Fresh processes: import time and RSS after one call, and the pytest plugin's import time
    (dmskafka only). One unmeasured run of each first, so every measured import reads compiled
    bytecode (written by that run) rather than compiling."""
    samples = {
        "import_s": {"dmskafka": [], "official": []},
        "rss_mb": {"dmskafka": [], "official": []},
        "plugin_import_s": {"dmskafka": []},
    }
    pythons = {"dmskafka": prepare.VPY, "official": prepare.OFFICIAL_PY}
    for i in range(runs + 1):
        for sdk, py in pythons.items():
            out = subprocess.run(
                [str(py), str(WORKLOAD), sdk, emu_json, "--import-rss"],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env=ENV,
            )
            if i == 0:
                continue
            data = json.loads(out.stdout)
            samples["import_s"][sdk].append(data["import_s"])
            samples["rss_mb"][sdk].append(data["rss_mb"])
        secs = plugin_import_once(prepare.VPY, plugin)
        if i > 0:
            samples["plugin_import_s"]["dmskafka"].append(secs)
    return samples


def plugin_import_once(py, plugin=PYTEST_PLUGIN):
    """One fresh process timing `import <plugin>` after `import pytest` (seconds). Fails when the
    plugin brought in any dmskafka module: it must import dmskafka only inside its fixture."""
    out = subprocess.run(
        [str(py), str(WORKLOAD), "--plugin-import", plugin],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=ENV,
    )
    data = json.loads(out.stdout)
    if plugin == PYTEST_PLUGIN and data["dmskafka_modules"]:
        raise RuntimeError("the pytest plugin %s imported %s" % (plugin, ", ".join(data["dmskafka_modules"])))
    return data["plugin_import_s"]


# figure -> {side: command}
RUNS = {
    "seq": {"dmskafka": "seq {s}", "official": "seq {s}", "raw": "seq {s}"},
    "seq_blockon": {"raw": "blockon {s}"},
    "list": {"dmskafka": "list {s}", "official": "list {s}"},
    "threads": {"dmskafka": "threads 8 {s}", "official": "threads 8 {s}", "raw": "conc 8 {s}"},
    "async": {"dmskafka": "async 256 {s}", "official": "async 256 {s}", "raw": "conc 256 {s}"},
    "sign": {"dmskafka": "sign {s}", "official": "sign {s}", "raw": "sign {s}"},
    **{
        "sign_" + algorithm.lower(): {side: "sign {s} " + algorithm for side in ("dmskafka", "official", "raw")}
        for algorithm in ("HMAC_SM3", "ECDSA_P256_SHA256", "SM2_SM3")
    },
    # The emulator's own limit: 64 connections replaying pre-signed requests (raw_limit's flood).
    "flood": {"raw": "flood 64 {s}"},
}


def measure(workers, emu_pid, repeats, secs, samples, emu_cost, runs=RUNS):
    for r in range(repeats):
        print("run %d/%d" % (r + 1, repeats), flush=True)
        for fig, per_side in runs.items():
            sides = list(per_side)
            # Rotate who goes first, so no side always follows the same neighbour.
            sides = sides[r % len(sides) :] + sides[: r % len(sides)]
            for side in sides:
                before = cpu_ns(emu_pid)
                out = workers[side].ask(per_side[side].format(s=secs))
                emu_cpu = cpu_ns(emu_pid) - before
                if out.get("errors"):
                    print("  note: %s %s had %d failed calls" % (side, fig, out["errors"]), flush=True)
                samples.setdefault(fig, {}).setdefault(side, []).append(out["rate"])
                if out.get("cpu_us") is not None:
                    samples.setdefault(fig + "_cpu", {}).setdefault(side, []).append(out["cpu_us"])
                if fig == "seq":
                    samples.setdefault("seq_p50", {}).setdefault(side, []).append(out.get("p50_us"))
                    samples.setdefault("seq_p99", {}).setdefault(side, []).append(out.get("p99_us"))
                if out.get("sent") and not fig.startswith("sign"):
                    emu_cost.setdefault(fig, {}).setdefault(side, []).append(emu_cpu / 1000 / out["sent"])


def headroom(summ, emu_cost):
    """The emulator's max rate (flood) against the fastest dmskafka loop, and its CPU per
    request at that rate and under the fastest dmskafka loop."""
    fastest_fig = max(("seq", "threads", "async"), key=lambda f: summ[f]["dmskafka"]["median"])
    fastest = summ[fastest_fig]["dmskafka"]["median"]
    max_rate = summ["flood"]["raw"]["median"]
    at_max = report.summary(emu_cost["flood"]["raw"])["median"]
    capacity = os.cpu_count() * 1e6 / at_max
    return {
        "max_rate": max_rate,
        "cpu_us_at_max": at_max,
        "cpu_capacity": capacity,
        "fastest_dmskafka": fastest,
        "fastest_figure": fastest_fig,
        "cpu_us_under_fastest": report.summary(emu_cost[fastest_fig]["dmskafka"])["median"],
        "headroom": max_rate / fastest,
        "capacity_headroom": capacity / fastest,
    }


def update_readme(latest_md):
    """Puts the latest results between the markers in bench/README.md."""
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text()
    start = text.find("<!-- latest:")
    end = text.find("<!-- /latest -->")
    if start < 0 or end < 0:
        return
    start = text.index("\n", start) + 1
    body = latest_md.split("\n", 1)[1].replace("\n## ", "\n### ")  # below this README's headings
    readme.write_text(text[:start] + body.strip() + "\n\n![latest results](results/latest.png)\n" + text[end:])


def start_workers(emu, emu_json):
    return {
        "dmskafka": Worker("dmskafka", [prepare.VPY, WORKLOAD, "dmskafka", emu_json]),
        "official": Worker("official", [prepare.OFFICIAL_PY, WORKLOAD, "official", emu_json]),
        "raw": Worker(
            "raw",
            [
                prepare.RAW_LIMIT,
                emu["endpoint"],
                emu["ak"],
                emu["sk"],
                emu["project_id"],
                ",".join(emu["instances"]),
            ],
        ),
    }


def measure_only(args, emu_proc, emu, emu_json):
    """`--only PREFIX`: those figures alone, printed (the results files keep the full run's)."""
    runs = {fig: sides for fig, sides in RUNS.items() if fig.startswith(args.only)}
    if not runs:
        sys.exit("no figure starts with %r: %s" % (args.only, ", ".join(RUNS)))
    workers = {}
    try:
        workers = start_workers(emu, emu_json)
        samples = {}
        measure(workers, emu_proc.pid, args.repeats, args.secs, samples, {}, runs)
    finally:
        for w in workers.values():
            w.close()
        emu_proc.stdin.close()
        emu_proc.wait(timeout=30)
    summ = report.summarize(samples)
    print()
    print(report.figures_table(summ, report.ratios(summ)))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs per figure (default 5)")
    parser.add_argument("--secs", type=float, default=1.0, help="seconds per measured run (default 1)")
    parser.add_argument(
        "--imports",
        type=int,
        default=7,
        help="fresh processes per SDK for import/RSS and the plugin import (default 7)",
    )
    parser.add_argument("--no-build", action="store_true", help="measure the build already installed")
    parser.add_argument(
        "--only",
        metavar="PREFIX",
        help="measure only the figures whose name starts with PREFIX (e.g. sign) and print them; "
        "no import figures, nothing written",
    )
    args = parser.parse_args()
    t0 = time.time()
    started = datetime.datetime.now().isoformat(timespec="seconds")
    load = os.getloadavg()[0]
    # The official SDK's virtualenv installs (network, unpacking) while cargo compiles.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        official = pool.submit(prepare.official_venv)
        if not args.no_build:
            prepare.build_release()
        official.result()
    meta = prepare.versions()
    t_setup = time.time() - t0
    print("measuring dmskafka %s (%s build, %s)" % (meta["dmskafka"], meta["dmskafka_build"], meta["native_module"]))
    if meta["dmskafka_build"] != "release":
        sys.exit("refusing to benchmark a debug build of the native module")

    emu_proc, emu = start_emulator(64)
    emu_json = json.dumps(emu)
    workers = {}
    if args.only:
        return measure_only(args, emu_proc, emu, emu_json)
    try:
        samples = import_samples(emu_json, args.imports)
        workers = start_workers(emu, emu_json)
        emu_cost = {}
        print("import/RSS done in %.0f s" % (time.time() - t0 - t_setup), flush=True)
        measure(workers, emu_proc.pid, args.repeats, args.secs, samples, emu_cost)
    finally:
        for w in workers.values():
            w.close()
        emu_proc.stdin.close()
        emu_proc.wait(timeout=30)

    summ = report.summarize(samples)
    rat = report.ratios(summ)
    meta.update(
        started=started,
        elapsed_s=time.time() - t0,
        setup_s=t_setup,
        cpus=os.cpu_count(),
        load_at_start="%.2f" % load,
        load_at_end="%.2f" % os.getloadavg()[0],
        repeats=args.repeats,
        run_secs=args.secs,
        import_runs=args.imports,
    )
    result = {
        "meta": meta,
        "samples": samples,
        "summary": summ,
        "ratios": rat,
        "targets": report.check_targets(rat),
        "headroom": headroom(summ, emu_cost),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "latest.md").write_text(report.markdown(result))
    update_readme(report.markdown(result))
    subprocess.run(
        [
            str(prepare.OFFICIAL_PY),
            str(ROOT / "bench" / "chart.py"),
            str(RESULTS / "latest.json"),
            str(RESULTS / "latest.png"),
        ],
        check=True,
        cwd=ROOT,
    )
    meta["elapsed_s"] = time.time() - t0
    print()
    print(report.markdown(result))
    print(
        "wrote bench/results/latest.md, latest.json, latest.png in %.0f s (build and setup %.0f s)"
        % (meta["elapsed_s"], t_setup)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
