//! The property checks shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, which
//! include this file with `#[path]`) and the corpus regression test (`tests/fuzz_corpus.rs`).
//!
//! Each check takes the raw bytes a fuzz target receives and panics (through `assert!`) when a
//! property breaks, so libFuzzer records the input as a crash and `cargo test` fails on it.
//! Where a check needs an expected value it computes it independently of the code under test.

// Test code: a broken property must stop the run loudly. Each fuzz target uses one check.
#![allow(dead_code, clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use arbitrary::{Arbitrary, Unstructured};
use dmskafka::error::{parse_error_body, Error};
use dmskafka::signer::{
    canonical_query, canonical_uri, sign, signature, Authorization, CanonicalRequest, SignedHeaders, SigningInput,
    StringToSign,
};
use dmskafka::{CreateConnectorResponse, RawResponse};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fuzz target names; each is also the folder of its corpus under `fuzz/corpus/`.
pub const TARGETS: [&str; 4] = ["error_body", "response_body", "canonical_request", "authorization_header"];

/// Runs the check of `target` on one input.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "error_body" => error_body(data),
        "response_body" => response_body(data),
        "canonical_request" => canonical_request(data),
        "authorization_header" => authorization_header(data),
        other => panic!("no fuzz check named {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// error_body: the first two bytes are the HTTP status (big-endian), the rest the body.

/// `parse_error_body` never panics, always yields a non-empty `error_code` and an `error_msg`,
/// keeps the request id, and follows the official rules where they can be computed directly:
/// a top-level `error_code`/`error_msg` pair of strings comes back (an empty one falls back to
/// the status / the body text), and a body that is not a JSON object becomes the message with
/// the status as the code.
pub fn error_body(data: &[u8]) {
    let (status, body) = match data {
        [hi, lo, rest @ ..] => (u16::from_be_bytes([*hi, *lo]), rest),
        _ => (500, data),
    };
    let request_id = (status % 2 == 0).then(|| format!("rid-{status}"));
    let e = parse_error_body(status, request_id.clone(), body);

    assert_eq!(e.request_id, request_id, "the request id is kept");
    let code = e.error_code.as_deref().expect("error_code is always set");
    let msg = e.error_msg.as_deref().expect("error_msg is always set");
    assert!(!code.is_empty(), "error_code is never empty");

    let text = String::from_utf8_lossy(body);
    let status_text = status.to_string();
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            if let (Some(Value::String(c)), Some(Value::String(m))) = (map.get("error_code"), map.get("error_msg")) {
                let want_code = if c.is_empty() { status_text.as_str() } else { c.as_str() };
                let want_msg = if m.is_empty() { &*text } else { m.as_str() };
                assert_eq!(code, want_code, "error_code of a top-level string pair");
                assert_eq!(msg, want_msg, "error_msg of a top-level string pair");
                let want_encoded = map.get("encoded_authorization_message").map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                });
                assert_eq!(e.encoded_auth_msg, want_encoded, "encoded_authorization_message at the top level");
            }
        }
        _ => {
            assert_eq!(code, status_text, "a body that is not a JSON object: the status is the code");
            assert_eq!(msg, &*text, "a body that is not a JSON object: the body is the message");
            assert_eq!(e.encoded_auth_msg, None, "a body that is not a JSON object has no encoded message");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// response_body: the whole input is a 200 response body.

/// The create-connector response parse (`serde_json::from_slice::<CreateConnectorResponse>`,
/// as `Client::create_connector` does it) accepts exactly the JSON objects whose `job_id` and
/// `connector_id` are strings, and returns those strings; `RawResponse::require_json_object`
/// accepts exactly JSON objects and otherwise says the response could not be read.
/// The reference is the generic JSON value, where a repeated key keeps its last value, as in
/// Python's `json.loads` that the official SDK uses.
pub fn response_body(data: &[u8]) {
    let reference = serde_json::from_slice::<Value>(data).ok();
    let want = match &reference {
        Some(Value::Object(map)) => match (map.get("job_id"), map.get("connector_id")) {
            (Some(Value::String(job)), Some(Value::String(conn))) => Some((job.clone(), conn.clone())),
            _ => None,
        },
        _ => None,
    };
    let got = serde_json::from_slice::<CreateConnectorResponse>(data)
        .ok()
        .map(|r| (r.job_id, r.connector_id));
    assert_eq!(got, want, "create-connector response accepted iff an object with string job_id and connector_id");

    let raw = RawResponse { status: 200, request_id: Some("rid".to_owned()), body: data.to_vec() };
    let is_object = matches!(reference, Some(Value::Object(_)));
    match raw.require_json_object() {
        Ok(()) => assert!(is_object, "require_json_object accepted a body that is not a JSON object"),
        Err(Error::InvalidResponse { status, request_id, message }) => {
            assert!(!is_object, "require_json_object rejected a JSON object");
            assert_eq!(status, 200);
            assert_eq!(request_id.as_deref(), Some("rid"));
            assert!(message.contains("could not be read"), "the message says the response could not be read: {message}");
        }
        Err(other) => panic!("require_json_object failed with the wrong error kind: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// canonical_request: the input is decoded with `arbitrary` into a request to sign.

/// A header name: mostly ones the signer treats specially, else anything.
#[derive(Debug, Arbitrary)]
enum Name {
    Host,
    SdkDate,
    ContentSha256,
    ContentSha256Lower,
    ContentType,
    Underscored,
    Any(String),
}

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Host => "Host".to_owned(),
            Name::SdkDate => "X-Sdk-Date".to_owned(),
            Name::ContentSha256 => "X-Sdk-Content-Sha256".to_owned(),
            Name::ContentSha256Lower => "x-sdk-content-sha256".to_owned(),
            Name::ContentType => "Content-Type".to_owned(),
            Name::Underscored => "X_Custom_Header".to_owned(),
            Name::Any(s) => s.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct SignCase {
    ak: String,
    sk: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(Name, String)>,
    body: Vec<u8>,
    sdk_date: String,
    /// Seeds the shuffle of the query pairs for the order-independence check.
    shuffle: u64,
}

/// Percent-decodes once (`%XY` with two hex digits; anything else kept), then reads the
/// bytes as UTF-8 with replacement: the reference for what `canonical_uri` encodes.
fn percent_decode_lossy(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when `s` is what Python's `quote(x, safe='~')` (or with '/' kept) can produce:
/// unreserved ASCII and `%XY` escapes with upper-case hex digits.
fn is_encoded(s: &str, keep: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let ok = |j: usize| b.get(j).is_some_and(|x| x.is_ascii_digit() || (b'A'..=b'F').contains(x));
            if !(ok(i + 1) && ok(i + 2)) {
                return false;
            }
            i += 3;
        } else if c.is_ascii_alphanumeric() || b"_.-~".contains(&c) || keep.contains(&c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// A deterministic Fisher-Yates shuffle driven by a 64-bit LCG.
fn shuffled<T: Clone>(items: &[T], mut seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    for i in (1..v.len()).rev() {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let j = usize::try_from((seed >> 33) % (i as u64 + 1)).unwrap_or(0);
        v.swap(i, j);
    }
    v
}

fn is_lower_hex_64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Building the canonical request and signing never panic, and:
/// - `canonical_uri` is ASCII, ends with '/', holds only unreserved characters, '/' and
///   upper-case `%XY` escapes, decodes back to the path decoded once, and is idempotent;
/// - `canonical_query` does not depend on the order of the pairs, and has one encoded
///   `key=value` per pair;
/// - the canonical request's lines are the method upper-cased, those two, and the payload hash
///   is SHA-256 of the body unless an `X-Sdk-Content-Sha256` header is given;
/// - the signature is 64 lower-case hex digits, recomputing it from the parsed `Authorization`
///   (as a verifier does) gives the same value, and `Authorization::parse(sign(..).to_string())`
///   round-trips whenever the text can carry the values (the format has no escaping: the AK and
///   the signed names must not contain ", ", nor a name ';').
pub fn canonical_request(data: &[u8]) {
    let Ok(case) = SignCase::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let headers: Vec<(String, String)> = case.headers.iter().map(|(n, v)| (n.text(), v.clone())).collect();

    // The URI.
    let uri = canonical_uri(&case.path);
    assert!(uri.is_ascii(), "canonical_uri is ASCII: {uri:?}");
    assert!(uri.ends_with('/'), "canonical_uri ends with '/': {uri:?}");
    assert!(is_encoded(&uri, b"/"), "canonical_uri holds only unreserved, '/' and %XY: {uri:?}");
    let mut want_decoded = percent_decode_lossy(&case.path);
    if !want_decoded.ends_with('/') {
        want_decoded.push('/');
    }
    assert_eq!(percent_decode_lossy(&uri), want_decoded, "canonical_uri decodes to the path decoded once");
    assert_eq!(canonical_uri(&uri), uri, "canonical_uri is idempotent");

    // The query.
    let query = canonical_query(&case.query);
    assert_eq!(canonical_query(&shuffled(&case.query, case.shuffle)), query, "canonical_query is order-independent");
    let mut reversed = case.query.clone();
    reversed.reverse();
    assert_eq!(canonical_query(&reversed), query, "canonical_query is order-independent (reversed)");
    if case.query.is_empty() {
        assert_eq!(query, "");
    } else {
        let pairs: Vec<&str> = query.split('&').collect();
        assert_eq!(pairs.len(), case.query.len(), "one pair per query item: {query:?}");
        for p in pairs {
            let (k, v) = p.split_once('=').expect("each pair has '='");
            assert!(is_encoded(k, b"") && is_encoded(v, b""), "query pair fully encoded: {p:?}");
        }
    }

    // The canonical request.
    let signed = SignedHeaders::from_headers(&headers);
    let names = signed.names();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "signed names are sorted");
    assert!(names.iter().all(|n| !n.contains('_')), "names with '_' are not signed");
    let canonical = CanonicalRequest::new(&case.method, &case.path, &case.query, &headers, signed.clone(), &case.body);
    assert_eq!(canonical.method, case.method.to_uppercase());
    assert_eq!(canonical.uri, uri);
    assert_eq!(canonical.query, query);
    assert_eq!(canonical.signed_headers, signed);
    let text = canonical.to_string();
    let expected_prefix = format!("{}\n{}\n{}\n", canonical.method, uri, query);
    assert!(text.starts_with(&expected_prefix), "canonical request starts with method, URI, query");
    assert!(text.ends_with(&format!("\n{}\n{}", signed, canonical.payload_hash)), "canonical request ends with names, hash");
    let has_hash_header = headers.iter().any(|(k, _)| k.to_lowercase() == "x-sdk-content-sha256");
    if case.body.is_empty() {
        assert_eq!(canonical.payload_hash, hex::encode(Sha256::digest(b"")), "empty body: the empty hash");
    } else if !has_hash_header {
        assert_eq!(canonical.payload_hash, hex::encode(Sha256::digest(&case.body)), "payload hash is SHA-256 of the body");
    }

    // Signing.
    let input = SigningInput {
        method: &case.method,
        resource_path: &case.path,
        query: &case.query,
        headers: &headers,
        body: &case.body,
        sdk_date: &case.sdk_date,
    };
    let auth = sign(&case.ak, &case.sk, &input);
    assert!(is_lower_hex_64(&auth.signature), "signature is 64 lower-case hex digits");
    assert_eq!(auth.access, case.ak);
    assert_eq!(auth.signed_headers, signed);
    assert_eq!(sign(&case.ak, &case.sk, &input), auth, "signing is deterministic");

    let header = auth.to_string();
    let representable = !case.ak.contains(", ")
        && !signed.to_string().contains(", ")
        && names.iter().all(|n| !n.contains(';'));
    let parsed = Authorization::parse(&header);
    if representable {
        assert_eq!(parsed.as_ref(), Some(&auth), "Authorization::parse(sign(..).to_string()) round-trips");
    }
    // What a verifier does: recompute the signature from the header as received.
    if let Some(parsed) = parsed.filter(|_| representable) {
        let again = CanonicalRequest::new(&case.method, &case.path, &case.query, &headers, parsed.signed_headers, &case.body);
        let expected = signature(&case.sk, &StringToSign::new(&again, &case.sdk_date));
        assert_eq!(expected, auth.signature, "the signature verifies against the header it produced");
    }
}

// ---------------------------------------------------------------------------------------------
// authorization_header: the input is a header value (UTF-8, invalid bytes replaced).

/// `Authorization::parse` never panics; what it accepts starts with the algorithm, and
/// printing a parsed value and parsing it again gives the same value (and the same text).
pub fn authorization_header(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(auth) = Authorization::parse(&text) else { return };
    assert!(text.starts_with("SDK-HMAC-SHA256 "), "only the signer's algorithm is accepted: {text:?}");
    let printed = auth.to_string();
    let again = Authorization::parse(&printed);
    assert_eq!(again.as_ref(), Some(&auth), "parse(x).to_string() parses to the same value: {printed:?}");
    assert_eq!(again.map(|a| a.to_string()), Some(printed), "printing is stable");
}
