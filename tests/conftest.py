"""Shared fixtures. HOME is a fresh folder for the whole run: nothing (ours or the
official SDK's) may write into the real home directory, and profile lookups start empty.
No credential source of the machine is read: the variables of every source of the chain are
cleared, and the ECS metadata service, ours and the official SDK's, is a closed port on
127.0.0.1 unless a test points it at a fake (never the real 169.254.169.254).
The official SDK is the test oracle: without it the run stops before any test, it never skips."""

import importlib
import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="dmskafka-home-")
os.environ["HOME"] = _HOME
for _name in list(os.environ):
    if _name.startswith(("HUAWEICLOUD_SDK_", "HUAWEICLOUD_OIDC_", "HC_CONTAINER_")):
        del os.environ[_name]

import pytest  # noqa: E402
from servers import Recorder, closed_port  # noqa: E402

NO_METADATA = "http://127.0.0.1:%d" % closed_port()
os.environ["DMSKAFKA_TEST_METADATA_ENDPOINT"] = NO_METADATA  # test-only (src/credentials/mod.rs)

try:
    from huaweicloudsdkcore.auth import internal as _official_internal
except ImportError:  # reported by pytest_sessionstart
    pass
else:
    _official_internal.MetadataAccessor._METADATA_ENDPOINT = NO_METADATA

# The test extra in pyproject.toml declares these; the differential tests import them plainly.
ORACLE = ("huaweicloudsdkcore", "huaweicloudsdkkafka")


def pytest_sessionstart(session):
    """Fails the whole run, with a non-zero exit status, when the oracle is not installed."""
    missing = []
    for name in ORACLE:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        pytest.exit(
            "the official SDK (%s) is the test oracle and is missing: %s; "
            "install the test extra: pip install -e '.[test]'" % (", ".join(ORACLE), ", ".join(missing)),
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture
def home():
    """The run's HOME; tests must leave it as they found it."""
    return _HOME


@pytest.fixture
def recorder():
    """A real HTTP server on 127.0.0.1 that records requests and plays canned responses."""
    with Recorder() as server:
        yield server
