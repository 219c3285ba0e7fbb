"""The public API as a typed program uses it: `mypy --strict` must accept this file, and it runs.

tests/test_typing.py type-checks it and runs `main()` against the emulator, so the stubs are held
to what the runtime returns. `_mistakes()` is never called: each of its lines is an error the
stubs must catch. With --strict (warn_unused_ignores), an ignore that is no longer needed fails
the check, so a stub that became too loose is noticed.
"""

from __future__ import annotations

import asyncio
import io
import logging

from dmskafka import (
    BackoffStrategies,
    BasicCredentials,
    ClientRequestException,
    CreateConnectorReq,
    CreateConnectorRequest,
    CreateConnectorResponse,
    CreateConnectorTaskRequest,
    CreateSmartConnectTaskReq,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    ListBackgroundTasksRespTasks,
    ListConnectorTasksRequest,
    ListConnectorTasksResponse,
    Region,
    ServerResponseException,
    ShowConnectorTaskResponse,
    ShowInstanceRequest,
    ShowInstanceResponse,
    SmartConnectTaskReqSinkConfig,
    TaskFailedException,
    ValidationException,
)
from dmskafka.core.auth.credentials import BasicCredentials as OfficialPathCredentials
from dmskafka.core.exceptions import exceptions
from dmskafka.core.http.http_handler import HttpHandler, HttpRequest, HttpResponse
from dmskafka.testing import Emulator
from dmskafka.v2 import DeleteConnectorRequest, ShowBackgroundTaskRequest
from dmskafka.v2.region.kafka_region import KafkaRegion


def build(emu: Emulator, sent: list[str]) -> KafkaClient:
    def on_request(request: HttpRequest, logger: logging.Logger) -> None:
        sent.append("%s %s" % (request.method, request.resource_path))

    def on_response(response: HttpResponse, logger: logging.Logger) -> None:
        sent.append("%s %s" % (response.status_code, response.headers.get("X-Request-Id")))

    credentials: OfficialPathCredentials = BasicCredentials(emu.ak, emu.sk, emu.project_id)
    return (
        KafkaClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region("cn-north-4", emu.endpoint))
        .with_http_config(HttpConfig(timeout=(5, 10), retry_times=1))
        .with_stream_log(io.StringIO(), logging.INFO)
        .with_http_handler(HttpHandler().add_request_handler(on_request).add_response_handler(on_response))
        .build()
    )


def enable(client: KafkaClient, instance_id: str) -> ShowInstanceResponse:
    request = CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))
    response: CreateConnectorResponse = (
        client.create_connector_invoker(request)
        .add_header("X-Trace", "typing")
        .with_retry(lambda resp, exc: isinstance(exc, ServerResponseException), 2, BackoffStrategies.NONE)
        .invoke()
    )
    job_id: str = response.job_id
    task: ListBackgroundTasksRespTasks = client.wait_for_job(instance_id, job_id, timeout=30, poll_interval=0.1)
    assert task.status == "SUCCESS"
    return client.show_instance(ShowInstanceRequest(instance_id=instance_id))


def errors(client: KafkaClient, instance_id: str) -> list[str]:
    seen: list[str] = []
    try:
        client.create_connector(CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq()))
    except ClientRequestException as e:
        seen.append("%s %s %s" % (e.status_code, e.error_code, e.request_id))
    try:
        client.create_connector(CreateConnectorRequest(instance_id="bad id"))
    except ValidationException as e:
        seen.append("%s: %s" % (e.field, e.rule))
    try:
        client.show_background_task(ShowBackgroundTaskRequest(instance_id=instance_id, task_id="no-such-task"))
    except exceptions.ServiceResponseException as e:
        seen.append(str(e.status_code))
    return seen


def tasks(emu: Emulator, client: KafkaClient, instance_id: str) -> int | None:
    emu.add_obs_bucket("typed-bucket")
    sink = SmartConnectTaskReqSinkConfig(obs_bucket_name="typed-bucket", access_key=emu.ak, secret_key=emu.sk)
    body = CreateSmartConnectTaskReq(task_name="typed", topics="t", sink_type="OBS_SINK", sink_task=sink)
    created = client.create_connector_task(CreateConnectorTaskRequest(instance_id=instance_id, body=body))
    assert created.id is not None
    try:
        running: ShowConnectorTaskResponse = client.wait_for_task(instance_id, created.id, "RUNNING", timeout=30)
        assert running.status == "RUNNING"
    except TaskFailedException as e:
        raise AssertionError(e.status) from e
    again = client.ensure_task(instance_id, body, timeout=30)
    assert again.id == created.id
    listed: ListConnectorTasksResponse = client.list_connector_tasks(ListConnectorTasksRequest(instance_id, limit=5))
    return listed.total_number


async def disable(emu: Emulator, instance_id: str) -> str | None:
    client = (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    with client:
        deleted = await client.delete_connector_async(DeleteConnectorRequest(instance_id=instance_id))
        assert deleted.job_id is not None
        await client.wait_for_job_async(instance_id, deleted.job_id, timeout=30, poll_interval=0.1)
        shown = await client.show_instance_async(ShowInstanceRequest(instance_id=instance_id))
        return shown.status


def main() -> None:
    with Emulator(job_duration=0, task_duration=0) as emu:
        instance_id = emu.add_instance()
        sent: list[str] = []
        client = build(emu, sent)
        instance = enable(client, instance_id)
        assert instance.connector_enable is True and isinstance(instance.connector_node_num, int)
        assert sent[0].startswith("POST /v2/"), sent
        assert len(errors(client, instance_id)) == 3
        assert tasks(emu, client, instance_id) == 1
        assert asyncio.run(disable(emu, instance_id)) == "RUNNING"
        assert KafkaRegion.CN_NORTH_4.id == "cn-north-4"


def _mistakes(client: KafkaClient, async_client: KafkaAsyncClient, instance: ShowInstanceResponse) -> None:
    CreateConnectorReq(node_cnt=2.5)  # type: ignore[arg-type]
    KafkaClient.new_builder().with_region("cn-north-4")  # type: ignore[arg-type]
    client.create_connector(ShowInstanceRequest(instance_id="i"))  # type: ignore[arg-type]
    async_client.create_connector(CreateConnectorRequest())  # type: ignore[attr-defined]
    _wrong: KafkaAsyncClient = KafkaClient.new_builder().build()  # type: ignore[assignment]
    instance.status + 1  # type: ignore[operator]
    _status: str = instance.status  # type: ignore[assignment]
    client.wait_for_job("i", "j", timeout="10")  # type: ignore[arg-type]
    HttpConfig(timeout="60")  # type: ignore[arg-type]
    client.wait_for_task("i", "t", status=1)  # type: ignore[arg-type]
    client.list_connector_tasks(ListConnectorTasksRequest("i", limit="5"))  # type: ignore[arg-type]
    BasicCredentials("ak", "sk").with_project_id(1)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
