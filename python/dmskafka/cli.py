"""The `dmskafka` command: enable Smart Connect from a shell or a CI job, or run the emulator.

Credentials are read as the SDK reads them: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_SECURITY_TOKEN, then the [basic] section of
~/.huaweicloud/credentials (or $HUAWEICLOUD_SDK_CREDENTIALS_FILE). Without a project id, it is
looked up in IAM for the region (HUAWEICLOUD_SDK_IAM_ENDPOINT overrides the IAM endpoint).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Dict, List, Optional, TextIO, Union

from dmskafka import KafkaClient, KafkaRegion, Region, ShowInstanceRequest
from dmskafka.exceptions import (
    JobFailedException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
    ValidationException,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_SERVICE = 3
EXIT_TIMEOUT = 4
EXIT_JOB_FAILED = 5
EXIT_INTERRUPTED = 130

EXIT_CODES = """exit codes:
  0  done (with --wait: the job succeeded and the instance runs with Smart Connect)
  1  any other error: no credentials, configuration, network (refused, DNS, TLS)
  2  invalid input: a bad option, or a value refused before anything was sent
  3  the service answered with an error (4xx/5xx), e.g. DMS.00400026: another operation runs
  4  timeout: no answer in time, or --wait's deadline passed; the job may still be running
  5  the enable job failed (--wait)
  130  interrupted (Ctrl-C); an enable request already sent may still be carried out"""

Value = Union[str, int, bool, None]


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
        description="Huawei Cloud DMS for Kafka: enable Smart Connect, or run the local emulator.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{connector,emulator}")
    connector = commands.add_parser("connector", help="Smart Connect of an instance")
    actions = connector.add_subparsers(dest="action", required=True, metavar="{enable}")
    enable = actions.add_parser(
        "enable",
        help="enable Smart Connect on a pay-per-use instance",
        description="Enables Smart Connect on a pay-per-use instance.\n\n" + __doc__.split("\n\n")[1],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    enable.add_argument("--region", required=True, help="region id, e.g. cn-north-4")
    enable.add_argument("--instance-id", required=True, help="the Kafka instance")
    enable.add_argument("--node-cnt", help="connector nodes, at least 2 (the service's default: 2)")
    enable.add_argument("--specification", help="old flavors: the instance's bandwidth (100MB, 300MB, ...)")
    enable.add_argument("--spec-code", help="old flavors: the connector's spec code")
    enable.add_argument("--wait", action="store_true", help="wait until the job succeeds and the instance runs")
    enable.add_argument(
        "--timeout", type=_seconds, default=600.0, help="how long --wait waits, in seconds (default 600)"
    )
    enable.add_argument("--endpoint", help="the DMS endpoint to use instead of the region's, e.g. the emulator's")
    enable.add_argument("--output", choices=("json", "table"), default="json", help="output format (default json)")
    # Listed for --help only: main() hands `dmskafka emulator ...` to the emulator's own parser.
    commands.add_parser("emulator", help="run the local DMS emulator (see: dmskafka emulator --help)")
    return parser


class _Progress:
    """A spinner with the seconds waited, redrawn on one terminal line while the waiter sleeps."""

    _FRAMES = "|/-\\"

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
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
                "\r%s waiting for the job: %d s" % (self._FRAMES[self._frame % 4], time.monotonic() - self._started)
            )
            self._stream.flush()
            time.sleep(min(0.1, left))

    def clear(self) -> None:
        self._stream.write("\r\x1b[K")
        self._stream.flush()


def _enable(args: argparse.Namespace, region: Region, stderr: TextIO) -> Dict[str, Value]:
    client = KafkaClient.new_builder().with_region(region).build()
    progress = _Progress(stderr) if args.wait and stderr.isatty() else None
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
    result: Dict[str, Value] = {
        "instance_id": args.instance_id,
        "job_id": response.job_id,
        "connector_id": response.connector_id,
    }
    if not args.wait:
        return result
    instance = client.show_instance(ShowInstanceRequest(instance_id=args.instance_id))
    result.update(
        job_status="SUCCESS",
        status=instance.status,
        connector_enable=instance.connector_enable,
        connector_node_num=instance.connector_node_num,
    )
    return result


def _print(result: Dict[str, Value], output: str, stdout: TextIO) -> None:
    if output == "json":
        stdout.write(json.dumps(result, indent=2) + "\n")
        return
    width = max(len(name) for name in result)
    for name, value in result.items():
        stdout.write("%-*s  %s\n" % (width, name, json.dumps(value) if isinstance(value, bool) else value))


def _exit_code(exc: BaseException) -> int:
    # Most specific first: ValidationException is also a ValueError, WaitTimeoutException a timeout.
    if isinstance(exc, ValidationException):
        return EXIT_INVALID
    if isinstance(exc, JobFailedException):
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
    if (args.specification is None) != (args.spec_code is None):
        parser.error("--specification and --spec-code go together (old-flavor instances need both)")
    try:
        region = Region(args.region, args.endpoint) if args.endpoint else KafkaRegion.value_of(args.region)
    except KeyError:
        parser.error("unknown region %r; give --endpoint to use it anyway" % args.region)
    try:
        result = _enable(args, region, sys.stderr)
    except (SdkException, ValueError) as exc:
        print("dmskafka: %s" % exc, file=sys.stderr)
        return _exit_code(exc)
    except KeyboardInterrupt:
        # Ctrl-C: the call's connection is dropped; the shell's code for SIGINT.
        print("dmskafka: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    _print(result, args.output, sys.stdout)
    return EXIT_OK
