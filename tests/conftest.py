"""Shared fixtures. HOME is a fresh folder for the whole run: nothing (ours or the
official SDK's) may write into the real home directory, and profile lookups start empty."""

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="dmskafka-home-")
os.environ["HOME"] = _HOME
for _name in list(os.environ):
    if _name.startswith("HUAWEICLOUD_SDK_"):
        del os.environ[_name]

import pytest  # noqa: E402
from servers import Recorder  # noqa: E402


@pytest.fixture
def home():
    """The run's HOME; tests must leave it as they found it."""
    return _HOME


@pytest.fixture
def recorder():
    """A real HTTP server on 127.0.0.1 that records requests and plays canned responses."""
    with Recorder() as server:
        yield server
