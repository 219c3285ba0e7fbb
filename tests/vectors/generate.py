"""Regenerates the SDK-HMAC-SHA256 golden vectors from the OFFICIAL signer.

    .venv/bin/python tests/vectors/generate.py

Every case below becomes a folder ``tests/vectors/<case>/`` holding

- ``request.json``          the inputs: ak, sk, method, resource_path, query [[k, v], ...],
                            headers [[k, v], ...] (already holding Host and X-Sdk-Date),
                            ``body`` (UTF-8 text) or ``body_hex`` (any bytes), sdk_date;
- ``canonical_request.txt`` stage 1, from ``Signer._process_canonical_request``;
- ``string_to_sign.txt``    stage 2, from ``Signer._process_string_to_sign``;
- ``authorization.txt``     stage 3, the ``Authorization`` header ``Signer.sign`` sets.

Files have no trailing newline, so their bytes are exactly the stage text. The output is
deterministic (fixed time, fixed fake keys, ASCII-escaped JSON): running the script twice
changes nothing, and ``--check`` fails when a stored file differs from what it would write.

The official signer is the oracle here; nothing in this file re-implements it. The script only
drives the official ``Signer`` step by step, in the order ``Signer.sign`` runs, and asserts that
its intermediate results reproduce the ``Authorization`` that ``sign`` itself produces.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

HERE = Path(__file__).resolve().parent

AK = "TESTAKNOTREAL000000"
SK = "test-secret-key-not-real"
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


def case(method, resource_path, *, query=(), headers=None, body=b"", ak=AK, sk=SK):
    return {
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
}


def _official_stages(spec: dict) -> tuple[str, str, str]:
    headers = {k: v for k, v in spec["headers"]}
    body = spec["body"]

    def new_request() -> SdkRequest:
        return SdkRequest(
            method=spec["method"],
            schema="https",
            host=HOST,
            resource_path=spec["resource_path"],
            query_params=[tuple(q) for q in spec["query"]],
            header_params=dict(headers),
            body=body,
        )

    creds = BasicCredentials(spec["ak"], spec["sk"])
    signer = Signer(creds)

    # The whole official signer, once.
    signed = signer.sign(new_request())
    authorization = signed.header_params["Authorization"]
    added = set(signed.header_params) - set(headers) - {"Authorization"}
    if added:
        raise SystemExit(f"the official signer added {sorted(added)}: put them into the case's headers")

    # The same steps one by one, to capture the intermediate stages.
    request = new_request()
    Signer._process_content_header(request)
    t = Signer._process_header_time(request)
    Signer._process_header_host(request)
    signed_headers = Signer._process_signed_headers(request)
    canonical_request = signer._process_canonical_request(request, signed_headers)
    string_to_sign = signer._process_string_to_sign(canonical_request, t)
    signature = signer._sign_string_to_sign(string_to_sign, spec["sk"])
    again = signer._process_auth_header_value(signature, spec["ak"], signed_headers)
    if again != authorization:
        raise SystemExit("step-by-step signing disagrees with Signer.sign")
    return canonical_request, string_to_sign, authorization


def _request_json(spec: dict) -> str:
    out = {k: v for k, v in spec.items() if k != "body"}
    body: bytes = spec["body"]
    try:
        out["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        out["body_hex"] = body.hex()
    # Keep the key order readable: body right after headers.
    ordered = {k: out[k] for k in ("ak", "sk", "method", "resource_path", "query", "headers")}
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


def files_for(spec: dict) -> dict[str, bytes]:
    canonical_request, string_to_sign, authorization = _official_stages(spec)
    return {
        "request.json": _request_json(spec).encode("ascii"),
        "canonical_request.txt": canonical_request.encode("utf-8"),
        "string_to_sign.txt": string_to_sign.encode("utf-8"),
        "authorization.txt": authorization.encode("utf-8"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any stored file differs")
    args = parser.parse_args()

    stale = []
    for name, spec in CASES.items():
        folder = HERE / name
        for filename, data in files_for(spec).items():
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
        print(f"wrote {len(CASES)} cases to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
