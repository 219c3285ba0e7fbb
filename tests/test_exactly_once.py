"""Exactly-once enable: when a fault strikes after the request may have reached the server,
the client never sends it again (even with `retry_times`), the server holds exactly one
enable job, and the exception says the outcome is unknown and how to find it out
(docs/reliability.md, "Exactly-once enable")."""

import asyncio
import socket

import pytest
from servers import RawServer, read_request

from dmskafka import (
    BasicCredentials,
    CreateConnectorReq,
    CreateConnectorRequest,
    HttpConfig,
    KafkaAsyncClient,
    KafkaClient,
    ShowInstanceRequest,
    exceptions,
)

RST = b"\x01\x00\x00\x00\x00\x00\x00\x00"


def build(kind, emu, endpoint=None):
    config = HttpConfig.get_default_config()
    config.timeout = (0.3, 0.3)
    config.retry_times = 3  # would re-send on any failure it took for a connect-phase one
    return (
        kind.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([endpoint or emu.endpoint])
        .with_http_config(config)
        .build()
    )


def enable_request(instance_id):
    return CreateConnectorRequest(instance_id=instance_id, body=CreateConnectorReq(node_cnt=2))


class Proxy:
    """Forwards one request to the emulator, which handles it, then loses the answer: holds it
    past the client's timeouts (`hold`), or resets the client's connection (`reset`); `forward`
    only passes the request on. A real
    server that is slow or whose answer is lost keeps what it did; so does the emulator here."""

    def __init__(self, upstream, how):
        self.host, self.port = upstream.split("://")[1].split(":")
        self.how = how
        self.forwarded = 0

    def __call__(self, conn):
        request = read_request(conn)
        with socket.create_connection((self.host, int(self.port)), timeout=5) as up:
            up.sendall(request)
            self.forwarded += 1
            if self.how == "forward":  # only pass the request on; the emulator is slow itself
                conn.settimeout(5)
                conn.recv(1)
                return
            answer = up.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        if self.how == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
        else:
            conn.settimeout(5)
            conn.recv(1)  # until the client gives up and closes


def create_requests(emu):
    return [r for r in emu.requests() if r["route"] == "create_connector"]


def assert_outcome_unknown(exc):
    assert exc.outcome_unknown is True
    assert "outcome is unknown" in exc.error_msg
    assert "show_instance" in exc.error_msg and "wait_for_job" in exc.error_msg


@pytest.mark.parametrize(
    "fault, klass",
    [
        ({"truncate_body": True}, exceptions.ConnectionException),  # handled, half the answer
        ({"trickle": 5}, exceptions.CallTimeoutException),  # handled, answer past the deadline
    ],
)
def test_emulator_faults_after_handling_leave_exactly_one_job(dmskafka_emulator, fault, klass):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", **fault)
    with pytest.raises(klass) as info:
        build(KafkaClient, emu).create_connector(enable_request(iid))
    assert_outcome_unknown(info.value)
    assert len(create_requests(emu)) == 1, "sent again"
    assert len(emu.show_instance(iid)["tasks"]) == 1


@pytest.mark.parametrize(
    "how, klass", [("hold", exceptions.CallTimeoutException), ("reset", exceptions.ConnectionException)]
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_lost_answers_leave_exactly_one_job(dmskafka_emulator, how, klass, mode):
    emu = dmskafka_emulator
    iid = emu.add_instance()
    proxy = Proxy(emu.endpoint, how)
    with RawServer(proxy) as server:
        with pytest.raises(klass) as info:
            if mode == "sync":
                build(KafkaClient, emu, server.endpoint).create_connector(enable_request(iid))
            else:
                client = build(KafkaAsyncClient, emu, server.endpoint)

                async def main():
                    await client.create_connector_async(enable_request(iid))

                asyncio.run(main())
        assert (server.connections, proxy.forwarded) == (1, 1), "sent again"
    assert_outcome_unknown(info.value)
    assert len(create_requests(emu)) == 1
    assert len(emu.show_instance(iid)["tasks"]) == 1


def test_emulator_latency_fault_is_never_sent_twice(dmskafka_emulator):
    """The emulator's `latency` fault stops handling a request whose client has gone (hyper
    drops the handler), so the job count cannot show a re-send; the proxy counts what was sent."""
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", latency=5)
    proxy = Proxy(emu.endpoint, "forward")
    with RawServer(proxy) as server:
        with pytest.raises(exceptions.CallTimeoutException) as info:
            build(KafkaClient, emu, server.endpoint).create_connector(enable_request(iid))
        assert (server.connections, proxy.forwarded) == (1, 1), "sent again"
    assert_outcome_unknown(info.value)
    assert len(emu.show_instance(iid)["tasks"]) <= 1


def test_the_documented_check_finds_the_job_and_a_second_enable_is_refused(dmskafka_emulator):
    """The recipe of docs/reliability.md: after an unknown outcome, show_instance tells whether
    the enable took effect; enabling again is refused by the service, never done twice."""
    emu = dmskafka_emulator
    iid = emu.add_instance()
    emu.inject_fault("create_connector", truncate_body=True, count=1)
    client = build(KafkaClient, emu)
    with pytest.raises(exceptions.ConnectionException) as info:
        client.create_connector(enable_request(iid))
    assert_outcome_unknown(info.value)

    shown = client.show_instance(ShowInstanceRequest(instance_id=iid))
    assert shown.status == "EXTENDING", "the enable job is running: it did take effect"
    with pytest.raises(exceptions.ClientRequestException) as again:
        client.create_connector(enable_request(iid))
    assert again.value.error_code == "DMS.00400026"

    emu.advance(10)
    shown = client.show_instance(ShowInstanceRequest(instance_id=iid))
    assert (shown.status, shown.connector_enable) == ("RUNNING", True)
    with pytest.raises(exceptions.ClientRequestException) as done:
        client.create_connector(enable_request(iid))
    assert done.value.error_code == "DMS.00400017"
    assert len(emu.show_instance(iid)["tasks"]) == 1
