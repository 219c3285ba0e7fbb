"""Ctrl-C interrupts a blocked call (in a subprocess, as a user would press it), and close()
releases every connection and per-thread runtime of a client."""

import gc
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from servers import GatedServer

from dmskafka import (
    BasicCredentials,
    CreateConnectorRequest,
    KafkaAsyncClient,
    KafkaClient,
)

WAIT = 30
CALL_TIMEOUT = 60  # what a call would wait without Ctrl-C

CHILD = r"""
import sys, time
from dmskafka import BasicCredentials, CreateConnectorRequest, HttpConfig, KafkaAsyncClient, KafkaClient
kind = KafkaClient if sys.argv[2] == "sync" else KafkaAsyncClient
client = (kind.new_builder().with_credentials(BasicCredentials("AK", "SK", "proj"))
          .with_endpoints([sys.argv[1]]).with_http_config(HttpConfig(timeout=(%d, %d))).build())
request = CreateConnectorRequest(instance_id="i1")
try:
    if kind is KafkaClient:
        client.create_connector(request)
    else:
        client.create_connector_async(request).result()
    print("returned", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    time.sleep(%d)  # stay alive: the server must see the connection dropped by the call itself
""" % (CALL_TIMEOUT, CALL_TIMEOUT, WAIT)


@pytest.mark.parametrize("mode", ["sync", "async .result()"])
def test_ctrl_c_interrupts_a_blocked_call(mode):
    with GatedServer() as server:
        with subprocess.Popen(
            [sys.executable, "-c", CHILD, server.endpoint, mode.split()[0]],
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert server.received.wait(WAIT), "the child never sent its request"
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            line = child.stdout.readline().strip()
            interrupted_after = time.monotonic() - sent
            assert line == "interrupted"
            # Within 0.5 s (a signal check every 0.1 s), plus the one second of slack the fault
            # matrix allows a loaded machine; the call alone would wait CALL_TIMEOUT.
            assert interrupted_after < 0.5 + 1, interrupted_after
            if mode == "sync":
                assert server.closed_by_client.wait(WAIT), "the interrupted call kept its connection"
            child.kill()


def test_the_cli_exits_130_on_ctrl_c(tmp_path):
    with GatedServer() as server:
        env = {
            **os.environ,
            "HUAWEICLOUD_SDK_AK": "AK",
            "HUAWEICLOUD_SDK_SK": "SK",
            "HUAWEICLOUD_SDK_PROJECT_ID": "proj",
            "HOME": str(tmp_path),
        }
        with subprocess.Popen(
            [sys.executable, "-m", "dmskafka", "connector", "enable", "--region", "cn-north-4"]
            + ["--instance-id", "i1", "--endpoint", server.endpoint],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as child:
            assert server.received.wait(WAIT)
            child.send_signal(signal.SIGINT)
            _, err = child.communicate(timeout=WAIT)
        assert child.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def fd_kinds():
    """What each open descriptor is, for a failure message."""
    kinds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            kinds.append(os.readlink("/proc/self/fd/" + fd).split(":")[0])
        except OSError:
            pass
    return sorted(kinds)


def settled_fds():
    """The descriptor count once it has stopped changing (sockets close asynchronously)."""
    deadline, seen = time.monotonic() + WAIT, []
    while time.monotonic() < deadline:
        seen = (seen + [open_fds()])[-5:]
        if len(seen) == 5 and len(set(seen)) == 1:
            break
        time.sleep(0.02)
    return seen[-1]


def wait_for(predicate):
    """Polls until `predicate()` holds (sockets close asynchronously on the server side)."""
    deadline = time.monotonic() + WAIT
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_close_releases_every_connection_and_thread_runtime():
    with GatedServer(gated=False) as server:
        request = CreateConnectorRequest(instance_id="i1")
        credentials = BasicCredentials("AK", "SK", "proj")

        def client(kind):
            return kind.new_builder().with_credentials(credentials).with_endpoints([server.endpoint]).build()

        # The process-wide shared runtime and one event loop's bridge exist before counting.
        warm = client(KafkaAsyncClient)
        warm.create_connector_async(request).result()
        warm.close()
        pool = ThreadPoolExecutor(3)  # threads that stay alive after their calls
        list(pool.map(lambda _: None, range(3)))
        gc.collect()
        assert wait_for(server.closed_by_client.is_set)  # the server's end of warm's connection
        before, kinds_before = settled_fds(), fd_kinds()

        sync, async_ = client(KafkaClient), client(KafkaAsyncClient)
        sync.create_connector(request)
        list(pool.map(lambda _: sync.create_connector(request), range(6)))
        futures = [async_.create_connector_async(request) for _ in range(4)]
        [f.result() for f in futures]
        assert open_fds() > before  # pooled connections and per-thread runtimes are open

        sync.close()
        async_.close()
        # At most as many as before: the server's end of warm's connection may close meanwhile.
        assert wait_for(lambda: open_fds() <= before), sorted((Counter(fd_kinds()) - Counter(kinds_before)).items())

        # Closed clients still work, as the official ones do after close(), and close again.
        assert sync.create_connector(request).job_id and async_.create_connector_async(request).result().job_id
        with sync:  # leaving it closes the client
            pass
        async_.close()
        assert wait_for(lambda: open_fds() <= before), sorted((Counter(fd_kinds()) - Counter(kinds_before)).items())
        pool.shutdown()


def test_with_client_closes_it():
    with GatedServer(gated=False) as server:
        with (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials("AK", "SK", "proj"))
            .with_endpoints([server.endpoint])
            .build() as client
        ):
            client.create_connector(CreateConnectorRequest(instance_id="i1"))
            assert not server.closed_by_client.is_set()
        assert server.closed_by_client.wait(WAIT), "leaving `with client:` kept the connection open"
