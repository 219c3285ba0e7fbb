"""Bounded soak: many calls across threads and asyncio against the emulator, 1% faults injected.

    .venv/bin/python scripts/soak.py                 # 50 000 calls (about a minute)
    .venv/bin/python scripts/soak.py --calls 5000    # a quick look

Not part of CI. The emulator runs in a child process, so this process's memory and file
descriptors are the client's alone. Checks, and exits non-zero if any fails:

- every call is accounted for: a response, or an exception of dmskafka.exceptions;
- RSS grows by less than 20 MiB between the end of the warm-up and the end;
- the number of open file descriptors does not grow (beyond the pools' idle connections);
- no instance has more than one enable job (no double enable), whatever the faults.

Figures are printed as JSON at the end; docs/reliability.md records a run.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time

FAULTS = [  # one rule per kind, each at a quarter of the total rate
    {"status": 503},
    {"status": 429},
    {"drop_connection": True},
    {"truncate_body": True},
]


def serve_emulator(instances, fault_rate, seed):
    """Child process: start an emulator, seed it, print its details, then answer commands."""
    from dmskafka.testing import Emulator

    with Emulator(job_duration=0.5) as emu:
        ids = [emu.add_instance() for _ in range(instances)]
        for i, fault in enumerate(FAULTS):
            emu.inject_fault(probability=fault_rate / len(FAULTS), seed=seed + i, **fault)
        print(
            json.dumps(
                {"endpoint": emu.endpoint, "ak": emu.ak, "sk": emu.sk, "project_id": emu.project_id, "instances": ids}
            ),
            flush=True,
        )
        for line in sys.stdin:
            if line.strip() == "jobs":
                emu.advance(60)
                counts = {i: sum(t["name"] == "createConnector" for t in emu.show_instance(i)["tasks"]) for i in ids}
                faulted = sum(1 for r in emu.requests() if r["fault"])
                print(json.dumps({"jobs": counts, "faulted_in_log": faulted}), flush=True)
            else:
                break


def rss_kib():
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS")).split()[1])


def open_fds():
    return len(os.listdir("/proc/self/fd"))


class Tally:
    """Outcome counts by (api, outcome); outcome is "ok" or the exception class name."""

    def __init__(self):
        self.counts = collections.Counter()
        self.untyped = []
        self.lock = threading.Lock()

    def record(self, api, outcome, exc=None):
        with self.lock:
            self.counts[(api, outcome)] += 1
            if exc is not None:
                self.untyped.append(repr(exc))

    @property
    def total(self):
        return sum(self.counts.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=32, help="asyncio calls in flight")
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--fault-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve-emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator:
        return serve_emulator(args.instances, args.fault_rate, args.seed)

    from dmskafka import (
        BasicCredentials,
        CreateConnectorReq,
        CreateConnectorRequest,
        HttpConfig,
        KafkaAsyncClient,
        KafkaClient,
        ShowBackgroundTaskRequest,
        ShowInstanceRequest,
        exceptions,
    )

    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve-emulator",
            "--instances",
            str(args.instances),
            "--fault-rate",
            str(args.fault_rate),
            "--seed",
            str(args.seed),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    emu = json.loads(child.stdout.readline())
    config = HttpConfig.get_default_config()
    config.timeout = (2, 5)
    config.retry_times = 2

    def build(kind):
        return (
            kind.new_builder()
            .with_credentials(BasicCredentials(emu["ak"], emu["sk"], emu["project_id"]))
            .with_endpoints([emu["endpoint"]])
            .with_http_config(config)
            .build()
        )

    sync_client, async_client = build(KafkaClient), build(KafkaAsyncClient)
    instances = emu["instances"]
    jobs = {}  # instance -> a job id seen, for show_background_task

    def plan(n, rng):
        """The n-th call: 20% enable, 60% show_instance, 20% show_background_task."""
        iid = instances[n % len(instances)]
        roll = rng.random()
        if roll < 0.2:
            return "create_connector", CreateConnectorRequest(instance_id=iid, body=CreateConnectorReq(node_cnt=2))
        if roll < 0.8 or iid not in jobs:
            return "show_instance", ShowInstanceRequest(instance_id=iid)
        return "show_background_task", ShowBackgroundTaskRequest(instance_id=iid, task_id=jobs[iid])

    tally = Tally()

    def settle(api, request, call):
        try:
            result = call()
        except exceptions.SdkException as e:
            tally.record(api, type(e).__name__)
            return
        except BaseException as e:  # noqa: BLE001 - an untyped failure is what the soak looks for
            tally.record(api, "UNTYPED " + type(e).__name__, e)
            return
        if api == "create_connector":
            jobs[request.instance_id] = result.job_id
        tally.record(api, "ok")

    def run_phase(calls, offset):
        """Half the calls on threads (sync client), half on asyncio (async client), at once."""
        per_thread = calls // 2 // args.threads
        async_calls = calls - per_thread * args.threads

        def worker(t):
            rng = random.Random(args.seed * 1000 + t + offset)
            for i in range(per_thread):
                api, request = plan(offset + t * per_thread + i, rng)
                settle(api, request, lambda api=api, request=request: getattr(sync_client, api)(request))

        async def async_main():
            rng = random.Random(args.seed + offset)
            numbers = iter(range(offset + 10_000_000, offset + 10_000_000 + async_calls))

            async def worker():
                # A fixed set of workers, not one task per call: memory must not scale with calls.
                for n in numbers:
                    api, request = plan(n, rng)
                    try:
                        result = await getattr(async_client, api + "_async")(request)
                    except exceptions.SdkException as e:
                        tally.record(api, type(e).__name__)
                        continue
                    except Exception as e:  # noqa: BLE001
                        tally.record(api, "UNTYPED " + type(e).__name__, e)
                        continue
                    if api == "create_connector":
                        jobs[request.instance_id] = result.job_id
                    tally.record(api, "ok")

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
        for t in threads:
            t.start()
        asyncio.run(async_main())
        for t in threads:
            t.join()
        return per_thread * args.threads + async_calls

    warmup = max(args.calls // 10, 1000)
    started = time.monotonic()
    done = run_phase(warmup, 0)
    rss_after_warmup, fds_after_warmup = rss_kib(), open_fds()
    rss_steps = []  # RSS after each further tenth: steady growth would show as a slope
    step = max((args.calls - warmup) // 9, 1)
    while done < args.calls:
        done += run_phase(min(step, args.calls - done), done)
        rss_steps.append(round(rss_kib() / 1024, 1))
    elapsed = time.monotonic() - started
    rss_end, fds_end = rss_kib(), open_fds()

    child.stdin.write("jobs\n")
    child.stdin.flush()
    report = json.loads(child.stdout.readline())
    child.stdin.write("quit\n")
    child.stdin.flush()
    child.wait(timeout=30)

    double = {i: n for i, n in report["jobs"].items() if n > 1}
    figures = {
        "calls": done,
        "accounted": tally.total,
        "untyped": tally.untyped[:5],
        "outcomes": {"%s %s" % k: v for k, v in sorted(tally.counts.items())},
        "seconds": round(elapsed, 1),
        "calls_per_second": round(done / elapsed),
        "faulted_requests_in_emulator_log_(last_10000)": report["faulted_in_log"],
        "rss_mib_after_warmup": round(rss_after_warmup / 1024, 1),
        "rss_mib_end": round(rss_end / 1024, 1),
        "rss_growth_mib": round((rss_end - rss_after_warmup) / 1024, 1),
        "rss_mib_after_each_tenth": rss_steps,
        "fds_after_warmup": fds_after_warmup,
        "fds_end": fds_end,
        "instances_enabled": sum(1 for n in report["jobs"].values() if n == 1),
        "instances_enabled_twice": len(double),
    }
    print(json.dumps(figures, indent=2))
    failures = []
    if tally.total != done or tally.untyped:
        failures.append("calls not accounted for as a response or a typed exception")
    if figures["rss_growth_mib"] >= 20:
        failures.append("RSS grew by 20 MiB or more after warm-up")
    # Each pool may keep up to pool_maxsize idle connections per client.
    if fds_end > fds_after_warmup + 2 * config.pool_maxsize:
        failures.append("file descriptors grew")
    if double:
        failures.append("double enable: %s" % sorted(double)[:5])
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
