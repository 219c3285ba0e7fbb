"""The emulator as its own process for the benchmarks: ``python bench/emulator_proc.py N``.

Seeds N pay-per-use instances whose enable job fails at once (``fail_enable=True``,
``job_duration=0``): every create_connector on them is a full, signature-checked 200 that
starts a job, and the next call finds the instance RUNNING again, so one instance serves
any number of calls. One more instance has Smart Connect enabled and 10 OBS sink tasks, for
list_connector_tasks. Prints one JSON line (endpoint, ak, sk, project_id, instances), then
serves until stdin closes: the parent holds the pipe, so the emulator cannot outlive it.
"""

import json
import sys

from dmskafka import BasicCredentials, KafkaClient
from dmskafka._core import operations
from dmskafka.testing import Emulator

TASKS = 10


def seed_tasks(emu):
    """An instance with Smart Connect enabled and TASKS dump tasks (created, not started)."""
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    instance_id = emu.add_instance(job_duration=0)
    client.enable_smart_connect(instance_id, wait=True, sleep=emu.advance)
    emu.add_obs_bucket("bench-bucket")
    for n in range(TASKS):
        sink = {"obs_bucket_name": "bench-bucket", "access_key": emu.ak, "secret_key": emu.sk, "obs_path": "t%d" % n}
        body = {"task_name": "bench-%d" % n, "topics": "t%d" % n, "start_later": True}
        body.update(source_type="NONE", sink_type="OBS_SINK", sink_task=sink)
        client.ensure_task(instance_id, body, wait=False)
    return instance_id


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    with Emulator(job_duration=0) as emu:
        instances = [emu.add_instance(job_duration=0, fail_enable=True) for _ in range(count)]
        info = {
            "endpoint": emu.endpoint,
            "ak": emu.ak,
            "sk": emu.sk,
            "project_id": emu.project_id,
            "instances": instances,
            "tasks_instance": seed_tasks(emu),
            # From the core's operation table: the benchmark processes of the official SDK
            # cannot import dmskafka to read it.
            "create_connector_route": next(
                (op.method, op.path) for op in operations() if op.name == "create_connector"
            ),
        }
        print(json.dumps(info), flush=True)
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or exited
    return 0


if __name__ == "__main__":
    sys.exit(main())
