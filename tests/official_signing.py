"""The official signers as an oracle for the tests: the vector generator's helpers (which drive
the official code only), and checks of an ``Authorization`` dmskafka produced."""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import urllib.parse
from pathlib import Path

VECTORS = Path(__file__).resolve().parent / "vectors"
RANDOMIZED = ("ECDSA_P256_SHA256", "SM2_SM3")


@functools.cache
def generator():
    """``tests/vectors/generate.py`` as a module."""
    spec = importlib.util.spec_from_file_location("_dmskafka_vector_generator", VECTORS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def assert_official_accepts(spec: dict, ours: str) -> None:
    """``ours``, an ``Authorization`` for the request ``spec`` (the generator's case format),
    against the official signer of its algorithm: equal for HMAC; for ECDSA and SM2 the same
    text before the signature, and a signature the official signing key's ``verify`` accepts
    (the key the official derives from the same AK/SK)."""
    gen = generator()
    if spec["algorithm"] not in RANDOMIZED:
        assert ours == gen._official_authorization(spec)
        return
    _, string_to_sign, before_signature = gen.official_steps(spec)
    assert gen.unsigned(ours) == before_signature
    assert gen.official_verifies(spec, string_to_sign, ours), f"the official key refuses {ours}"


def assert_official_accepts_recorded(record: dict, ak: str, sk: str, algorithm: str) -> None:
    """The same for a request the emulator recorded (``Emulator.requests()``), as received:
    the signed headers with their received values, the raw path and query, the body."""
    authorization = record["headers"]["authorization"]
    signed = re.search(r"SignedHeaders=([^,]*)", authorization).group(1).split(";")
    spec = {
        "algorithm": algorithm,
        "ak": ak,
        "sk": sk,
        "method": record["method"],
        "resource_path": record["path"],
        "query": urllib.parse.parse_qsl(record["query"], keep_blank_values=True),
        "headers": [(name, record["headers"][name]) for name in signed],
        "body": record["body"].encode("utf-8"),
        "sdk_date": record["headers"]["x-sdk-date"],
    }
    assert_official_accepts(spec, authorization)
