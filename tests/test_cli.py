"""The `dmskafka` command on the emulator: credentials as the SDK reads them, output, exit codes."""

import io
import itertools
import json
import os
import pathlib
import signal
import subprocess
import sys

import pytest
from servers import closed_port

from dmskafka import cli


@pytest.fixture
def emu(dmskafka_emulator, monkeypatch):
    for name, value in [
        ("HUAWEICLOUD_SDK_AK", dmskafka_emulator.ak),
        ("HUAWEICLOUD_SDK_SK", dmskafka_emulator.sk),
        ("HUAWEICLOUD_SDK_PROJECT_ID", dmskafka_emulator.project_id),
    ]:
        monkeypatch.setenv(name, value)
    dmskafka_emulator.add_obs_bucket("bucket-1")
    return dmskafka_emulator


def enable(emu, instance_id, *options):
    return cli.main(
        ["connector", "enable", "--region", "cn-north-4", "--instance-id", instance_id, "--endpoint", emu.endpoint]
        + list(options)
    )


class Terminal(io.StringIO):
    """stderr as a terminal."""

    def isatty(self):
        return True


def test_enable_prints_the_job_and_connector_as_json(emu, capsys):
    instance_id = emu.add_instance()
    assert enable(emu, instance_id, "--node-cnt", "3") == cli.EXIT_OK

    out = json.loads(capsys.readouterr().out)
    (sent,) = emu.requests()
    assert json.loads(sent["body"]) == {"node_cnt": 3}
    assert out["instance_id"] == instance_id
    emu.advance(5)  # the job finishes
    shown = emu.show_instance(instance_id)
    assert out["connector_id"] == shown["connector_id"] and out["job_id"] == shown["tasks"][0]["id"]


def test_wait_returns_once_the_instance_runs_with_smart_connect(emu, capsys):
    instance_id = emu.add_instance(job_duration=0)
    assert enable(emu, instance_id, "--wait", "--output", "table") == cli.EXIT_OK

    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["job_status"] == "SUCCESS" and rows["status"] == "RUNNING"
    assert rows["connector_enable"] == "true" and rows["connector_node_num"] == "2"
    assert rows["instance_id"] == instance_id


def test_old_flavors_send_specification_and_spec_code(emu, capsys):
    instance_id = emu.add_instance(flavor="old", specification="300MB")
    assert enable(emu, instance_id, "--specification", "300MB", "--spec-code", "c6.2u4g.connector") == 0
    assert json.loads(emu.requests()[0]["body"]) == {"specification": "300MB", "spec_code": "c6.2u4g.connector"}


def test_credentials_from_the_profile_file_and_the_project_id_from_iam(emu, monkeypatch, tmp_path, capsys):
    profile = tmp_path / "credentials"
    profile.write_text("[basiccredentials]\nak = %s\nsk = %s\n" % (emu.ak, emu.sk))
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.iam_endpoint)

    assert enable(emu, emu.add_instance()) == cli.EXIT_OK
    lookup, created = emu.requests()
    assert (lookup["route"], lookup["query"]) == ("keystone_list_projects", "name=cn-north-4")
    assert created["path"].startswith("/v2/%s/" % emu.project_id)


def test_no_credentials_is_exit_1(emu, monkeypatch, capsys):
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        monkeypatch.delenv(name)
    assert enable(emu, "instance") == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "ak&sk or idpId&idTokenFile does not exist in environmental variables" in err and emu.requests() == []


def test_a_value_refused_before_sending_is_exit_2(emu, capsys):
    assert enable(emu, emu.add_instance(), "--node-cnt", "1") == cli.EXIT_INVALID
    assert "node_cnt" in capsys.readouterr().err and emu.requests() == []


@pytest.mark.parametrize(
    "options, message",
    [
        (["--specification", "100MB"], "--spec-code"),
        (["--timeout", "0"], "positive number of seconds"),
        (["--output", "yaml"], "invalid choice"),
    ],
)
def test_bad_options_are_exit_2(emu, capsys, options, message):
    with pytest.raises(SystemExit) as exited:
        enable(emu, "instance", *options)
    assert exited.value.code == cli.EXIT_INVALID
    assert message in capsys.readouterr().err and emu.requests() == []


def test_an_unknown_region_without_endpoint_is_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["connector", "enable", "--region", "xx-nowhere-1", "--instance-id", "i"])
    assert exited.value.code == cli.EXIT_INVALID
    assert "unknown region 'xx-nowhere-1'" in capsys.readouterr().err


def test_a_service_error_is_exit_3_with_the_official_message(emu, capsys):
    assert enable(emu, "no-such-instance") == cli.EXIT_SERVICE
    err = capsys.readouterr().err
    assert "ClientRequestException" in err and "DMS.00404022" in err
    assert emu.requests()[0]["request_id"] in err


def test_a_wait_deadline_is_exit_4(emu, capsys):
    instance_id = emu.add_instance(job_duration=600)
    assert enable(emu, instance_id, "--wait", "--timeout", "0.2") == cli.EXIT_TIMEOUT
    captured = capsys.readouterr()
    assert "may still be running" in captured.err and captured.out == ""


def test_a_failed_job_is_exit_5(emu, capsys):
    instance_id = emu.add_instance(job_duration=0, fail_enable=True)
    assert enable(emu, instance_id, "--wait") == cli.EXIT_JOB_FAILED
    assert "FAILED" in capsys.readouterr().err


def test_an_unreachable_endpoint_is_exit_1(emu, capsys):
    code = cli.main(
        [
            "connector",
            "enable",
            "--region",
            "r",
            "--instance-id",
            "i",
            "--endpoint",
            "http://127.0.0.1:%d" % closed_port(),
        ]
    )
    assert code == cli.EXIT_ERROR and "ConnectionException" in capsys.readouterr().err


def test_progress_is_drawn_on_a_terminal_and_cleared(emu, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    enable(emu, emu.add_instance(job_duration=600), "--wait", "--timeout", "0.3")
    drawn = terminal.getvalue()
    assert drawn.startswith("\r") and "waiting for the job: 0 s" in drawn
    # The line is cleared before anything else is written.
    assert "\r\x1b[Kdmskafka: WaitTimeoutException" in drawn


def test_no_progress_when_stderr_is_not_a_terminal(emu, capsys):
    enable(emu, emu.add_instance(job_duration=600), "--wait", "--timeout", "0.3")
    err = capsys.readouterr().err
    assert err.startswith("dmskafka: WaitTimeoutException") and "\r" not in err


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["connector", "enable", "--help"])
    assert exited.value.code == 0
    assert cli.EXIT_CODES in capsys.readouterr().out


def test_the_emulator_command_serves_until_sigterm(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "dmskafka", "emulator", "--job-duration", "0"]
        + ["--task-duration", "0", "--obs-bucket", "dump-bucket"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = itertools.takewhile(lambda line: "Ctrl-C" not in line, iter(proc.stdout.readline, ""))
        banner = dict(line.strip().split(":", 1) for line in lines if ":  " in line)
        assert banner["OBS buckets"].strip() == "dump-bucket"
        env = dict(
            os.environ,
            HUAWEICLOUD_SDK_AK=banner["AK"].strip(),
            HUAWEICLOUD_SDK_SK=banner["SK"].strip(),
            HUAWEICLOUD_SDK_PROJECT_ID=banner["project id"].strip(),
        )
        instance_id = banner["instance id"].split()[0]
        endpoint = banner["endpoint"].strip()
        enabled = subprocess.run(
            [sys.executable, "-m", "dmskafka", "connector", "enable", "--region", "cn-north-4"]
            + ["--instance-id", instance_id, "--endpoint", endpoint, "--wait"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert enabled.returncode == 0, enabled.stderr
        assert json.loads(enabled.stdout)["connector_enable"] is True
        body = tmp_path / "task.json"
        sink = {"obs_bucket_name": "dump-bucket", "access_key": env["HUAWEICLOUD_SDK_AK"]}
        sink["secret_key"] = env["HUAWEICLOUD_SDK_SK"]
        body.write_text(json.dumps({"task_name": "t", "topics": "t", "sink_type": "OBS_SINK", "sink_task": sink}))
        created = subprocess.run(
            [sys.executable, "-m", "dmskafka", "task", "create", "--region", "cn-north-4", "--instance-id"]
            + [instance_id, "--endpoint", endpoint, "--body", str(body), "--wait"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, created.stderr
        assert json.loads(created.stdout)["status"] == "RUNNING"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in err


def test_the_emulator_command_refuses_a_non_loopback_host():
    refused = subprocess.run(
        [sys.executable, "-m", "dmskafka", "emulator", "--host", "192.0.2.1"], capture_output=True, text=True
    )
    assert refused.returncode != 0 and "only loopback" in refused.stderr


# --- connector show|resource-info|disable and the task commands ---


def run(emu, *argv):
    return cli.main(list(argv) + ["--region", "cn-north-4", "--endpoint", emu.endpoint])


def enabled_instance(emu):
    instance_id = emu.add_instance(job_duration=0)
    assert enable(emu, instance_id, "--wait") == cli.EXIT_OK
    return instance_id


def task_file(emu, tmp_path, **fields):
    body = {
        "task_name": "orders-to-obs",
        "topics": "orders",
        "source_type": "NONE",
        "sink_type": "OBS_SINK",
        "sink_task": {
            "consumer_strategy": "earliest",
            "destination_file_type": "TEXT",
            "deliver_time_interval": 300,
            "access_key": emu.ak,
            "secret_key": emu.sk,
            "obs_bucket_name": "bucket-1",
            "obs_path": "orders",
            "partition_format": "yyyy/MM/dd",
            "record_delimiter": ",",
            "store_keys": False,
        },
    }
    body.update(fields)
    path = tmp_path / "task.json"
    path.write_text(json.dumps(body))
    return str(path)


def test_connector_show_resource_info_and_disable(emu, capsys):
    instance_id = enabled_instance(emu)
    capsys.readouterr()
    assert run(emu, "connector", "show", "--instance-id", instance_id) == cli.EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["connector_enable"] is True and shown["connector_id"] == emu.show_instance(instance_id)["connector_id"]

    assert run(emu, "connector", "resource-info", "--instance-id", instance_id) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out) == {"instance_id": instance_id, "sold_out": False}

    assert run(emu, "connector", "disable", "--instance-id", instance_id, "--wait") == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["job_status"] == "SUCCESS"
    assert emu.show_instance(instance_id)["connector_enable"] is False


def test_task_lifecycle_from_the_command_line(emu, tmp_path, capsys):
    instance_id = enabled_instance(emu)
    path = task_file(emu, tmp_path)
    capsys.readouterr()
    assert run(emu, "task", "create", "--instance-id", instance_id, "--body", path) == cli.EXIT_OK
    created = json.loads(capsys.readouterr().out)
    task_id = created["id"]
    assert created["status"] == "CREATING" and created["sink_task"]["obs_bucket_name"] == "bucket-1"

    emu.advance(60)
    assert run(emu, "task", "list", "--instance-id", instance_id, "--limit", "5") == cli.EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert listed["total_number"] == 1 and [t["id"] for t in listed["tasks"]] == [task_id]

    for action, status in [("pause", "PAUSED"), ("resume", "RUNNING"), ("restart", "RUNNING")]:
        assert run(emu, "task", action, "--instance-id", instance_id, "--task-id", task_id, "--wait") == cli.EXIT_OK
        assert json.loads(capsys.readouterr().out)["status"] == status

    assert run(emu, "task", "show", "--instance-id", instance_id, "--task-id", task_id, "--output", "table") == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["id"] == task_id and rows["status"] == "RUNNING"

    assert run(emu, "task", "delete", "--instance-id", instance_id, "--task-id", task_id) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["status_code"] == 204
    assert emu.connector_tasks(instance_id) == []


def test_task_create_wait_returns_once_it_runs(emu, tmp_path, capsys):
    instance_id = enabled_instance(emu)
    path = task_file(emu, tmp_path)
    capsys.readouterr()
    assert run(emu, "task", "create", "--instance-id", instance_id, "--body", path, "--wait") == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["status"] == "RUNNING"


def test_task_secrets_in_the_body_file_are_never_echoed(emu, tmp_path, capsys):
    instance_id = enabled_instance(emu)
    password = "pw-never-shown-7f3a"
    path = task_file(emu, tmp_path, sink_task={"obs_bucket_name": "b", "secret_key": password, "access_key": "ak"})
    bad = json.loads(pathlib.Path(path).read_text())
    bad["sink_type"] = "S3"  # refused before sending, naming the field
    pathlib.Path(path).write_text(json.dumps(bad))
    capsys.readouterr()
    assert run(emu, "task", "create", "--instance-id", instance_id, "--body", path) == cli.EXIT_INVALID
    captured = capsys.readouterr()
    assert "sink_type" in captured.err and password not in captured.err + captured.out

    broken = tmp_path / "broken.json"
    broken.write_text('{"sink_task": {"secret_key": "%s"' % password)  # not JSON
    assert run(emu, "task", "create", "--instance-id", instance_id, "--body", str(broken)) == cli.EXIT_INVALID
    captured = capsys.readouterr()
    assert "--body" in captured.err and password not in captured.err + captured.out


def test_a_failed_task_is_exit_5_and_an_unknown_task_exit_3(emu, tmp_path, capsys):
    instance_id = enabled_instance(emu)
    capsys.readouterr()
    assert run(emu, "task", "create", "--instance-id", instance_id, "--body", task_file(emu, tmp_path)) == 0
    task_id = json.loads(capsys.readouterr().out)["id"]
    emu.advance(60)
    assert run(emu, "task", "restart", "--instance-id", instance_id, "--task-id", "nope") == cli.EXIT_SERVICE
    assert "ClientRequestException" in capsys.readouterr().err

    # The service reports the restarted task FAILED while --wait polls it.
    emu.inject_fault("show_connector_task", status=200, body=json.dumps({"id": task_id, "status": "FAILED"}))
    assert run(emu, "task", "restart", "--instance-id", instance_id, "--task-id", task_id, "--wait") == 5
    assert "FAILED" in capsys.readouterr().err
