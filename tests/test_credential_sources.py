"""The official credential provider chain, source by source, against local fakes on 127.0.0.1
(tests/servers.py: the ECS metadata service, STS, IAM, a pod identity agent) and the
emulator, with the official SDK as the oracle: the official chain runs against the same fakes
(its metadata address patched for the test), and both must find the same credentials, send
the same requests and fail with the same messages. Then the refresh of temporary keys while
calls are in flight from several threads."""

import datetime
import json
import threading
import time

import pytest
from huaweicloudsdkcore.auth import internal as official_internal
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.auth.provider import CredentialProviderChain
from huaweicloudsdkcore.http.http_config import HttpConfig as OfficialHttpConfig
from huaweicloudsdkkafka.v2 import KafkaClient as OfficialClient
from huaweicloudsdkkafka.v2 import ShowInstanceRequest as OfficialShowInstanceRequest
from servers import Metadata, RawServer, Recorder, credential, read_request

from dmskafka import BasicCredentials, HttpConfig, KafkaClient, Region, ShowInstanceRequest, exceptions
from dmskafka.client import _from_chain
from dmskafka.http_config import SigningAlgorithm

NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
LATER = NOW + datetime.timedelta(hours=6)
# Expired already when fetched: used by the call that fetched them, renewed before the next.
EXPIRED = NOW - datetime.timedelta(minutes=1)
# Within the official 40-minute margin when fetched: used until they expire.
SOON = NOW + datetime.timedelta(minutes=30)
# The official refresh margin, which ours must equal.
MARGIN = datetime.timedelta(seconds=OfficialCredentials._DEFAULT_EXPIRATION_THRESHOLD_SECONDS)
FIELDS = ("ak", "sk", "security_token", "project_id", "idp_id", "id_token_file", "iam_endpoint")


@pytest.fixture
def emu(dmskafka_emulator):
    return dmskafka_emulator


@pytest.fixture
def metadata(monkeypatch):
    """Points ours and the official metadata accessor at `fake.endpoint`."""

    def use(fake):
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", fake.endpoint)
        monkeypatch.setattr(official_internal.MetadataAccessor, "_METADATA_ENDPOINT", fake.endpoint)
        return fake

    return use


def ours():
    return _from_chain(HttpConfig.get_default_config())


def theirs():
    """What the official `build()` without credentials runs: the chain for its credential type
    "BasicCredentials" (so the profile file's section is `[basiccredentials]`)."""
    return CredentialProviderChain.get_default_credential_provider_chain("BasicCredentials").get_credentials()


def fields(credentials):
    return {name: getattr(credentials, name) for name in FIELDS}


def chain_error(find):
    with pytest.raises(ValueError) as info:
        find()
    return info.value


def show(client, emu, instance_id):
    return client.show_instance(ShowInstanceRequest(instance_id=instance_id))


def official_client(emu, credentials=None):
    config = OfficialHttpConfig.get_default_config()
    builder = OfficialClient.new_builder().with_http_config(config).with_endpoints([emu.endpoint])
    if credentials is not None:
        builder = builder.with_credentials(credentials)
    return builder.build()


def official_show(emu, instance_id, credentials=None):
    return official_client(emu, credentials).show_instance(OfficialShowInstanceRequest(instance_id=instance_id))


# -- the order and the messages ---------------------------------------------------------------


def test_nothing_anywhere_lists_every_link_in_the_official_order_and_words(metadata):
    """With the metadata service answering that the instance has no agency (the official
    error), both chains end with the same ApiValueError listing each link's reason."""
    with metadata(Metadata()) as fake:
        mine, official = chain_error(ours), chain_error(theirs)
    assert type(mine) is exceptions.ApiValueError
    assert str(mine) == str(official)
    lines = str(mine).split("\n")
    assert lines[0] == "Failed to get credentials from provider chain"
    assert lines[1] == "Missing required env var: HUAWEICLOUD_OIDC_PROVIDER_URN"
    assert "Please configure Cloud Service Agency first" in lines[4]
    assert lines[4].startswith("ClientRequestException - {status_code:401,request_id:,error_code:401,")
    assert lines[5].startswith("SdkException - The environment variable HC_CONTAINER_CREDENTIALS_FULL_URI")
    # The token, then the security key without a retry (no new token helps a missing agency).
    assert [(m, p) for m, p, _ in fake.requests] == [("PUT", Metadata.TOKEN_PATH), ("GET", Metadata.KEY_PATH)] * 2


@pytest.mark.parametrize(
    "env",
    [
        {"HUAWEICLOUD_OIDC_PROVIDER_URN": "urn:p"},
        {"HUAWEICLOUD_OIDC_PROVIDER_URN": "urn:p", "HUAWEICLOUD_OIDC_AGENCY_URN": "urn:a"},
        {
            "HUAWEICLOUD_OIDC_PROVIDER_URN": "urn:p",
            "HUAWEICLOUD_OIDC_AGENCY_URN": "urn:a",
            "HUAWEICLOUD_OIDC_TOKEN_FILE": "{tmp}/missing",
        },
        {
            "HUAWEICLOUD_OIDC_PROVIDER_URN": "urn:p",
            "HUAWEICLOUD_OIDC_AGENCY_URN": "urn:a",
            "HUAWEICLOUD_OIDC_TOKEN_FILE": "{tmp}/empty",
        },
        {"HUAWEICLOUD_SDK_AK": "AK"},
        {"HUAWEICLOUD_SDK_IDP_ID": "idp"},
        {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": "{tmp}/missing"},
        {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": "{tmp}/global-only"},
        {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": "{tmp}/no-sk"},
        {"HC_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds"},
    ],
)
def test_each_link_fails_with_the_official_message(metadata, monkeypatch, tmp_path, env):
    (tmp_path / "empty").write_text("  \n")
    (tmp_path / "global-only").write_text("[global]\nak = A\nsk = S\n")
    (tmp_path / "no-sk").write_text("[basiccredentials]\nak = A\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    with metadata(Metadata()):
        assert str(chain_error(ours)) == str(chain_error(theirs))


# -- environment and profile file ---------------------------------------------------------------


@pytest.mark.parametrize("where", ["env", "profile"])
@pytest.mark.parametrize("kind", ["keys", "federation", "both"])
def test_environment_and_profile_find_what_the_official_finds(monkeypatch, tmp_path, where, kind):
    values = {"project_id": "proj1", "security_token": "tok"}
    if kind in ("keys", "both"):
        values.update(ak="AKENV", sk="sk-env")
    if kind in ("federation", "both"):  # the federation wins, as in the official
        values.update(idp_id="idp1", id_token_file=str(tmp_path / "id_token"))
    if where == "env":
        for name, value in values.items():
            monkeypatch.setenv("HUAWEICLOUD_SDK_" + name.upper(), value)
    else:
        path = tmp_path / "credentials"
        text = (
            "[basiccredentials]\n"
            + "".join("%s = %s\n" % kv for kv in values.items())
            + "iam_endpoint = https://iam.x\n"
        )
        path.write_text(text)
        monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    assert fields(ours()) == fields(theirs())


# -- the ECS metadata service ----------------------------------------------------------------------


def test_metadata_keys_sign_calls_and_the_requests_are_the_official_ones(metadata, emu, monkeypatch):
    """The token request with its TTL, the security key request with the token; the keys and
    token the official accessor reads; the project id then looked up in IAM with them."""
    emu.add_credentials("AKMETA", "sk-meta", emu.project_id, security_token="token-meta")
    keys = [credential("AKMETA", "sk-meta", "token-meta", LATER)]
    with metadata(Metadata(keys)) as fake:
        official = theirs()
        official_requests = list(fake.requests)
        del fake.requests[:]
        fake.tokens_issued = 0
        mine = ours()
        mine_requests = list(fake.requests)
        monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.iam_endpoint)
        client = KafkaClient.new_builder().with_region(Region("cn-north-4", emu.endpoint)).build()
        show(client, emu, emu.add_instance())
    assert fields(mine) == fields(official)
    assert (mine.ak, mine.security_token) == ("AKMETA", "token-meta")

    def shape(requests):
        return [(m, p, h.get("X-Metadata-Token-Ttl-Seconds"), h.get("X-Metadata-Token")) for m, p, h in requests]

    assert (
        shape(mine_requests)
        == shape(official_requests)
        == [
            ("PUT", Metadata.TOKEN_PATH, "21600", None),
            ("GET", Metadata.KEY_PATH, None, "session-token-1"),
        ]
    )
    lookup, call = emu.requests()
    assert lookup["route"] == "keystone_list_projects" and lookup["status"] == 200
    assert call["status"] == 200 and "Access=AKMETA," in call["headers"]["authorization"]
    assert client.get_credentials().sk == "sk-meta"


@pytest.mark.parametrize("token_status", [404, 405, 503])
def test_metadata_without_session_tokens_is_asked_without_one(metadata, token_status):
    with metadata(Metadata([credential("AKMETA", "sk-meta", "t", LATER)], token_status=token_status)) as fake:
        assert fields(ours()) == fields(theirs())
    assert [(m, h.get("X-Metadata-Token")) for m, _, h in fake.requests] == [("PUT", None), ("GET", None)] * 2


def test_a_refused_metadata_token_is_the_official_error(metadata):
    with metadata(Metadata([credential("AKMETA", "sk-meta", "t", LATER)], token_status=500)):
        mine, official = chain_error(ours), chain_error(theirs)
    # A 5xx is a ServerResponseException here, as every 5xx; the official raises all as client errors.
    official_500 = "ClientRequestException - {status_code:500,"
    assert official_500 in str(official)
    assert str(mine) == str(official).replace(official_500, "ServerResponseException - {status_code:500,")


def test_an_expired_session_token_is_renewed_once(metadata, emu):
    """A 401 other than the missing agency: a new token, then the security key again."""
    emu.add_credentials("AKMETA", "sk-meta", emu.project_id, security_token="t1")
    expired = credential("AKMETA", "sk-meta", "t1", EXPIRED)
    with metadata(Metadata([expired])) as fake:
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(project_id=emu.project_id))
            .with_endpoints([emu.endpoint])
            .build()
        )
        instance_id = emu.add_instance()
        show(client, emu, instance_id)
        fake.token = "rotated-by-the-service"
        show(client, emu, instance_id)  # the keys have expired: refreshed first
        mine = [(m, p, h.get("X-Metadata-Token")) for m, p, h in fake.requests]
        del fake.requests[:]
        fake.tokens_issued, fake.token = 0, None
        official = OfficialCredentials(project_id=emu.project_id)
        official_show(emu, instance_id, official)
        fake.token = "rotated-by-the-service"
        official_show(emu, instance_id, official)
        theirs_ = [(m, p, h.get("X-Metadata-Token")) for m, p, h in fake.requests]
    assert (
        mine
        == theirs_
        == [
            ("PUT", Metadata.TOKEN_PATH, None),
            ("GET", Metadata.KEY_PATH, "session-token-1"),
            ("GET", Metadata.KEY_PATH, "session-token-1"),
            ("PUT", Metadata.TOKEN_PATH, None),
            ("GET", Metadata.KEY_PATH, "session-token-2"),
        ]
    )
    assert [r["status"] for r in emu.requests()] == [200] * 4


def test_hand_made_credentials_without_keys_use_the_metadata_service(metadata, emu):
    emu.add_credentials("AKMETA", "sk-meta", emu.project_id, security_token="token-meta")
    with metadata(Metadata([credential("AKMETA", "sk-meta", "token-meta", LATER)])) as fake:
        credentials = BasicCredentials(project_id=emu.project_id)
        client = KafkaClient.new_builder().with_credentials(credentials).with_endpoints([emu.endpoint]).build()
        assert fake.requests == [], "fetched on first use, as the official"
        show(client, emu, emu.add_instance())
    assert [r["status"] for r in emu.requests()] == [200]
    assert client.get_credentials() is credentials and credentials.ak == "AKMETA"


# -- refresh while calls are in flight ------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HMAC_SHA256", "SM2_SM3"])
@pytest.mark.parametrize("threads", [8])
def test_one_refresh_for_calls_in_flight_and_none_signed_with_the_old_keys(metadata, emu, threads, algorithm):
    """Keys expired when fetched are used by one call, then must be renewed. Calls from several
    threads start together while the renewal is held by the fake: one renewal request reaches
    it, and every one of those calls is signed with the new keys (the emulator checks each
    signature and the registered token). With SM2 the client's key, derived from the AK/SK,
    is derived again from the new keys."""
    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    emu.add_credentials("AKNEW", "sk-new", emu.project_id, security_token="token-new")
    keys = [credential("AKOLD", "sk-old", "token-old", EXPIRED), credential("AKNEW", "sk-new", "token-new", LATER)]
    with metadata(Metadata(keys)) as fake:
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(project_id=emu.project_id))
            .with_endpoints([emu.endpoint])
            .with_http_config(HttpConfig(signing_algorithm=SigningAlgorithm[algorithm]))
            .build()
        )
        instance_id = emu.add_instance()
        show(client, emu, instance_id)
        fake.answered_before_hold = 1
        fake.hold.clear()
        start = threading.Barrier(threads + 1)
        errors = []

        def call():
            start.wait(30)
            try:
                show(client, emu, instance_id)
            except Exception as e:  # reported below
                errors.append(e)

        workers = [threading.Thread(target=call) for _ in range(threads)]
        for w in workers:
            w.start()
        start.wait(30)
        assert fake.held.wait(30), "the renewal reached the fake"
        fake.hold.set()
        for w in workers:
            w.join(60)
    assert errors == []
    assert len(fake.key_requests()) == 2 and fake.tokens_issued == 1
    first, *during = emu.requests()
    assert "Access=AKOLD," in first["headers"]["authorization"]
    assert len(during) == threads
    assert all(r["status"] == 200 and "Access=AKNEW," in r["headers"]["authorization"] for r in during)
    assert client.get_credentials().ak == "AKNEW"


def test_one_refresh_for_async_calls_in_flight(metadata, emu):
    """The same with asyncio: the calls run on the shared runtime and wait for one renewal."""
    import asyncio

    from dmskafka import KafkaAsyncClient

    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    emu.add_credentials("AKNEW", "sk-new", emu.project_id, security_token="token-new")
    keys = [credential("AKOLD", "sk-old", "token-old", EXPIRED), credential("AKNEW", "sk-new", "token-new", LATER)]
    with metadata(Metadata(keys)) as fake:
        client = (
            KafkaAsyncClient.new_builder()
            .with_credentials(BasicCredentials(project_id=emu.project_id))
            .with_endpoints([emu.endpoint])
            .build()
        )
        instance_id = emu.add_instance()
        request = ShowInstanceRequest(instance_id=instance_id)
        client.show_instance_async(request).result(30)
        fake.answered_before_hold = 1
        fake.hold.clear()

        async def together():
            calls = [client.show_instance_async(request) for _ in range(8)]
            await asyncio.get_running_loop().run_in_executor(None, fake.held.wait, 30)
            fake.hold.set()
            return await asyncio.gather(*calls)

        assert len(asyncio.run(together())) == 8
    assert len(fake.key_requests()) == 2
    first, *during = emu.requests()
    assert "Access=AKOLD," in first["headers"]["authorization"]
    assert [r["status"] for r in during] == [200] * 8
    assert all("Access=AKNEW," in r["headers"]["authorization"] for r in during)


# -- OIDC/STS and IAM federation ---------------------------------------------------------------------


def oidc_env(monkeypatch, sts, token_file, project_id, **extra):
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", "iam::acct:identity-provider:gh")
    monkeypatch.setenv("HUAWEICLOUD_OIDC_AGENCY_URN", "iam::acct:agency:ci")
    monkeypatch.setenv("HUAWEICLOUD_OIDC_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("HUAWEICLOUD_SDK_STS_ENDPOINT", sts.endpoint)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", project_id)
    for name, value in extra.items():
        monkeypatch.setenv("HUAWEICLOUD_OIDC_" + name.upper(), value)


@pytest.mark.parametrize("duration, sent_duration", [("900", 900), ("0", 3600)])
def test_oidc_sts_exchanges_the_id_token_as_the_official(emu, monkeypatch, tmp_path, duration, sent_duration):
    emu.add_credentials("AKOIDC", "sk-oidc", emu.project_id, security_token="token-oidc")
    token_file = tmp_path / "id_token"
    token_file.write_text("the.id.token\n")
    answer = {"credentials": {"access_key_id": "AKOIDC", "secret_access_key": "sk-oidc"}}
    answer["credentials"].update(security_token="token-oidc", expiration=LATER.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    instance_id = emu.add_instance()
    sent = {}
    for side in ("ours", "official"):
        with Recorder() as sts:
            sts.reply(201, answer)
            oidc_env(monkeypatch, sts, token_file, emu.project_id, policy_ids="p1, p2", duration_seconds=duration)
            if side == "ours":
                client = KafkaClient.new_builder().with_endpoints([emu.endpoint]).build()
                assert sts.requests == [], "exchanged on first use, as the official"
                show(client, emu, instance_id)
            else:
                official_show(emu, instance_id)
            (sent[side],) = sts.requests
    for request in sent.values():
        assert (request["method"], request["path"]) == ("POST", "/v5/agencies/assume-with-oidc")
        assert request["headers"]["Content-Type"] == "application/json;charset=UTF-8"
        assert "Authorization" not in request["headers"]
    assert (
        json.loads(sent["ours"]["body"])
        == json.loads(sent["official"]["body"])
        == {
            "provider_urn": "iam::acct:identity-provider:gh",
            "agency_urn": "iam::acct:agency:ci",
            "agency_session_name": "oidc-sts-session",
            "id_token": "the.id.token",
            "duration_seconds": sent_duration,
            "policy_ids": ["p1", "p2"],
        }
    )
    assert [r["status"] for r in emu.requests()] == [200, 200]


def test_an_sts_refusal_is_the_official_error(emu, monkeypatch, tmp_path):
    token_file = tmp_path / "id_token"
    token_file.write_text("the.id.token")
    refusal = {"error": {"code": "STS.0104", "message": "the id token is expired"}}
    caught = {}
    for side in ("ours", "official"):
        with Recorder() as sts:
            sts.reply(400, refusal)
            oidc_env(monkeypatch, sts, token_file, emu.project_id)
            with pytest.raises(exceptions.SdkException if side == "ours" else Exception) as info:
                if side == "ours":
                    show(KafkaClient.new_builder().with_endpoints([emu.endpoint]).build(), emu, "i1")
                else:
                    official_show(emu, "i1")
            caught[side] = info.value
    assert type(caught["ours"]).__name__ == type(caught["official"]).__name__ == "SdkException"
    assert str(caught["ours"]) == str(caught["official"])
    assert "failed to get credential from oidc sts, detail: ClientRequestException" in str(caught["ours"])
    assert emu.requests() == []


def test_iam_federation_from_the_environment_as_the_official(emu, monkeypatch, tmp_path):
    emu.add_credentials("AKFED", "sk-fed", emu.project_id, security_token="token-fed")
    token_file = tmp_path / "id_token"
    token_file.write_text("federated.id.token")
    instance_id = emu.add_instance()
    sent = {}
    for side in ("ours", "official"):
        with Recorder() as iam:
            iam.reply(201, {"token": {"methods": ["mapped"]}}, {"X-Subject-Token": "unscoped-token"})
            iam.reply(201, {"credential": credential("AKFED", "sk-fed", "token-fed", LATER)})
            monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", "idp1")
            monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", str(token_file))
            monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id)
            monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", iam.endpoint)
            if side == "ours":
                show(KafkaClient.new_builder().with_endpoints([emu.endpoint]).build(), emu, instance_id)
            else:
                official_show(emu, instance_id)
            sent[side] = iam.requests
    for requests in sent.values():
        assert [(r["method"], r["path"]) for r in requests] == [
            ("POST", "/v3.0/OS-AUTH/id-token/tokens"),
            ("POST", "/v3.0/OS-CREDENTIAL/securitytokens"),
        ]
        assert requests[0]["headers"]["X-Idp-Id"] == "idp1"
    assert [json.loads(r["body"]) for r in sent["ours"]] == [json.loads(r["body"]) for r in sent["official"]]
    assert [r["status"] for r in emu.requests()] == [200, 200]


def test_hand_made_federation_and_its_missing_half(emu, tmp_path):
    with pytest.raises(exceptions.ApiValueError, match="^idp_id is required when using idp_id & id_token_file$"):
        KafkaClient.new_builder().with_credentials(
            BasicCredentials(project_id="p").with_id_token_file(str(tmp_path / "t"))
        ).with_endpoints([emu.endpoint]).build()
    with pytest.raises(exceptions.ApiValueError, match="^id_token_file is required when using idp_id & id_token_file$"):
        KafkaClient.new_builder().with_credentials(BasicCredentials("AK", "SK", "p").with_idp_id("idp")).with_endpoints(
            [emu.endpoint]
        ).build()
    with pytest.raises(exceptions.ValidationException, match="sts_endpoint"):
        KafkaClient.new_builder().with_credentials(
            BasicCredentials("AK", "SK", "p").with_sts_endpoint("https://sts.x")
        ).with_endpoints([emu.endpoint]).build()


# -- pod identity ----------------------------------------------------------------------------------------


def test_pod_identity_after_a_metadata_service_without_agency(metadata, emu, monkeypatch, tmp_path):
    token_file = tmp_path / "pod_token"
    token_file.write_text("pod-auth-token\n")
    found, sent = {}, {}
    with metadata(Metadata()):
        for side, find in (("ours", ours), ("official", theirs)):
            with Recorder() as agent:
                agent.reply(200, {"credential": credential("AKPOD", "sk-pod", "token-pod", LATER)})
                monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", agent.endpoint + "/v1/credentials")
                monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token_file))
                found[side] = fields(find())
                (sent[side],) = agent.requests
    assert found["ours"] == found["official"]
    assert found["ours"]["ak"] == "AKPOD"
    for request in sent.values():
        assert (request["method"], request["path"], request["body"]) == ("POST", "/v1/credentials", b"{}")
        assert request["headers"]["Authorization"] == "pod-auth-token"


def test_a_pod_identity_refusal_is_the_official_message(metadata, monkeypatch, tmp_path):
    token_file = tmp_path / "pod_token"
    token_file.write_text("pod-auth-token")
    messages = {}
    with metadata(Metadata()):
        for side, find in (("ours", ours), ("official", theirs)):
            with Recorder() as agent:
                agent.reply(403, {"error": "denied"})
                monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", agent.endpoint + "/v1/credentials")
                monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token_file))
                messages[side] = str(chain_error(find)).replace(agent.endpoint, "AGENT")
    assert messages["ours"] == messages["official"]
    assert (
        "failed to get credential from pod identity, detail: 403 Client Error: Forbidden for url: AGENT/v1/credentials"
        in (messages["ours"])
    )


# -- the review's fixes: refresh, margin, timeouts, test-only address, found keys -----------------


def metadata_client(emu):
    return (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(project_id=emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )


def at_once(threads, call, fake):
    """`threads` calls started together while the fake holds the renewal; the renewal is let
    go once they all had time to wait for it. Returns what each raised (None: nothing)."""
    start = threading.Barrier(threads + 1)
    outcome = [None] * threads

    def run(i):
        start.wait(30)
        try:
            call()
        except Exception as e:  # returned to the test
            outcome[i] = e

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait(30)
    assert fake.held.wait(30), "the renewal reached the fake"
    time.sleep(0.5)  # the other calls are waiting for it by now
    fake.hold.set()
    for w in workers:
        w.join(60)
    return outcome


def test_short_lived_keys_are_fetched_once_not_per_call(metadata, emu):
    """Keys with less than the margin left when fetched (30 minutes) are used until they
    expire: fetching again would give the same keys, one request per call."""
    emu.add_credentials("AKSHORT", "sk-short", emu.project_id, security_token="token-short")
    with metadata(Metadata([credential("AKSHORT", "sk-short", "token-short", SOON)])) as fake:
        client, instance_id = metadata_client(emu), emu.add_instance()
        for _ in range(3):
            show(client, emu, instance_id)
    assert len(fake.key_requests()) == 1
    assert [r["status"] for r in emu.requests()] == [200] * 3


def test_a_failed_refresh_is_one_request_shared_by_the_calls_waiting_for_it(metadata, emu):
    """The renewal of expired keys is held, then fails: the four calls that waited for it
    get its error, and none fetches again."""
    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    with metadata(Metadata([credential("AKOLD", "sk-old", "token-old", EXPIRED), 500])) as fake:
        client, instance_id = metadata_client(emu), emu.add_instance()
        show(client, emu, instance_id)
        fake.answered_before_hold, _ = 1, fake.hold.clear()
        outcome = at_once(4, lambda: show(client, emu, instance_id), fake)
    assert len(fake.key_requests()) == 2
    assert all(isinstance(e, exceptions.ServerResponseException) for e in outcome), outcome
    assert {e.status_code for e in outcome} == {500}
    assert len(emu.requests()) == 1


def test_a_failed_refresh_keeps_keys_that_have_not_expired(metadata, emu):
    """Keys within the margin but not expired, whose renewal fails: the calls that waited
    for it are signed with them (the official raises the error; README)."""
    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    expires = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + MARGIN + datetime.timedelta(seconds=1)
    with metadata(Metadata([credential("AKOLD", "sk-old", "token-old", expires), 503])) as fake:
        client, instance_id = metadata_client(emu), emu.add_instance()
        show(client, emu, instance_id)
        time.sleep(1.5)  # within the margin now
        fake.answered_before_hold, _ = 1, fake.hold.clear()
        outcome = at_once(4, lambda: show(client, emu, instance_id), fake)
    assert outcome == [None] * 4
    assert len(fake.key_requests()) == 2
    assert [r["status"] for r in emu.requests()] == [200] * 5
    assert all("Access=AKOLD," in r["headers"]["authorization"] for r in emu.requests())


@pytest.mark.parametrize("beyond, renewed", [(-1, True), (59, False)])
def test_the_refresh_margin_is_the_officials(metadata, emu, beyond, renewed):
    """Keys fetched with the official margin + 1.5 s left are renewed 2 s later (a second
    inside the margin); keys with the margin + 61 s left are not. The expiry is made from the
    official constant, so a margin of ours that differs fails one of the two."""
    assert MARGIN == datetime.timedelta(minutes=40)
    emu.add_credentials("AKOLD", "sk-old", emu.project_id, security_token="token-old")
    emu.add_credentials("AKNEW", "sk-new", emu.project_id, security_token="token-new")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    old = credential("AKOLD", "sk-old", "token-old", now + MARGIN + datetime.timedelta(seconds=beyond + 2.5))
    with metadata(Metadata([old, credential("AKNEW", "sk-new", "token-new", LATER)])) as fake:
        client, instance_id = metadata_client(emu), emu.add_instance()
        show(client, emu, instance_id)
        time.sleep(2)
        show(client, emu, instance_id)
    assert len(fake.key_requests()) == (2 if renewed else 1)
    second = emu.requests()[-1]["headers"]["authorization"]
    assert ("Access=AKNEW," if renewed else "Access=AKOLD,") in second


def test_a_silent_metadata_service_is_given_the_officials_3_seconds(metadata):
    """A service that takes the connection and never answers: both give up on it after 3 s
    (the official (3, 3) timeout), not connect + read. (The official lets requests'
    ReadTimeout out of the chain; ours lists it with the other links' reasons.)"""
    stop = threading.Event()
    elapsed, errors = {}, {}
    with RawServer(lambda conn: (read_request(conn), stop.wait(10))) as silent:
        metadata(silent)
        for side, find in (("ours", ours), ("official", theirs)):
            started = time.monotonic()
            with pytest.raises(Exception) as info:
                find()
            elapsed[side], errors[side] = time.monotonic() - started, info.value
        stop.set()
    assert type(errors["official"]).__name__ == "ReadTimeout" and "read timeout=3" in str(errors["official"])
    assert "CallTimeoutException - no complete response within the read timeout of 3s" in str(errors["ours"])
    assert 2.5 < elapsed["ours"] < 4.5, elapsed
    assert abs(elapsed["ours"] - elapsed["official"]) < 1.0, elapsed


@pytest.mark.parametrize("address", ["http://10.0.0.1", "http://169.254.169.253", "http://metadata.example"])
def test_the_test_metadata_address_takes_loopback_addresses_only(monkeypatch, address):
    monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", address)
    with pytest.raises(ValueError, match="^DMSKAFKA_TEST_METADATA_ENDPOINT is for tests only and takes a loopback"):
        ours()


@pytest.mark.parametrize("where", ["env", "profile"])
def test_found_keys_are_checked_at_build_as_given_ones(monkeypatch, tmp_path, where):
    """A token with a line break (or a tab in the profile's) is refused when the chain finds it."""
    if where == "env":
        monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AK")
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "SK")
        monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "tok\r\nX-Injected: 1")
    else:
        path = tmp_path / "credentials"
        section = "ak = AK\nsk = SK\nsecurity_token = tok\x01en\n"
        # The chain's [basic]; build() reads [basiccredentials], as the official build().
        path.write_text("[basic]\n%s[basiccredentials]\n%s" % (section, section))
        monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    with pytest.raises(exceptions.ValidationException, match="security_token"):
        ours()
    with pytest.raises(exceptions.ValidationException, match="security_token"):
        KafkaClient.new_builder().with_endpoints(["http://127.0.0.1:1"]).build()


def test_iam_federation_from_the_profile_uses_its_iam_endpoint(emu, monkeypatch, tmp_path):
    """The profile's iam_endpoint is where federation goes, as the official
    `self.iam_endpoint or IamHelper.get_iam_endpoint()`; the default IAM is never asked."""
    emu.add_credentials("AKFED", "sk-fed", emu.project_id, security_token="token-fed")
    token_file = tmp_path / "id_token"
    token_file.write_text("federated.id.token")
    instance_id = emu.add_instance()
    sent = {}
    for side in ("ours", "official"):
        with Recorder() as iam:
            iam.reply(201, {"token": {"methods": ["mapped"]}}, {"X-Subject-Token": "unscoped-token"})
            iam.reply(201, {"credential": credential("AKFED", "sk-fed", "token-fed", LATER)})
            profile = tmp_path / "credentials"
            # build() reads [basiccredentials], as the official build().
            profile.write_text(
                "[basiccredentials]\nidp_id = idp1\nid_token_file = %s\nproject_id = %s\niam_endpoint = %s\n"
                % (token_file, emu.project_id, iam.endpoint)
            )
            monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
            if side == "ours":
                show(KafkaClient.new_builder().with_endpoints([emu.endpoint]).build(), emu, instance_id)
            else:
                official_show(emu, instance_id)
            sent[side] = iam.requests

    def shape(requests):
        return [(r["method"], r["path"], r["headers"].get("X-Idp-Id"), json.loads(r["body"])) for r in requests]

    assert shape(sent["ours"]) == shape(sent["official"])
    assert [p for _, p, _, _ in shape(sent["ours"])] == [
        "/v3.0/OS-AUTH/id-token/tokens",
        "/v3.0/OS-CREDENTIAL/securitytokens",
    ]
    assert [r["status"] for r in emu.requests()] == [200, 200]
