"""The emulator from Python: the control plane, raw HTTP (signed by hand), the dmskafka
client against it, and the `python -m dmskafka.emulator` command."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    DeleteConnectorRequest,
    HttpConfig,
    KafkaClient,
    Region,
    ShowBackgroundTaskRequest,
    ShowInstanceRequest,
    _core,
    exceptions,
)
from dmskafka.testing import Emulator

# -- raw HTTP ----------------------------------------------------------------------------


def raw(emu, method, path, body=b"", *, ak=None, sk=None, project_header=True, headers=None, tamper=None):
    """Signs with the crate's signer, sends with http.client; (status, headers, body bytes)."""
    host = urlsplit(emu.endpoint).netloc
    date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    sent = [("Content-Type", "application/json"), ("Host", host), ("X-Sdk-Date", date)]
    if project_header:
        sent.append(("X-Project-Id", emu.project_id))
    sent += list((headers or {}).items())
    auth = _core.sign(ak or emu.ak, sk or emu.sk, method, path, [], sent, body, date)
    sent.append(("Authorization", auth))
    if tamper:
        path, body = tamper(path, body)
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def instance_path(emu, instance_id):
    return "/v2/%s/instances/%s" % (emu.project_id, instance_id)


def test_fixture_yields_a_started_emulator_on_loopback(dmskafka_emulator):
    emu = dmskafka_emulator
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.endpoint)
    assert emu.iam_endpoint == emu.endpoint
    assert emu.ak and emu.sk and emu.project_id
    status, headers, body = raw(emu, "GET", "/nowhere")
    assert status == 404
    assert json.loads(body)["error_code"] == "APIG.0101"
    uuid.UUID(headers["x-request-id"])


def test_raw_enable_show_task_and_instance(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    status, headers, body = raw(emu, "POST", instance_path(emu, iid) + "/connector", b'{"node_cnt": "2"}')
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    created = json.loads(body)
    uuid.UUID(created["job_id"]), uuid.UUID(created["connector_id"])

    status, _, body = raw(emu, "GET", instance_path(emu, iid) + "/tasks/" + created["job_id"])
    task = json.loads(body)
    assert status == 200 and task["task_count"] == "1"
    assert (task["tasks"][0]["id"], task["tasks"][0]["status"]) == (created["job_id"], "CREATED")
    assert set(task["tasks"][0]) == {
        "id",
        "name",
        "user_name",
        "user_id",
        "params",
        "status",
        "created_at",
        "updated_at",
    }

    emu.advance(5)
    status, _, body = raw(emu, "GET", instance_path(emu, iid))
    shown = json.loads(body)
    assert (shown["status"], shown["charging_mode"], shown["connector_enable"]) == ("RUNNING", 1, True)
    assert (shown["connector_id"], shown["connector_node_num"]) == (created["connector_id"], 2)


@pytest.mark.parametrize("what", ["body", "query", "path"])
def test_a_request_altered_after_signing_is_rejected(dmskafka_emulator, what):
    emu = dmskafka_emulator
    iid, other = emu.add_instance(), emu.add_instance()
    tamper = {
        "body": lambda path, body: (path, b'{"node_cnt": 16}'),
        "query": lambda path, body: (path + "?x=1", body),
        "path": lambda path, body: (path.replace(iid, other), body),
    }[what]
    status, _, body = raw(emu, "POST", instance_path(emu, iid) + "/connector", b'{"node_cnt": 2}', tamper=tamper)
    error = json.loads(body)
    assert (status, error["error_code"]) == (401, "APIG.0301")
    assert emu.show_instance(iid)["tasks"] == [] and emu.show_instance(other)["tasks"] == []
    # The same request, unaltered, is accepted: the refusal was about the change.
    status, _, _ = raw(emu, "POST", instance_path(emu, iid) + "/connector", b'{"node_cnt": 2}')
    assert status == 200


def test_unknown_ak_and_wrong_sk_never_echo_secrets(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    for ak, sk, words in [("NOPE", emu.sk, "does not exist"), (emu.ak, "not-the-sk", "signature")]:
        status, _, body = raw(emu, "GET", instance_path(emu, iid), ak=ak, sk=sk)
        error = json.loads(body)
        assert (status, error["error_code"]) == (401, "APIG.0301")
        assert words in error["error_msg"]
        assert emu.sk not in body.decode() and "not-the-sk" not in body.decode()


def test_the_log_keeps_requests_and_hides_tokens(dmskafka_emulator):
    emu = dmskafka_emulator
    emu.add_credentials("TEMPAK", "temp-sk", emu.project_id, security_token="secret-session-token")
    iid = emu.add_instance()
    status, _, _ = raw(
        emu,
        "GET",
        instance_path(emu, iid),
        ak="TEMPAK",
        sk="temp-sk",
        headers={"X-Security-Token": "secret-session-token"},
    )
    assert status == 200
    (record,) = emu.requests()
    assert (record["method"], record["path"], record["route"], record["status"]) == (
        "GET",
        instance_path(emu, iid),
        "show_instance",
        200,
    )
    assert record["headers"]["x-security-token"] == "****"
    assert "secret-session-token" not in json.dumps(emu.requests())
    uuid.UUID(record["request_id"])
    emu.clear_requests()
    assert emu.requests() == []


def test_control_plane_refuses_bad_input(dmskafka_emulator):
    emu = dmskafka_emulator
    with pytest.raises(ValueError, match="route"):
        emu.inject_fault("no_such_route", status=500)
    with pytest.raises(ValueError, match="probability"):
        emu.inject_fault(status=500, probability=2)
    with pytest.raises(ValueError, match="at least one"):
        emu.inject_fault("show_instance")
    with pytest.raises(ValueError, match="charging_mode"):
        emu.add_instance(charging_mode="monthly")
    with pytest.raises(ValueError, match="bandwidth"):
        emu.add_instance(flavor="old", specification="150MB")
    with pytest.raises(ValueError):
        emu.advance(-1)
    with pytest.raises(KeyError):
        emu.show_instance("no-such-instance")
    iid = emu.add_instance("my-instance")
    assert iid == "my-instance"
    with pytest.raises(ValueError, match="already exists"):
        emu.add_instance("my-instance")


def test_closed_emulator_refuses_connections():
    emu = Emulator()
    host = urlsplit(emu.endpoint).netloc
    emu.close()
    emu.close()
    conn = http.client.HTTPConnection(host, timeout=5)
    with pytest.raises(OSError):
        conn.request("GET", "/")


# -- through the dmskafka client -------------------------------------------------------


def client_for(emu, *, ak=None, sk=None, project_id=None, config=None, token=None):
    credentials = BasicCredentials(ak or emu.ak, sk or emu.sk, project_id or emu.project_id)
    if token:
        credentials = credentials.with_security_token(token)
    builder = KafkaClient.new_builder().with_credentials(credentials).with_endpoints([emu.endpoint])
    if config is not None:
        builder = builder.with_http_config(config)
    return builder.build()


def enable(client, instance_id, **body):
    return client.create_connector(
        CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(**(body or {"node_cnt": 2})))
    )


def quick(read=1.0):
    config = HttpConfig.get_default_config()
    config.timeout = (1, read)
    return config


def test_client_runs_the_seed_flow(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    client = client_for(emu)
    created = enable(client, iid)
    task = client.show_background_task(ShowBackgroundTaskRequest(instance_id=iid, task_id=created.job_id))
    assert task.tasks[0].status == "CREATED"
    assert client.show_instance(ShowInstanceRequest(instance_id=iid)).status == "EXTENDING"

    emu.advance(5)
    task = client.show_background_task(ShowBackgroundTaskRequest(instance_id=iid, task_id=created.job_id))
    assert task.tasks[0].status == "SUCCESS"
    shown = client.show_instance(ShowInstanceRequest(instance_id=iid))
    assert (shown.status, shown.connector_enable, shown.connector_id) == ("RUNNING", True, created.connector_id)

    deleted = client.delete_connector(DeleteConnectorRequest(instance_id=iid))
    assert client.show_instance(ShowInstanceRequest(instance_id=iid)).status == "CONNECTOR_DELETING"
    emu.advance(5)
    assert emu.show_instance(iid)["tasks"][-1]["id"] == deleted.job_id
    assert client.show_instance(ShowInstanceRequest(instance_id=iid)).connector_enable is False


def test_client_old_flavor_needs_specification_and_spec_code(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance(flavor="old", specification="100MB")
    client = client_for(emu)
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client, iid, node_cnt=2)
    assert (info.value.status_code, info.value.error_code) == (400, "DMS.00400012")
    created = enable(client, iid, node_cnt=2, specification="100MB", spec_code="kafka.c3.mini.connector")
    assert emu.show_instance(iid)["tasks"][0]["id"] == created.job_id


@pytest.mark.parametrize(
    "seed, status, code",
    [
        ({"charging_mode": "prePaid"}, 400, "DMS.00400016"),
        ({"status": "RESTARTING"}, 400, "DMS.00400026"),
        (None, 404, "DMS.00404022"),
    ],
)
def test_client_maps_service_refusals(dmskafka_emulator, seed, status, code):
    emu = dmskafka_emulator
    iid = emu.add_instance(**seed) if seed is not None else "missing-instance"
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client_for(emu), iid)
    assert (info.value.status_code, info.value.error_code) == (status, code)
    assert info.value.request_id == emu.requests()[-1]["request_id"]


def test_client_with_wrong_sk_gets_apig_0301(dmskafka_emulator):
    emu = dmskafka_emulator
    with pytest.raises(exceptions.ClientRequestException) as info:
        enable(client_for(emu, sk="wrong-secret"), emu.add_instance())
    assert (info.value.status_code, info.value.error_code) == (401, "APIG.0301")


def test_client_with_temporary_credentials(dmskafka_emulator):
    emu = dmskafka_emulator
    emu.add_credentials("STSAK", "sts-sk", emu.project_id, security_token="sts-token")
    iid = emu.add_instance()
    enable(client_for(emu, ak="STSAK", sk="sts-sk", token="sts-token"), iid)
    with pytest.raises(exceptions.ClientRequestException):
        client_for(emu, ak="STSAK", sk="sts-sk", token="other-token").show_instance(
            ShowInstanceRequest(instance_id=iid)
        )


def test_client_discovers_the_project_from_iam(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    credentials = BasicCredentials(emu.ak, emu.sk).with_iam_endpoint(emu.iam_endpoint)
    client = (
        KafkaClient.new_builder().with_credentials(credentials).with_region(Region("cn-north-4", emu.endpoint)).build()
    )
    assert client.show_instance(ShowInstanceRequest(instance_id=iid)).instance_id == iid
    iam = [r for r in emu.requests() if r["route"] == "keystone_list_projects"]
    assert [(r["query"], r["status"]) for r in iam] == [("name=cn-north-4", 200)]

    emu.add_credentials(emu.ak, emu.sk, "secondproject", region="cn-north-1")
    with pytest.raises(exceptions.SdkException, match="Multiple project ids"):
        (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(emu.ak, emu.sk).with_iam_endpoint(emu.iam_endpoint))
            .with_region(Region("cn-north-1", emu.endpoint))
            .build()
        )


def test_concurrent_client_enables_exactly_one_wins(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    client = client_for(emu)
    outcomes = []

    def attempt():
        try:
            enable(client, iid)
            outcomes.append("ok")
        except exceptions.ClientRequestException as e:
            outcomes.append(e.error_code)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["DMS.00400026"] * 11 + ["ok"]
    assert len(emu.show_instance(iid)["tasks"]) == 1


def test_injected_503_reaches_the_client_and_changes_nothing(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", status=503, count=1)
    with pytest.raises(exceptions.ServerResponseException) as info:
        enable(client_for(emu), iid)
    assert (info.value.status_code, info.value.error_code) == (503, "APIG.0202")
    assert emu.show_instance(iid)["tasks"] == []
    enable(client_for(emu), iid)
    assert [r["status"] for r in emu.requests()] == [503, 200]


def test_dropped_connection_is_a_connection_error_and_nothing_happened(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", drop_connection=True)
    with pytest.raises(exceptions.ConnectionException):
        enable(client_for(emu, config=quick()), iid)
    assert emu.show_instance(iid)["tasks"] == []
    assert all(r["status"] is None and r["fault"]["drop_connection"] for r in emu.requests())


def test_truncated_answer_fails_but_the_job_exists(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", truncate_body=True, count=1)
    with pytest.raises(exceptions.SdkException) as info:
        enable(client_for(emu, config=quick()), iid)
    assert getattr(info.value, "outcome_unknown", True) is True
    assert len(emu.show_instance(iid)["tasks"]) == 1


def test_non_json_success_body_is_not_taken_for_an_answer(dmskafka_emulator):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", body="<html>maintenance</html>", count=1)
    with pytest.raises(exceptions.SdkException):
        enable(client_for(emu), iid)


def test_latency_beyond_the_read_timeout_times_out(dmskafka_emulator):
    emu = dmskafka_emulator
    emu.inject_fault("show_instance", latency=60, count=1)
    with pytest.raises(exceptions.RequestTimeoutException):
        client_for(emu, config=quick(read=0.3)).show_instance(ShowInstanceRequest(instance_id=emu.add_instance()))


def test_seeded_faults_repeat_exactly():
    def pattern():
        with Emulator() as emu:
            emu.inject_fault(status=500, probability=0.5, seed=3)
            return [raw(emu, "GET", "/nowhere")[0] for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert set(first) == {500, 404}


def test_emulator_job_duration_and_failed_jobs(dmskafka_emulator):
    with Emulator(job_duration=0) as emu:
        iid = emu.add_instance()
        enable(client_for(emu), iid)
        assert emu.show_instance(iid)["connector_enable"] is True
    emu = dmskafka_emulator
    iid = emu.add_instance(fail_enable=True, job_duration=10)
    job = enable(client_for(emu), iid).job_id
    emu.advance(10)
    (task,) = emu.show_instance(iid)["tasks"]
    assert (task["id"], task["status"]) == (job, "FAILED")
    assert emu.show_instance(iid)["connector_enable"] is False


# -- python -m dmskafka.emulator -------------------------------------------------------


def test_command_prints_credentials_serves_and_stops_on_sigterm():
    command = [sys.executable, "-m", "dmskafka.emulator", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
        try:
            lines = {}
            while "instance id" not in lines:
                line = proc.stdout.readline()
                assert line, proc.stderr.read()
                if line.startswith("  ") and ":" in line:
                    key, value = line.strip().split(":", 1)
                    lines[key] = value.strip()
            instance_id = lines["instance id"].split()[0]
            credentials = BasicCredentials(lines["AK"], lines["SK"], lines["project id"])
            client = KafkaClient.new_builder().with_credentials(credentials).with_endpoints([lines["endpoint"]]).build()
            assert client.show_instance(ShowInstanceRequest(instance_id=instance_id)).charging_mode == 1
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_command_refuses_non_loopback_hosts():
    result = subprocess.run(
        [sys.executable, "-m", "dmskafka.emulator", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "loopback" in result.stderr
