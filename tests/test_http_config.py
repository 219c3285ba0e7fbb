"""dmskafka.http_config against the official HttpConfig, the oracle."""

import inspect

import pytest
from huaweicloudsdkcore.http import http_config as official
from huaweicloudsdkcore.signer import algorithm as official_algorithm

from dmskafka.http_config import HttpConfig, SigningAlgorithm

OFFICIAL_PARAMS = list(inspect.signature(official.HttpConfig).parameters.values())


def test_constructor_has_the_official_parameters_and_defaults_then_ours():
    params = list(inspect.signature(HttpConfig).parameters.values())
    assert [p.name for p in params] == [p.name for p in OFFICIAL_PARAMS] + ["max_response_bytes"]
    for mine, theirs in zip(params, OFFICIAL_PARAMS):
        if mine.name == "signing_algorithm":
            assert mine.default.name == theirs.default.name == "HMAC_SHA256"
        else:
            assert mine.default == theirs.default, mine.name
    assert params[-1].default == 8 * 1024 * 1024
    assert HttpConfig().max_response_bytes == 8 * 1024 * 1024


def test_signing_algorithm_mirrors_official_enum():
    members = [(m.name, m.value) for m in SigningAlgorithm]
    assert members == [(m.name, m.value) for m in official_algorithm.SigningAlgorithm]
    assert SigningAlgorithm.get_default() is SigningAlgorithm.HMAC_SHA256


def test_every_official_option_is_a_property_with_a_setter_as_in_the_official_class():
    # What each option does is watched in tests/test_http_options.py; here, only the shape.
    for param in OFFICIAL_PARAMS:
        theirs, mine = getattr(official.HttpConfig, param.name), getattr(HttpConfig, param.name)
        assert isinstance(mine, property) == isinstance(theirs, property), param.name
        assert (mine.fset is None) == (theirs.fset is None), param.name


def test_positional_arguments_land_in_the_official_order():
    values = ["p%d" % i for i in range(len(OFFICIAL_PARAMS))]
    mine, theirs = HttpConfig(*values), official.HttpConfig(*values)
    for param in OFFICIAL_PARAMS:
        assert getattr(mine, param.name) == getattr(theirs, param.name)


PROXIES = [
    {},
    {"proxy_protocol": "http", "proxy_host": "proxy.local"},
    {"proxy_protocol": "http", "proxy_host": "proxy.local", "proxy_port": 3128},
    {
        "proxy_protocol": "https",
        "proxy_host": "10.0.0.1",
        "proxy_port": "8443",
        "proxy_user": "u",
        "proxy_password": "p@ss w/:",
    },
    {"proxy_protocol": "http", "proxy_host": "h", "proxy_user": "user", "proxy_password": "中文&="},
    {"proxy_protocol": "http", "proxy_host": "", "proxy_port": 1},
    {"proxy_host": "h", "proxy_port": 0},
]


@pytest.mark.parametrize("kwargs", PROXIES)
def test_proxy_matches_official(kwargs):
    mine, theirs = HttpConfig(**kwargs), official.HttpConfig(**kwargs)
    assert mine.get_proxy() == theirs.get_proxy()
    assert mine.proxy == theirs.proxy


def test_proxy_user_without_password_does_not_crash():
    # The official SDK raises TypeError from quote_plus(None) here.
    config = HttpConfig(proxy_protocol="http", proxy_host="h", proxy_user="u")
    assert config.proxy == {"https": "http://u:@h"}


def test_get_default_config():
    default = HttpConfig.get_default_config()
    assert isinstance(default, HttpConfig)
    assert default is not HttpConfig.get_default_config()
    theirs = official.HttpConfig.get_default_config()
    for param in OFFICIAL_PARAMS:
        if param.name != "signing_algorithm":
            assert getattr(default, param.name) == getattr(theirs, param.name)


def test_repr_hides_the_proxy_password_only():
    config = HttpConfig(proxy_protocol="http", proxy_host="h", proxy_user="alice", proxy_password="s3cret-pw")
    text = repr(config)
    assert "s3cret" not in text and "proxy_password='****'" in text
    assert "proxy_user='alice'" in text and "proxy_host='h'" in text
    assert "max_response_bytes=8388608" in text and "timeout=(60, 120)" in text
    assert "proxy_password=None" in repr(HttpConfig())
    config.proxy_password = "changed-pw"
    assert "changed-pw" not in repr(config) and "changed-pw" not in str(config)


def test_migration_path():
    from dmskafka.core.http.http_config import HttpConfig as migrated

    assert migrated is HttpConfig
