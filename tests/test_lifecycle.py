"""Lifecycle calls, invokers with retries, waiting for jobs and 1000 concurrent awaits, on the emulator."""

import asyncio
import json
import random
import re

import pytest
from huaweicloudsdkcore.retry import backoff_strategy as official_backoff
from huaweicloudsdkkafka.v2.model.list_background_tasks_resp_tasks import ListBackgroundTasksRespTasks
from servers import Recorder

import dmskafka
from dmskafka import (
    BackoffStrategies,
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    DeleteConnectorRequest,
    KafkaAsyncClient,
    KafkaClient,
    ShowBackgroundTaskRequest,
    ShowInstanceRequest,
)
from dmskafka.retry import BackoffStrategy, ExponentialBackoffStrategy

BUSY = json.dumps({"error_code": "DMS.00400026", "error_msg": "Another operation is in progress."})


def build(kind, emu):
    return (
        kind.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )


@pytest.fixture
def emu(dmskafka_emulator):
    return dmskafka_emulator


class FakeTime:
    """The waiter's clock and sleep, driving the emulator's clock: no real waiting."""

    def __init__(self, emu):
        self.now = 0.0
        self.sleeps = []
        self._emu = emu

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        self._emu.advance(seconds)

    async def sleep_async(self, seconds):
        self.sleep(seconds)


def enable(client, instance_id, node_cnt=2):
    return client.create_connector(
        CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=node_cnt))
    )


def test_lifecycle_calls_show_the_state_machine(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance()
    resp = enable(client, instance_id, node_cnt=3)
    task = client.show_background_task(ShowBackgroundTaskRequest(instance_id=instance_id, task_id=resp.job_id))
    assert task.tasks[0].id == resp.job_id and task.tasks[0].status in ("CREATED", "EXECUTING")
    assert client.show_instance(ShowInstanceRequest(instance_id=instance_id)).status == "EXTENDING"
    emu.advance(10)
    shown = client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert (shown.status, shown.connector_enable, shown.connector_id, shown.connector_node_num) == (
        "RUNNING",
        True,
        resp.connector_id,
        3,
    )
    deleted = client.delete_connector(DeleteConnectorRequest(instance_id=instance_id))
    assert deleted.status_code == 200
    assert client.show_instance(ShowInstanceRequest(instance_id=instance_id)).status == "CONNECTOR_DELETING"
    emu.advance(10)
    assert client.show_instance(ShowInstanceRequest(instance_id=instance_id)).connector_enable is False


# The task statuses the official model documents (`- CREATED：...` in the `status` docstring of
# the tasks ShowBackgroundTaskResponse holds).
DOCUMENTED_TASK_STATUSES = set(re.findall(r"- ([A-Z_]+)：", ListBackgroundTasksRespTasks.status.__doc__ or ""))


@pytest.mark.parametrize("fail", [False, True])
def test_emulator_task_statuses_are_the_documented_ones(emu, fail):
    assert DOCUMENTED_TASK_STATUSES, "the official docstring lists no task status"
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance(job_duration=8, fail_enable=fail)
    resp = enable(client, instance_id)
    seen = []
    for _ in range(12):
        request = ShowBackgroundTaskRequest(instance_id=instance_id, task_id=resp.job_id)
        seen.append(client.show_background_task(request).tasks[0].status)
        emu.advance(1)
    assert seen[0] != seen[-1], "the job went through its phases"
    assert set(seen) <= DOCUMENTED_TASK_STATUSES, seen


def test_unknown_instance_is_a_404_with_the_dms_code(emu):
    with pytest.raises(dmskafka.ClientRequestException) as info:
        build(KafkaClient, emu).show_instance(ShowInstanceRequest(instance_id="no-such-instance"))
    assert (info.value.status_code, info.value.error_code) == (404, "DMS.00404022")


def test_waiter_returns_on_success_using_emulator_time(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance(job_duration=30)
    resp = enable(client, instance_id)
    t = FakeTime(emu)
    task = client.wait_for_job(instance_id, resp.job_id, timeout=120, poll_interval=2, sleep=t.sleep, clock=t.clock)
    assert task.status == "SUCCESS" and task.id == resp.job_id
    assert 30 <= t.now <= 60
    assert t.sleeps == sorted(t.sleeps), "polling backs off, never speeds up"
    assert t.sleeps[-1] > t.sleeps[0]


def test_waiter_raises_when_the_job_fails(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance(fail_enable=True)
    resp = enable(client, instance_id)
    t = FakeTime(emu)
    with pytest.raises(dmskafka.JobFailedException) as info:
        client.wait_for_job(instance_id, resp.job_id, timeout=60, poll_interval=1, sleep=t.sleep, clock=t.clock)
    assert (info.value.job_id, info.value.status) == (resp.job_id, "FAILED")


@pytest.mark.parametrize("status", ["DELETED", "CANCELLED"])
def test_a_job_that_ends_without_success_fails_the_wait(status):
    # The official task model documents both as statuses a job can end in.
    assert status in ListBackgroundTasksRespTasks.status.__doc__
    with Recorder() as server:
        server.reply(200, {"task_count": "1", "tasks": [{"id": "job-1", "status": status}]})
        client = (
            KafkaClient.new_builder()
            .with_credentials(dmskafka.BasicCredentials("AK", "SK", "proj"))
            .with_endpoints([server.endpoint])
            .build()
        )
        with pytest.raises(dmskafka.JobFailedException) as info:
            client.wait_for_job("inst-1", "job-1", timeout=60, poll_interval=1, sleep=lambda s: None)
    assert (info.value.job_id, info.value.status) == ("job-1", status)
    assert len(server.requests) == 1


def test_waiter_times_out_with_the_last_status(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance(job_duration=60)
    resp = enable(client, instance_id)
    t = FakeTime(emu)
    with pytest.raises(dmskafka.WaitTimeoutException) as info:
        client.wait_for_job(instance_id, resp.job_id, timeout=20, poll_interval=1, sleep=t.sleep, clock=t.clock)
    assert info.value.last_status == "EXECUTING" and info.value.job_id == resp.job_id
    assert isinstance(info.value, dmskafka.RequestTimeoutException)
    assert t.now == pytest.approx(20)


@pytest.mark.parametrize("bad", [{"poll_interval": 0}, {"timeout": -1}])
def test_waiter_refuses_a_busy_loop(emu, bad):
    args = {"timeout": 10, "poll_interval": 1, **bad}
    with pytest.raises(dmskafka.ValidationException):
        build(KafkaClient, emu).wait_for_job("inst", "job", **args)


def test_enable_smart_connect_waits_until_the_instance_runs_with_it(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance(job_duration=8)
    t = FakeTime(emu)
    resp = client.enable_smart_connect(
        instance_id, node_cnt=2, timeout=60, poll_interval=1, sleep=t.sleep, clock=t.clock
    )
    shown = emu.show_instance(instance_id)
    assert shown["status"] == "RUNNING" and shown["connector_enable"] is True
    assert shown["connector_id"] == resp.connector_id


def test_async_waiter_and_enable(emu):
    client = build(KafkaAsyncClient, emu)
    instance_id = emu.add_instance(job_duration=5)
    t = FakeTime(emu)

    async def main():
        resp = await client.enable_smart_connect_async(
            instance_id, timeout=60, poll_interval=1, sleep=t.sleep_async, clock=t.clock
        )
        task = await client.wait_for_job_async(
            instance_id, resp.job_id, timeout=5, poll_interval=1, sleep=t.sleep_async, clock=t.clock
        )
        return resp, task

    resp, task = asyncio.run(main())
    assert task.status == "SUCCESS"
    assert emu.show_instance(instance_id)["connector_id"] == resp.connector_id


def _busy_condition(response, exception):
    return isinstance(exception, dmskafka.ClientRequestException) and exception.error_code == "DMS.00400026"


def test_invoker_retries_another_operation_in_progress(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance()
    emu.inject_fault("create_connector", status=400, body=BUSY, count=2)
    invoker = client.create_connector_invoker(
        CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))
    ).with_retry(_busy_condition, 3, BackoffStrategies.EQUAL_JITTER)
    resp = invoker.invoke()
    calls = [r for r in emu.requests() if r["route"] == "create_connector"]
    assert [r["status"] for r in calls] == [400, 400, 200]
    emu.advance(10)
    assert emu.show_instance(instance_id)["connector_id"] == resp.connector_id


def test_invoker_gives_up_after_max_retries(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance()
    emu.inject_fault("create_connector", status=400, body=BUSY)
    invoker = client.create_connector_invoker(CreateConnectorRequest(instance_id=instance_id)).with_retry(
        _busy_condition, 2, BackoffStrategies.NONE
    )
    with pytest.raises(dmskafka.ClientRequestException):
        invoker.invoke()
    assert len([r for r in emu.requests() if r["route"] == "create_connector"]) == 3


def test_invoker_add_header_is_sent_and_signed(emu):
    client = build(KafkaClient, emu)
    instance_id = emu.add_instance()
    client.create_connector_invoker(CreateConnectorRequest(instance_id=instance_id)).add_header(
        "X-Trace", "abc"
    ).invoke()
    (req,) = emu.requests()
    assert req["headers"]["x-trace"] == "abc"
    assert "x-trace" in req["headers"]["authorization"]


@pytest.mark.parametrize("max_retries", [0, 11])
def test_invoker_checks_max_retries(emu, max_retries):
    invoker = build(KafkaClient, emu).create_connector_invoker(CreateConnectorRequest(instance_id="x"))
    with pytest.raises(ValueError):
        invoker.with_retry(_busy_condition, max_retries, BackoffStrategies.NONE)


def _strategies(cls, base):
    return {name: value for name, value in vars(cls).items() if isinstance(value, base)}


OFFICIAL_STRATEGIES = _strategies(official_backoff.BackoffStrategies, official_backoff.BackoffStrategy)


@pytest.fixture
def restore_random():
    """The draws below seed the shared `random` generator, as both SDKs draw from it."""
    state = random.getstate()
    yield
    random.setstate(state)


def _draws(strategy, seed):
    """Delays for many retry counts (past the cap) from a seeded `random`, and the generator's
    state afterwards: equal states mean the same number of values was drawn."""
    random.seed(seed)
    delays = [strategy.calculate_retry_delay_millis(retries) for _ in range(3) for retries in range(40)]
    return delays, random.getstate()


def test_backoff_strategies_are_the_official_members():
    assert OFFICIAL_STRATEGIES
    assert _strategies(BackoffStrategies, BackoffStrategy).keys() == OFFICIAL_STRATEGIES.keys()


@pytest.mark.parametrize("name", sorted(OFFICIAL_STRATEGIES))
def test_backoff_strategy_draws_what_the_official_one_draws(name, restore_random):
    ours = getattr(BackoffStrategies, name)
    for seed in range(25):
        assert _draws(ours, seed) == _draws(OFFICIAL_STRATEGIES[name], seed), (name, seed)


def test_exponential_backoff_is_the_official_one(restore_random):
    ours = ExponentialBackoffStrategy()
    assert _draws(ours, 0) == _draws(official_backoff.ExponentialBackoffStrategy(), 0)


def test_a_thousand_concurrent_awaits_get_distinct_correct_results(emu):
    client = build(KafkaAsyncClient, emu)
    instance_ids = [emu.add_instance() for _ in range(1000)]

    async def main():
        futures = [
            client.create_connector_async(CreateConnectorRequest(instance_id=i, body=CreateConnectorReq(node_cnt=2)))
            for i in instance_ids
        ]
        return await asyncio.gather(*futures)

    responses = asyncio.run(main())
    assert len({r.job_id for r in responses}) == 1000
    emu.advance(10)
    for instance_id, resp in zip(instance_ids[::50], responses[::50]):
        assert emu.show_instance(instance_id)["connector_id"] == resp.connector_id


def test_concurrent_enables_of_one_instance_start_one_job(emu):
    client = build(KafkaAsyncClient, emu)
    instance_id = emu.add_instance()

    async def attempt():
        try:
            return await client.create_connector_async(CreateConnectorRequest(instance_id=instance_id))
        except dmskafka.ClientRequestException as e:
            return e.error_code

    async def main():
        return await asyncio.gather(*[attempt() for _ in range(20)])

    outcomes = asyncio.run(main())
    winners = [o for o in outcomes if not isinstance(o, str)]
    assert len(winners) == 1
    assert set(o for o in outcomes if isinstance(o, str)) == {"DMS.00400026"}
    assert len(emu.show_instance(instance_id)["tasks"]) == 1
