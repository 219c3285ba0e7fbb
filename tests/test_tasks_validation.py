"""The Smart Connect task operations before any I/O (intended differences from the official SDK,
which sends whatever it is given):

- validation: each rule of the task models and parameters refuses a bad value with a
  ValidationException naming the field and stating the rule, sync, async and through the
  invoker, and the recording server receives nothing; the edge values that are allowed are sent;
- secrecy: a SASL `password` and the OBS `access_key` / `secret_key` are sent, yet never shown:
  not in repr/str/to_str/to_dict/_repr_html_/_repr_pretty_ of the request, its body or its
  configs (given as models or as dicts), not in the DEBUG log, the HTTP handlers' views or the
  exception of a failed call.

The wire itself, against the official SDK: test_tasks_differential.py."""

import asyncio
import base64
import io
import json
import logging
import re
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from test_tasks_differential import TASK_OPS

from dmskafka import v2 as m
from dmskafka.core.auth.credentials import BasicCredentials
from dmskafka.core.exceptions import exceptions
from dmskafka.core.http.http_handler import HttpHandler

AK, SK, PROJECT = "AKTASKSCHECK", "sk-tasks-check-not-real", "c4ec4c4ec4ec4c4ec4ec4c4ec4ec4c4e"
INSTANCE, TASK, PEER = "inst-tasks", "task-0001", "peer-instance"
MODES = ["sync", "async", "invoker"]


def client_for(endpoint, mode="sync"):
    kind = m.KafkaAsyncClient if mode == "async" else m.KafkaClient
    return kind.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT)).with_endpoints([endpoint]).build()


def call(client, name, request, mode="sync"):
    if mode == "async":
        return getattr(client, name + "_async")(request).result()
    if mode == "invoker":
        return getattr(client, name + "_invoker")(request).invoke()
    return getattr(client, name)(request)


def create(**body):
    return "create_connector_task", m.CreateConnectorTaskRequest(
        instance_id=INSTANCE, body=m.CreateSmartConnectTaskReq(**body)
    )


def replicate(**source):
    """A replication task whose source config holds `source` (an instance_id unless given)."""
    source.setdefault("instance_id", PEER)
    return create(
        topics="t", source_type="KAFKA_REPLICATOR_SOURCE", source_task=m.SmartConnectTaskReqSourceConfig(**source)
    )


def dump(**sink):
    sink.setdefault("obs_bucket_name", "bucket")
    return create(topics="t", sink_type="OBS_SINK", sink_task=m.SmartConnectTaskReqSinkConfig(**sink))


def modify(**body):
    return "modify_connector_task", m.ModifyConnectorTaskRequest(
        instance_id=INSTANCE, task_id=TASK, body=m.SmartConnectTaskEntity(**body)
    )


def validate(**body):
    return "validate_connector_connectivity", m.ValidateConnectorConnectivityRequest(
        instance_id=INSTANCE, body=m.SmartConnectValidateEntity(**body)
    )


def listing(**params):
    return "list_connector_tasks", m.ListConnectorTasksRequest(instance_id=INSTANCE, **params)


def on_task(name, cls, **ids):
    ids = {"instance_id": INSTANCE, "task_id": TASK, **ids}
    return name, getattr(m, cls)(**ids)


ONE_OF = r"must be one of "
SASL = r"is required in SmartConnectTaskReqSourceConfig when security_protocol is SASL_SSL or SASL_PLAINTEXT"

# (id, (operation, request) builder, field, the rule as the message states it)
BAD = [
    # CreateSmartConnectTaskReq
    (
        "source-type",
        lambda: create(topics="t", source_type="MYSQL"),
        "source_type",
        ONE_OF + "KAFKA_REPLICATOR_SOURCE, NONE",
    ),
    ("sink-type", lambda: create(topics="t", sink_type="S3_SINK"), "sink_type", ONE_OF + "OBS_SINK, NONE"),
    ("no-topics", lambda: create(task_name="x"), "topics", r"exactly one of topics, topics_regex .*got neither"),
    (
        "both-topics",
        lambda: create(topics="a", topics_regex="b.*"),
        "topics",
        r"exactly one of topics, topics_regex .*got both",
    ),
    ("empty-topics", lambda: create(topics=""), "topics", r"exactly one of topics, topics_regex"),
    (
        "replicator-without-source",
        lambda: create(topics="t", source_type="KAFKA_REPLICATOR_SOURCE"),
        "source_task",
        r"is required in CreateSmartConnectTaskReq when source_type is KAFKA_REPLICATOR_SOURCE",
    ),
    (
        "obs-sink-without-sink",
        lambda: create(topics="t", sink_type="OBS_SINK"),
        "sink_task",
        r"is required in CreateSmartConnectTaskReq when sink_type is OBS_SINK",
    ),
    # SmartConnectTaskReqSourceConfig
    (
        "source-neither",
        lambda: replicate(instance_id=None),
        "instance_id",
        r"exactly one of source_task.instance_id, source_task.bootstrap_servers in CreateSmartConnectTaskReq; "
        r"got neither",
    ),
    (
        "source-both",
        lambda: replicate(bootstrap_servers="h:9092"),
        "instance_id",
        r"at most one of instance_id, bootstrap_servers .*both",
    ),
    (
        "mapping-and-rename",
        lambda: replicate(topics_mapping="a:b", rename_topic_enabled=True),
        "topics_mapping",
        r"at most one of topics_mapping, rename_topic_enabled",
    ),
    ("sasl-ssl-no-user", lambda: replicate(security_protocol="SASL_SSL", password="p"), "user_name", SASL),
    ("sasl-ssl-no-password", lambda: replicate(security_protocol="SASL_SSL", user_name="u"), "password", SASL),
    ("sasl-plain-no-password", lambda: replicate(security_protocol="SASL_PLAINTEXT", user_name="u"), "password", SASL),
    (
        "sasl-no-mechanism",
        lambda: replicate(security_protocol="SASL_SSL", user_name="u", password="p"),
        "sasl_mechanism",
        SASL,
    ),
    (
        "security-protocol",
        lambda: replicate(security_protocol="SSL"),
        "security_protocol",
        ONE_OF + "PLAINTEXT, SASL_SSL, SASL_PLAINTEXT",
    ),
    ("sasl-mechanism", lambda: replicate(sasl_mechanism="GSSAPI"), "sasl_mechanism", ONE_OF + "PLAIN, SCRAM-SHA-512"),
    ("direction", lambda: replicate(direction="both"), "direction", ONE_OF + "pull, push, two-way"),
    (
        "source-consumer-strategy",
        lambda: replicate(consumer_strategy="newest"),
        "consumer_strategy",
        ONE_OF + "latest, earliest",
    ),
    (
        "compression",
        lambda: replicate(compression_type="brotli"),
        "compression_type",
        ONE_OF + "none, gzip, snappy, lz4, zstd",
    ),
    ("task-num", lambda: replicate(task_num=0), "task_num", r"must be an integer of at least 1; got 0"),
    ("replication-factor", lambda: replicate(replication_factor=-1), "replication_factor", r"at least 1; got -1"),
    ("task-num-text", lambda: replicate(task_num="two"), "task_num", r"must be an integer"),
    # SmartConnectTaskReqSinkConfig
    (
        "no-bucket",
        lambda: dump(obs_bucket_name=None),
        "obs_bucket_name",
        r"is required in SmartConnectTaskReqSinkConfig",
    ),
    ("deliver-interval", lambda: dump(deliver_time_interval=0), "deliver_time_interval", r"at least 1; got 0"),
    ("partition-format", lambda: dump(partition_format="yyyy-MM"), "partition_format", ONE_OF + "yyyy, yyyy/MM, "),
    ("record-delimiter", lambda: dump(record_delimiter="\t"), "record_delimiter", ONE_OF),
    ("file-type", lambda: dump(destination_file_type="PARQUET"), "destination_file_type", ONE_OF + "TEXT"),
    (
        "sink-consumer-strategy",
        lambda: dump(consumer_strategy="oldest"),
        "consumer_strategy",
        ONE_OF + "latest, earliest",
    ),
    ("store-keys-text", lambda: dump(store_keys="yes"), "store_keys", r"must be a bool"),
    # Nested configs given as dicts are judged as the models are.
    (
        "dict-source-sasl",
        lambda: create(
            topics="t",
            source_type="KAFKA_REPLICATOR_SOURCE",
            source_task={"bootstrap_servers": "h:9092", "security_protocol": "SASL_SSL", "password": "p"},
        ),
        "user_name",
        SASL,
    ),
    (
        "dict-sink-interval",
        lambda: create(
            topics="t", sink_type="OBS_SINK", sink_task={"obs_bucket_name": "b", "deliver_time_interval": 0}
        ),
        "deliver_time_interval",
        r"at least 1",
    ),
    (
        "dict-sink-no-bucket",
        lambda: create(topics="t", sink_type="OBS_SINK", sink_task={"obs_path": "p"}),
        "obs_bucket_name",
        r"is required",
    ),
    # list_connector_tasks: offset >= 0, limit 1..50, integers (numeric text is read as one)
    ("limit-0", lambda: listing(limit=0), "limit", r"must be an integer from 1 to 50; got 0"),
    ("limit-51", lambda: listing(limit=51), "limit", r"must be an integer from 1 to 50; got 51"),
    ("offset-negative", lambda: listing(offset=-1), "offset", r"must be an integer of at least 0; got -1"),
    ("limit-text", lambda: listing(limit="ten"), "limit", r"must be an integer"),
    ("limit-bool", lambda: listing(limit=True), "limit", r"must be an integer; got a bool"),
    ("limit-float", lambda: listing(limit=2.0), "limit", r"must be an integer; got a float"),
    ("offset-text-negative", lambda: listing(offset="-3"), "offset", r"must be an integer"),
    # modify_connector_task: SmartConnectTaskEntity
    (
        "modify-both-topics",
        lambda: modify(topics="a", topics_regex="b"),
        "topics",
        r"at most one of topics, topics_regex",
    ),
    ("modify-source-type", lambda: modify(source_type="X"), "source_type", ONE_OF + "KAFKA_REPLICATOR_SOURCE, NONE"),
    ("modify-sink-type", lambda: modify(sink_type="X"), "sink_type", ONE_OF + "OBS_SINK, NONE"),
    (
        "modify-source-both",
        lambda: modify(source_task=m.SmartConnectTaskRespSourceConfig(instance_id="a", bootstrap_servers="b")),
        "instance_id",
        r"at most one of instance_id, bootstrap_servers",
    ),
    (
        "modify-direction",
        lambda: modify(source_task=m.SmartConnectTaskRespSourceConfig(direction="sideways")),
        "direction",
        ONE_OF + "pull, push, two-way",
    ),
    # validate_connector_connectivity: SmartConnectValidateEntity
    ("validate-no-type", lambda: validate(), "type", r"is required in SmartConnectValidateEntity"),
    ("validate-type", lambda: validate(type="NONE"), "type", ONE_OF + "OBS_SINK, KAFKA_REPLICATOR_SOURCE"),
    (
        "validate-replicator-no-task",
        lambda: validate(type="KAFKA_REPLICATOR_SOURCE"),
        "task",
        r"is required in SmartConnectValidateEntity when type is KAFKA_REPLICATOR_SOURCE",
    ),
    # A body of another type.
    (
        "body-list",
        lambda: ("create_connector_task", m.CreateConnectorTaskRequest(instance_id=INSTANCE, body=[1])),
        "body",
        r"must be a CreateSmartConnectTaskReq or a dict",
    ),
    # Path parameters, on every operation that has them.
    (
        "create-no-instance",
        lambda: ("create_connector_task", m.CreateConnectorTaskRequest(body=m.CreateSmartConnectTaskReq(topics="t"))),
        "instance_id",
        r"is required",
    ),
    (
        "list-bad-instance",
        lambda: ("list_connector_tasks", m.ListConnectorTasksRequest(instance_id="a/b")),
        "instance_id",
        r"may contain only letters, digits",
    ),
    (
        "show-no-task",
        lambda: on_task("show_connector_task", "ShowConnectorTaskRequest", task_id=None),
        "task_id",
        r"is required",
    ),
    (
        "modify-bad-task",
        lambda: on_task("modify_connector_task", "ModifyConnectorTaskRequest", task_id="../x"),
        "task_id",
        r"may contain only",
    ),
    (
        "delete-no-task",
        lambda: on_task("delete_connector_task", "DeleteConnectorTaskRequest", task_id=None),
        "task_id",
        r"is required",
    ),
    (
        "pause-bad-instance",
        lambda: on_task("pause_connector_task", "PauseConnectorTaskRequest", instance_id="a b"),
        "instance_id",
        r"may contain only",
    ),
    (
        "resume-no-task",
        lambda: on_task("resume_connector_task", "ResumeConnectorTaskRequest", task_id=""),
        "task_id",
        r"is required and must not be empty",
    ),
    (
        "restart-placeholder",
        lambda: on_task("restart_connector_task", "RestartConnectorTaskRequest", task_id="{task_id}"),
        "task_id",
        r"\"\{task_id\}\" is an unreplaced placeholder",
    ),
    (
        "restart-smart-no-instance",
        lambda: on_task("restart_smart_connector_task", "RestartSmartConnectorTaskRequest", instance_id=None),
        "instance_id",
        r"is required",
    ),
    (
        "validate-no-instance",
        lambda: (
            "validate_connector_connectivity",
            m.ValidateConnectorConnectivityRequest(body=m.SmartConnectValidateEntity(type="OBS_SINK")),
        ),
        "instance_id",
        r"is required",
    ),
]


def test_every_task_operation_with_parameters_has_a_refused_row():
    names = {row[1]()[0] for row in BAD}
    assert names == set(TASK_OPS) - {"list_obs_buckets"}  # it has no parameter and no body


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make, field, rule", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_refused_before_any_io(recorder, make, field, rule, mode):
    name, request = make()
    with pytest.raises(exceptions.ValidationException) as raised:
        call(client_for(recorder.endpoint, mode), name, request, mode)
    exc = raised.value
    assert isinstance(exc, ValueError)
    assert exc.field == field
    assert re.search(rule, str(exc)), str(exc)
    assert str(exc).startswith("ValidationException - invalid %s: " % field)
    assert recorder.requests == [], "nothing is sent"


# (id, (operation, request) builder, the query string sent, or a check of the body sent)
ALLOWED = [
    ("limit-1", lambda: listing(limit=1), "limit=1"),
    ("limit-50", lambda: listing(limit=50), "limit=50"),
    ("offset-0", lambda: listing(offset=0), "offset=0"),
    ("limit-numeric-text", lambda: listing(limit="5"), "limit=5"),
    ("both-numeric-text", lambda: listing(offset="0", limit="50"), "limit=50&offset=0"),
    ("unset", lambda: listing(), ""),
    ("task-num-1", lambda: replicate(task_num=1, replication_factor=1), {"task_num": 1, "replication_factor": 1}),
    ("interval-1", lambda: dump(deliver_time_interval=1), {"deliver_time_interval": 1}),
    ("plaintext-no-credentials", lambda: replicate(security_protocol="PLAINTEXT"), {"security_protocol": "PLAINTEXT"}),
    (
        "mapping-rename-false",
        lambda: replicate(topics_mapping="a:b", rename_topic_enabled=False),
        {"topics_mapping": "a:b"},
    ),
    ("rename-alone", lambda: replicate(rename_topic_enabled=True), {"rename_topic_enabled": True}),
    (
        "bootstrap-alone",
        lambda: replicate(instance_id=None, bootstrap_servers="h:9092"),
        {"bootstrap_servers": "h:9092"},
    ),
    (
        "sasl-complete",
        lambda: replicate(security_protocol="SASL_PLAINTEXT", user_name="u", password="p", sasl_mechanism="PLAIN"),
        {"user_name": "u", "password": "p"},
    ),
    ("regex-alone", lambda: create(topics_regex="t.*", source_type="NONE", sink_type="NONE"), {"topics_regex": "t.*"}),
    (
        "delimiters",
        lambda: dump(record_delimiter="NULL", partition_format="yyyy/MM/dd/HH/mm"),
        {"record_delimiter": "NULL"},
    ),
    ("validate-obs", lambda: validate(type="OBS_SINK"), {"type": "OBS_SINK"}),
    ("modify-partial", lambda: modify(task_name="renamed"), {"task_name": "renamed"}),
]


def _found(expected, sent):
    """Each expected key/value is somewhere in the JSON sent (top level or a nested config)."""
    places = [sent] + [v for v in sent.values() if isinstance(v, dict)]
    return all(any(place.get(k) == v for place in places) for k, v in expected.items())


@pytest.mark.parametrize("make, sent", [a[1:] for a in ALLOWED], ids=[a[0] for a in ALLOWED])
def test_allowed_edge_values_are_sent(recorder, make, sent):
    name, request = make()
    recorder.reply(*((204, b"") if name == "validate_connector_connectivity" else (200, {})))
    call(client_for(recorder.endpoint), name, request)
    (received,) = recorder.requests
    if isinstance(sent, str):
        assert sorted(parse_qsl(urlsplit(received["path"]).query)) == sorted(parse_qsl(sent))
    else:
        assert _found(sent, json.loads(received["body"])), received["body"]


def test_a_refused_async_call_raises_in_the_awaiting_task(recorder):
    """An async call refused before sending raises where it is made and awaited; nothing is sent."""
    client = client_for(recorder.endpoint, "async")

    async def main():
        name, request = replicate(task_num=0)
        await getattr(client, name + "_async")(request)

    with pytest.raises(exceptions.ValidationException) as raised:
        asyncio.run(main())
    assert raised.value.field == "task_num"
    assert recorder.requests == []


# -- secrecy -------------------------------------------------------------------------------------

PASSWORD = "sasl/Pa55+word=Secret"
ACCESS_KEY = "OBSAK7SECRET9KEYID"
SECRET_KEY = "obs/Secret+Key=Value"
SECRETS = (PASSWORD, ACCESS_KEY, SECRET_KEY)


def leaks(text):
    """Which secrets appear in `text`, raw or encoded (URL, JSON, base64)."""
    found = set()
    for secret in SECRETS:
        forms = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1], base64.b64encode(secret.encode()).decode()}
        found.update(secret for form in forms if form in text)
    return sorted(found)


def test_the_scan_would_see_a_leak():
    assert leaks("x " + quote(SECRET_KEY, safe="")) == [SECRET_KEY]
    assert leaks(base64.b64encode(PASSWORD.encode()).decode()) == [PASSWORD]


def source_model():
    return m.SmartConnectTaskReqSourceConfig(
        instance_id=PEER, security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", user_name="u", password=PASSWORD
    )


def sink_model():
    return m.SmartConnectTaskReqSinkConfig(obs_bucket_name="bucket", access_key=ACCESS_KEY, secret_key=SECRET_KEY)


def source_dict():
    return {
        "instance_id": PEER,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "PLAIN",
        "user_name": "u",
        "password": PASSWORD,
    }


def sink_dict():
    return {"obs_bucket_name": "bucket", "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}


def body_with(source, sink, as_dict=False):
    fields = dict(
        topics="t", source_type="KAFKA_REPLICATOR_SOURCE", source_task=source, sink_type="OBS_SINK", sink_task=sink
    )
    return fields if as_dict else m.CreateSmartConnectTaskReq(**fields)


# Where the secrets are given: configs as models or dicts, in a body that is a model or a dict.
PLACEMENTS = {
    "model-configs": lambda: body_with(source_model(), sink_model()),
    "dict-configs": lambda: body_with(source_dict(), sink_dict()),
    "dict-body-model-configs": lambda: body_with(source_model(), sink_model(), as_dict=True),
    "dict-body-dict-configs": lambda: body_with(source_dict(), sink_dict(), as_dict=True),
}


class Pretty:
    """The part of IPython's pretty printer that `_repr_pretty_` uses."""

    def __init__(self):
        self.out = []

    def text(self, s):
        self.out.append(s)


def pretty(obj):
    printer = Pretty()
    obj._repr_pretty_(printer, False)
    return "".join(printer.out)


OUTPUTS = {
    "repr": repr,
    "str": str,
    "to_str": lambda o: o.to_str(),
    "to_dict": lambda o: o.to_dict(),
    "_repr_html_": lambda o: o._repr_html_(),
    "_repr_pretty_": pretty,
}


def shown_objects(body):
    """The request, and the body and each config where they are models."""
    objects = [m.CreateConnectorTaskRequest(instance_id=INSTANCE, body=body)]
    if not isinstance(body, dict):
        objects.append(body)
    configs = (
        [body.get(k) for k in ("source_task", "sink_task")]
        if isinstance(body, dict)
        else [body.source_task, body.sink_task]
    )
    return objects + [c for c in configs if not isinstance(c, dict)]


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_secrets_never_show_in_model_output(placement, output):
    objects = shown_objects(PLACEMENTS[placement]())
    shown = [str(OUTPUTS[output](obj)) for obj in objects]
    assert "****" in shown[0], "the request shows the secrets masked"
    assert leaks("\n".join(shown)) == []


@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_secrets_are_sent(recorder, placement):
    call(
        client_for(recorder.endpoint),
        "create_connector_task",
        m.CreateConnectorTaskRequest(instance_id=INSTANCE, body=PLACEMENTS[placement]()),
    )
    (received,) = recorder.requests
    sent = json.loads(received["body"])
    assert sent["source_task"]["password"] == PASSWORD
    assert (sent["sink_task"]["access_key"], sent["sink_task"]["secret_key"]) == (ACCESS_KEY, SECRET_KEY)


@pytest.fixture
def dmskafka_logger():
    """with_stream_log / with_file_log configure the shared logger: put it back afterwards."""
    logger = logging.getLogger("dmskafka")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield logger
    for handler in logger.handlers:
        if handler not in saved[0]:
            handler.close()
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def _everything(value):
    """repr and str of a value and of its attributes, one level down."""
    parts = [repr(value), str(value)]
    for attribute in getattr(value, "__dict__", {}).values():
        parts += [repr(attribute), str(attribute)]
    return parts


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_secrets_never_show_in_logs_handlers_or_exceptions(recorder, dmskafka_logger, tmp_path, mode):
    """Calls with the secrets (accepted, answered with a 400, refused for another field of the same
    body) with DEBUG logging to a stream and a file and an HTTP handler: the secrets are sent, and
    shown nowhere."""
    stream, log_file, seen = io.StringIO(), tmp_path / "sdk.log", []
    handler = (
        HttpHandler()
        .add_request_handler(lambda request, logger: seen.extend(_everything(request)))
        .add_response_handler(lambda response, logger: seen.extend(_everything(response) + [response.text]))
    )
    kind = m.KafkaAsyncClient if mode == "async" else m.KafkaClient
    client = (
        kind.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([recorder.endpoint])
        .with_http_handler(handler)
        .with_file_log(str(log_file), logging.DEBUG)
        .with_stream_log(stream, logging.DEBUG)
        .build()
    )

    def run(body):
        return call(
            client, "create_connector_task", m.CreateConnectorTaskRequest(instance_id=INSTANCE, body=body), mode
        )

    # Accepted, with the secrets given every way.
    for placement in PLACEMENTS:
        recorder.reply(200, {"id": "t1", "task_name": "x"})
        seen.extend(_everything(run(PLACEMENTS[placement]())))
    # Answered with an error, which is raised.
    recorder.reply(
        400, {"error_code": "DMS.00400039", "error_msg": "Invalid parameter: sink_task."}, {"X-Request-Id": "rid-400"}
    )
    with pytest.raises(exceptions.ClientRequestException) as answered:
        run(PLACEMENTS["model-configs"]())
    # Refused before sending, for another field of the same bodies.
    refused = []
    for placement in PLACEMENTS:
        body = PLACEMENTS[placement]()
        source = body["source_task"] if isinstance(body, dict) else body.source_task
        if isinstance(source, dict):
            source["task_num"] = 0
        else:
            source.task_num = 0
        with pytest.raises(exceptions.ValidationException) as raised:
            run(body)
        assert raised.value.field == "task_num"
        refused.append(raised.value)

    assert answered.value.error_code == "DMS.00400039" and answered.value.request_id == "rid-400"
    for exc in [answered.value, *refused]:
        seen.extend(_everything(exc) + [repr(exc.args), exc._repr_html_()])
    for handler_ in dmskafka_logger.handlers:
        handler_.flush()
    logged = stream.getvalue() + log_file.read_text()
    assert "DEBUG" in logged and "request headers" in logged and "rid-400" in logged, "the log saw the calls"
    assert len(seen) > 20, "the handlers and exceptions were seen"
    assert leaks(logged) == []
    assert leaks("\n".join(seen)) == []

    # The calls that were answered sent the secrets.
    assert len(recorder.requests) == len(PLACEMENTS) + 1
    for received in recorder.requests:
        assert sorted(leaks(received["body"].decode())) == sorted(SECRETS)
