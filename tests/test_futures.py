"""A FutureSdkResponse is a handle on one call started when the `*_async` method returned:
waiting on it (await, .result() with or without a timeout, from any thread or loop) never
starts it again. Every assertion is about what the server received, never about wall time."""

import asyncio
import concurrent.futures
import gc
import subprocess
import sys
import threading

import pytest
from servers import OK_BODY, GatedServer, closed_port

import dmskafka
from dmskafka import (
    BasicCredentials,
    CallTimeoutException,
    CreateConnectorReq,
    CreateConnectorRequest,
    DeleteConnectorRequest,
    KafkaAsyncClient,
)

AK, SK, PROJECT = "AKFUTURES", "sk-futures-not-real", "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"
WAIT = 30  # generous bounds for events; reached only when something is broken


def client_for(server, timeout=(5, 60)):
    config = dmskafka.HttpConfig.get_default_config()
    config.timeout = timeout
    return (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([server.endpoint])
        .with_http_config(config)
        .build()
    )


def enable(client, instance_id="inst-1"):
    return client.create_connector_async(
        CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))
    )


def test_the_request_is_sent_before_anyone_waits():
    with GatedServer() as server:
        future = enable(client_for(server))
        assert server.received.wait(WAIT), "nothing was sent until someone waited"
        server.release.set()
        assert future.result().job_id == OK_BODY["job_id"]


def test_expired_result_timeouts_leave_one_call_running_and_a_later_result_gets_it():
    with GatedServer() as server:
        future = enable(client_for(server))
        assert server.received.wait(WAIT)
        for _ in range(3):
            with pytest.raises(CallTimeoutException) as raised:
                future.result(timeout=0.1)
            assert raised.value.outcome_unknown is True
        assert not future.done()
        server.release.set()
        response = future.result()
        assert response.job_id == OK_BODY["job_id"]
        assert future.result() is response
        assert len(server.requests) == 1  # one POST for three expired waits and two results


FIRE_AND_EXIT = r"""
import sys
from dmskafka import BasicCredentials, DeleteConnectorRequest, KafkaAsyncClient
client = (KafkaAsyncClient.new_builder().with_credentials(BasicCredentials("AK", "SK", "proj"))
          .with_endpoints([sys.argv[1]]).build())
client.delete_connector_async(DeleteConnectorRequest(instance_id="i1"))
"""


def test_a_call_nobody_waits_for_is_made_before_the_interpreter_exits():
    # As the official SDK's executor threads are joined at exit: the script ends right after
    # starting the call, and the call still reaches the server and is answered.
    with GatedServer() as server:
        with subprocess.Popen([sys.executable, "-c", FIRE_AND_EXIT, server.endpoint]) as child:
            assert server.received.wait(WAIT), "the call was lost when the script ended"
            assert child.poll() is None, "the interpreter exited with the call in flight"
            server.release.set()
            assert child.wait(WAIT) == 0


def test_fire_and_forget_reaches_the_server():
    with GatedServer(gated=False) as server:
        client_for(server).delete_connector_async(DeleteConnectorRequest(instance_id="inst-1"))
        gc.collect()  # the future is gone; the call is not
        assert server.received.wait(WAIT), "a call nobody waits for was never sent"


def test_futures_resolved_in_turn_run_together():
    # The server answers only once all N requests are in: calls that started one at a time
    # (when their turn came to be waited on) would never all be there, and the barrier breaks.
    n = 4
    barrier = threading.Barrier(n)
    with GatedServer(gated=False, barrier=barrier) as server:
        client = client_for(server)
        futures = [enable(client, "inst-%d" % i) for i in range(n)]
        results = [f.result() for f in futures]
        assert not barrier.broken
        assert [r.job_id for r in results] == [OK_BODY["job_id"]] * n
        assert len(server.requests) == n


def test_awaited_in_two_loops_and_waited_on_from_threads_it_is_one_call():
    with GatedServer() as server:
        future = enable(client_for(server))
        assert server.received.wait(WAIT)
        got, waiting = [], []

        def in_a_loop_of_its_own():
            async def wait():
                started = threading.Event()
                waiting.append(started)
                # Set once this task is parked on the call (call_soon runs after it yields).
                asyncio.get_running_loop().call_soon(started.set)
                return await future

            got.append(asyncio.run(wait()))

        threads = [threading.Thread(target=lambda: got.append(future.result())) for _ in range(3)]
        threads += [threading.Thread(target=in_a_loop_of_its_own) for _ in range(2)]
        for t in threads:
            t.start()
        while len(waiting) < 2:
            assert all(t.is_alive() for t in threads)
            threading.Event().wait(0.01)
        assert all(w.wait(WAIT) for w in waiting), "a loop never got to wait on the call"
        assert not future.done()
        server.release.set()
        for t in threads:
            t.join(WAIT)
        assert len(got) == 5 and all(g is got[0] for g in got)
        assert len(server.requests) == 1


def test_started_inside_a_running_loop_it_can_be_waited_on_from_a_thread():
    # A Jupyter cell: a loop is running, and the blocking .result() is what the cell calls.
    with GatedServer(gated=False) as server:
        client = client_for(server)

        async def cell():
            future = enable(client)
            return await asyncio.get_running_loop().run_in_executor(None, future.result)

        assert asyncio.run(cell()).job_id == OK_BODY["job_id"]
        assert len(server.requests) == 1


def test_an_error_is_the_same_exception_every_time():
    class Refusing:
        endpoint = "http://127.0.0.1:%d" % closed_port()

    future = enable(client_for(Refusing))
    with pytest.raises(dmskafka.ConnectionException) as one:
        future.result()
    with pytest.raises(dmskafka.ConnectionException) as two:
        future.result()
    assert one.value is two.value


class NoReaderLoop(asyncio.SelectorEventLoop):
    """A loop that cannot watch a socket, as Windows' proactor loop: the portable hand-off."""

    def add_reader(self, *args, **kwargs):
        raise NotImplementedError


def run_on_portable_loop(coro):
    loop = NoReaderLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_the_portable_asyncio_hand_off_works_on_a_loop_without_add_reader():
    with GatedServer() as server:
        future = enable(client_for(server))
        assert server.received.wait(WAIT)

        async def wait():
            # Released only once this task waits on the call, so the hand-off is what delivers it.
            asyncio.get_running_loop().call_soon(server.release.set)
            return await future

        assert run_on_portable_loop(wait()).job_id == OK_BODY["job_id"]
        assert len(server.requests) == 1


def test_cancelling_the_awaiting_task_cancels_the_call_on_the_portable_path_too():
    with GatedServer() as server:
        future = enable(client_for(server))

        async def cancel_it():
            task = asyncio.ensure_future(future)
            await asyncio.sleep(0)  # the task starts waiting on the call
            while not server.received.is_set():
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        run_on_portable_loop(cancel_it())
        assert server.closed_by_client.wait(WAIT), "the connection stayed open after the task was cancelled"
        with pytest.raises(concurrent.futures.CancelledError):
            future.result()
