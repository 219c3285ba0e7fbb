"""dmskafka's pytest plugin: the ``dmskafka_emulator`` fixture, registered by the ``pytest11``
entry point of the dmskafka distribution.

It lives outside the ``dmskafka`` package on purpose, as hypothesis keeps its plugin in
``_hypothesis_pytestplugin``: importing ``dmskafka._anything`` would run ``dmskafka/__init__.py``
and load the Rust core, emulator included, into every pytest run of every project that has
dmskafka installed. Here pytest imports this module only; ``dmskafka.testing`` (and with it
``dmskafka`` and its core) is imported the first time a test asks for the fixture.
Nothing else may be imported here at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from dmskafka.testing import Emulator

__all__ = ["dmskafka_emulator"]


@pytest.fixture
def dmskafka_emulator() -> Iterator[Emulator]:
    """A started ``dmskafka.testing.Emulator``, stopped after the test."""
    from dmskafka.testing import Emulator

    with Emulator() as emu:
        yield emu
