"""The Smart Connect task operations (create/list/show/modify/delete/pause/resume/restart of a
task, restart_smart_connector_task, validate_connector_connectivity, list_obs_buckets) through
the official SDK and through dmskafka, against the same recording servers on 127.0.0.1:

- the request on the wire: method, path and query string, headers, signed headers, the JSON
  body (secrets included: both SDKs send them), and every signature verified with the official
  signer over the request as it arrived (the tests do not pin X-Sdk-Date: dmskafka signs with
  its own clock, so the two signatures differ by date and User-Agent, both signed);
- the same response bodies read into models: every field, its value and its type;
- the same error bodies raised as exceptions, sync and async;
- the resend policy: after a dropped connection the GETs and validate_connector_connectivity
  are sent again, the calls that change something never are.

Validation and secrecy, which happen before anything is sent: test_tasks_validation.py."""

import decimal
import json
import socket
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkkafka import v2 as official
from servers import RawServer, Recorder, read_request

from dmskafka import _core
from dmskafka import v2 as ours
from dmskafka.core.auth.credentials import BasicCredentials
from dmskafka.core.exceptions import exceptions as our_exceptions
from dmskafka.core.http.http_config import HttpConfig

AK, SK, PROJECT = "AKTASKSDIFF", "sk-tasks-diff-not-real", "7a5c0de57a5c0de57a5c0de57a5c0de5"
TOKEN = "tasks-security-token-not-real"
INSTANCE = "0b9c4a52-2f64-4d0e-8e1c-6f7a8b9c0d1e"
TASK = "194917d0-f4c6-45c8-84b5-1a3b2c3d4e5f"
PEER = "5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
PASSWORD, ACCESS_KEY, SECRET_KEY = "sasl-pw-not-real", "OBSACCESSKEYNOTREAL", "obs-secret-key-not-real"
# Added by the HTTP libraries, not by the SDKs: they may differ (as in test_differential.py);
# user-agent, x-sdk-date and authorization are signed, and each signature is verified below.
TRANSPORT = {"accept", "accept-encoding", "connection", "content-length", "user-agent", "x-sdk-date", "authorization"}

# The operations this file is about: the table's kafka operations other than the five before them.
EARLIER = {
    "create_connector",
    "show_connector_resource_info",
    "show_instance",
    "show_background_task",
    "delete_connector",
}
TASK_OPS = {op.name: op for op in _core.operations() if op.service == "kafka" and op.name not in EARLIER}


# -- requests: each row builds the same request from either SDK's models (`m`) -------------------


def req_source(m):
    return m.SmartConnectTaskReqSourceConfig(
        current_cluster_name="local",
        cluster_name="peer",
        user_name="replicator",
        password=PASSWORD,
        sasl_mechanism="SCRAM-SHA-512",
        instance_id=PEER,
        security_protocol="SASL_SSL",
        direction="two-way",
        sync_consumer_offsets_enabled=True,
        replication_factor=3,
        task_num=2,
        rename_topic_enabled=False,
        provenance_header_enabled=True,
        consumer_strategy="earliest",
        compression_type="zstd",
        topics_mapping="topic-a:topic-a-copy",
    )


def req_sink(m):
    return m.SmartConnectTaskReqSinkConfig(
        consumer_strategy="latest",
        destination_file_type="TEXT",
        deliver_time_interval=300,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        obs_bucket_name="dump-bucket",
        obs_path="kafka/dump",
        partition_format="yyyy/MM/dd/HH",
        record_delimiter="|",
        store_keys=False,
    )


def resp_source(m):
    return m.SmartConnectTaskRespSourceConfig(
        current_cluster_name="local",
        cluster_name="peer",
        user_name="replicator",
        sasl_mechanism="PLAIN",
        bootstrap_servers="10.0.0.1:9092,10.0.0.2:9092",
        security_protocol="SASL_PLAINTEXT",
        direction="pull",
        sync_consumer_offsets_enabled=False,
        replication_factor=1,
        task_num=4,
        rename_topic_enabled=True,
        provenance_header_enabled=False,
        consumer_strategy="latest",
        compression_type="none",
    )


def resp_sink(m):
    return m.SmartConnectTaskRespSinkConfig(
        consumer_strategy="earliest",
        destination_file_type="TEXT",
        deliver_time_interval=60,
        obs_bucket_name="dump-bucket",
        obs_path="p",
        partition_format="yyyy",
        record_delimiter=",",
        store_keys=True,
        obs_part_size=5242880,
        flush_size=1000000,
        timezone="UTC",
        schema_generator_class="s",
        partitioner_class="p",
        value_converter="v",
        key_converter="k",
        kv_delimiter=":",
    )


def task_path(m, cls):
    return getattr(m, cls)(instance_id=INSTANCE, task_id=TASK)


# (id, operation, request builder)
CALLS = [
    (
        "create-replication-models",
        "create_connector_task",
        lambda m: m.CreateConnectorTaskRequest(
            instance_id=INSTANCE,
            body=m.CreateSmartConnectTaskReq(
                task_name="replicate-a",
                start_later=False,
                topics="topic-a,topic-b",
                source_type="KAFKA_REPLICATOR_SOURCE",
                source_task=req_source(m),
                sink_type="NONE",
            ),
        ),
    ),
    (
        "create-dump-models",
        "create_connector_task",
        lambda m: m.CreateConnectorTaskRequest(
            instance_id=INSTANCE,
            body=m.CreateSmartConnectTaskReq(
                task_name="dump-a",
                start_later=True,
                topics_regex="topic-.*",
                source_type="NONE",
                sink_type="OBS_SINK",
                sink_task=req_sink(m),
            ),
        ),
    ),
    (
        "create-both-as-dicts",
        "create_connector_task",
        lambda m: m.CreateConnectorTaskRequest(
            instance_id=INSTANCE,
            body=m.CreateSmartConnectTaskReq(
                task_name="both",
                topics="t",
                source_type="KAFKA_REPLICATOR_SOURCE",
                source_task={
                    "bootstrap_servers": "10.0.0.1:9092",
                    "security_protocol": "SASL_PLAINTEXT",
                    "sasl_mechanism": "PLAIN",
                    "user_name": "u",
                    "password": PASSWORD,
                    "rename_topic_enabled": True,
                },
                sink_type="OBS_SINK",
                sink_task={"obs_bucket_name": "b", "access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
            ),
        ),
    ),
    ("list-unset", "list_connector_tasks", lambda m: m.ListConnectorTasksRequest(instance_id=INSTANCE)),
    (
        "list-offset-limit",
        "list_connector_tasks",
        lambda m: m.ListConnectorTasksRequest(instance_id=INSTANCE, offset=0, limit=10),
    ),
    ("list-limit", "list_connector_tasks", lambda m: m.ListConnectorTasksRequest(instance_id=INSTANCE, limit=50)),
    ("list-offset", "list_connector_tasks", lambda m: m.ListConnectorTasksRequest(instance_id=INSTANCE, offset=20)),
    (
        "list-numeric-text",
        "list_connector_tasks",
        lambda m: m.ListConnectorTasksRequest(instance_id=INSTANCE, offset="5", limit="5"),
    ),
    ("show", "show_connector_task", lambda m: task_path(m, "ShowConnectorTaskRequest")),
    (
        "modify-source",
        "modify_connector_task",
        lambda m: m.ModifyConnectorTaskRequest(
            instance_id=INSTANCE,
            task_id=TASK,
            body=m.SmartConnectTaskEntity(
                task_name="renamed",
                topics="topic-c",
                source_type="KAFKA_REPLICATOR_SOURCE",
                source_task=resp_source(m),
                id=TASK,
                status="RUNNING",
                create_time=1708427753133,
            ),
        ),
    ),
    (
        "modify-sink",
        "modify_connector_task",
        lambda m: m.ModifyConnectorTaskRequest(
            instance_id=INSTANCE,
            task_id=TASK,
            body=m.SmartConnectTaskEntity(topics_regex="x.*", sink_type="OBS_SINK", sink_task=resp_sink(m)),
        ),
    ),
    ("delete", "delete_connector_task", lambda m: task_path(m, "DeleteConnectorTaskRequest")),
    ("pause", "pause_connector_task", lambda m: task_path(m, "PauseConnectorTaskRequest")),
    ("resume", "resume_connector_task", lambda m: task_path(m, "ResumeConnectorTaskRequest")),
    ("restart", "restart_connector_task", lambda m: task_path(m, "RestartConnectorTaskRequest")),
    ("restart-smart", "restart_smart_connector_task", lambda m: task_path(m, "RestartSmartConnectorTaskRequest")),
    (
        "validate-replication",
        "validate_connector_connectivity",
        lambda m: m.ValidateConnectorConnectivityRequest(
            instance_id=INSTANCE,
            body=m.SmartConnectValidateEntity(type="KAFKA_REPLICATOR_SOURCE", task=resp_source(m)),
        ),
    ),
    (
        "validate-dump",
        "validate_connector_connectivity",
        lambda m: m.ValidateConnectorConnectivityRequest(
            instance_id=INSTANCE, body=m.SmartConnectValidateEntity(type="OBS_SINK")
        ),
    ),
    ("list-obs-buckets", "list_obs_buckets", lambda m: m.ListObsBucketsRequest()),
]
CALL_IDS = [c[0] for c in CALLS]
CALL_ROWS = [c[1:] for c in CALLS]
BY_ID = {c[0]: c[1:] for c in CALLS}

# The documented success of each operation, as the recorder answers it.
NO_CONTENT = (204, b"")
SUCCESS = {
    "create_connector_task": (200, {}),
    "list_connector_tasks": (200, {}),
    "show_connector_task": (200, {}),
    "modify_connector_task": (200, {}),
    "delete_connector_task": NO_CONTENT,
    "pause_connector_task": NO_CONTENT,
    "resume_connector_task": NO_CONTENT,
    "restart_connector_task": NO_CONTENT,
    "restart_smart_connector_task": NO_CONTENT,
    "validate_connector_connectivity": NO_CONTENT,
    "list_obs_buckets": (200, []),
}
MODES = ["sync", "async", "invoker"]


def clients(endpoint, mode="sync", token=None, config=None):
    """(official, ours), built alike; the async clients for mode "async"."""
    kind = "KafkaAsyncClient" if mode == "async" else "KafkaClient"
    their_credentials, our_credentials = OfficialCredentials(AK, SK, PROJECT), BasicCredentials(AK, SK, PROJECT)
    if token:
        their_credentials.with_security_token(token)
        our_credentials.with_security_token(token)
    theirs = getattr(official, kind).new_builder().with_credentials(their_credentials).with_endpoints([endpoint])
    mine = getattr(ours, kind).new_builder().with_credentials(our_credentials).with_endpoints([endpoint])
    if config is not None:
        mine = mine.with_http_config(config)
    return theirs.build(), mine.build()


def call(client, name, request, mode="sync"):
    if mode == "async":
        return getattr(client, name + "_async")(request).result()
    if mode == "invoker":
        return getattr(client, name + "_invoker")(request).invoke()
    return getattr(client, name)(request)


def lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def signed_headers(headers):
    return lower(headers)["authorization"].split("SignedHeaders=")[1].split(",")[0]


def verify_with_official_signer(recorded):
    """The official Signer, over the request as it arrived, gives the same Authorization."""
    headers = lower(recorded["headers"])
    url = urlsplit(recorded["path"])
    request = SdkRequest(
        method=recorded["method"],
        schema="http",
        host=headers["host"],
        resource_path=url.path,
        query_params=parse_qsl(url.query, keep_blank_values=True),
        header_params={name: headers[name] for name in signed_headers(headers).split(";")},
        body=recorded["body"],
    )
    Signer(OfficialCredentials(AK, SK)).sign(request)
    assert request.header_params["Authorization"] == headers["authorization"]


def test_the_rows_cover_every_task_operation():
    assert len(TASK_OPS) == 11
    assert {name for name, _ in CALL_ROWS} == set(TASK_OPS) == set(SUCCESS)


# -- 1. the same request on the wire --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["no-token", "token"])
@pytest.mark.parametrize("name, make", CALL_ROWS, ids=CALL_IDS)
def test_same_request_on_the_wire(recorder, name, make, token, mode):
    off, mine = clients(recorder.endpoint, mode, token)
    recorder.reply(*SUCCESS[name])
    recorder.reply(*SUCCESS[name])
    call(off, name, make(official), mode)
    call(mine, name, make(ours), mode)

    theirs, sent = recorder.requests
    assert (sent["method"], sent["path"]) == (theirs["method"], theirs["path"])  # the path with its query
    assert sent["method"] == TASK_OPS[name].method
    mine_h, theirs_h = lower(sent["headers"]), lower(theirs["headers"])
    assert {k: v for k, v in mine_h.items() if k not in TRANSPORT} == {
        k: v for k, v in theirs_h.items() if k not in TRANSPORT
    }
    assert signed_headers(mine_h) == signed_headers(theirs_h)
    if TASK_OPS[name].body is None:
        assert sent["body"] == theirs["body"] == b""
    else:
        assert json.loads(sent["body"]) == json.loads(theirs["body"])
    verify_with_official_signer(sent)
    verify_with_official_signer(theirs)


@pytest.mark.parametrize(
    "row, query",
    [
        ("list-unset", []),
        ("list-offset-limit", [("limit", "10"), ("offset", "0")]),
        ("list-limit", [("limit", "50")]),
        ("list-offset", [("offset", "20")]),
        ("list-numeric-text", [("limit", "5"), ("offset", "5")]),
    ],
)
def test_list_query_strings_are_the_officials(recorder, row, query):
    name, make = BY_ID[row]
    off, mine = clients(recorder.endpoint)
    call(off, name, make(official))
    call(mine, name, make(ours))
    theirs, sent = (sorted(parse_qsl(urlsplit(r["path"]).query)) for r in recorder.requests)
    assert sent == theirs == query


@pytest.mark.parametrize("row", ["create-replication-models", "create-dump-models", "create-both-as-dicts"])
def test_secrets_are_on_the_wire_for_both(recorder, row):
    """Masked in every output of dmskafka (test_tasks_validation.py), sent all the same."""
    name, make = BY_ID[row]
    off, mine = clients(recorder.endpoint)
    call(off, name, make(official))
    call(mine, name, make(ours))
    for received in recorder.requests:
        body = json.loads(received["body"])
        if "source_task" in body:
            assert body["source_task"]["password"] == PASSWORD
        if "sink_task" in body:
            assert (body["sink_task"]["access_key"], body["sink_task"]["secret_key"]) == (ACCESS_KEY, SECRET_KEY)


def test_an_omitted_modify_body_is_sent_as_an_empty_object(recorder):
    """An intended difference: the official SDK sends no body, dmskafka `{}`."""
    off, mine = clients(recorder.endpoint)
    call(off, "modify_connector_task", task_path(official, "ModifyConnectorTaskRequest"))
    call(mine, "modify_connector_task", task_path(ours, "ModifyConnectorTaskRequest"))
    theirs, sent = recorder.requests
    assert (theirs["body"], sent["body"]) == (b"", b"{}")
    assert sent["path"] == theirs["path"]


# A dict given for a nested config may hold keys its model does not describe; the official SDK
# sends a dict as it is. validate_connector_connectivity's task is SmartConnectTaskRespSourceConfig
# (official model and API reference), which has no `password`: a SASL peer's password can only be
# given in a dict.
DROPPED = [
    (
        "validate-sasl-password",
        "validate_connector_connectivity",
        lambda m: m.ValidateConnectorConnectivityRequest(
            instance_id=INSTANCE,
            body=m.SmartConnectValidateEntity(
                type="KAFKA_REPLICATOR_SOURCE",
                task={"instance_id": PEER, "security_protocol": "SASL_SSL", "user_name": "u", "password": PASSWORD},
            ),
        ),
    ),
    (
        "create-sink-extra-key",
        "create_connector_task",
        lambda m: m.CreateConnectorTaskRequest(
            instance_id=INSTANCE,
            body=m.CreateSmartConnectTaskReq(
                topics="t", sink_type="OBS_SINK", sink_task={"obs_bucket_name": "b", "obs_part_size": 5242880}
            ),
        ),
    ),
    (
        "modify-sink-access-key",
        "modify_connector_task",
        lambda m: m.ModifyConnectorTaskRequest(
            instance_id=INSTANCE, task_id=TASK, body=m.SmartConnectTaskEntity(sink_task={"access_key": ACCESS_KEY})
        ),
    ),
]


@pytest.mark.parametrize("name, make", [d[1:] for d in DROPPED], ids=[d[0] for d in DROPPED])
def test_a_nested_config_dict_is_sent_as_the_official_sends_it(recorder, name, make):
    off, mine = clients(recorder.endpoint)
    recorder.reply(*SUCCESS[name])
    recorder.reply(*SUCCESS[name])
    call(off, name, make(official))
    call(mine, name, make(ours))
    theirs, sent = recorder.requests
    assert json.loads(sent["body"]) == json.loads(theirs["body"])


# -- 2. the same responses read into the same models ------------------------------------------


def fields(value):
    """A model as its class name and every attribute (of `openapi_types`), recursively, each
    scalar with its type: `1 == 1.0 == True` and `Decimal("0.1") != 0.1` are told apart."""
    if hasattr(value, "openapi_types"):
        return (type(value).__name__, {name: fields(getattr(value, name)) for name in value.openapi_types})
    if isinstance(value, list):
        return ["list", [fields(item) for item in value]]
    if isinstance(value, dict):
        return ["dict", [(key, fields(item)) for key, item in value.items()]]
    return (type(value).__name__, repr(value))


FULL_TASK = {
    "task_name": "replicate-a",
    "topics": "topic-a,topic-b",
    "topics_regex": None,
    "source_type": "KAFKA_REPLICATOR_SOURCE",
    "source_task": {
        "current_cluster_name": "local",
        "cluster_name": "peer",
        "user_name": "replicator",
        "sasl_mechanism": "SCRAM-SHA-512",
        "instance_id": PEER,
        "bootstrap_servers": None,
        "security_protocol": "SASL_SSL",
        "direction": "two-way",
        "sync_consumer_offsets_enabled": True,
        "replication_factor": 3,
        "task_num": 2,
        "rename_topic_enabled": False,
        "provenance_header_enabled": True,
        "consumer_strategy": "earliest",
        "compression_type": "zstd",
        "topics_mapping": "topic-a:topic-a-copy",
    },
    "sink_type": "OBS_SINK",
    "sink_task": {
        "consumer_strategy": "latest",
        "destination_file_type": "TEXT",
        "deliver_time_interval": 300,
        "obs_bucket_name": "dump-bucket",
        "obs_path": "kafka/dump",
        "partition_format": "yyyy/MM/dd/HH",
        "record_delimiter": "\n",
        "store_keys": False,
        "obs_part_size": 5242880,
        "flush_size": 1000000,
        "timezone": "Asia/Shanghai",
        "schema_generator_class": "io.confluent.connect.storage.hive.schema.DefaultSchemaGenerator",
        "partitioner_class": "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
        "value_converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        "key_converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        "kv_delimiter": ":",
    },
    "id": TASK,
    "status": "RUNNING",
    "create_time": 1708427753133,
    "not_in_the_model": {"ignored": True},
}
DUMP_TASK = {
    "task_name": "dump-b",
    "topics_regex": "topic-.*",
    "source_type": "NONE",
    "sink_type": "OBS_SINK",
    "sink_task": {"obs_bucket_name": "b", "deliver_time_interval": "60", "store_keys": True},
    "id": "7d0e1f2a-3b4c-5d6e-7f80-91a2b3c4d5e6",
    "status": "PAUSED",
    "create_time": 1708427799000,
}
# A status outside the documented values, integers given as text: read, not judged.
ODD_TASK = {"id": "odd", "status": "DELETING", "source_task": {"task_num": "8", "replication_factor": 2}}
BUCKETS = [
    {
        "responseHeaders": {"x-obs-request-id": "r1"},
        "originalHeaders": {"Date": ["Thu, 01 Jan 2026 00:00:00 GMT"]},
        "statusCode": 200,
        "bucketName": "dump-bucket",
        "owner": {"id": "owner-1", "displayName": None},
        "creationDate": 1700000000000,
        "location": "cn-north-4",
        "clustertype": None,
        "storageClass": "STANDARD",
        "metadata": {"tags": ["a", "b"], "count": 2, "versioned": False},
        "acl": "private",
        "bucketStorageClass": "WARM",
        "bucketType": "OBJECT",
        "requestId": "0000018A",
    },
    {"bucketName": "second", "location": "cn-north-4", "bucketStorageClass": "DEEP_ARCHIVE"},
    {"bucketName": "third"},
]

# (id, operation, status, body, request builder row)
RESPONSES = [
    ("create-full-task", "create_connector_task", 200, FULL_TASK, "create-replication-models"),
    ("show-full-task", "show_connector_task", 200, FULL_TASK, "show"),
    ("show-dump-task", "show_connector_task", 200, DUMP_TASK, "show"),
    ("modify-full-task", "modify_connector_task", 200, FULL_TASK, "modify-source"),
    (
        "list-several",
        "list_connector_tasks",
        200,
        {"tasks": [FULL_TASK, DUMP_TASK, ODD_TASK, {}], "total_number": 4, "max_tasks": 18, "quota_tasks": 18},
        "list-offset-limit",
    ),
    ("list-none", "list_connector_tasks", 200, {"tasks": [], "total_number": 0, "max_tasks": 18}, "list-unset"),
    ("list-empty-object", "list_connector_tasks", 200, {}, "list-unset"),
    ("obs-buckets", "list_obs_buckets", 200, BUCKETS, "list-obs-buckets"),
    ("obs-one-bucket", "list_obs_buckets", 200, [{"bucketName": "only"}], "list-obs-buckets"),
    ("delete-204", "delete_connector_task", 204, b"", "delete"),
    ("pause-204", "pause_connector_task", 204, b"", "pause"),
    ("resume-204", "resume_connector_task", 204, b"", "resume"),
    ("restart-204", "restart_connector_task", 204, b"", "restart"),
    ("restart-smart-204", "restart_smart_connector_task", 204, b"", "restart-smart"),
    ("validate-204", "validate_connector_connectivity", 204, b"", "validate-replication"),
    ("validate-200-empty", "validate_connector_connectivity", 200, b"", "validate-dump"),
    ("validate-200-object", "validate_connector_connectivity", 200, {}, "validate-dump"),
]


def same_response(recorder, name, status, body, row, mode="sync"):
    off, mine = clients(recorder.endpoint, mode)
    recorder.reply(status, body, {"X-Request-Id": "rid-tasks"})
    recorder.reply(status, body, {"X-Request-Id": "rid-tasks"})
    make = BY_ID[row][1]
    return call(off, name, make(official), mode), call(mine, name, make(ours), mode)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name, status, body, row", [r[1:] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
def test_same_response_models(recorder, name, status, body, row, mode):
    theirs, mine = same_response(recorder, name, status, body, row, mode)
    assert type(mine).__name__ == type(theirs).__name__ == TASK_OPS[name].response
    assert fields(mine) == fields(theirs)
    assert (mine.status_code, mine.raw_content) == (theirs.status_code, theirs.raw_content)
    assert mine.status_code == status
    assert str(mine) == str(theirs)  # no secret fields in responses: the official to_str as it is


def test_the_responses_cover_every_task_operation():
    assert {r[1] for r in RESPONSES} == set(TASK_OPS)


def test_a_full_task_reads_into_nested_models(recorder):
    """What the comparison above compares is there: nested configs, lists, typed values."""
    _, mine = same_response(recorder, *[r[1:] for r in RESPONSES if r[0] == "list-several"][0])
    assert mine.total_number == 4 and len(mine.tasks) == 4
    first, dump, odd, empty = mine.tasks
    assert type(first).__name__ == "SmartConnectTaskEntity"
    assert type(first.source_task).__name__ == "SmartConnectTaskRespSourceConfig"
    assert (first.source_task.instance_id, first.source_task.task_num) == (PEER, 2)
    assert (first.sink_task.record_delimiter, first.sink_task.obs_part_size) == ("\n", 5242880)
    assert (dump.sink_task.deliver_time_interval, dump.status) == (60, "PAUSED")
    assert (odd.status, odd.source_task.task_num) == ("DELETING", 8)
    assert empty.id is None


def test_obs_buckets_read_the_bare_array_into_body(recorder):
    theirs, mine = same_response(recorder, "list_obs_buckets", 200, BUCKETS, "list-obs-buckets")
    assert (
        [b.bucket_name for b in mine.body] == [b.bucket_name for b in theirs.body] == ["dump-bucket", "second", "third"]
    )
    assert mine.body[0].metadata == {"tags": ["a", "b"], "count": 2, "versioned": False}


def test_an_empty_bucket_list_is_read_as_the_official_reads_it(recorder):
    theirs, mine = same_response(recorder, "list_obs_buckets", 200, [], "list-obs-buckets")
    assert fields(mine) == fields(theirs)


def test_floats_in_object_fields_are_read_as_the_official_reads_them(recorder):
    buckets = [{"bucketName": "b", "metadata": {"ratio": 0.1}, "owner": {"quota": 2.5}}]
    theirs, mine = same_response(recorder, "list_obs_buckets", 200, buckets, "list-obs-buckets")
    assert theirs.body[0].metadata == {"ratio": decimal.Decimal("0.1")}
    assert mine.body[0].metadata == theirs.body[0].metadata
    assert fields(mine) == fields(theirs)


# -- 3. the same errors -----------------------------------------------------------------------

ERRORS = [
    (400, {"error_code": "DMS.00400039", "error_msg": "Invalid parameter: task_name."}),
    (404, {"error_code": "DMS.00404022", "error_msg": "The instance does not exist."}),
    (500, {"error_code": "DMS.00500000", "error_msg": "Internal service error."}),
]
# One request of each operation (the first row of each).
FIRST_ROW = {}
for _id, _name, _ in CALLS:
    FIRST_ROW.setdefault(_name, _id)


@pytest.fixture(scope="module")
def error_server():
    with Recorder() as server:
        yield server


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("status, body", ERRORS, ids=[str(s) for s, _ in ERRORS])
@pytest.mark.parametrize("row", sorted(FIRST_ROW.values()))
def test_same_exceptions(error_server, row, status, body, mode):
    name, make = BY_ID[row]
    off, mine = clients(error_server.endpoint, mode)
    sent = len(error_server.requests)
    raised = []
    for client, module in ((off, official), (mine, ours)):
        error_server.reply(status, body, {"X-Request-Id": "rid-%d" % status})
        with pytest.raises(Exception) as caught:
            call(client, name, make(module), mode)
        raised.append(caught.value)
    assert len(error_server.requests) == sent + 2, "one request each"
    theirs, exc = raised
    assert (
        type(exc).__name__
        == type(theirs).__name__
        == ("ClientRequestException" if status < 500 else "ServerResponseException")
    )
    assert isinstance(exc, getattr(our_exceptions, type(theirs).__name__))
    for attribute in ("status_code", "error_code", "error_msg", "request_id", "encoded_auth_msg"):
        assert getattr(exc, attribute) == getattr(theirs, attribute), attribute
    assert (exc.error_code, exc.request_id) == (body["error_code"], "rid-%d" % status)
    assert str(exc) == str(theirs)


# -- 6. the resend policy: a dropped connection -------------------------------------------------

RST = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s: close() sends a reset


class DropFirst:
    """Resets the first connection once it has read the request (it may have been acted on),
    then answers every later request with `status` and `body`. Keeps each request read."""

    def __init__(self, status, body):
        self.status, self.body = status, body
        self.requests = []
        self._lock = threading.Lock()

    def __call__(self, conn):
        while True:
            request = read_request(conn)
            if not request:
                return
            with self._lock:
                self.requests.append(request)
                first = len(self.requests) == 1
            if first:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
                return
            reason = b"OK" if self.status == 200 else b"No Content"
            conn.sendall(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (self.status, reason, len(self.body), self.body)
            )


def retrying_config():
    config = HttpConfig.get_default_config()
    config.timeout = (5, 5)
    config.retry_times = 3  # would re-send on any failure the policy allowed
    return config


def request_line_and_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


RESEND_SAFE = ["list-offset-limit", "show", "list-obs-buckets", "validate-replication"]
NEVER_RESENT = ["create-replication-models", "modify-source", "delete", "pause", "resume", "restart", "restart-smart"]


def test_the_resend_rows_cover_every_task_operation():
    rows = RESEND_SAFE + NEVER_RESENT
    assert {BY_ID[row][0] for row in rows} == set(TASK_OPS)
    assert {BY_ID[row][0] for row in RESEND_SAFE} == {n for n, op in TASK_OPS.items() if op.resend_safe}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("row", RESEND_SAFE)
def test_a_safe_call_is_sent_again_after_a_dropped_connection(row, mode):
    name, make = BY_ID[row]
    status, payload = SUCCESS[name]
    server = DropFirst(status, payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    with RawServer(server) as raw:
        _, mine = clients(raw.endpoint, mode, config=retrying_config())
        response = call(mine, name, make(ours), mode)
        assert raw.connections == 2
    assert response.status_code == status
    first, second = (request_line_and_body(r) for r in server.requests)
    assert first == second, "the same request, sent again"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("row", NEVER_RESENT)
def test_a_call_that_changes_something_is_never_sent_again(row, mode):
    name, make = BY_ID[row]
    server = DropFirst(200, b"{}")
    with RawServer(server) as raw:
        _, mine = clients(raw.endpoint, mode, config=retrying_config())
        with pytest.raises(our_exceptions.ConnectionException) as raised:
            call(mine, name, make(ours), mode)
        assert (raw.connections, len(server.requests)) == (1, 1), "sent again"
    assert raised.value.outcome_unknown is True
    assert "outcome is unknown" in raised.value.error_msg and "not re-sent" in raised.value.error_msg
