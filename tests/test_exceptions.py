"""dmskafka.exceptions against the official SDK's exceptions module, the oracle."""

import copy
import inspect
import pickle

import pytest
from huaweicloudsdkcore.exceptions import exceptions as official

from dmskafka import exceptions as ours

OFFICIAL_CLASSES = sorted(
    name for name, obj in vars(official).items() if inspect.isclass(obj) and obj.__module__ == official.__name__
)
SINGLE_MESSAGE = [
    "SdkException",
    "ConnectionException",
    "HostUnreachableException",
    "SslHandShakeException",
    "RequestTimeoutException",
    "CallTimeoutException",
    "RetryOutageException",
]
SERVICE = ["ServiceResponseException", "ClientRequestException", "ServerResponseException"]
MESSAGES = [None, "", "boom", "中文 message", 0, 42, "a - b {status_code:1}", "%s %d %%", "line\nbreak", ("t", 1)]
SDK_ERROR_FIELDS = [
    (None, None, None, None),
    ("req-1", "DMS.00400002", "invalid param", None),
    ("", "", "", ""),
    ("8f2c", 400, "参数错误", "encoded+msg/=="),
    (None, "APIGW.0301", None, "x"),
]


def service_args(module, status, fields):
    return status, module.SdkError(*fields)


def every_instance():
    """One instance of each of our exception classes, built with unusual values."""
    for name in SINGLE_MESSAGE:
        yield getattr(ours, name)("msg ü")
    for name in SERVICE:
        yield getattr(ours, name)(*service_args(ours, 503, SDK_ERROR_FIELDS[3]))
    yield ours.ValidationException("node_cnt", "must be at least 2")
    yield ours.JobFailedException("job-1", "FAILED", "the job failed")
    yield ours.WaitTimeoutException("gave up after 60 s", job_id="job-2", last_status="RUNNING")


def test_every_official_class_is_mirrored_with_the_same_constructor():
    for name in OFFICIAL_CLASSES:
        theirs, mine = getattr(official, name), getattr(ours, name)
        assert inspect.signature(mine) == inspect.signature(theirs), name


def test_hierarchy_matches_official_by_name():
    for sub in OFFICIAL_CLASSES:
        for base in OFFICIAL_CLASSES:
            expected = issubclass(getattr(official, sub), getattr(official, base))
            assert issubclass(getattr(ours, sub), getattr(ours, base)) == expected, (sub, base)
    for name in OFFICIAL_CLASSES:
        for builtin in (Exception, TypeError, ValueError, KeyError):
            assert issubclass(getattr(ours, name), builtin) == issubclass(getattr(official, name), builtin)


@pytest.mark.parametrize("name", SINGLE_MESSAGE)
@pytest.mark.parametrize("msg", MESSAGES)
def test_single_message_str_and_setter_match_official(name, msg):
    theirs, mine = getattr(official, name)(msg), getattr(ours, name)(msg)
    assert str(mine) == str(theirs)
    assert mine.error_msg == theirs.error_msg
    assert mine.args == theirs.args
    theirs.error_msg = mine.error_msg = "changed"
    assert str(mine) == str(theirs) == "%s - changed" % name


@pytest.mark.parametrize("name", SERVICE)
@pytest.mark.parametrize("status", [400, 404, 500, None, "418"])
@pytest.mark.parametrize("fields", SDK_ERROR_FIELDS)
def test_service_exception_str_properties_and_setters_match_official(name, status, fields):
    theirs = getattr(official, name)(*service_args(official, status, fields))
    mine = getattr(ours, name)(*service_args(ours, status, fields))
    assert str(mine) == str(theirs)
    for attr in ("status_code", "request_id", "error_code", "error_msg", "encoded_auth_msg"):
        assert getattr(mine, attr) == getattr(theirs, attr), attr
        setattr(theirs, attr, "new-" + attr)
        setattr(mine, attr, "new-" + attr)
        assert str(mine) == str(theirs), attr


def test_service_exception_str_exact_format():
    e = ours.ClientRequestException(400, ours.SdkError("rid", "DMS.1", "bad", None))
    assert str(e) == (
        "ClientRequestException - {status_code:400,request_id:rid,error_code:DMS.1,"
        "error_msg:bad,encoded_authorization_message:None }"
    )


def test_sdk_error_properties_match_official():
    for fields in SDK_ERROR_FIELDS:
        theirs, mine = official.SdkError(*fields), ours.SdkError(*fields)
        for attr in ("request_id", "error_code", "error_msg", "encoded_auth_msg"):
            assert getattr(mine, attr) == getattr(theirs, attr)
            setattr(mine, attr, "v")
            assert getattr(mine, attr) == "v"
    assert ours.SdkError(error_msg="m").error_msg == "m"


PATHS = [None, [], ["a"], ["a", 0, "b"], [1, True, ("t", 1)], ["中"]]


@pytest.mark.parametrize("path", PATHS)
def test_api_errors_match_official(path):
    assert ours.render_path(path or []) == official.render_path(path or [])
    pairs = [
        (official.ApiTypeError("bad type", path, (int,), True), ours.ApiTypeError("bad type", path, (int,), True)),
        (official.ApiValueError("bad value", path), ours.ApiValueError("bad value", path)),
        (official.ApiKeyError("bad key", path), ours.ApiKeyError("bad key", path)),
    ]
    for theirs, mine in pairs:
        assert str(mine) == str(theirs)
        assert mine.args == theirs.args
        assert vars(mine) == vars(theirs)
        assert pickle.loads(pickle.dumps(mine)).args == mine.args


def test_outcome_unknown_defaults_false_and_is_per_instance():
    with_flag = SINGLE_MESSAGE[1:] + ["WaitTimeoutException"]
    for name in with_flag:
        cls = getattr(ours, name)
        a = cls("x")
        b = cls("y")
        assert a.outcome_unknown is False
        a.outcome_unknown = True
        assert a.outcome_unknown is True and b.outcome_unknown is False
    assert not hasattr(ours.SdkException("x"), "outcome_unknown")
    assert not hasattr(ours.ClientRequestException(400, ours.SdkError()), "outcome_unknown")


def test_validation_exception():
    e = ours.ValidationException("node_cnt", "must be at least 2")
    assert isinstance(e, ValueError) and isinstance(e, ours.SdkException)
    assert (e.field, e.rule) == ("node_cnt", "must be at least 2")
    assert e.error_msg == "invalid node_cnt: must be at least 2"
    assert str(e) == "ValidationException - invalid node_cnt: must be at least 2"
    with pytest.raises(ValueError, match="invalid node_cnt"):
        raise e


def test_job_waiter_exceptions():
    failed = ours.JobFailedException("job-1", "FAILED", "connector creation failed")
    assert (failed.job_id, failed.status, failed.error_msg) == ("job-1", "FAILED", "connector creation failed")
    assert str(failed) == "JobFailedException - connector creation failed"
    assert not isinstance(failed, ours.RequestTimeoutException)

    timeout = ours.WaitTimeoutException("still RUNNING after 600 s", job_id="job-2", last_status="RUNNING")
    assert isinstance(timeout, ours.RequestTimeoutException)
    assert (timeout.job_id, timeout.last_status) == ("job-2", "RUNNING")
    assert str(timeout) == "WaitTimeoutException - still RUNNING after 600 s"
    bare = ours.WaitTimeoutException("m")
    assert (bare.job_id, bare.last_status) == (None, None)


@pytest.mark.parametrize("exc", list(every_instance()), ids=lambda e: type(e).__name__)
def test_pickle_and_copy_keep_everything(exc):
    exc.error_msg = exc.error_msg + " (edited)"
    if hasattr(exc, "outcome_unknown"):
        exc.outcome_unknown = True
    for clone in (pickle.loads(pickle.dumps(exc)), copy.copy(exc), copy.deepcopy(exc)):
        assert type(clone) is type(exc)
        assert str(clone) == str(exc)
        assert repr(clone) == repr(exc)
        assert vars(clone) == vars(exc)


@pytest.mark.parametrize("exc", list(every_instance()), ids=lambda e: type(e).__name__)
def test_repr_and_str_show_only_what_was_given(exc):
    for text in (repr(exc), str(exc)):
        assert type(exc).__name__ in text
        assert " at 0x" not in text and "object" not in text
    assert str(exc.error_msg) in repr(exc)


def test_service_repr_names_its_fields():
    e = ours.ServerResponseException(502, ours.SdkError("rid", "E1", "bad gateway", "enc"))
    assert repr(e) == (
        "ServerResponseException(status_code=502, request_id='rid', error_code='E1', error_msg='bad gateway')"
    )


def test_module_and_all():
    defined = {
        name
        for name, obj in vars(ours).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == ours.__name__
    }
    assert set(ours.__all__) == defined
    assert set(OFFICIAL_CLASSES) <= set(ours.__all__)
    for name in ours.__all__:
        assert getattr(ours, name).__module__ == "dmskafka.exceptions"


def test_migration_path_reexports_the_same_objects():
    from dmskafka.core.exceptions import exceptions as migrated

    assert migrated.__all__ == ours.__all__
    for name in ours.__all__:
        assert getattr(migrated, name) is getattr(ours, name)
