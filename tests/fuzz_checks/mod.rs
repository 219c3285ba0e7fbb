//! The property checks shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, which
//! include this file with `#[path]`) and the corpus regression test (`tests/fuzz_corpus.rs`).
//!
//! Each check takes the raw bytes a fuzz target receives and panics (through `assert!`) when a
//! property breaks, so libFuzzer records the input as a crash and `cargo test` fails on it.
//! Where a check needs an expected value it computes it independently of the code under test.

// Test code: a broken property must stop the run loudly. Each fuzz target uses one check.
#![allow(
    dead_code,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]

use arbitrary::{Arbitrary, Unstructured};
use dmskafka::error::{parse_error_body, Error, JsonValue};
use dmskafka::signer::{
    canonical_query, canonical_uri, Algorithm, Authorization, CanonicalRequest, Key, SignedHeaders, Signer,
    SigningInput, StringToSign,
};
use dmskafka::{CreateConnectorResponse, RawResponse};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fuzz target names; each is also the folder of its corpus under `fuzz/corpus/`.
pub const TARGETS: [&str; 4] = [
    "error_body",
    "response_body",
    "canonical_request",
    "authorization_header",
];

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
/// a top-level `error_code`/`error_msg` pair comes back with its JSON values as they are (a
/// falsy one falls back to the status / the body text, as strings), and a body that is not a
/// JSON object becomes the message with the status as the code. The text fields are the
/// values' texts: a string as it is, any other value as its JSON text.
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

    let text_of = |v: JsonValue| match v {
        JsonValue::String(s) => s,
        other => serde_json::to_string(&other).expect("a JSON value serializes"),
    };
    assert_eq!(
        e.error_code_value().map(text_of).as_deref(),
        Some(code),
        "code text of its value"
    );
    assert_eq!(
        e.error_msg_value().map(text_of).as_deref(),
        Some(msg),
        "message text of its value"
    );
    assert_eq!(
        e.encoded_auth_msg_value().map(text_of),
        e.encoded_auth_msg,
        "encoded message text of its value"
    );
    // As generic JSON (sorted keys, a repeated key's last value), for comparing with the body.
    let generic = |v: Option<JsonValue>| v.map(|v| serde_json::to_value(v).expect("a JSON value converts"));

    let text = String::from_utf8_lossy(body);
    let status_text = status.to_string();
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            if let (Some(c), Some(m)) = (map.get("error_code"), map.get("error_msg")) {
                let want_code = if py_truthy(c) {
                    c.clone()
                } else {
                    Value::String(status_text)
                };
                let want_msg = if py_truthy(m) {
                    m.clone()
                } else {
                    Value::String(text.into_owned())
                };
                assert_eq!(
                    generic(e.error_code_value()),
                    Some(want_code),
                    "error_code of a top-level pair"
                );
                assert_eq!(
                    generic(e.error_msg_value()),
                    Some(want_msg),
                    "error_msg of a top-level pair"
                );
                // Found at the top level, the pair ends the search: the encoded message is the
                // top-level one as it is (null is None), or none.
                let want_encoded = map.get("encoded_authorization_message").filter(|v| !v.is_null());
                assert_eq!(
                    generic(e.encoded_auth_msg_value()).as_ref(),
                    want_encoded,
                    "encoded message"
                );
            }
        }
        _ => {
            assert_eq!(
                code, status_text,
                "a body that is not a JSON object: the status is the code"
            );
            assert_eq!(msg, &*text, "a body that is not a JSON object: the body is the message");
            assert_eq!(
                e.error_code_value(),
                Some(JsonValue::String(status_text.clone())),
                "a body that is not a JSON object: the code is a string"
            );
            assert_eq!(
                e.encoded_auth_msg, None,
                "a body that is not a JSON object has no encoded message"
            );
        }
    }
}

/// Python's truthiness of a JSON value (`if not value`), written out independently.
fn py_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
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
    assert_eq!(
        got, want,
        "create-connector response accepted iff an object with string job_id and connector_id"
    );

    let raw = RawResponse {
        status: 200,
        request_id: Some("rid".to_owned()),
        body: data.to_vec(),
        trace: None,
        headers: Vec::new(),
    };
    let is_object = matches!(reference, Some(Value::Object(_)));
    match raw.require_json_object() {
        Ok(()) => assert!(
            is_object,
            "require_json_object accepted a body that is not a JSON object"
        ),
        Err(Error::InvalidResponse {
            status,
            request_id,
            message,
            ..
        }) => {
            assert!(!is_object, "require_json_object rejected a JSON object");
            assert_eq!(status, 200);
            assert_eq!(request_id.as_deref(), Some("rid"));
            assert!(
                message.contains("could not be read"),
                "the message says the response could not be read: {message}"
            );
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
            let ok = |j: usize| {
                b.get(j)
                    .is_some_and(|x| x.is_ascii_digit() || (b'A'..=b'F').contains(x))
            };
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

/// Python's `str.strip()`: Unicode white space and U+001C..U+001F.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The official signer's header handling, written plainly as the reference: its dict of the
/// headers (an exact repeat of a name keeps the first place and the last value); each signed
/// name's value is the LAST entry whose lower-cased name matches, stripped; the payload hash
/// is the FIRST `x-sdk-content-sha256` entry, stripped, each UTF-8 byte as one Latin-1
/// character, unless empty; and the SHA-256 of the body otherwise (the empty hash for none).
fn reference_headers_and_hash(headers: &[(String, String)], names: &[String], body: &[u8]) -> (String, String) {
    let mut dict: Vec<(&str, &str)> = Vec::new();
    for (k, v) in headers {
        match dict.iter().position(|(seen, _)| *seen == k.as_str()) {
            Some(i) => dict[i].1 = v.as_str(),
            None => dict.push((k.as_str(), v.as_str())),
        }
    }
    let mut block = String::new();
    for name in names {
        let want = name.to_lowercase();
        let value = dict
            .iter()
            .rev()
            .find(|(k, _)| k.to_lowercase() == want)
            .map_or("", |(_, v)| py_strip(v));
        block.push_str(&format!("{name}:{value}\n"));
    }
    let body_hash = hex::encode(Sha256::digest(body));
    let hash = if body.is_empty() {
        body_hash
    } else {
        let claimed: Option<String> = dict
            .iter()
            .find(|(k, _)| k.to_lowercase() == "x-sdk-content-sha256")
            .map(|(_, v)| py_strip(v).bytes().map(char::from).collect());
        claimed.filter(|c| !c.is_empty()).unwrap_or(body_hash)
    };
    (block, hash)
}

fn is_lower_hex_64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Building the canonical request and signing never panic, and:
/// - `canonical_uri` is ASCII, ends with '/', holds only unreserved characters, '/' and
///   upper-case `%XY` escapes, decodes back to the path decoded once, and is idempotent;
/// - `canonical_query` does not depend on the order of the pairs, and has one encoded
///   `key=value` per pair;
/// - the canonical request's lines are the method upper-cased, those two, the header block and
///   payload hash of a plain reference of the official signer's rules, and the signed names;
/// - the string to sign and the signature equal SHA-256 / HMAC-SHA256 computed here over
///   those texts;
/// - the signature is 64 lower-case hex digits, recomputing it from the parsed `Authorization`
///   (as a verifier does) gives the same value, and `Authorization::parse(sign(..).to_string())`
///   round-trips whenever the text can carry the values (the format has no escaping: the AK and
///   the signed names must not contain ", ", nor a name ';', and one empty name reads as none).
pub fn canonical_request(data: &[u8]) {
    let Ok(case) = SignCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let headers: Vec<(String, String)> = case.headers.iter().map(|(n, v)| (n.text(), v.clone())).collect();

    // The URI.
    let uri = canonical_uri(&case.path);
    assert!(uri.is_ascii(), "canonical_uri is ASCII: {uri:?}");
    assert!(uri.ends_with('/'), "canonical_uri ends with '/': {uri:?}");
    assert!(
        is_encoded(&uri, b"/"),
        "canonical_uri holds only unreserved, '/' and %XY: {uri:?}"
    );
    let mut want_decoded = percent_decode_lossy(&case.path);
    if !want_decoded.ends_with('/') {
        want_decoded.push('/');
    }
    assert_eq!(
        percent_decode_lossy(&uri),
        want_decoded,
        "canonical_uri decodes to the path decoded once"
    );
    assert_eq!(canonical_uri(&uri), uri, "canonical_uri is idempotent");

    // The query.
    let query = canonical_query(&case.query);
    assert_eq!(
        canonical_query(&shuffled(&case.query, case.shuffle)),
        query,
        "canonical_query is order-independent"
    );
    let mut reversed = case.query.clone();
    reversed.reverse();
    assert_eq!(
        canonical_query(&reversed),
        query,
        "canonical_query is order-independent (reversed)"
    );
    if case.query.is_empty() {
        assert_eq!(query, "");
    } else {
        let pairs: Vec<&str> = query.split('&').collect();
        assert_eq!(pairs.len(), case.query.len(), "one pair per query item: {query:?}");
        for p in pairs {
            let (k, v) = p.split_once('=').expect("each pair has '='");
            assert!(
                is_encoded(k, b"") && is_encoded(v, b""),
                "query pair fully encoded: {p:?}"
            );
        }
    }

    // The canonical request.
    let signed = SignedHeaders::from_headers(&headers);
    let names = signed.names();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "signed names are sorted");
    assert!(names.iter().all(|n| !n.contains('_')), "names with '_' are not signed");
    let canonical = CanonicalRequest::new(
        Algorithm::HmacSha256,
        &case.method,
        &case.path,
        &case.query,
        &headers,
        signed.clone(),
        &case.body,
    );
    assert_eq!(canonical.method, case.method.to_uppercase());
    assert_eq!(canonical.uri, uri);
    assert_eq!(canonical.query, query);
    assert_eq!(canonical.signed_headers, signed);
    let text = canonical.to_string();
    let expected_prefix = format!("{}\n{}\n{}\n", canonical.method, uri, query);
    assert!(
        text.starts_with(&expected_prefix),
        "canonical request starts with method, URI, query"
    );
    assert!(
        text.ends_with(&format!("\n{}\n{}", signed, canonical.payload_hash)),
        "canonical request ends with names, hash"
    );
    let (want_block, want_hash) = reference_headers_and_hash(&headers, names, &case.body);
    assert_eq!(
        canonical.headers, want_block,
        "canonical headers as the official signer builds them"
    );
    assert_eq!(
        canonical.payload_hash, want_hash,
        "payload hash as the official signer picks it"
    );
    assert_eq!(
        text,
        format!("{}{}\n{}\n{}", expected_prefix, want_block, signed, want_hash),
        "the canonical request text, line by line"
    );

    // The string to sign and the signature, recomputed from the texts.
    let sts = StringToSign::new(&canonical, &case.sdk_date);
    let want_sts = format!(
        "SDK-HMAC-SHA256\n{}\n{}",
        case.sdk_date,
        hex::encode(Sha256::digest(text.as_bytes()))
    );
    assert_eq!(
        sts.to_string(),
        want_sts,
        "string to sign over the canonical request's SHA-256"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(case.sk.as_bytes()).expect("HMAC takes any key");
    mac.update(want_sts.as_bytes());
    let want_signature = hex::encode(mac.finalize().into_bytes());
    let key = Key::new(Algorithm::HmacSha256, &case.ak, &case.sk).expect("an HMAC key");
    let signer = Signer::new(Algorithm::HmacSha256, &case.ak, &case.sk).expect("an HMAC key");
    assert_eq!(
        key.sign(&sts).expect("HMAC signs anything"),
        want_signature,
        "HMAC-SHA256 of the string to sign"
    );

    // Signing.
    let input = SigningInput {
        method: &case.method,
        resource_path: &case.path,
        query: &case.query,
        headers: &headers,
        body: &case.body,
        sdk_date: &case.sdk_date,
    };
    let auth = signer.sign(&input).expect("HMAC signs anything");
    assert!(
        is_lower_hex_64(&auth.signature),
        "signature is 64 lower-case hex digits"
    );
    assert_eq!(auth.signature, want_signature, "sign() signs that canonical request");
    assert_eq!(auth.access, case.ak);
    assert_eq!(auth.signed_headers, signed);
    assert_eq!(signer.sign(&input).ok(), Some(auth.clone()), "signing is deterministic");

    let header = auth.to_string();
    // A lone empty name prints as `SignedHeaders=`, which is no names (HTTP names are never
    // empty; a request whose headers are all unsigned does print that).
    let representable = !case.ak.contains(", ")
        && !signed.to_string().contains(", ")
        && names.iter().all(|n| !n.contains(';'))
        && names != [String::new()];
    let parsed = Authorization::parse(&header);
    if representable {
        assert_eq!(
            parsed.as_ref(),
            Some(&auth),
            "Authorization::parse(sign(..).to_string()) round-trips"
        );
    }
    // What a verifier does: recompute the signature from the header as received.
    if let Some(parsed) = parsed.filter(|_| representable) {
        let again = CanonicalRequest::new(
            Algorithm::HmacSha256,
            &case.method,
            &case.path,
            &case.query,
            &headers,
            parsed.signed_headers,
            &case.body,
        );
        let expected = key
            .sign(&StringToSign::new(&again, &case.sdk_date))
            .expect("HMAC signs anything");
        assert_eq!(
            expected, auth.signature,
            "the signature verifies against the header it produced"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// authorization_header: the input is a header value (UTF-8, invalid bytes replaced).

/// `Authorization::parse` never panics; what it accepts starts with the algorithm, and
/// printing a parsed value and parsing it again gives the same value (and the same text).
/// Also, the input split at NUL into three values the format can carry (no ',') and written
/// in the signer's form is read back as exactly those values.
pub fn authorization_header(data: &[u8]) {
    let text = String::from_utf8_lossy(data);

    let mut parts = text.splitn(3, '\0').map(|p| p.replace(',', ""));
    let (access, names, sig) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let written = format!("SDK-HMAC-SHA256 Access={access}, SignedHeaders={names}, Signature={sig}");
    let read = Authorization::parse(&written).expect("the signer's form is accepted");
    assert_eq!(read.access, access, "Access read back: {written:?}");
    assert_eq!(
        read.signed_headers.to_string(),
        names,
        "SignedHeaders read back: {written:?}"
    );
    assert_eq!(read.signature, sig, "Signature read back: {written:?}");
    assert_eq!(read.to_string(), written, "the signer's form prints as written");

    let Some(auth) = Authorization::parse(&text) else {
        return;
    };
    assert!(
        Algorithm::ALL
            .iter()
            .any(|a| text.starts_with(&format!("{} ", a.scheme()))),
        "only the signers' algorithms are accepted: {text:?}"
    );
    let printed = auth.to_string();
    let again = Authorization::parse(&printed);
    assert_eq!(
        again.as_ref(),
        Some(&auth),
        "parse(x).to_string() parses to the same value: {printed:?}"
    );
    assert_eq!(again.map(|a| a.to_string()), Some(printed), "printing is stable");
}
