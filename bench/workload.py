"""The Python side of the benchmarks, run by each SDK's own interpreter.

``python bench/workload.py SDK EMULATOR_JSON`` with SDK ``dmskafka`` or ``official``; the
code is the same for both, written against the official import paths, with only the
package prefix swapped (dmskafka ships the official paths as re-exports).

- ``--import-rss``: one line of JSON with the import time of the official sample's imports
  and the whole process's RSS after them plus one create_connector call; run in a fresh
  process per sample.
- ``python bench/workload.py --plugin-import MODULE``: one line of JSON with the import time of
  the pytest plugin MODULE, pytest itself imported first (as when pytest loads its plugins), and
  the ``dmskafka`` modules that import brought in; run in a fresh process per sample.
- otherwise a worker: one command per line on stdin, one JSON line back per command
  (``seq SECS``, ``list SECS``, ``threads N SECS``, ``async N SECS``, ``sign SECS [ALGORITHM]``, ``quit``), so the
  parent can interleave the SDKs run by run. Each command warms up for a fifth of its time.
"""

import json
import sys
import time

_PREFIX = {
    "dmskafka": ("dmskafka.core", "dmskafka.v2"),
    "official": ("huaweicloudsdkcore", "huaweicloudsdkkafka.v2"),
}


def _import_sdk(sdk):
    """The official sample's imports, under the SDK's prefix; returns the names used here."""
    core, v2 = _PREFIX[sdk]
    credentials = __import__(core + ".auth.credentials", fromlist=["BasicCredentials"])
    http_config = __import__(core + ".http.http_config", fromlist=["HttpConfig"])
    kafka = __import__(v2, fromlist=["*"])
    return credentials.BasicCredentials, http_config.HttpConfig, kafka


class Bench:
    def __init__(self, sdk, emu):
        self.sdk = sdk
        self.emu = emu
        self.BasicCredentials, self.HttpConfig, self.kafka = _import_sdk(sdk)
        self.instances = emu["instances"]
        self._n = 0

    def client(self, kind, pool_maxsize=None):
        """The default HttpConfig; `pool_maxsize` (connections kept for reuse, 10 by default)
        raised for the asyncio figure, on both sides, so 256 calls in flight reuse connections
        instead of opening new ones."""
        credentials = self.BasicCredentials(self.emu["ak"], self.emu["sk"], self.emu["project_id"])
        config = self.HttpConfig.get_default_config()
        if pool_maxsize is not None:
            config.pool_maxsize = pool_maxsize
        return (
            kind.new_builder()
            .with_credentials(credentials)
            .with_endpoints([self.emu["endpoint"]])
            .with_http_config(config)
            .build()
        )

    def request(self):
        self._n += 1
        instance_id = self.instances[self._n % len(self.instances)]
        body = self.kafka.CreateConnectorReq(node_cnt=2)
        return self.kafka.CreateConnectorRequest(instance_id=instance_id, body=body)


def _result(calls, errors, secs, latencies_ns=None):
    out = {"calls": calls, "errors": errors, "secs": secs, "rate": calls / secs if secs else 0.0}
    if latencies_ns:
        latencies_ns.sort()
        n = len(latencies_ns)
        out["p50_us"] = latencies_ns[round((n - 1) * 0.50)] / 1000
        out["p99_us"] = latencies_ns[round((n - 1) * 0.99)] / 1000
    return out


def _warm_then_measure(secs, run):
    """Warms up, then measures; adds this process's CPU time per call (all threads) and the
    number of requests sent in all, warm-up included (for the emulator's cost per request)."""
    warm = run(secs / 5)
    cpu = time.process_time()
    out = run(secs)
    if out["calls"]:
        out["cpu_us"] = (time.process_time() - cpu) / out["calls"] * 1e6
    out["sent"] = warm["calls"] + warm["errors"] + out["calls"] + out["errors"]
    return out


def seq(bench, secs):
    client = bench.client(bench.kafka.KafkaClient)
    return _sequential(secs, lambda: client.create_connector(bench.request()))


def list_tasks(bench, secs):
    """Sequential list_connector_tasks of an instance with 10 tasks (a page of 10)."""
    client = bench.client(bench.kafka.KafkaClient)
    request = bench.kafka.ListConnectorTasksRequest(instance_id=bench.emu["tasks_instance"], limit=10)
    return _sequential(secs, lambda: client.list_connector_tasks(request))


def _sequential(secs, call):
    def run(duration):
        latencies, errors = [], 0
        clock = time.perf_counter_ns
        start = clock()
        end = start + int(duration * 1e9)
        while True:
            t = clock()
            if t >= end:
                break
            try:
                call()
                latencies.append(clock() - t)
            except Exception:
                errors += 1
        return _result(len(latencies), errors, (clock() - start) / 1e9, latencies)

    return _warm_then_measure(secs, run)


def threads(bench, n_threads, secs):
    import threading

    client = bench.client(bench.kafka.KafkaClient)

    def run(duration):
        counts = [[0, 0] for _ in range(n_threads)]
        barrier = threading.Barrier(n_threads + 1)
        end = [0.0]

        def work(slot):
            barrier.wait()
            while time.perf_counter() < end[0]:
                try:
                    client.create_connector(bench.request())
                    slot[0] += 1
                except Exception:
                    slot[1] += 1

        pool = [threading.Thread(target=work, args=(c,)) for c in counts]
        for t in pool:
            t.start()
        start = time.perf_counter()
        end[0] = start + duration
        barrier.wait()
        for t in pool:
            t.join()
        secs_taken = time.perf_counter() - start
        return _result(sum(c[0] for c in counts), sum(c[1] for c in counts), secs_taken)

    return _warm_then_measure(secs, run)


def async_dmskafka(bench, in_flight, secs):
    import asyncio

    client = bench.client(bench.kafka.KafkaAsyncClient, pool_maxsize=in_flight)

    async def run_async(duration):
        ok, bad = [0], [0]
        end = time.perf_counter() + duration

        async def worker():
            while time.perf_counter() < end:
                try:
                    await client.create_connector_async(bench.request())
                    ok[0] += 1
                except Exception:
                    bad[0] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return _result(ok[0], bad[0], time.perf_counter() - start)

    return _warm_then_measure(secs, lambda d: asyncio.run(run_async(d)))


def async_official(bench, in_flight, secs):
    """The official KafkaAsyncClient is thread-pool based: keep `in_flight` futures submitted."""
    from collections import deque

    client = bench.client(bench.kafka.KafkaAsyncClient, pool_maxsize=in_flight)

    def run(duration):
        ok = bad = 0
        start = time.perf_counter()
        end = start + duration
        pending = deque(client.create_connector_async(bench.request()) for _ in range(in_flight))
        while pending:
            try:
                pending.popleft().result()
                ok += 1
            except Exception:
                bad += 1
            if time.perf_counter() < end:
                pending.append(client.create_connector_async(bench.request()))
        return _result(ok, bad, time.perf_counter() - start)

    return _warm_then_measure(secs, run)


def _sign_loop(secs, sign_once, batch):
    def run(duration):
        calls = 0
        start = time.perf_counter()
        end = start + duration
        while time.perf_counter() < end:
            for _ in range(batch):
                sign_once()
            calls += batch
        return _result(calls, 0, time.perf_counter() - start)

    return _warm_then_measure(secs, run)


def sign(bench, secs, algorithm="HMAC_SHA256"):
    """Signing the create_connector request alone, as each SDK's signer is called, with a
    ``SigningAlgorithm`` name. For ECDSA and SM2 each call derives the key from the AK/SK: the
    official signer does so in every ``sign``, ``_core.sign`` in every call (the client derives
    it once, as the raw Rust side does)."""
    emu = bench.emu
    host = emu["endpoint"].split("://", 1)[1]
    method, path = emu["create_connector_route"]
    path = path.format(project_id=emu["project_id"], instance_id=bench.instances[0])
    body = b'{"node_cnt": 2}'
    headers = {"Content-Type": "application/json", "User-Agent": "bench", "X-Project-Id": emu["project_id"]}
    if bench.sdk == "official":
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.sdk_request import SdkRequest
        from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm

        # The signer class the official credentials pick for the algorithm.
        signer_class = BasicCredentials._SIGNER_CASE[SigningAlgorithm[algorithm]]
        signer = signer_class(BasicCredentials(emu["ak"], emu["sk"]))

        def sign_once():
            # Sign mutates the request (date, host, Authorization): a fresh one each time.
            request = SdkRequest(method, "http", host, path, query_params=[], header_params=dict(headers), body=body)
            signer.sign(request)

    else:
        from dmskafka import _core

        # The Rust client signs with X-Sdk-Date and Host in the list; so does this call.
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        listed = list(headers.items()) + [("X-Sdk-Date", date), ("Host", host)]
        ak, sk = emu["ak"], emu["sk"]

        def sign_once():
            _core.sign(ak, sk, method, path, [], listed, body, date, algorithm)

    # The official ECDSA and SM2 signers take tens of milliseconds per call: no batches there.
    return _sign_loop(secs, sign_once, 1 if algorithm in ("ECDSA_P256_SHA256", "SM2_SM3") else 100)


def import_and_rss(sdk, emu):
    """Fresh process: time the sample's imports, make one call, read the whole RSS."""
    start = time.perf_counter()
    bench = Bench(sdk, emu)
    import_secs = time.perf_counter() - start
    bench.client(bench.kafka.KafkaClient).create_connector(bench.request())
    rss_kb = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return {"import_s": import_secs, "rss_mb": rss_kb / 1024}


def plugin_import(module):
    """Fresh process: what loading dmskafka's pytest plugin adds to a pytest run's start-up.
    pytest is imported first and not timed: pytest has imported itself before it loads plugins."""
    try:
        import pytest  # noqa: F401
    except ImportError:  # `make install` alone does not install pytest: no figure then
        return {"plugin_import_s": None, "dmskafka_modules": []}
    before = set(sys.modules)
    start = time.perf_counter()
    __import__(module)
    secs = time.perf_counter() - start
    loaded = sorted(m for m in set(sys.modules) - before if m == "dmskafka" or m.startswith("dmskafka."))
    return {"plugin_import_s": secs, "dmskafka_modules": loaded}


def serve(sdk, emu):
    bench = Bench(sdk, emu)
    async_run = async_dmskafka if sdk == "dmskafka" else async_official
    commands = {
        "seq": lambda a: seq(bench, float(a[0])),
        "list": lambda a: list_tasks(bench, float(a[0])),
        "threads": lambda a: threads(bench, int(a[0]), float(a[1])),
        "async": lambda a: async_run(bench, int(a[0]), float(a[1])),
        "sign": lambda a: sign(bench, float(a[0]), *a[1:]),
    }
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        try:
            answer = commands[words[0]](words[1:])
        except Exception as e:  # reported to the parent, which fails the figure
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(answer), flush=True)


def main():
    if sys.argv[1] == "--plugin-import":
        print(json.dumps(plugin_import(sys.argv[2])), flush=True)
        return 0
    sdk, emu = sys.argv[1], json.loads(sys.argv[2])
    if "--import-rss" in sys.argv[3:]:
        print(json.dumps(import_and_rss(sdk, emu)), flush=True)
    else:
        serve(sdk, emu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
