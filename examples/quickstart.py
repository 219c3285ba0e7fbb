"""Quickstart: enable Smart Connect on a pay-per-use instance, wait for the job, inspect the
instance, then dump a topic to OBS with a Smart Connect task.

Runs against the local emulator, so no Huawei Cloud account is needed. The code in `enable()` and
`dump()` is what you would run against the real service: only the wiring in `main()` differs.
"""

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    CreateSmartConnectTaskReq,
    KafkaClient,
    Region,
    ShowInstanceRequest,
    SmartConnectTaskReqSinkConfig,
)
from dmskafka.testing import Emulator


def enable(client: KafkaClient, instance_id: str) -> None:
    response = client.create_connector(
        CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))
    )
    print("job_id:      ", response.job_id)
    print("connector_id:", response.connector_id)

    task = client.wait_for_job(instance_id, response.job_id, timeout=60, poll_interval=0.5)
    print("job status:  ", task.status)

    instance = client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    print(
        "instance:     status=%s connector_enable=%s connector_id=%s connector_node_num=%s"
        % (instance.status, instance.connector_enable, instance.connector_id, instance.connector_node_num)
    )


def dump(client: KafkaClient, instance_id: str, bucket: str, ak: str, sk: str) -> None:
    sink = SmartConnectTaskReqSinkConfig(
        consumer_strategy="earliest",
        destination_file_type="TEXT",
        deliver_time_interval=300,
        access_key=ak,
        secret_key=sk,
        obs_bucket_name=bucket,
        obs_path="orders",
        partition_format="yyyy/MM/dd",
        record_delimiter=",",
        store_keys=False,
    )
    body = CreateSmartConnectTaskReq(
        task_name="orders-to-obs", topics="orders", source_type="NONE", sink_type="OBS_SINK", sink_task=sink
    )
    print("task body:   ", body)  # the OBS keys show as ****
    # Creates the task unless one of that name exists, then waits until it runs.
    task = client.ensure_task(instance_id, body, timeout=60, poll_interval=0.5)
    print("task:         id=%s status=%s" % (task.id, task.status))


def main() -> None:
    # A fake cloud on 127.0.0.1; jobs take one second of its time.
    with Emulator(job_duration=1.0, task_duration=1.0) as emu:
        instance_id = emu.add_instance(charging_mode="postPaid", flavor="new")
        emu.add_obs_bucket("quickstart-bucket")
        # In production: KafkaRegion.value_of("cn-north-4").
        region = Region("cn-north-4", emu.endpoint)
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
            .with_region(region)
            .build()
        )
        enable(client, instance_id)
        dump(client, instance_id, "quickstart-bucket", emu.ak, emu.sk)


if __name__ == "__main__":
    main()
