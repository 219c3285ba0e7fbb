"""Regenerates the golden signing vectors from the OFFICIAL signers, for every algorithm.

    .venv/bin/python tests/vectors/generate.py

Every case below becomes a folder ``tests/vectors/<case>/`` holding

- ``request.json``          the inputs: algorithm (a ``SigningAlgorithm`` name), ak, sk, method,
                            resource_path, query [[k, v], ...], headers [[k, v], ...] (already
                            holding Host and X-Sdk-Date), ``body`` (UTF-8 text) or ``body_hex``
                            (any bytes), sdk_date;
- ``canonical_request.txt`` stage 1, from the signer's ``_process_canonical_request``;
- ``string_to_sign.txt``    stage 2, from its ``_process_string_to_sign``;
- ``authorization.txt``     stage 3, the ``Authorization`` header its ``sign`` sets.

The signer is the one the official credentials pick for the algorithm (``Signer``,
``SM3Signer``, ``P256SHA256Signer``, ``SM2SM3Signer``). ``derived-keys.json`` holds, for
ECDSA_P256_SHA256 and SM2_SM3, the public key the official signer derives from each AK/SK
(``public_keys``: SEC1 uncompressed hex) and its ``_derive_key`` run with a smaller bound than
n - 2, so that counters past 0 are taken (``bounded``: the private key, hex, or null when the
official signer finds none).

Files have no trailing newline, so their bytes are exactly the stage text. The output is
deterministic (fixed time, fixed fake keys, ASCII-escaped JSON): running the script twice
changes nothing, and ``--check`` fails when a stored file differs from what it would write.
The one exception is the signature of ECDSA and SM2, which the official signer draws at
random: a stored ``authorization.txt`` is kept while the official key still verifies its
signature over the string to sign and the text before ``Signature=`` is unchanged.

The official signers are the oracle here; nothing in this file re-implements them. The script
only drives them step by step, in the order ``sign`` runs, and asserts that the intermediate
results reproduce the ``Authorization`` that ``sign`` itself produces (for ECDSA and SM2: the
same text before ``Signature=``, both signatures verified by the official key).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import SdkException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm

HERE = Path(__file__).resolve().parent

AK = "TESTAKNOTREAL000000"
SK = "test-secret-key-not-real"
AK_UNICODE = "\u00c4K-\u6771\u4eac"
# Longer than a 64-byte hash block, non-ASCII.
SK_LONG = "s\u00e9cret-" + "\u79d8\u5bc6" * 12 + "-not-real"
DATE = "20240318T081530Z"
HOST = "dms.cn-north-4.myhuaweicloud.com"
IAM_HOST = "iam.cn-north-4.myhuaweicloud.com"
PROJECT = "0123456789abcdef0123456789abcdef"
INSTANCE = "5d5b1b0c-6a2e-4b4a-9d0c-3f2a1b0c9d8e"
UA = "dmskafka-python/0.1.0"
CONNECTOR = f"/v2/{PROJECT}/instances/{INSTANCE}/connector"


def _std(*extra: tuple[str, str], content_type: bool = True, host: str = HOST) -> list[list[str]]:
    """The headers dmskafka's client sends, in its order, plus ``extra`` before the date."""
    headers: list[tuple[str, str]] = []
    if content_type:
        headers.append(("Content-Type", "application/json"))
    headers.append(("User-Agent", UA))
    headers.extend(extra)
    headers.append(("X-Project-Id", PROJECT))
    headers.append(("X-Sdk-Date", DATE))
    headers.append(("Host", host))
    return [list(h) for h in headers]


DERIVED_KEYS = "derived-keys.json"
# The algorithms whose signature the official signer draws at random.
RANDOMIZED = ("ECDSA_P256_SHA256", "SM2_SM3")
# SM2 keys whose public x (resp. y) has a leading zero byte: the official ZA hashes it shorter
# than GB/T 32918's 32 bytes (found by searching TESTAKNOTREAL000000, 000001, ...).
AK_SM2_SHORT_X = "TESTAKNOTREAL000176"
AK_SM2_SHORT_Y = "TESTAKNOTREAL000135"


def signer_class(algorithm: str):
    """The official signer class the official credentials use for ``algorithm``."""
    return BasicCredentials._SIGNER_CASE[SigningAlgorithm[algorithm]]


def case(method, resource_path, *, query=(), headers=None, body=b"", ak=AK, sk=SK, algorithm="HMAC_SHA256"):
    return {
        "algorithm": algorithm,
        "ak": ak,
        "sk": sk,
        "method": method,
        "resource_path": resource_path,
        "query": [list(q) for q in query],
        "headers": headers if headers is not None else _std(),
        "body": body,
        "sdk_date": DATE,
    }


CASES: dict[str, dict] = {
    # The seed's first example: new flavors, two connectors (the body dmskafka sends).
    "create-connector-node-cnt-2": case("POST", CONNECTOR, body=b'{"node_cnt":2}'),
    # The seed's second example: old flavors.
    "create-connector-old-flavor": case(
        "POST",
        CONNECTOR,
        body=b'{"specification":"100MB","node_cnt":2,"spec_code":"kafka.c3.mini.connector"}',
    ),
    # No body given: dmskafka sends `{}` and the server uses node_cnt 2.
    "create-connector-empty-object-body": case("POST", CONNECTOR, body=b"{}"),
    # GET show-instance: no body at all, so the payload hash is the empty-string hash.
    "show-instance-no-body": case("GET", f"/v2/{PROJECT}/instances/{INSTANCE}"),
    # IAM project lookup: no Content-Type, no X-Project-Id, query name=cn-north-4.
    "iam-projects-lookup": case(
        "GET",
        "/v3/projects",
        query=[("name", "cn-north-4")],
        headers=[["User-Agent", UA], ["X-Sdk-Date", DATE], ["Host", IAM_HOST]],
    ),
    # Repeated keys, unsorted input, keys differing only in case: sorted by (key, value).
    "query-repeated-keys-unsorted": case(
        "GET",
        f"/v2/{PROJECT}/instances",
        query=[
            ("offset", "10"),
            ("limit", "5"),
            ("engine", "kafka"),
            ("limit", "1"),
            ("name", "b"),
            ("Name", "a"),
            ("limit", "10"),
        ],
    ),
    # Spaces, unicode, reserved and sub-delimiter characters, empty values.
    "query-spaces-unicode-reserved": case(
        "GET",
        f"/v2/{PROJECT}/instances",
        query=[
            ("a b", "c d"),
            ("ключ", "значение"),
            ("reserved", "=&?/#+:;,@$"),
            ("empty", ""),
            ("~tilde-_.", "*'()!"),
            ("emoji", "\U0001f600"),
            ("pct", "100%25 %"),
            ("plus+key", "a+b"),
        ],
    ),
    # The path is percent-decoded once, then each segment re-encoded; %2F becomes a separator.
    "path-percent-encoded-and-unicode": case(
        "GET",
        f"/v2/{PROJECT}/instances/a%20b/caf%C3%A9/東京/x%2Fy/~user/a+b/%7e/%25",
    ),
    # A trailing '/' is kept as is (never doubled).
    "path-trailing-slash": case("GET", f"/v2/{PROJECT}/instances/"),
    # Empty segments (double slashes) survive canonicalisation.
    "path-double-slashes": case("GET", f"/v2//{PROJECT}///instances"),
    # Header values are trimmed; inner whitespace is kept.
    "header-values-surrounding-whitespace": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Trace", "  spaced   inner  value \t"), ("X-Tabs", "\t\tx\t"), ("X-Blank", "   ")),
        body=b'{"node_cnt":2}',
    ),
    # Python's str.strip() also trims U+001C..U+001F, NBSP, U+3000 and the other Unicode spaces.
    "header-values-unicode-whitespace": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Sep", "\x1c\x1dv\x1e\x1f"), ("X-Nbsp", "\u00a0\u3000v\u2003\u0085")),
        body=b'{"node_cnt":2}',
    ),
    # A header name containing '_' is sent but never signed.
    "header-underscore-name-unsigned": case(
        "POST",
        CONNECTOR,
        headers=_std(("X_Custom_Header", "not signed"), ("x-custom", "signed")),
        body=b'{"node_cnt":2}',
    ),
    # Temporary credentials: X-Security-Token is signed like any other header.
    "security-token": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Security-Token", "gQpjbi1ub3J0aC00" + "A" * 80 + "+/=fake-token")),
        body=b'{"node_cnt":2}',
    ),
    # X-Sdk-Content-Sha256 replaces the payload hash (what the official signer adds for a
    # Content-Type other than JSON/BSON); the body is binary, stored as hex.
    "unsigned-payload": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/blob.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["User-Agent", UA],
            ["X-Project-Id", PROJECT],
            ["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
        body=bytes(range(256)),
    ),
    # ... but with an empty body the empty-payload hash wins over the header.
    "unsigned-payload-empty-body": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/empty.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
    ),
    # Header names are lower-cased for signing, whatever their spelling.
    "mixed-case-header-names": case(
        "POST",
        CONNECTOR,
        headers=[
            ["content-TYPE", "application/json;charset=UTF-8"],
            ["USER-AGENT", UA],
            ["x-PROJECT-id", PROJECT],
            ["x-sdk-DATE", DATE],
            ["HOST", HOST],
        ],
        body=b'{"node_cnt":2}',
    ),
    # Two names differing only in case: both are listed, each with the value of the later one
    # (the official signer keeps them as two dict keys).
    "header-names-differing-only-in-case": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Custom", "first"), ("x-custom", "second")),
        body=b'{"node_cnt":2}',
    ),
    # A non-ASCII header value is signed as its UTF-8 text.
    "header-value-unicode": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Note", "café ☕ 東京")),
        body='{"spec_code":"kafka.c3.mini.connector","note":"é"}'.encode(),
    ),
    # The method is upper-cased.
    "lower-case-method": case("delete", f"/v2/{PROJECT}/instances/{INSTANCE}/connector"),
    # A binary JSON-typed body is hashed as bytes.
    "binary-body-hashed": case("POST", CONNECTOR, body=b"\xff\xfe\x00binary\x80"),
    # ---- HMAC_SM3: SDK-HMAC-SM3, SM3 hashes, X-Sdk-Content-Sm3 ----
    "hmac-sm3-create-connector": case("POST", CONNECTOR, body=b'{"node_cnt":2}', algorithm="HMAC_SM3"),
    # No body: the payload hash is SM3 of nothing.
    "hmac-sm3-show-instance-no-body": case("GET", f"/v2/{PROJECT}/instances/{INSTANCE}", algorithm="HMAC_SM3"),
    "hmac-sm3-iam-projects-lookup": case(
        "GET",
        "/v3/projects",
        query=[("name", "cn-north-4")],
        headers=[["User-Agent", UA], ["X-Sdk-Date", DATE], ["Host", IAM_HOST]],
        algorithm="HMAC_SM3",
    ),
    "hmac-sm3-security-token": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Security-Token", "gQpjbi1ub3J0aC00" + "A" * 80 + "+/=fake-token")),
        body=b'{"node_cnt":2}',
        algorithm="HMAC_SM3",
    ),
    # For a body neither JSON nor BSON the SM3 signer sets X-Sdk-Content-Sm3 (not -Sha256).
    "hmac-sm3-unsigned-payload": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/blob.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["User-Agent", UA],
            ["X-Project-Id", PROJECT],
            ["X-Sdk-Content-Sm3", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
        body=bytes(range(256)),
        algorithm="HMAC_SM3",
    ),
    "hmac-sm3-unsigned-payload-empty-body": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/empty.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["X-Sdk-Content-Sm3", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
        algorithm="HMAC_SM3",
    ),
    # X-Sdk-Content-Sha256 means nothing to the SM3 signer: signed as a header, body hashed.
    "hmac-sm3-sha256-header-only-signed": case(
        "POST",
        CONNECTOR,
        headers=_std(("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")),
        body=b'{"node_cnt":2}',
        algorithm="HMAC_SM3",
    ),
    # A non-ASCII AK and an SK longer than SM3's 64-byte block (HMAC hashes such a key first).
    "hmac-sm3-long-unicode-sk": case(
        "POST", CONNECTOR, body=b'{"node_cnt":2}', ak=AK_UNICODE, sk=SK_LONG, algorithm="HMAC_SM3"
    ),
    # ---- ECDSA_P256_SHA256: key derived from the AK/SK, DER signature in hex ----
    "ecdsa-p256-create-connector": case("POST", CONNECTOR, body=b'{"node_cnt":2}', algorithm="ECDSA_P256_SHA256"),
    "ecdsa-p256-show-instance-no-body": case(
        "GET", f"/v2/{PROJECT}/instances/{INSTANCE}", algorithm="ECDSA_P256_SHA256"
    ),
    "ecdsa-p256-iam-projects-lookup": case(
        "GET",
        "/v3/projects",
        query=[("name", "cn-north-4")],
        headers=[["User-Agent", UA], ["X-Sdk-Date", DATE], ["Host", IAM_HOST]],
        algorithm="ECDSA_P256_SHA256",
    ),
    # The ECDSA signer keeps SHA-256: X-Sdk-Content-Sha256.
    "ecdsa-p256-unsigned-payload": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/blob.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["X-Project-Id", PROJECT],
            ["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
        body=bytes(range(256)),
        algorithm="ECDSA_P256_SHA256",
    ),
    "ecdsa-p256-long-unicode-sk": case(
        "POST", CONNECTOR, body=b'{"node_cnt":2}', ak=AK_UNICODE, sk=SK_LONG, algorithm="ECDSA_P256_SHA256"
    ),
    # ---- SM2_SM3: key derived with HMAC-SM3, SM2 with the default user id, SM3 hashes ----
    "sm2-sm3-create-connector": case("POST", CONNECTOR, body=b'{"node_cnt":2}', algorithm="SM2_SM3"),
    "sm2-sm3-show-instance-no-body": case("GET", f"/v2/{PROJECT}/instances/{INSTANCE}", algorithm="SM2_SM3"),
    "sm2-sm3-unsigned-payload": case(
        "PUT",
        f"/v2/{PROJECT}/instances/{INSTANCE}/files/blob.bin",
        headers=[
            ["Content-Type", "application/octet-stream"],
            ["X-Project-Id", PROJECT],
            ["X-Sdk-Content-Sm3", "UNSIGNED-PAYLOAD"],
            ["X-Sdk-Date", DATE],
            ["Host", HOST],
        ],
        body=bytes(range(256)),
        algorithm="SM2_SM3",
    ),
    "sm2-sm3-long-unicode-sk": case(
        "POST", CONNECTOR, body=b'{"node_cnt":2}', ak=AK_UNICODE, sk=SK_LONG, algorithm="SM2_SM3"
    ),
    # Keys whose ZA the official signer hashes with a short coordinate (see AK_SM2_SHORT_X).
    "sm2-sm3-public-x-leading-zero": case(
        "POST", CONNECTOR, body=b'{"node_cnt":2}', ak=AK_SM2_SHORT_X, algorithm="SM2_SM3"
    ),
    "sm2-sm3-public-y-leading-zero": case(
        "POST", CONNECTOR, body=b'{"node_cnt":2}', ak=AK_SM2_SHORT_Y, algorithm="SM2_SM3"
    ),
}

# AK/SK pairs whose derived public keys are stored, per algorithm.
KEY_PAIRS = [(AK, SK), (AK_UNICODE, SK_LONG), ("AK-with-dash", "x"), (AK_SM2_SHORT_X, SK), (AK_SM2_SHORT_Y, SK)]
# (ak, sk, bound): `_derive_key` with n - 2 replaced by the bound. 2^252 - 1 refuses about 15
# candidates in 16 (the pairs are chosen so that a counter past 0 is taken); 0 refuses all.
BOUNDED = [(AK, SK, (1 << 252) - 1), (AK_UNICODE, SK_LONG, (1 << 252) - 1), (AK, SK, 0)]


def _new_request(spec: dict) -> SdkRequest:
    return SdkRequest(
        method=spec["method"],
        schema="https",
        host=HOST,
        resource_path=spec["resource_path"],
        query_params=[tuple(q) for q in spec["query"]],
        header_params={k: v for k, v in spec["headers"]},
        body=spec["body"],
    )


def official_steps(spec: dict) -> tuple[str, str, str]:
    """The official signer's steps, in the order ``sign`` runs them, up to the signature:
    the canonical request, the string to sign and the ``Authorization`` before the signature."""
    cls = signer_class(spec["algorithm"])
    signer = cls(BasicCredentials(spec["ak"], spec["sk"]))
    request = _new_request(spec)
    cls._process_content_header(request)
    t = cls._process_header_time(request)
    cls._process_header_host(request)
    signed_headers = cls._process_signed_headers(request)
    canonical_request = signer._process_canonical_request(request, signed_headers)
    string_to_sign = signer._process_string_to_sign(canonical_request, t)
    return canonical_request, string_to_sign, signer._process_auth_header_value("", spec["ak"], signed_headers)


def _official_stages(spec: dict) -> tuple[str, str, str]:
    """The three stages; the last one whole for HMAC, before the signature for ECDSA and SM2.
    Checked against the whole official ``sign`` (for ECDSA and SM2: both signatures verified)."""
    signer = signer_class(spec["algorithm"])(BasicCredentials(spec["ak"], spec["sk"]))
    signed = signer.sign(_new_request(spec))
    authorization = signed.header_params["Authorization"]
    added = set(signed.header_params) - {k for k, _ in spec["headers"]} - {"Authorization"}
    if added:
        raise SystemExit(f"the official signer added {sorted(added)}: put them into the case's headers")

    canonical_request, string_to_sign, before_signature = official_steps(spec)
    if spec["algorithm"] in RANDOMIZED:
        signature = signer._sign_string_to_sign(string_to_sign, spec["sk"])
        if not (
            official_verifies(spec, string_to_sign, before_signature + signature)
            and official_verifies(spec, string_to_sign, authorization)
        ):
            raise SystemExit("the official key does not verify the official signatures")
        authorization = unsigned(authorization)
    else:
        signature = signer._sign_string_to_sign(string_to_sign, spec["sk"])
        before_signature += signature
    if before_signature != authorization:
        raise SystemExit("step-by-step signing disagrees with sign()")
    return canonical_request, string_to_sign, authorization


def unsigned(authorization: str) -> str:
    """The ``Authorization`` text up to ``Signature=`` included: what a randomized signature
    leaves fixed."""
    return authorization[: authorization.index("Signature=") + len("Signature=")]


def official_verifies(spec: dict, string_to_sign: str, authorization: str) -> bool:
    """The official signing key's own ``verify`` of the signature in ``authorization``."""
    signer = signer_class(spec["algorithm"])(BasicCredentials(spec["ak"], spec["sk"]))
    signature = bytes.fromhex(authorization[len(unsigned(authorization)) :])
    return signer.get_signing_key().verify(signature, string_to_sign.encode("utf-8"))


def _request_json(spec: dict) -> str:
    out = {k: v for k, v in spec.items() if k != "body"}
    body: bytes = spec["body"]
    try:
        out["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        out["body_hex"] = body.hex()
    # Keep the key order readable: body right after headers.
    ordered = {k: out[k] for k in ("algorithm", "ak", "sk", "method", "resource_path", "query", "headers")}
    ordered.update({k: out[k] for k in ("body", "body_hex") if k in out})
    ordered["sdk_date"] = out["sdk_date"]
    # One line per field and per [name, value] pair; non-ASCII escaped so no editor can alter it.
    lines = []
    for key, value in ordered.items():
        if isinstance(value, list) and value:
            pairs = ",\n".join("    " + json.dumps(pair, ensure_ascii=True) for pair in value)
            lines.append(f"  {json.dumps(key)}: [\n{pairs}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=True)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def files_for(spec: dict, folder: Path) -> dict[str, bytes]:
    """The case's files; for ECDSA and SM2, the stored ``authorization.txt`` while it is valid
    (else a new official one), since the official signature is random."""
    canonical_request, string_to_sign, authorization = _official_stages(spec)
    if spec["algorithm"] in RANDOMIZED:
        stored = folder / "authorization.txt"
        kept = stored.read_text("utf-8") if stored.is_file() else ""
        if kept.startswith(authorization) and official_verifies(spec, string_to_sign, kept):
            authorization = kept
        else:
            authorization = _official_authorization(spec)
    return {
        "request.json": _request_json(spec).encode("ascii"),
        "canonical_request.txt": canonical_request.encode("utf-8"),
        "string_to_sign.txt": string_to_sign.encode("utf-8"),
        "authorization.txt": authorization.encode("utf-8"),
    }


def _official_authorization(spec: dict) -> str:
    signer = signer_class(spec["algorithm"])(BasicCredentials(spec["ak"], spec["sk"]))
    return signer.sign(_new_request(spec)).header_params["Authorization"]


def derived_keys_json() -> bytes:
    """``derived-keys.json``: the official derived public keys, and ``_derive_key`` bounded."""
    public_keys, bounded = [], []
    for algorithm in RANDOMIZED:
        cls = signer_class(algorithm)
        for ak, sk in KEY_PAIRS:
            x, y = cls(BasicCredentials(ak, sk)).get_signing_key()._public_key
            public_key = "04" + x.to_bytes(32, "big").hex() + y.to_bytes(32, "big").hex()
            public_keys.append({"algorithm": algorithm, "ak": ak, "sk": sk, "public_key": public_key})
        for ak, sk, bound in BOUNDED:
            signer = type("Bounded", (cls,), {"_N_MINUS_TWO": bound})(BasicCredentials(ak, sk))
            try:
                key = signer._derive_key()
            except SdkException:
                private_key = None
            else:
                if bound and key == cls(BasicCredentials(ak, sk))._derive_key():
                    raise SystemExit(f"{algorithm} {ak}: counter 0 passes the bound; pick another pair")
                private_key = f"{key:064x}"
            bounded.append(
                {"algorithm": algorithm, "ak": ak, "sk": sk, "n_minus_two": f"{bound:064x}", "private_key": private_key}
            )
    lines = []
    for name, rows in (("public_keys", public_keys), ("bounded", bounded)):
        body = ",\n".join("    " + json.dumps(row, ensure_ascii=True) for row in rows)
        lines.append(f"  {json.dumps(name)}: [\n{body}\n  ]")
    return ("{\n" + ",\n".join(lines) + "\n}").encode("ascii")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any stored file differs")
    args = parser.parse_args()

    stale = []
    outputs = [(HERE / name, files_for(spec, HERE / name)) for name, spec in CASES.items()]
    outputs.append((HERE, {DERIVED_KEYS: derived_keys_json()}))
    for folder, files in outputs:
        for filename, data in files.items():
            path = folder / filename
            if args.check:
                if not path.is_file() or path.read_bytes() != data:
                    stale.append(str(path.relative_to(HERE)))
                continue
            folder.mkdir(exist_ok=True)
            path.write_bytes(data)
    extra = sorted(p.name for p in HERE.iterdir() if p.is_dir() and p.name not in CASES and not p.name.startswith("_"))
    if extra:
        stale.extend(f"{e}/ (no such case)" for e in extra)
    if stale:
        print("stale vectors:", *stale, sep="\n  ", file=sys.stderr)
        return 1
    if not args.check:
        print(f"wrote {len(CASES)} cases and {DERIVED_KEYS} to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
