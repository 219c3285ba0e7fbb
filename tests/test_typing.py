"""The stubs: `mypy --strict` accepts the examples and a typed program, stubtest finds them
true to the runtime, and that program runs."""

import logging
import pathlib
import subprocess
import sys

import typing_usage

ROOT = pathlib.Path(__file__).parent.parent


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)


def test_mypy_strict_accepts_the_examples_and_the_typed_usage_and_rejects_its_mistakes():
    # typing_usage._mistakes() holds errors under `type: ignore`: --strict fails on an unneeded one.
    checked = run("mypy", "--strict", "examples", "tests/typing_usage.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_stubtest_finds_the_stubs_true_to_the_runtime():
    checked = run("mypy.stubtest", "dmskafka", "--allowlist", ".mypy-stubtest-allowlist")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_typed_usage_runs_against_the_emulator():
    logger = logging.getLogger("dmskafka")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        typing_usage.main()
    finally:  # main() logs with with_stream_log, which configures the shared logger
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
