"""Waiting for the job that enabling Smart Connect starts and for Smart Connect tasks, and the
one-call flows built on them; sync and async share one plan each.

A plan is a generator: it yields `(method name, request)` for a call of the client (the async
runner adds `_async`) or `("sleep", seconds)`, is sent each response, and returns the result
or raises. Everything a plan can refuse (its settings, the bodies it will send) is checked
before its first call, so a bad argument changes nothing."""

import asyncio
import time

from dmskafka import _core
from dmskafka.exceptions import (
    JobFailedException,
    SdkError,
    ServerResponseException,
    TaskFailedException,
    ValidationException,
    WaitTimeoutException,
)
from dmskafka.models import (
    CreateConnectorReq,
    CreateConnectorRequest,
    CreateConnectorTaskRequest,
    ListConnectorTasksRequest,
    ShowBackgroundTaskRequest,
    ShowConnectorTaskRequest,
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
# Smart Connect task statuses: the official SmartConnectTaskEntity.status docstring and
# https://support.huaweicloud.com/intl/en-us/api-kafka/ShowConnectorTask.html list PAUSED,
# RUNNING, WAITING and RESTARTING (CREATING is what a new task shows first). No failed status is
# published; FAILED and ERROR are taken as failures so such a task is never polled until the
# timeout. PAUSED and WAITING are not: right after resume or restart a task may still show them.
_TASK_FAILED = frozenset({"FAILED", "ERROR"})
# What a task settles in: only an action (resume, restart) moves it on from PAUSED or WAITING.
_TASK_SETTLED = frozenset({"RUNNING", "PAUSED", "WAITING"})
_BACKOFF = 1.5


class _Schedule:
    """The deadline and the growing interval between polls; one per wait, shared by the phases
    of a flow so its timeout bounds the whole flow."""

    def __init__(self, timeout, poll_interval, max_poll_interval, clock):
        _core.check_wait(timeout, poll_interval, max_poll_interval)
        self.timeout, self.clock = timeout, clock
        self.deadline = clock() + timeout
        self.interval = poll_interval
        self.cap = max_poll_interval or max(poll_interval, 30.0)

    def next_sleep(self):
        """Seconds until the next poll; None once the deadline has passed."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return None
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * _BACKOFF, self.cap)
        return sleep


def _task_of(response, job_id):
    tasks = response.tasks or []
    task = next((t for t in tasks if t.id == job_id), tasks[0] if tasks else None)
    if task is not None and not isinstance(task.status, (str, type(None))):
        # A 200 whose task cannot be read raises, as any unreadable success body does.
        error = SdkError(None, "SDK.InvalidResponse", "the task status could not be read: %r" % (task.status,))
        raise ServerResponseException(response.status_code, error)
    return task


def _job_plan(instance_id, job_id, schedule, until_instance_ready):
    """Polls the job (then, with until_instance_ready, the instance); returns the finished task."""
    job = ShowBackgroundTaskRequest(instance_id=instance_id, task_id=job_id)
    finished = None
    last_status = None
    while True:
        if finished is None:
            task = _task_of((yield "show_background_task", job), job_id)
            last_status = task.status if task is not None else None
            if last_status == "SUCCESS":
                finished = task
                if not until_instance_ready:
                    return finished
                continue
            if last_status in _FAILED:
                raise JobFailedException(job_id, last_status, "job %s ended with status %s" % (job_id, last_status))
        else:
            instance = yield "show_instance", ShowInstanceRequest(instance_id=instance_id)
            last_status = "instance %s" % instance.status
            if instance.status == "RUNNING" and instance.connector_enable:
                return finished
        sleep = schedule.next_sleep()
        if sleep is None:
            raise WaitTimeoutException(
                "job %s of instance %s not finished within %s s (last status: %s); it may still be running"
                % (job_id, instance_id, schedule.timeout, last_status),
                job_id=job_id,
                last_status=last_status,
            )
        yield "sleep", sleep


def _task_plan(instance_id, task_id, statuses, schedule):
    """Polls the Smart Connect task until it shows one of `statuses`; returns its last
    ShowConnectorTaskResponse."""
    request = ShowConnectorTaskRequest(instance_id=instance_id, task_id=task_id)
    while True:
        task = yield "show_connector_task", request
        if task.status in statuses:
            return task
        if task.status in _TASK_FAILED:
            raise TaskFailedException(task_id, task.status, "task %s is %s" % (task_id, task.status))
        sleep = schedule.next_sleep()
        if sleep is None:
            raise WaitTimeoutException(
                "task %s of instance %s not %s within %s s (last status: %s)"
                % (task_id, instance_id, " or ".join(sorted(statuses)), schedule.timeout, task.status),
                task_id=task_id,
                last_status=task.status,
            )
        yield "sleep", sleep


def _instance_plan(instance_id, schedule):
    """Polls the instance until it is RUNNING (another operation on it, such as an earlier
    run's enable job, has ended); returns its ShowInstanceResponse."""
    request = ShowInstanceRequest(instance_id=instance_id)
    while True:
        instance = yield "show_instance", request
        if instance.status == "RUNNING":
            return instance
        sleep = schedule.next_sleep()
        if sleep is None:
            raise WaitTimeoutException(
                "instance %s not RUNNING within %s s (last status: %s); an operation on it may still be running"
                % (instance_id, schedule.timeout, instance.status),
                last_status=instance.status,
            )
        yield "sleep", sleep


def _run(client, plan, sleep):
    try:
        step, arg = next(plan)
        while True:
            if step == "sleep":
                sleep(arg)
                step, arg = plan.send(None)
            else:
                step, arg = plan.send(getattr(client, step)(arg))
    except StopIteration as done:
        return done.value


async def _run_async(client, plan, sleep):
    try:
        step, arg = next(plan)
        while True:
            if step == "sleep":
                await sleep(arg)
                step, arg = plan.send(None)
            else:
                step, arg = plan.send(await getattr(client, step + "_async")(arg))
    except StopIteration as done:
        return done.value


def _job_only(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, until_instance_ready):
    schedule = _Schedule(timeout, poll_interval, max_poll_interval, clock)
    return _job_plan(instance_id, job_id, schedule, until_instance_ready)


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
):
    plan = _job_only(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, False)
    return _run(client, plan, sleep)


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
):
    plan = _job_only(instance_id, job_id, timeout, poll_interval, max_poll_interval, clock, False)
    return await _run_async(client, plan, sleep)


_OPS = {op.name: op for op in _core.operations()}


def _create_request(instance_id, node_cnt, specification, spec_code):
    body = CreateConnectorReq(specification=specification, node_cnt=node_cnt, spec_code=spec_code)
    return CreateConnectorRequest(instance_id=instance_id, body=body)


def _enable_plan(instance_id, request, schedule):
    """create_connector, then (with a schedule) until the job succeeds and the instance runs."""
    response = yield "create_connector", request
    if schedule is not None:
        yield from _job_plan(instance_id, response.job_id, schedule, until_instance_ready=True)
    return response


def _enabling(instance_id, node_cnt, specification, spec_code, wait, timeout, poll_interval, max_poll_interval, clock):
    request = _create_request(instance_id, node_cnt, specification, spec_code)
    schedule = _Schedule(timeout, poll_interval, max_poll_interval, clock) if wait else None
    return _enable_plan(instance_id, request, schedule)


def enable_smart_connect(
    client,
    instance_id,
    node_cnt,
    specification,
    spec_code,
    wait,
    *,
    timeout=600.0,
    poll_interval=2.0,
    max_poll_interval=None,
    sleep=time.sleep,
    clock=time.monotonic,
):
    plan = _enabling(
        instance_id, node_cnt, specification, spec_code, wait, timeout, poll_interval, max_poll_interval, clock
    )
    return _run(client, plan, sleep)


async def enable_smart_connect_async(
    client,
    instance_id,
    node_cnt,
    specification,
    spec_code,
    wait,
    *,
    timeout=600.0,
    poll_interval=2.0,
    max_poll_interval=None,
    sleep=asyncio.sleep,
    clock=time.monotonic,
):
    plan = _enabling(
        instance_id, node_cnt, specification, spec_code, wait, timeout, poll_interval, max_poll_interval, clock
    )
    return await _run_async(client, plan, sleep)


def _waiting(instance_id, task_id, status, timeout, poll_interval, max_poll_interval, clock):
    schedule = _Schedule(timeout, poll_interval, max_poll_interval, clock)
    return _task_plan(instance_id, task_id, {status}, schedule)


def wait_for_task(
    client,
    instance_id,
    task_id,
    status,
    timeout,
    poll_interval,
    *,
    max_poll_interval=None,
    sleep=time.sleep,
    clock=time.monotonic,
):
    plan = _waiting(instance_id, task_id, status, timeout, poll_interval, max_poll_interval, clock)
    return _run(client, plan, sleep)


async def wait_for_task_async(
    client,
    instance_id,
    task_id,
    status,
    timeout,
    poll_interval,
    *,
    max_poll_interval=None,
    sleep=asyncio.sleep,
    clock=time.monotonic,
):
    plan = _waiting(instance_id, task_id, status, timeout, poll_interval, max_poll_interval, clock)
    return await _run_async(client, plan, sleep)


def _field(body, name):
    return body.get(name) if isinstance(body, dict) else getattr(body, name, None)


def _ensuring(instance_id, body, wait, enable, timeout, poll_interval, max_poll_interval, clock):
    """The checks of ensure_task, made before its first call; then its plan."""
    name = _field(body, "task_name")
    if not isinstance(name, str) or not name:
        # The name is what makes a second run find the first run's task.
        raise ValidationException("task_name", "is required to find the task again")
    _core.check_body(_OPS["create_connector_task"], body)
    _core.check_body(_OPS["create_connector"], enable.body)
    schedule = _Schedule(timeout, poll_interval, max_poll_interval, clock)
    return _ensure_plan(instance_id, body, name, wait, enable, schedule)


def _ensure_plan(instance_id, body, name, wait, enable, schedule):
    """Enables Smart Connect if it is not (after any operation already running on the instance,
    such as an earlier run's enable job), finds the task by name or creates it, then (with
    wait) waits until it settles; returns its ShowConnectorTaskResponse."""
    instance = yield "show_instance", ShowInstanceRequest(instance_id=instance_id)
    if not instance.connector_enable and instance.status != "RUNNING":
        instance = yield from _instance_plan(instance_id, schedule)
    if not instance.connector_enable:
        yield from _enable_plan(instance_id, enable, schedule)
    task_id = yield from _find_task(instance_id, name)
    if task_id is None:
        created = yield "create_connector_task", CreateConnectorTaskRequest(instance_id=instance_id, body=body)
        task_id = created.id
    if wait:
        return (yield from _task_plan(instance_id, task_id, _TASK_SETTLED, schedule))
    return (yield "show_connector_task", ShowConnectorTaskRequest(instance_id=instance_id, task_id=task_id))


def _find_task(instance_id, name):
    """The id of the instance's task named `name`, or None; reads every page."""
    offset, limit = 0, 50
    while True:
        request = ListConnectorTasksRequest(instance_id=instance_id, offset=offset, limit=limit)
        page = yield "list_connector_tasks", request
        tasks = page.tasks or []
        for task in tasks:
            if task.task_name == name:
                return task.id
        offset += len(tasks)
        if not tasks or (page.total_number is not None and offset >= page.total_number):
            return None


def ensure_task(
    client,
    instance_id,
    body,
    *,
    wait=True,
    node_cnt=2,
    specification=None,
    spec_code=None,
    timeout=600.0,
    poll_interval=2.0,
    max_poll_interval=None,
    sleep=time.sleep,
    clock=time.monotonic,
):
    enable = _create_request(instance_id, node_cnt, specification, spec_code)
    plan = _ensuring(instance_id, body, wait, enable, timeout, poll_interval, max_poll_interval, clock)
    return _run(client, plan, sleep)


async def ensure_task_async(
    client,
    instance_id,
    body,
    *,
    wait=True,
    node_cnt=2,
    specification=None,
    spec_code=None,
    timeout=600.0,
    poll_interval=2.0,
    max_poll_interval=None,
    sleep=asyncio.sleep,
    clock=time.monotonic,
):
    enable = _create_request(instance_id, node_cnt, specification, spec_code)
    plan = _ensuring(instance_id, body, wait, enable, timeout, poll_interval, max_poll_interval, clock)
    return await _run_async(client, plan, sleep)
