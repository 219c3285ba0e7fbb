"""Smart Connect tasks on the emulator, over real HTTP on 127.0.0.1: the official SDK and
dmskafka each run a task's whole life (create, list, show, modify, pause, resume, both
restarts, validate, OBS buckets, delete) as the emulator clock moves; every error rule answers
with its status and code; no secret (SASL password, OBS keys) ever comes back out; faults hit
the new routes. Expected values come from the official models and docs/emulator.md.
(conftest.py points HOME at a temporary folder before the official SDK writes there.)"""

from types import SimpleNamespace

import pytest
from test_tasks_differential import TASK_OPS as ALL_TASK_OPS

import dmskafka
from dmskafka.core.exceptions import exceptions as our_exceptions

SASL_PASSWORD = "Peer-Pass-7f3a"
PEER_SERVERS = "10.8.0.1:9093,10.8.0.2:9093"
BUCKET = "dump-bucket"
TASK_OPS = list(ALL_TASK_OPS)


def _official():
    # Imported under the test run's HOME (see the module docstring).
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions import exceptions
    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from huaweicloudsdkkafka import v2

    return SimpleNamespace(m=v2, BasicCredentials=BasicCredentials, exceptions=exceptions, HttpHandler=HttpHandler)


def _ours():
    # The official import paths, changed as the README's migration table says.
    from dmskafka import v2
    from dmskafka.core.auth.credentials import BasicCredentials
    from dmskafka.core.http.http_handler import HttpHandler

    return SimpleNamespace(m=v2, BasicCredentials=BasicCredentials, exceptions=our_exceptions, HttpHandler=HttpHandler)


@pytest.fixture(params=["official", "dmskafka"])
def sdk(request):
    return _official() if request.param == "official" else _ours()


@pytest.fixture
def official():
    return _official()


class World:
    """An emulator with a bucket, a SASL peer and an instance with Smart Connect enabled
    (through the given SDK), plus a client of that SDK recording every response body."""

    def __init__(self, sdk, emu, max_tasks=18):
        self.sdk, self.m, self.emu = sdk, sdk.m, emu
        self.bodies = []
        handler = sdk.HttpHandler().add_response_handler(lambda response, **_: self.bodies.append(response.text))
        self.client = (
            self.m.KafkaClient.new_builder()
            .with_credentials(sdk.BasicCredentials(emu.ak, emu.sk, emu.project_id))
            .with_endpoints([emu.endpoint])
            .with_http_handler(handler)
            .build()
        )
        emu.add_obs_bucket(BUCKET, location="cn-north-4")
        emu.add_kafka_peer(bootstrap_servers=PEER_SERVERS, brokers=2, user="replicator", password=SASL_PASSWORD)
        self.peer = emu.add_instance()  # reachable by id: 3 brokers, no SASL
        self.iid = emu.add_instance(max_tasks=max_tasks)
        self.client.create_connector(
            self.m.CreateConnectorRequest(instance_id=self.iid, body=self.m.CreateConnectorReq(node_cnt=2))
        )
        emu.advance(5)

    def sink(self, name, **changes):
        settings = dict(
            consumer_strategy="earliest",
            destination_file_type="TEXT",
            access_key=self.emu.ak,
            secret_key=self.emu.sk,
            obs_bucket_name=BUCKET,
            partition_format="yyyy/MM/dd",
            record_delimiter=",",
        )
        settings.update(changes)
        return self.m.CreateSmartConnectTaskReq(
            task_name=name,
            topics="orders,payments",
            source_type="NONE",
            sink_type="OBS_SINK",
            sink_task=self.m.SmartConnectTaskReqSinkConfig(**settings),
        )

    def replicator(self, name, **changes):
        settings = dict(
            bootstrap_servers=PEER_SERVERS,
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            user_name="replicator",
            password=SASL_PASSWORD,
            direction="pull",
            replication_factor=2,
        )
        settings.update(changes)
        return self.m.CreateSmartConnectTaskReq(
            task_name=name,
            topics_regex="orders-.*",
            start_later=True,
            source_type="KAFKA_REPLICATOR_SOURCE",
            sink_type="NONE",
            source_task=self.m.SmartConnectTaskReqSourceConfig(**settings),
        )

    def create(self, body, iid=None):
        return self.client.create_connector_task(
            self.m.CreateConnectorTaskRequest(instance_id=iid or self.iid, body=body)
        )

    def show(self, task_id):
        return self.client.show_connector_task(self.m.ShowConnectorTaskRequest(instance_id=self.iid, task_id=task_id))

    def status(self, task_id):
        return self.show(task_id).status

    def act(self, op, task_id):
        request = getattr(self.m, "".join(w.title() for w in op.split("_")) + "Request")
        return getattr(self.client, op)(request(instance_id=self.iid, task_id=task_id))

    def listed(self, **query):
        return self.client.list_connector_tasks(self.m.ListConnectorTasksRequest(instance_id=self.iid, **query))


def test_a_task_lives_its_whole_life_through_either_sdk(sdk, dmskafka_emulator):
    w = World(sdk, dmskafka_emulator)
    m, emu = w.m, w.emu

    sink = w.create(w.sink("dump"))
    assert (sink.task_name, sink.status, sink.sink_type) == ("dump", "CREATING", "OBS_SINK")
    assert sink.topics == "orders,payments"
    assert sink.sink_task.obs_bucket_name == BUCKET and sink.sink_task.deliver_time_interval == 300
    assert isinstance(sink.create_time, int) and sink.id
    repl = w.create(w.replicator("mirror"))
    assert (repl.status, repl.topics_regex, repl.source_task.user_name) == ("WAITING", "orders-.*", "replicator")
    assert repl.source_task.bootstrap_servers == PEER_SERVERS and repl.source_task.task_num == 2

    first, second = w.listed(offset=0, limit=1), w.listed(offset=1, limit=1)
    assert [t.id for t in first.tasks + second.tasks] == [sink.id, repl.id]
    assert (first.total_number, first.max_tasks, first.quota_tasks) == (2, 18, 18)
    assert [t.task_name for t in w.listed().tasks] == ["dump", "mirror"]

    assert w.status(sink.id) == "CREATING"
    emu.advance(2)
    assert w.status(sink.id) == "RUNNING"
    w.act("pause_connector_task", sink.id)
    assert w.status(sink.id) == "PAUSED"
    w.act("resume_connector_task", sink.id)
    assert w.status(sink.id) == "RUNNING"
    for restart in ("restart_smart_connector_task", "restart_connector_task"):
        w.act(restart, sink.id)
        assert w.status(sink.id) == "RESTARTING"
        emu.advance(2)
        assert w.status(sink.id) == "RUNNING"
    w.act("resume_connector_task", repl.id)
    assert w.status(repl.id) == "RUNNING"

    changed = w.client.modify_connector_task(
        m.ModifyConnectorTaskRequest(
            instance_id=w.iid,
            task_id=repl.id,
            body=m.SmartConnectTaskEntity(topics="orders", source_task=m.SmartConnectTaskRespSourceConfig(task_num=4)),
        )
    )
    assert (changed.id, changed.topics, changed.topics_regex, changed.status) == (repl.id, "orders", None, "RUNNING")
    assert (changed.source_task.task_num, changed.source_task.user_name) == (4, "replicator")

    w.client.validate_connector_connectivity(
        m.ValidateConnectorConnectivityRequest(
            instance_id=w.iid,
            body=m.SmartConnectValidateEntity(
                type="KAFKA_REPLICATOR_SOURCE",
                task=m.SmartConnectTaskRespSourceConfig(instance_id=w.peer, security_protocol="PLAINTEXT"),
            ),
        )
    )
    buckets = w.client.list_obs_buckets(m.ListObsBucketsRequest()).body
    assert [(b.bucket_name, b.location, b.storage_class) for b in buckets] == [(BUCKET, "cn-north-4", "STANDARD")]

    w.act("delete_connector_task", sink.id)
    with pytest.raises(sdk.exceptions.ClientRequestException) as gone:
        w.show(sink.id)
    assert (gone.value.status_code, gone.value.error_code) == (404, "DMS.00404901")
    assert [t["id"] for t in emu.connector_tasks(w.iid)] == [repl.id]
    # Every call but the last passed the emulator's checks; the pauses and deletes got 204.
    statuses = [r["status"] for r in emu.requests()]
    assert statuses[-1] == 404 and all(200 <= s < 300 for s in statuses[:-1])
    assert statuses.count(204) == 6


def _refused(official_sdk, call):
    with pytest.raises(official_sdk.exceptions.ClientRequestException) as refused:
        call()
    return refused.value.status_code, refused.value.error_code


def test_each_task_rule_answers_its_status_and_code(official, dmskafka_emulator):
    w = World(official, dmskafka_emulator, max_tasks=2)
    m, emu = w.m, w.emu

    def refused(call):
        return _refused(official, call)

    # The official SDK sends bodies unchecked: the emulator judges them as dmskafka would.
    both = m.CreateSmartConnectTaskReq(task_name="x", topics="a", topics_regex="a.*", source_type="NONE")
    assert refused(lambda: w.create(both)) == (400, "DMS.00400901")
    assert refused(lambda: w.listed(limit=51)) == (400, "DMS.00400902")
    assert refused(lambda: w.create(w.sink("a"), iid="no-such-instance")) == (404, "DMS.00404022")
    plain = emu.add_instance()
    assert refused(lambda: w.create(w.sink("a"), iid=plain)) == (400, "DMS.00400018")

    assert refused(lambda: w.create(w.replicator("r", bootstrap_servers="10.8.0.1:9093,10.9.9.9:9093"))) == (
        400,
        "DMS.00400905",
    )
    assert refused(lambda: w.create(w.replicator("r", password="Typo-Pass-1"))) == (400, "DMS.00400906")
    assert refused(lambda: w.create(w.replicator("r", security_protocol="PLAINTEXT"))) == (400, "DMS.00400906")
    assert refused(lambda: w.create(w.replicator("r", replication_factor=3))) == (400, "DMS.00400861")
    assert refused(lambda: w.create(w.sink("s", secret_key="not-the-sk"))) == (400, "DMS.00400907")
    assert refused(lambda: w.create(w.sink("s", obs_bucket_name="no-such-bucket"))) == (400, "DMS.00400908")

    waiting = w.create(w.replicator("r"))
    assert refused(lambda: w.create(w.replicator("r"))) == (400, "DMS.00400903")
    w.create(w.sink("s"))
    assert refused(lambda: w.create(w.sink("third"))) == (400, "DMS.00400039")
    assert refused(lambda: w.act("pause_connector_task", waiting.id)) == (400, "DMS.00400904")
    assert refused(lambda: w.act("pause_connector_task", "no-such-task")) == (404, "DMS.00404901")

    # FAILED, the emulator's own status, is left by a restart (either path) only.
    for op in ("restart_connector_task", "restart_smart_connector_task"):
        emu.fail_task(w.iid, waiting.id)
        assert w.status(waiting.id) == "FAILED"
        for refused_op in ("pause_connector_task", "resume_connector_task"):
            assert refused(lambda op=refused_op: w.act(op, waiting.id)) == (400, "DMS.00400904")
        w.act(op, waiting.id)
        assert w.status(waiting.id) == "RESTARTING"
    w.act("delete_connector_task", waiting.id)

    bad_validate = m.ValidateConnectorConnectivityRequest(
        instance_id=w.iid,
        body=m.SmartConnectValidateEntity(
            type="KAFKA_REPLICATOR_SOURCE", task=m.SmartConnectTaskRespSourceConfig(instance_id="unknown-peer")
        ),
    )
    assert refused(lambda: w.client.validate_connector_connectivity(bad_validate)) == (400, "DMS.00400905")


def test_disabling_smart_connect_takes_the_tasks_with_it(official, dmskafka_emulator):
    w = World(official, dmskafka_emulator)
    w.create(w.sink("dump"))
    w.client.delete_connector(w.m.DeleteConnectorRequest(instance_id=w.iid))
    assert w.emu.connector_tasks(w.iid) == []
    assert _refused(official, w.listed) == (400, "DMS.00400018")


def test_dmskafka_refuses_before_sending_what_the_emulator_refuses(dmskafka_emulator):
    w = World(_ours(), dmskafka_emulator)
    both = dmskafka.CreateSmartConnectTaskReq(task_name="x", topics="a", topics_regex="a.*")
    with pytest.raises(dmskafka.ValidationException):
        w.create(both)
    # What the client cannot know is the emulator's to refuse.
    with pytest.raises(dmskafka.ClientRequestException) as refused:
        w.create(w.replicator("r", password="Typo-Pass-1"))
    assert (refused.value.status_code, refused.value.error_code) == (400, "DMS.00400906")
    assert [r["route"] for r in w.emu.requests()][-1:] == ["create_connector_task"]


def test_no_secret_comes_back_out(sdk, dmskafka_emulator):
    w = World(sdk, dmskafka_emulator)
    shown = [w.create(w.sink("dump")), w.create(w.replicator("mirror")), w.listed()]
    errors = []
    for body in (w.replicator("again", password="Peer-Pass-7f3a-typo"), w.sink("s2", secret_key=w.emu.sk + "x")):
        with pytest.raises(w.sdk.exceptions.ClientRequestException) as refused:
            w.create(body)
        errors.append(str(refused.value) + repr(refused.value))
    secrets = [SASL_PASSWORD, w.emu.sk]
    seen = {
        "response bodies": " ".join(w.bodies),
        "responses": " ".join(str(r) for r in shown),
        "errors": " ".join(errors),
        "requests()": repr(w.emu.requests()),
        "connector_tasks()": repr(w.emu.connector_tasks(w.iid)),
    }
    for where, text in seen.items():
        for secret in secrets:
            assert secret not in text, f"a secret in {where}"
    logged = [r["body"] for r in w.emu.requests() if r["route"] == "create_connector_task"]
    assert all('"****"' in body for body in logged)


def call_route(w, route, task_id):
    """One call of the official SDK on `route`, for a task that exists."""
    m, iid = w.m, w.iid
    requests = {
        "create_connector_task": lambda: m.CreateConnectorTaskRequest(instance_id=iid, body=w.sink("another")),
        "list_connector_tasks": lambda: m.ListConnectorTasksRequest(instance_id=iid),
        "modify_connector_task": lambda: m.ModifyConnectorTaskRequest(
            instance_id=iid, task_id=task_id, body=m.SmartConnectTaskEntity(task_name="renamed")
        ),
        "validate_connector_connectivity": lambda: m.ValidateConnectorConnectivityRequest(
            instance_id=iid, body=m.SmartConnectValidateEntity(type="OBS_SINK")
        ),
        "list_obs_buckets": lambda: m.ListObsBucketsRequest(),
    }
    make = requests.get(route)
    if make is None:
        request_class = getattr(m, "".join(word.title() for word in route.split("_")) + "Request")
        return getattr(w.client, route)(request_class(instance_id=iid, task_id=task_id))
    return getattr(w.client, route)(make())


@pytest.mark.parametrize("route", TASK_OPS)
def test_a_fault_hits_each_task_route(official, dmskafka_emulator, route):
    w = World(official, dmskafka_emulator)
    task_id = w.create(w.sink("dump")).id
    w.emu.advance(60)
    if route == "resume_connector_task":
        w.act("pause_connector_task", task_id)
    w.emu.inject_fault(route, status=500, count=1)
    with pytest.raises(official.exceptions.ServerResponseException) as failed:
        call_route(w, route, task_id)
    assert failed.value.status_code == 500
    (hit,) = [r for r in w.emu.requests() if r["fault"]]
    assert hit["route"] == route and hit["status"] == 500
    call_route(w, route, task_id)  # the fault was used up: the call goes through


def test_faults_on_the_task_routes(official, dmskafka_emulator):
    w = World(official, dmskafka_emulator)
    w.emu.inject_fault("create_connector_task", status=503, count=1)
    with pytest.raises(official.exceptions.ServerResponseException) as unavailable:
        w.create(w.sink("dump"))
    assert unavailable.value.status_code == 503
    assert w.emu.connector_tasks(w.iid) == []
    assert w.create(w.sink("dump")).status == "CREATING"
    # A POST, which the official SDK's urllib3 does not retry on 429.
    w.emu.inject_fault("validate_connector_connectivity", status=429, count=1)
    validate = w.m.ValidateConnectorConnectivityRequest(
        instance_id=w.iid, body=w.m.SmartConnectValidateEntity(type="OBS_SINK")
    )
    assert _refused(official, lambda: w.client.validate_connector_connectivity(validate)) == (429, "APIG.0308")
    assert w.emu.requests()[-1]["fault"]["status"] == 429
    w.client.validate_connector_connectivity(validate)


def test_the_waiters_run_on_the_emulator_clock(dmskafka_emulator):
    w = World(_ours(), dmskafka_emulator)
    emu, client = w.emu, w.client
    # ensure_task on an instance without Smart Connect: enables it, creates, waits; the
    # waiter's sleep moves the emulator clock instead of the wall clock.
    fresh = emu.add_instance()
    body = w.sink("ensured")
    task = client.ensure_task(fresh, body, sleep=emu.advance, poll_interval=1)
    assert (task.task_name, task.status) == ("ensured", "RUNNING")
    again = client.ensure_task(fresh, body, sleep=emu.advance, poll_interval=1)
    assert again.id == task.id and len(emu.connector_tasks(fresh)) == 1

    created = w.create(w.sink("to-fail"))
    emu.fail_task(w.iid, created.id)
    with pytest.raises(dmskafka.TaskFailedException) as failed:
        client.wait_for_task(w.iid, created.id, sleep=emu.advance, poll_interval=1)
    assert (failed.value.task_id, failed.value.status) == (created.id, "FAILED")


def test_control_plane_refuses_bad_input():
    from dmskafka.testing import Emulator

    with Emulator(task_duration=0) as emu:
        iid = emu.add_instance()
        for bad in (
            dict(),
            dict(instance_id="a", bootstrap_servers="h:1"),
            dict(bootstrap_servers="h:port"),
            dict(instance_id="a", user="u"),
            dict(instance_id="a", brokers=-1),
            dict(instance_id="a", brokers=0),
        ):
            with pytest.raises(ValueError):
                emu.add_kafka_peer(**bad)
        emu.add_kafka_peer(instance_id="peer-1")
        with pytest.raises(ValueError):
            emu.add_kafka_peer(instance_id="peer-1")
        for name, storage_class in (("Upper", "STANDARD"), ("ab", "STANDARD"), ("ok-name", "GLACIER")):
            with pytest.raises(ValueError):
                emu.add_obs_bucket(name, storage_class=storage_class)
        emu.add_obs_bucket("cold-one", storage_class="COLD")
        with pytest.raises(ValueError):
            emu.add_obs_bucket("cold-one")
        with pytest.raises(ValueError):
            emu.add_instance(max_tasks=-1)
        with pytest.raises(ValueError):
            Emulator(task_duration=-1)
        with pytest.raises(KeyError):
            emu.fail_task(iid, "no-such-task")
        with pytest.raises(KeyError):
            emu.connector_tasks("no-such-instance")
        assert emu.connector_tasks(iid) == []
