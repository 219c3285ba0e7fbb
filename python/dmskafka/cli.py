"""The `dmskafka` command: Smart Connect and its tasks from a shell or a CI job, or the emulator.

Credentials are found by the SDK's default chain: OIDC/STS (HUAWEICLOUD_OIDC_*), then
HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID and
HUAWEICLOUD_SDK_SECURITY_TOKEN, then the [basiccredentials] section of ~/.huaweicloud/credentials (or
$HUAWEICLOUD_SDK_CREDENTIALS_FILE), then the ECS metadata service, then pod identity. Without a
project id, it is looked up in IAM for the region (HUAWEICLOUD_SDK_IAM_ENDPOINT overrides the
IAM endpoint).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Dict, List, Optional, TextIO

from dmskafka import KafkaClient, KafkaRegion, Region
from dmskafka.exceptions import (
    JobFailedException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
    TaskFailedException,
    ValidationException,
)
from dmskafka.models import (
    CreateConnectorTaskRequest,
    DeleteConnectorRequest,
    DeleteConnectorTaskRequest,
    ListConnectorTasksRequest,
    PauseConnectorTaskRequest,
    RestartConnectorTaskRequest,
    ResumeConnectorTaskRequest,
    ShowConnectorResourceInfoRequest,
    ShowConnectorTaskRequest,
    ShowInstanceRequest,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_SERVICE = 3
EXIT_TIMEOUT = 4
EXIT_JOB_FAILED = 5
EXIT_INTERRUPTED = 130

EXIT_CODES = """exit codes:
  0  done (with --wait: the job succeeded, or the task reached its state)
  1  any other error: no credentials, configuration, network (refused, DNS, TLS)
  2  invalid input: a bad option or body file, or a value refused before anything was sent
  3  the service answered with an error (4xx/5xx), e.g. DMS.00400026: another operation runs
  4  timeout: no answer in time, or --wait's deadline passed; the job or task may still get there
  5  the job or the task failed (--wait)
  130  interrupted (Ctrl-C); a request already sent may still be carried out"""

Result = Dict[str, object]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:  # also refuses NaN
        raise argparse.ArgumentTypeError("must be a positive number of seconds, not %r" % text)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmskafka",
        description="Huawei Cloud DMS for Kafka: Smart Connect and its tasks, or the local emulator.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # What every call needs: where, which instance, how to print.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", required=True, help="region id, e.g. cn-north-4")
    common.add_argument("--instance-id", required=True, help="the Kafka instance")
    common.add_argument("--endpoint", help="the DMS endpoint to use instead of the region's, e.g. the emulator's")
    common.add_argument("--output", choices=("json", "table"), default="json", help="output format (default json)")
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument("--wait", action="store_true", help="wait until it is done (see the command's help)")
    waiting.add_argument(
        "--timeout", type=_seconds, default=600.0, help="how long --wait waits, in seconds (default 600)"
    )
    task_id = argparse.ArgumentParser(add_help=False)
    task_id.add_argument("--task-id", required=True, help="the Smart Connect task")

    def command(
        group: "argparse._SubParsersAction[argparse.ArgumentParser]",
        name: str,
        text: str,
        *parents: argparse.ArgumentParser,
    ) -> argparse.ArgumentParser:
        return group.add_parser(
            name,
            help=text,
            description=text[0].upper() + text[1:] + ".\n\n" + __doc__.split("\n\n")[1],
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common, *parents],
        )

    commands = parser.add_subparsers(dest="command", required=True, metavar="{connector,task,emulator}")
    connector = commands.add_parser("connector", help="Smart Connect of an instance")
    actions = connector.add_subparsers(dest="action", required=True, metavar="{enable,show,resource-info,disable}")
    enable = command(
        actions, "enable", "enable Smart Connect on a pay-per-use instance (--wait: until it runs)", waiting
    )
    enable.add_argument("--node-cnt", help="connector nodes, at least 2 (the service's default: 2)")
    enable.add_argument("--specification", help="old flavors: the instance's bandwidth (100MB, 300MB, ...)")
    enable.add_argument("--spec-code", help="old flavors: the connector's spec code")
    command(actions, "show", "show whether Smart Connect is enabled, and its nodes")
    command(actions, "resource-info", "show whether Smart Connect resources are sold out")
    command(actions, "disable", "disable Smart Connect (--wait: until the job succeeds)", waiting)

    task = commands.add_parser("task", help="Smart Connect tasks of an instance")
    actions = task.add_subparsers(
        dest="action", required=True, metavar="{create,list,show,pause,resume,restart,delete}"
    )
    create = command(actions, "create", "create a task from a JSON body file (--wait: until it runs)", waiting)
    create.add_argument("--body", required=True, help="the CreateSmartConnectTaskReq as a JSON file, - for stdin")
    listing = command(actions, "list", "list the tasks, a page at a time")
    listing.add_argument("--offset", type=int, help="index of the first task (the service's default: 0)")
    listing.add_argument("--limit", type=int, help="tasks per page, 1 to 50 (the service's default: 10)")
    command(actions, "show", "show one task", task_id)
    command(actions, "pause", "pause a task (--wait: until it is PAUSED)", task_id, waiting)
    command(actions, "resume", "resume a task (--wait: until it is RUNNING)", task_id, waiting)
    command(actions, "restart", "restart a task (--wait: until it is RUNNING)", task_id, waiting)
    command(actions, "delete", "delete a task", task_id)
    # Listed for --help only: main() hands `dmskafka emulator ...` to the emulator's own parser.
    commands.add_parser("emulator", help="run the local DMS emulator (see: dmskafka emulator --help)")
    return parser


class _Progress:
    """A spinner with the seconds waited, redrawn on one terminal line while the waiter sleeps."""

    _FRAMES = "|/-\\"

    def __init__(self, stream: TextIO, what: str) -> None:
        self._stream = stream
        self._what = what
        self._started = time.monotonic()
        self._frame = 0

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self._frame += 1
            self._stream.write(
                "\r%s waiting for the %s: %d s"
                % (self._FRAMES[self._frame % 4], self._what, time.monotonic() - self._started)
            )
            self._stream.flush()
            time.sleep(min(0.1, left))

    def clear(self) -> None:
        self._stream.write("\r\x1b[K")
        self._stream.flush()


def _progress(args: argparse.Namespace, stderr: TextIO, what: str) -> Optional[_Progress]:
    """On a terminal, a spinner drawn while the waiter sleeps."""
    return _Progress(stderr, what) if getattr(args, "wait", False) and stderr.isatty() else None


def _enable(client: KafkaClient, args: argparse.Namespace, stderr: TextIO) -> Result:
    progress = _progress(args, stderr, "job")
    try:
        response = client.enable_smart_connect(
            args.instance_id,
            args.node_cnt,
            args.specification,
            args.spec_code,
            wait=args.wait,
            timeout=args.timeout,
            sleep=progress.sleep if progress else time.sleep,
        )
    finally:
        if progress:
            progress.clear()
    result: Result = {"instance_id": args.instance_id, "job_id": response.job_id, "connector_id": response.connector_id}
    if not args.wait:
        return result
    result["job_status"] = "SUCCESS"
    result.update(_connector(client, args))
    return result


def _connector(client: KafkaClient, args: argparse.Namespace) -> Result:
    instance = client.show_instance(ShowInstanceRequest(instance_id=args.instance_id))
    return {
        "instance_id": args.instance_id,
        "status": instance.status,
        "connector_enable": instance.connector_enable,
        "connector_id": instance.connector_id,
        "connector_node_num": instance.connector_node_num,
    }


def _resource_info(client: KafkaClient, args: argparse.Namespace) -> Result:
    info = client.show_connector_resource_info(ShowConnectorResourceInfoRequest(instance_id=args.instance_id))
    return {"instance_id": args.instance_id, "sold_out": info.sold_out}


def _disable(client: KafkaClient, args: argparse.Namespace, stderr: TextIO) -> Result:
    job_id = client.delete_connector(DeleteConnectorRequest(instance_id=args.instance_id)).job_id or ""
    result: Result = {"instance_id": args.instance_id, "job_id": job_id}
    if args.wait:
        progress = _progress(args, stderr, "job")
        try:
            sleep = progress.sleep if progress else time.sleep
            result["job_status"] = client.wait_for_job(args.instance_id, job_id, args.timeout, sleep=sleep).status
        finally:
            if progress:
                progress.clear()
    return result


def _shown(model: object) -> Result:
    """A response as its JSON (fields that are set; secrets masked, though the service sends none)."""
    shown: Result = json.loads(model.to_str())  # type: ignore[attr-defined]
    return shown


def _read_body(path: str) -> object:
    """The JSON of the file (a dict is a valid body: the client checks it as the model)."""
    try:
        if path == "-":
            return json.loads(sys.stdin.read())
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        # Never the file's text: it may hold a password or keys.
        rule = "cannot read a JSON body from %s (%s)" % (path, type(exc).__name__)
        raise ValidationException("--body", rule) from None


def _task_create(client: KafkaClient, args: argparse.Namespace, stderr: TextIO) -> Result:
    body = _read_body(args.body)
    request = CreateConnectorTaskRequest(instance_id=args.instance_id, body=body)  # type: ignore[arg-type]
    created = client.create_connector_task(request)
    start_later = isinstance(body, dict) and body.get("start_later") is True
    if not args.wait or start_later:
        return _shown(created)
    return _task_wait(client, args, stderr, created.id or "", "RUNNING")


def _task_wait(client: KafkaClient, args: argparse.Namespace, stderr: TextIO, task_id: str, status: str) -> Result:
    progress = _progress(args, stderr, "task")
    try:
        sleep = progress.sleep if progress else time.sleep
        return _shown(client.wait_for_task(args.instance_id, task_id, status, args.timeout, sleep=sleep))
    finally:
        if progress:
            progress.clear()


def _task_list(client: KafkaClient, args: argparse.Namespace) -> Result:
    request = ListConnectorTasksRequest(instance_id=args.instance_id, offset=args.offset, limit=args.limit)
    return _shown(client.list_connector_tasks(request))


# task actions: the request class, the operation, and the state --wait waits for.
_TASK_ACTIONS = {
    "pause": (PauseConnectorTaskRequest, "pause_connector_task", "PAUSED"),
    "resume": (ResumeConnectorTaskRequest, "resume_connector_task", "RUNNING"),
    "restart": (RestartConnectorTaskRequest, "restart_connector_task", "RUNNING"),
    "delete": (DeleteConnectorTaskRequest, "delete_connector_task", None),
}


def _task_action(client: KafkaClient, args: argparse.Namespace, stderr: TextIO) -> Result:
    if args.action == "show":
        return _shown(client.show_connector_task(ShowConnectorTaskRequest(args.instance_id, args.task_id)))
    request_class, operation, state = _TASK_ACTIONS[args.action]
    response = getattr(client, operation)(request_class(instance_id=args.instance_id, task_id=args.task_id))
    if state and args.wait:
        return _task_wait(client, args, stderr, args.task_id, state)
    return {
        "instance_id": args.instance_id,
        "task_id": args.task_id,
        "action": args.action,
        "status_code": response.status_code,
    }


def _run(args: argparse.Namespace, region: Region, stderr: TextIO) -> Result:
    client = KafkaClient.new_builder().with_region(region).build()
    if args.command == "connector":
        if args.action == "enable":
            return _enable(client, args, stderr)
        if args.action == "disable":
            return _disable(client, args, stderr)
        return _connector(client, args) if args.action == "show" else _resource_info(client, args)
    if args.action == "create":
        return _task_create(client, args, stderr)
    if args.action == "list":
        return _task_list(client, args)
    return _task_action(client, args, stderr)


def _print(result: Result, output: str, stdout: TextIO) -> None:
    if output == "json":
        stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    width = max(len(name) for name in result)
    for name, value in result.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        stdout.write("%-*s  %s\n" % (width, name, shown))


def _exit_code(exc: BaseException) -> int:
    # Most specific first: ValidationException is also a ValueError, WaitTimeoutException a timeout.
    if isinstance(exc, ValidationException):
        return EXIT_INVALID
    if isinstance(exc, (JobFailedException, TaskFailedException)):
        return EXIT_JOB_FAILED
    if isinstance(exc, RequestTimeoutException):
        return EXIT_TIMEOUT
    if isinstance(exc, ServiceResponseException):
        return EXIT_SERVICE
    return EXIT_ERROR


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["emulator"]:
        from dmskafka import emulator

        return emulator.main(argv[1:], prog="dmskafka emulator")
    parser = _parser()
    args = parser.parse_args(argv)
    enabling = args.command == "connector" and args.action == "enable"
    if enabling and (args.specification is None) != (args.spec_code is None):
        parser.error("--specification and --spec-code go together (old-flavor instances need both)")
    try:
        region = Region(args.region, args.endpoint) if args.endpoint else KafkaRegion.value_of(args.region)
    except KeyError:
        parser.error("unknown region %r; give --endpoint to use it anyway" % args.region)
    try:
        result = _run(args, region, sys.stderr)
    except (SdkException, ValueError) as exc:
        print("dmskafka: %s" % exc, file=sys.stderr)
        return _exit_code(exc)
    except KeyboardInterrupt:
        # Ctrl-C: the call's connection is dropped; the shell's code for SIGINT.
        print("dmskafka: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    _print(result, args.output, sys.stdout)
    return EXIT_OK
