"""dmskafka.credentials against the official BasicCredentials, the oracle."""

import inspect

import pytest
from huaweicloudsdkcore.auth import credentials as official

from dmskafka.credentials import BasicCredentials

# Official members dmskafka does not offer: the derived-auth predicate and the official SDK's
# metadata and STS helper objects. Anything else the official class gains must show up here.
NOT_OFFERED = {"with_derived_predicate", "metadata_accessor", "sts_accessor"}


def _public(cls):
    return {name: inspect.getattr_static(cls, name) for name in dir(cls) if not name.startswith("_")}


PROPERTIES = sorted(
    name
    for name, value in _public(official.BasicCredentials).items()
    if isinstance(value, property) and name not in NOT_OFFERED
)
BUILDERS = {
    name: name[len("with_") :]
    for name in _public(official.BasicCredentials)
    if name.startswith("with_") and name not in NOT_OFFERED
}


def test_properties_and_builders_are_the_official_ones():
    assert PROPERTIES and BUILDERS
    ours = _public(BasicCredentials)
    assert {name for name, value in ours.items() if isinstance(value, property)} == set(PROPERTIES)
    assert {name for name in ours if name.startswith("with_")} == set(BUILDERS)
    assert set(BUILDERS.values()) <= set(PROPERTIES)


def test_constructor_matches_official():
    def shape(cls):  # the official one is annotated; names, kinds and defaults are what callers see
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert shape(BasicCredentials) == shape(official.BasicCredentials)


@pytest.mark.parametrize("args", [(), ("AK",), ("AK", "SK"), ("AK", "SK", "pid"), ("", "", ""), (None, None, "pid")])
def test_constructor_stores_like_official_without_validating(args):
    mine, theirs = BasicCredentials(*args), official.BasicCredentials(*args)
    for name in PROPERTIES:
        assert getattr(mine, name) == getattr(theirs, name), name


@pytest.mark.parametrize("builder, attr", sorted(BUILDERS.items()))
def test_builders_set_the_property_and_chain_like_official(builder, attr):
    mine, theirs = BasicCredentials(), official.BasicCredentials()
    assert getattr(mine, builder)("value") is mine
    getattr(theirs, builder)("value")
    assert getattr(mine, attr) == getattr(theirs, attr) == "value"
    assert isinstance(getattr(BasicCredentials, attr), property)


@pytest.mark.parametrize("attr", ["ak", "sk"])
@pytest.mark.parametrize("empty", ["", None])
def test_ak_sk_setters_refuse_empty_like_official(attr, empty):
    mine, theirs = BasicCredentials("AK", "SK"), official.BasicCredentials("AK", "SK")
    with pytest.raises(ValueError) as theirs_error:
        setattr(theirs, attr, empty)
    with pytest.raises(ValueError) as mine_error:
        setattr(mine, attr, empty)
    assert str(mine_error.value) == str(theirs_error.value) == "%s cannot be None or empty" % attr
    with pytest.raises(ValueError):
        getattr(mine, "with_" + attr)(empty)
    assert getattr(mine, attr) == attr.upper()


@pytest.mark.parametrize("attr", ["project_id", "security_token", "iam_endpoint", "idp_id", "id_token_file"])
def test_optional_setters_accept_none(attr):
    credentials = BasicCredentials().with_project_id("p")
    setattr(credentials, attr, "x")
    setattr(credentials, attr, None)
    assert getattr(credentials, attr) is None


def test_repr_and_str_show_ak_and_project_but_never_secrets():
    credentials = BasicCredentials("MYAKID", "topsecret-sk", "proj-1").with_security_token("token-xyz")
    for text in (repr(credentials), str(credentials)):
        assert text == "BasicCredentials(ak='MYAKID', sk='****', project_id='proj-1', security_token='****')"
    credentials.sk = "rotated-sk"
    credentials.security_token = "rotated-token"
    assert "rotated" not in repr(credentials)
    assert repr(BasicCredentials()) == "BasicCredentials(ak=None, sk=None, project_id=None, security_token=None)"


def test_migration_path():
    from dmskafka.core.auth.credentials import BasicCredentials as migrated

    assert migrated is BasicCredentials
    assert migrated("ak", "sk", "p").project_id == "p"
