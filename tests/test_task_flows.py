"""wait_for_task and ensure_task (sync and async) on the emulator, its clock driven by the waiter."""

import asyncio
import json

import pytest
from test_lifecycle import FakeTime, build

from dmskafka import (
    ClientRequestException,
    CreateConnectorTaskRequest,
    CreateSmartConnectTaskReq,
    KafkaAsyncClient,
    KafkaClient,
    ModifyConnectorTaskRequest,
    PauseConnectorTaskRequest,
    ShowConnectorTaskRequest,
    SmartConnectTaskEntity,
    SmartConnectTaskReqSinkConfig,
    SmartConnectValidateEntity,
    TaskFailedException,
    ValidateConnectorConnectivityRequest,
    ValidationException,
    WaitTimeoutException,
)


@pytest.fixture
def emu(dmskafka_emulator):
    dmskafka_emulator.add_obs_bucket("bucket-1")
    return dmskafka_emulator


def sink_body(emu, name="orders-to-obs", **fields):
    sink = SmartConnectTaskReqSinkConfig(
        consumer_strategy="earliest",
        destination_file_type="TEXT",
        deliver_time_interval=300,
        access_key=emu.ak,
        secret_key=emu.sk,
        obs_bucket_name="bucket-1",
        obs_path="orders",
        partition_format="yyyy/MM/dd",
        record_delimiter=",",
        store_keys=False,
    )
    return CreateSmartConnectTaskReq(
        task_name=name, topics="orders", source_type="NONE", sink_type="OBS_SINK", sink_task=sink, **fields
    )


def enabled(emu, client, time):
    instance_id = emu.add_instance()
    client.enable_smart_connect(instance_id, wait=True, sleep=time.sleep, clock=time.clock)
    return instance_id


def create(client, instance_id, body):
    return client.create_connector_task(CreateConnectorTaskRequest(instance_id=instance_id, body=body))


def test_wait_for_task_returns_once_the_new_task_runs(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = create(client, instance_id, sink_body(emu))
    assert task.status == "CREATING"

    shown = client.wait_for_task(instance_id, task.id, sleep=time.sleep, clock=time.clock)
    assert (shown.id, shown.status, shown.task_name) == (task.id, "RUNNING", "orders-to-obs")
    assert len(time.sleeps) >= 1  # it polled, then slept on the emulator's clock until the task ran


def test_wait_for_task_waits_for_any_status(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = create(client, instance_id, sink_body(emu))
    client.wait_for_task(instance_id, task.id, sleep=time.sleep, clock=time.clock)
    client.pause_connector_task(PauseConnectorTaskRequest(instance_id=instance_id, task_id=task.id))
    assert client.wait_for_task(instance_id, task.id, "PAUSED", sleep=time.sleep, clock=time.clock).status == "PAUSED"


def test_a_failed_task_raises_task_failed(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = create(client, instance_id, sink_body(emu))
    emu.fail_task(instance_id, task.id)
    with pytest.raises(TaskFailedException) as raised:
        client.wait_for_task(instance_id, task.id, sleep=time.sleep, clock=time.clock)
    assert (raised.value.task_id, raised.value.status) == (task.id, "FAILED")


def test_the_deadline_raises_wait_timeout_with_the_last_status(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = create(client, instance_id, sink_body(emu, start_later=True))
    start = time.now
    with pytest.raises(WaitTimeoutException) as raised:
        client.wait_for_task(instance_id, task.id, timeout=30, sleep=time.sleep, clock=time.clock)
    assert (raised.value.task_id, raised.value.last_status, raised.value.job_id) == (task.id, "WAITING", None)
    assert time.now == pytest.approx(start + 30)  # the backoff's last sleep is cut to the deadline


def test_wait_for_task_refuses_bad_settings_before_polling(emu):
    client = build(KafkaClient, emu)
    with pytest.raises(ValidationException):
        client.wait_for_task("i1", "t1", timeout=-1)
    assert emu.requests() == []


def test_ensure_task_enables_creates_and_waits_then_does_nothing_the_second_time(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = emu.add_instance()
    body = sink_body(emu)

    first = client.ensure_task(instance_id, body, sleep=time.sleep, clock=time.clock)
    assert first.status == "RUNNING" and first.task_name == "orders-to-obs"
    assert emu.show_instance(instance_id)["connector_enable"] is True

    emu.clear_requests()
    second = client.ensure_task(instance_id, body, sleep=time.sleep, clock=time.clock)
    assert second.id == first.id
    sent = [(r["method"], r["route"]) for r in emu.requests()]
    assert ("POST", "create_connector_task") not in sent and ("POST", "create_connector") not in sent
    assert len(emu.connector_tasks(instance_id)) == 1


def test_ensure_task_finds_the_task_on_a_later_page(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = emu.add_instance(max_tasks=60)
    client.enable_smart_connect(instance_id, wait=True, sleep=time.sleep, clock=time.clock)
    for n in range(55):  # more than one page of 50
        create(client, instance_id, sink_body(emu, name="task-%02d" % n, start_later=True))
    emu.clear_requests()
    found = client.ensure_task(instance_id, sink_body(emu, name="task-54", start_later=True))
    assert found.task_name == "task-54" and found.status == "WAITING"
    lists = [r for r in emu.requests() if r["route"] == "list_connector_tasks"]
    assert [r["query"] for r in lists] == ["limit=50&offset=0", "limit=50&offset=50"]  # sorted, as the official sends


def test_ensure_task_needs_a_task_name_and_sends_nothing_without_one(emu):
    client = build(KafkaClient, emu)
    with pytest.raises(ValidationException) as raised:
        client.ensure_task("i1", {"topics": "t"})
    assert raised.value.field == "task_name"
    assert emu.requests() == []


def test_async_wait_and_ensure(emu):
    time = FakeTime(emu)
    instance_id = emu.add_instance()

    async def main():
        client = build(KafkaAsyncClient, emu)
        task = await client.ensure_task_async(instance_id, sink_body(emu), sleep=time.sleep_async, clock=time.clock)
        shown = await client.wait_for_task_async(
            instance_id, task.id, "RUNNING", sleep=time.sleep_async, clock=time.clock
        )
        return task, shown

    task, shown = asyncio.run(main())
    assert task.status == shown.status == "RUNNING" and task.id == shown.id
    sync = build(KafkaClient, emu).show_connector_task(ShowConnectorTaskRequest(instance_id, task.id))
    assert sync.id == task.id


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda c, body: c.ensure_task("i1", {**body, "topics_regex": "a.*"}), "topics"),
        (lambda c, body: c.ensure_task("i1", body, timeout=-1), "timeout"),
        (lambda c, body: c.ensure_task("i1", body, node_cnt=1), "node_cnt"),
        (lambda c, body: c.enable_smart_connect("i1", wait=True, timeout=-1), "timeout"),
    ],
    ids=["bad-body", "bad-timeout", "bad-node-cnt", "enable-bad-timeout"],
)
def test_flows_check_every_argument_before_their_first_call(emu, call, field):
    client = build(KafkaClient, emu)
    body = {"task_name": "t", "topics": "a", "sink_type": "OBS_SINK", "sink_task": {"obs_bucket_name": "bucket-1"}}
    with pytest.raises(ValidationException) as raised:
        call(client, body)
    assert raised.value.field == field
    assert emu.requests() == []  # nothing sent: Smart Connect was not enabled


def test_ensure_task_run_again_after_a_timeout_waits_for_the_first_runs_enable_job(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = emu.add_instance(job_duration=100)
    with pytest.raises(WaitTimeoutException):
        client.ensure_task(instance_id, sink_body(emu), timeout=30, sleep=time.sleep, clock=time.clock)
    assert emu.show_instance(instance_id)["connector_enable"] is False  # the job is still running

    task = client.ensure_task(instance_id, sink_body(emu), timeout=300, sleep=time.sleep, clock=time.clock)
    assert task.status == "RUNNING"
    enables = [r for r in emu.requests() if r["route"] == "create_connector"]
    assert [r["status"] for r in enables] == [200]  # one job, not a second (refused) one


def test_ensure_task_returns_a_task_found_paused_as_it_is(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = client.ensure_task(instance_id, sink_body(emu), sleep=time.sleep, clock=time.clock)
    client.pause_connector_task(PauseConnectorTaskRequest(instance_id=instance_id, task_id=task.id))
    start = time.now
    found = client.ensure_task(instance_id, sink_body(emu), sleep=time.sleep, clock=time.clock)
    assert (found.id, found.status, time.now) == (task.id, "PAUSED", start)  # no polling until the timeout


def test_a_shown_task_goes_back_to_modify_in_any_status(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    task = create(client, instance_id, sink_body(emu))
    shown = client.show_connector_task(ShowConnectorTaskRequest(instance_id=instance_id, task_id=task.id))
    assert shown.status == "CREATING"
    entity = SmartConnectTaskEntity(**{attr: getattr(shown, attr) for attr in SmartConnectTaskEntity.openapi_types})
    entity.task_name = "renamed"
    modified = client.modify_connector_task(
        ModifyConnectorTaskRequest(instance_id=instance_id, task_id=task.id, body=entity)
    )
    assert (modified.task_name, modified.id) == ("renamed", task.id)


def test_validate_checks_the_peer_and_a_password_sent_as_a_dict(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = enabled(emu, client, time)
    emu.add_kafka_peer(bootstrap_servers="10.0.0.9:9092", user="u", password="right")

    def validate(task):
        body = SmartConnectValidateEntity(type="KAFKA_REPLICATOR_SOURCE", task=task)
        return client.validate_connector_connectivity(
            ValidateConnectorConnectivityRequest(instance_id=instance_id, body=body)
        )

    sasl = {"bootstrap_servers": "10.0.0.9:9092", "security_protocol": "SASL_SSL", "user_name": "u"}
    assert validate({**sasl, "password": "right"}).status_code == 200
    with pytest.raises(ClientRequestException) as refused:
        validate({**sasl, "password": "not-it-7f3a"})
    assert refused.value.error_code == "DMS.00400906" and "not-it-7f3a" not in str(refused.value)
    emu.clear_requests()
    with pytest.raises(ValidationException) as raised:
        validate({})
    assert raised.value.field == "instance_id" and "task.instance_id, task.bootstrap_servers" in raised.value.rule
    assert emu.requests() == []


def test_ensure_task_enables_an_old_flavor_and_wait_false_returns_the_task_as_created(emu):
    client, time = build(KafkaClient, emu), FakeTime(emu)
    instance_id = emu.add_instance(flavor="old", specification="300MB")
    task = client.ensure_task(
        instance_id,
        sink_body(emu),
        wait=False,
        specification="300MB",
        spec_code="dms.physical.storage.normal",
        sleep=time.sleep,
        clock=time.clock,
    )
    assert task.status == "CREATING"  # not waited for
    (enabled,) = [r for r in emu.requests() if r["route"] == "create_connector"]
    sent = json.loads(enabled["body"])
    assert (sent["specification"], sent["spec_code"]) == ("300MB", "dms.physical.storage.normal")
    assert emu.show_instance(instance_id)["connector_enable"] is True
