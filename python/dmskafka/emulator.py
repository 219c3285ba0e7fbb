"""Runs the local DMS emulator: ``python -m dmskafka.emulator --port 8080``.

Prints the endpoint, the seeded credentials and a seeded pay-per-use instance, then
serves until Ctrl-C or SIGTERM. Only loopback addresses are served: the emulator accepts
fake credentials and must not be reachable from the network.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from typing import List, Optional


def _loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise SystemExit(f"--host must be a loopback IP address (127.0.0.1, ::1) or localhost, not {host!r}") from None
    if not ip.is_loopback:
        raise SystemExit(f"refusing to serve on {host}: only loopback addresses are allowed")
    return str(ip)


def main(argv: Optional[List[str]] = None, prog: str = "python -m dmskafka.emulator") -> int:
    """Serves until Ctrl-C or SIGTERM; `prog` names the command in help and errors."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--job-duration", type=float, default=2.0, help="seconds an enable/delete job takes (default 2)"
    )
    parser.add_argument(
        "--task-duration",
        type=float,
        default=2.0,
        help="seconds a new or restarted Smart Connect task takes to run (default 2)",
    )
    parser.add_argument(
        "--obs-bucket",
        action="append",
        default=[],
        metavar="NAME",
        help="an OBS bucket dump tasks may write to (repeatable)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")

    from dmskafka.testing import Emulator

    # Handlers first: whoever reads the banner may signal at once.
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    emu = Emulator(
        host=_loopback(args.host), port=args.port, job_duration=args.job_duration, task_duration=args.task_duration
    )
    instance_id = emu.add_instance(name="emulated-kafka")
    for bucket in args.obs_bucket:
        emu.add_obs_bucket(bucket)
    print(f"dmskafka emulator listening on {emu.endpoint}")
    print(f"  endpoint:      {emu.endpoint}")
    print(f"  iam endpoint:  {emu.iam_endpoint}")
    print(f"  AK:            {emu.ak}")
    print(f"  SK:            {emu.sk}")
    print(f"  project id:    {emu.project_id}")
    print(f"  instance id:   {instance_id}  (pay-per-use, new flavor, RUNNING)")
    if args.obs_bucket:
        print(f"  OBS buckets:   {', '.join(args.obs_bucket)}")
    print("Press Ctrl-C to stop.", flush=True)

    try:
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stop.wait(0.5):
            pass
    finally:
        emu.close()
    print("dmskafka emulator stopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
