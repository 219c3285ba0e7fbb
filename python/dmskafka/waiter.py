"""Waiting for the job that enabling Smart Connect starts; sync and async share one plan."""

import asyncio
import time

from dmskafka import _core
from dmskafka.exceptions import (
    JobFailedException,
    SdkError,
    ServerResponseException,
    WaitTimeoutException,
)
from dmskafka.models import (
    CreateConnectorReq,
    CreateConnectorRequest,
    ShowBackgroundTaskRequest,
    ShowInstanceRequest,
)

# Task statuses (SUCCESS below, FAILED here): the official model docstring of
# huaweicloudsdkkafka/v2/model/list_background_tasks_resp_tasks.py (the `tasks` of
# ShowBackgroundTaskResponse) and https://support.huaweicloud.com/intl/en-us/api-kafka/ShowBackgroundTask.html
# list CREATED, SUCCESS, FAILED, DELETED, EXECUTING and CANCELLED; FAILED, DELETED and CANCELLED
# end a job without success. "FAIL" and "ERROR" have no source for tasks (ERROR is an instance
# status); they are kept as failures so such a job is never polled until the timeout. The
# instance status RUNNING: the Instance Status table that the official
# ShowInstanceResponse.status docstring points to,
# https://support.huaweicloud.com/intl/en-us/api-kafka/kafka-api-180514012.html
_FAILED = frozenset({"FAILED", "DELETED", "CANCELLED", "FAIL", "ERROR"})
_BACKOFF = 1.5


def _task_of(response, job_id):
    tasks = response.tasks or []
    task = next((t for t in tasks if t.id == job_id), tasks[0] if tasks else None)
    if task is not None and not isinstance(task.status, (str, type(None))):
        # A 200 whose task cannot be read raises, as any unreadable success body does.
        error = SdkError(None, "SDK.InvalidResponse", "the task status could not be read: %r" % (task.status,))
        raise ServerResponseException(response.status_code, error)
    return task


def _plan(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, until_instance_ready):
    """Yields what to do next: ("job", None), ("instance", None) or ("sleep", seconds);
    is sent the responses; returns the finished task or raises."""
    _core.check_wait(timeout, poll_interval, max_poll_interval)
    deadline = clock() + timeout
    interval = poll_interval
    finished = None
    last_status = None
    while True:
        if finished is None:
            task = _task_of((yield "job", None), job_id)
            last_status = task.status if task is not None else None
            if last_status == "SUCCESS":
                finished = task
                if not until_instance_ready:
                    return finished
                continue
            if last_status in _FAILED:
                raise JobFailedException(job_id, last_status, "job %s ended with status %s" % (job_id, last_status))
        else:
            instance = yield "instance", None
            last_status = "instance %s" % instance.status
            if instance.status == "RUNNING" and instance.connector_enable:
                return finished
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeoutException(
                "job %s of instance %s not finished within %s s (last status: %s); it may still be running"
                % (job_id, instance_id, timeout, last_status),
                job_id=job_id,
                last_status=last_status,
            )
        yield "sleep", min(interval, remaining)
        interval = min(interval * _BACKOFF, max_poll_interval or max(poll_interval, 30.0))


def _requests(instance_id, job_id):
    return {
        "job": ShowBackgroundTaskRequest(instance_id=instance_id, task_id=job_id),
        "instance": ShowInstanceRequest(instance_id=instance_id),
    }


def _run(client, plan, reqs, sleep):
    calls = {"job": client.show_background_task, "instance": client.show_instance}
    try:
        step, arg = next(plan)
        while True:
            if step == "sleep":
                sleep(arg)
                step, arg = plan.send(None)
            else:
                step, arg = plan.send(calls[step](reqs[step]))
    except StopIteration as done:
        return done.value


async def _run_async(client, plan, reqs, sleep):
    calls = {"job": client.show_background_task_async, "instance": client.show_instance_async}
    try:
        step, arg = next(plan)
        while True:
            if step == "sleep":
                await sleep(arg)
                step, arg = plan.send(None)
            else:
                step, arg = plan.send(await calls[step](reqs[step]))
    except StopIteration as done:
        return done.value


def wait_for_job(
    client,
    instance_id,
    job_id,
    timeout,
    poll_interval,
    *,
    max_poll_interval=None,
    sleep=time.sleep,
    clock=time.monotonic,
    _until_instance_ready=False,
):
    plan = _plan(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, _until_instance_ready)
    return _run(client, plan, _requests(instance_id, job_id), sleep)


async def wait_for_job_async(
    client,
    instance_id,
    job_id,
    timeout,
    poll_interval,
    *,
    max_poll_interval=None,
    sleep=asyncio.sleep,
    clock=time.monotonic,
    _until_instance_ready=False,
):
    plan = _plan(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, _until_instance_ready)
    return await _run_async(client, plan, _requests(instance_id, job_id), sleep)


def _create_request(instance_id, node_cnt, specification, spec_code):
    body = CreateConnectorReq(specification=specification, node_cnt=node_cnt, spec_code=spec_code)
    return CreateConnectorRequest(instance_id=instance_id, body=body)


def enable_smart_connect(
    client, instance_id, node_cnt, specification, spec_code, wait, *, timeout=600.0, poll_interval=2.0, **kwargs
):
    response = client.create_connector(_create_request(instance_id, node_cnt, specification, spec_code))
    if wait:
        wait_for_job(client, instance_id, response.job_id, timeout, poll_interval, _until_instance_ready=True, **kwargs)
    return response


async def enable_smart_connect_async(
    client, instance_id, node_cnt, specification, spec_code, wait, *, timeout=600.0, poll_interval=2.0, **kwargs
):
    response = await client.create_connector_async(_create_request(instance_id, node_cnt, specification, spec_code))
    if wait:
        await wait_for_job_async(
            client, instance_id, response.job_id, timeout, poll_interval, _until_instance_ready=True, **kwargs
        )
    return response
