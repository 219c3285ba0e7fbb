"""Async client, threads and the GIL, on real HTTP on 127.0.0.1."""

import asyncio
import json
import threading

import pytest
from servers import OK_BODY, RawServer, read_request

import dmskafka
from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    KafkaAsyncClient,
    KafkaClient,
    exceptions,
)

AK, SK, PROJECT = "AKCONCURRENT", "sk-concurrency-not-real", "c0ffee00c0ffee00c0ffee00c0ffee00"


def build(kind, endpoint, timeout=(2, 5)):
    config = dmskafka.HttpConfig.get_default_config()
    config.timeout = timeout
    return (
        kind.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([endpoint])
        .with_http_config(config)
        .build()
    )


def request(instance_id="inst-1"):
    return CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))


def respond(conn, payload=OK_BODY):
    data = json.dumps(payload).encode()
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)
    )


def test_gil_is_released_while_waiting_for_the_network():
    """Another Python thread runs while the call waits for its response: the server holds the
    response until that thread, woken by the request's arrival, has run Python code."""
    request_arrived = threading.Event()
    python_ran = threading.Event()
    work = []

    def answer_after_python_ran(conn):
        read_request(conn)
        request_arrived.set()
        # The waits here are a safety net only: with the GIL held, no Python thread (this one
        # included) could run, and the call would end with its read timeout instead.
        if python_ran.wait(timeout=60):
            respond(conn)

    def other_python_thread():
        if request_arrived.wait(timeout=60):
            work.append(sum(i * i for i in range(10_000)))
            python_ran.set()

    with RawServer(answer_after_python_ran) as server:
        client = build(KafkaClient, server.endpoint, timeout=(60, 60))
        other = threading.Thread(target=other_python_thread)
        other.start()
        try:
            resp = client.create_connector(request())
        except exceptions.SdkException as e:
            pytest.fail("the call did not let another Python thread run while it waited: %r" % (e,))
        finally:
            request_arrived.set()
            other.join()
    assert work == [sum(i * i for i in range(10_000))]
    assert resp.job_id == OK_BODY["job_id"]


def test_threads_share_one_client(recorder):
    client = build(KafkaClient, recorder.endpoint)
    errors, results = [], []

    def work(n):
        try:
            for i in range(25):
                results.append(client.create_connector(request("inst-%d-%d" % (n, i))).job_id)
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 200
    paths = sorted(r["path"] for r in recorder.requests)
    assert paths == sorted(
        "/v2/%s/instances/inst-%d-%d/connector" % (PROJECT, n, i) for n in range(8) for i in range(25)
    )


def test_async_call_returns_the_response(recorder):
    client = build(KafkaAsyncClient, recorder.endpoint)

    async def main():
        return await client.create_connector_async(request())

    resp = asyncio.run(main())
    assert (resp.job_id, resp.status_code) == (OK_BODY["job_id"], 200)


def test_future_result_blocks_like_the_official_future(recorder):
    client = build(KafkaAsyncClient, recorder.endpoint)
    future = client.create_connector_async(request())
    assert future.result().connector_id == OK_BODY["connector_id"]
    assert future.result(timeout=5).connector_id == OK_BODY["connector_id"]
    assert len(recorder.requests) == 1, "the call runs once, however often its result is asked"


def test_awaiting_twice_sends_once(recorder):
    client = build(KafkaAsyncClient, recorder.endpoint)

    async def main():
        future = client.create_connector_async(request())
        first = await future
        second = await future
        return first, second

    first, second = asyncio.run(main())
    assert first.job_id == second.job_id
    assert len(recorder.requests) == 1


def test_async_errors_are_the_same_typed_exceptions(recorder):
    recorder.reply(400, {"error_code": "DMS.00400026", "error_msg": "busy"})
    client = build(KafkaAsyncClient, recorder.endpoint)

    async def main():
        await client.create_connector_async(request())

    with pytest.raises(dmskafka.ClientRequestException) as info:
        asyncio.run(main())
    assert info.value.error_code == "DMS.00400026"


def test_async_validation_sends_nothing(recorder):
    client = build(KafkaAsyncClient, recorder.endpoint)

    async def main():
        await client.create_connector_async(CreateConnectorRequest(instance_id="{instance_id}"))

    with pytest.raises(dmskafka.ValidationException):
        asyncio.run(main())
    assert recorder.requests == []


def test_cancelling_the_task_cancels_the_http_call():
    closed_by_client = threading.Event()

    def hold(conn):
        read_request(conn)
        conn.settimeout(5)
        if conn.recv(1) == b"":  # EOF: the client dropped the connection
            closed_by_client.set()

    with RawServer(hold) as server:
        client = build(KafkaAsyncClient, server.endpoint, timeout=(2, 30))

        async def main():
            task = asyncio.ensure_future(client.create_connector_async(request()))
            while server.connections == 0:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(main())
        assert closed_by_client.wait(5), "the connection stayed open after the task was cancelled"
