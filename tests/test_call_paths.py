"""The two call paths on real HTTP: sync calls run on the calling thread's own runtime and
connection pool, async calls on the shared runtime with results handed to each event loop
through its bridge (src/runtime.rs, src/transport.rs, src/python/asyncio_bridge.rs)."""

import asyncio
import threading

import pytest

from dmskafka import BasicCredentials, CreateConnectorReq, CreateConnectorRequest, KafkaAsyncClient, KafkaClient


@pytest.fixture
def emu(dmskafka_emulator):
    return dmskafka_emulator


def build(kind, emu):
    return (
        kind.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )


def enable_request(emu):
    # Each call its own instance, so every call is a fresh 200 with a new job.
    return CreateConnectorRequest(instance_id=emu.add_instance(), body=CreateConnectorReq(node_cnt=2))


def run_threads(target, n):
    errors = []

    def guarded(i):
        try:
            target(i)
        except Exception as e:  # collected and asserted by the caller
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_short_lived_threads_each_get_a_working_pool(emu):
    client = build(KafkaClient, emu)
    jobs = []
    for _ in range(3):
        # Each thread's first call builds its runtime and pool; both go when the thread ends.
        assert run_threads(lambda i: jobs.append(client.create_connector(enable_request(emu)).job_id), 4) == []
    assert len(set(jobs)) == 12
    assert client.create_connector(enable_request(emu)).job_id not in jobs


def test_a_dropped_client_does_not_break_the_next_one_on_the_same_thread(emu):
    for _ in range(3):
        client = build(KafkaClient, emu)
        assert client.create_connector(enable_request(emu)).job_id
        del client


def test_a_sync_call_from_inside_a_coroutine_runs_on_the_loop_thread(emu):
    client = build(KafkaClient, emu)

    async def main():
        return client.create_connector(enable_request(emu)).job_id

    assert asyncio.run(main())


def test_one_async_client_serves_successive_event_loops(emu):
    client = build(KafkaAsyncClient, emu)

    async def main():
        return await client.create_connector_async(enable_request(emu))

    # asyncio.run closes its loop: each run gets a bridge of its own.
    jobs = {asyncio.run(main()).job_id for _ in range(3)}
    assert len(jobs) == 3


def test_one_async_client_serves_loops_in_several_threads_at_once(emu):
    client = build(KafkaAsyncClient, emu)
    jobs = []

    def in_own_loop(i):
        async def main():
            calls = [client.create_connector_async(enable_request(emu)) for _ in range(20)]
            return [r.job_id for r in await asyncio.gather(*calls)]

        jobs.extend(asyncio.run(main()))

    assert run_threads(in_own_loop, 4) == []
    assert len(set(jobs)) == 80


def test_many_results_at_once_all_arrive(emu):
    client = build(KafkaAsyncClient, emu)
    requests = [enable_request(emu) for _ in range(300)]

    async def main():
        return await asyncio.gather(*(client.create_connector_async(r) for r in requests))

    responses = asyncio.run(main())
    assert len({r.job_id for r in responses}) == 300
