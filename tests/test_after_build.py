"""What the official client reads again for each request, changed after build(): the bound
credentials' keys and project id (`client.get_credentials().with_ak(..)`) and the
configuration's signing algorithm. The official client signs the next request with the new
values; so does ours (the emulator records each request's Authorization header). Temporary
keys that the client fetches itself cannot be replaced by hand: refused, naming the field."""

import datetime

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials as OfficialCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException as OfficialClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig as OfficialHttpConfig
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm as OfficialAlgorithm
from huaweicloudsdkkafka.v2 import KafkaClient as OfficialClient
from huaweicloudsdkkafka.v2 import ShowInstanceRequest as OfficialShowInstanceRequest
from servers import Metadata, credential

from dmskafka import BasicCredentials, HttpConfig, KafkaAsyncClient, KafkaClient, ShowInstanceRequest
from dmskafka.core.signer.algorithm import SigningAlgorithm
from dmskafka.exceptions import ClientRequestException, ValidationException

LATER = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=6)


def clients(emu):
    """Ours and the official client, each with its own credentials and configuration."""
    mine = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_http_config(HttpConfig())
        .with_endpoints([emu.endpoint])
        .build()
    )
    config = OfficialHttpConfig.get_default_config()
    theirs = (
        OfficialClient.new_builder()
        .with_credentials(OfficialCredentials(emu.ak, emu.sk, emu.project_id))
        .with_http_config(config)
        .with_endpoints([emu.endpoint])
        .build()
    )
    return mine, theirs, config


def authorizations(emu, mine, theirs, instance_id, mine_config=None):
    """The Authorization header of one call of each, ours first; both must succeed."""
    emu.clear_requests()
    mine.show_instance(ShowInstanceRequest(instance_id=instance_id))
    theirs.show_instance(OfficialShowInstanceRequest(instance_id=instance_id))
    sent = emu.requests()
    assert [r["status"] for r in sent] == [200, 200]
    return [r["headers"]["authorization"] for r in sent]


def test_keys_changed_after_build_sign_the_next_call_as_the_official(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    emu.add_credentials("AK2", "SK2-secret", emu.project_id)
    mine, theirs, _ = clients(emu)
    before = authorizations(emu, mine, theirs, instance_id)
    assert all("Access=%s," % emu.ak in a for a in before)
    for client in (mine, theirs):
        client.get_credentials().with_ak("AK2").with_sk("SK2-secret")
    after = authorizations(emu, mine, theirs, instance_id)
    assert all("Access=AK2," in a for a in after)
    assert mine.get_credentials().ak == theirs.get_credentials().ak == "AK2"


def test_a_security_token_added_after_build_is_sent(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    emu.add_credentials("AKT", "SKT", emu.project_id, security_token="tok-2")
    mine, theirs, _ = clients(emu)
    for client in (mine, theirs):
        client.get_credentials().with_ak("AKT").with_sk("SKT").with_security_token("tok-2")
    emu.clear_requests()
    mine.show_instance(ShowInstanceRequest(instance_id=instance_id))
    theirs.show_instance(OfficialShowInstanceRequest(instance_id=instance_id))
    # The emulator accepts AKT only with its token, and records it redacted.
    sent = emu.requests()
    assert [(r["status"], r["headers"].get("x-security-token")) for r in sent] == [(200, "****")] * 2


@pytest.mark.parametrize("algorithm", ["HMAC_SM3", "ECDSA_P256_SHA256", "SM2_SM3"])
def test_signing_algorithm_changed_after_build_signs_the_next_call(dmskafka_emulator, algorithm):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    mine, theirs, official_config = clients(emu)
    assert all(a.startswith("SDK-HMAC-SHA256 ") for a in authorizations(emu, mine, theirs, instance_id))
    mine._config.signing_algorithm = SigningAlgorithm[algorithm]
    official_config.signing_algorithm = OfficialAlgorithm[algorithm]
    scheme = "SDK-" + algorithm.replace("_", "-") + " "
    assert all(a.startswith(scheme) for a in authorizations(emu, mine, theirs, instance_id))


def configured(emu):
    """A client of the emulator built with an HttpConfig the test keeps, to change it later."""
    config = HttpConfig()
    client = (
        KafkaClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_http_config(config)
        .with_endpoints([emu.endpoint])
        .build()
    )
    return config, client


def test_the_config_given_to_the_builder_is_the_one_read(dmskafka_emulator):
    """As the official: the HttpConfig object passed to with_http_config, changed later."""
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    config, client = configured(emu)
    config.signing_algorithm = SigningAlgorithm.HMAC_SM3
    emu.clear_requests()
    client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert emu.requests()[0]["headers"]["authorization"].startswith("SDK-HMAC-SM3 ")


def test_an_unknown_algorithm_set_after_build_is_refused_at_the_next_call(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    mine, _, _ = clients(emu)
    mine._config.signing_algorithm = "HMAC_SHA1"
    emu.clear_requests()
    with pytest.raises(ValidationException) as info:
        mine.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert info.value.field == "signing_algorithm"
    assert emu.requests() == []


def test_project_id_changed_after_build_is_the_next_call_s(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    mine, theirs, _ = clients(emu)
    for client in (mine, theirs):
        client.get_credentials().with_project_id("other-project")
    emu.clear_requests()
    # The emulator refuses a project the keys do not belong to: both send it, both fail.
    with pytest.raises(ClientRequestException):
        mine.show_instance(ShowInstanceRequest(instance_id=instance_id))
    with pytest.raises(OfficialClientRequestException):
        theirs.show_instance(OfficialShowInstanceRequest(instance_id=instance_id))
    paths = [r["path"] for r in emu.requests()]
    assert len(paths) == 2 and all("/other-project/" in p for p in paths)


def test_async_calls_use_the_changed_keys(dmskafka_emulator):
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    emu.add_credentials("AK3", "SK3", emu.project_id)
    client = (
        KafkaAsyncClient.new_builder()
        .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
        .with_endpoints([emu.endpoint])
        .build()
    )
    client.get_credentials().with_ak("AK3").with_sk("SK3")
    emu.clear_requests()
    client.show_instance_async(ShowInstanceRequest(instance_id=instance_id)).result()
    assert "Access=AK3," in emu.requests()[0]["headers"]["authorization"]


@pytest.mark.parametrize("field", ["ak", "sk", "security_token"])
def test_temporary_keys_changed_by_hand_are_refused_naming_the_field(dmskafka_emulator, monkeypatch, field):
    emu = dmskafka_emulator
    emu.add_credentials("AKMETA", "sk-meta", emu.project_id, security_token="token-meta")
    with Metadata([credential("AKMETA", "sk-meta", "token-meta", LATER)]) as fake:
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", fake.endpoint)
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(project_id=emu.project_id))
            .with_endpoints([emu.endpoint])
            .build()
        )
        instance_id = emu.add_instance()
        client.show_instance(ShowInstanceRequest(instance_id=instance_id))
        credentials = client.get_credentials()
        assert credentials.ak == "AKMETA"
        setattr(credentials, field, "by-hand")
        emu.clear_requests()
        with pytest.raises(ValidationException) as info:
            client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert info.value.field == field and "after build()" in str(info.value)
    assert emu.requests() == []
    assert getattr(client.get_credentials(), field) == "by-hand", "not silently replaced"


def test_unchanged_temporary_keys_follow_their_refreshes(dmskafka_emulator, monkeypatch):
    """get_credentials() shows the keys last fetched; that is no change by hand."""
    emu = dmskafka_emulator
    emu.add_credentials("AKMETA", "sk-meta", emu.project_id, security_token="token-meta")
    with Metadata([credential("AKMETA", "sk-meta", "token-meta", LATER)]) as fake:
        monkeypatch.setenv("DMSKAFKA_TEST_METADATA_ENDPOINT", fake.endpoint)
        client = (
            KafkaClient.new_builder()
            .with_credentials(BasicCredentials(project_id=emu.project_id))
            .with_endpoints([emu.endpoint])
            .build()
        )
        instance_id = emu.add_instance()
        for _ in range(2):
            client.show_instance(ShowInstanceRequest(instance_id=instance_id))
            assert client.get_credentials().ak == "AKMETA"


def test_any_setting_changed_after_build_takes_effect_on_the_next_call(dmskafka_emulator):
    """Not only the algorithm: e.g. the user agent, which shows on the wire."""
    emu = dmskafka_emulator
    instance_id = emu.add_instance()
    config, client = configured(emu)
    config.user_agent = "after-build/1"
    emu.clear_requests()
    client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert emu.requests()[0]["headers"]["user-agent"].endswith("after-build/1")
    config.timeout = -1  # a bad value set later is refused at the next call, naming it; nothing sent
    emu.clear_requests()
    with pytest.raises(ValidationException) as info:
        client.show_instance(ShowInstanceRequest(instance_id=instance_id))
    assert info.value.field == "timeout" and emu.requests() == []
