//! The canonical request: method, URI, query, headers, signed headers, payload hash.

use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::HEADER_CONTENT_SHA256;

/// Python's `urllib.parse.quote(s, safe='~')`: everything but `A-Za-z0-9_.-~` is encoded.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

/// SHA-256 of the empty payload.
pub(crate) const EMPTY_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn quote(s: &str) -> String {
    utf8_percent_encode(s, QUOTE).to_string()
}

pub(crate) fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The path decoded once, each segment re-encoded, with a trailing `/`.
pub fn canonical_uri(resource_path: &str) -> String {
    let decoded = percent_decode_str(resource_path).decode_utf8_lossy();
    let mut uri = decoded.split('/').map(quote).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Pairs sorted by (key, value), each side encoded, joined with `&`.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote(k), quote(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lower-cased names of the signed headers, sorted; names with `_` are never signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders(Vec<String>);

impl SignedHeaders {
    pub fn from_headers(headers: &[(String, String)]) -> Self {
        let mut names: Vec<String> = headers
            .iter()
            .filter(|(k, _)| !k.contains('_'))
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        SignedHeaders(names)
    }

    /// The names as listed in an `Authorization` header (`a;b;c`), as received.
    pub fn parse(list: &str) -> Self {
        SignedHeaders(list.split(';').map(str::to_owned).collect())
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(";"))
    }
}

/// The canonical request text; `Display` gives it byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    pub method: String,
    pub uri: String,
    pub query: String,
    /// `name:value\n` for every signed header, in order.
    pub headers: String,
    pub signed_headers: SignedHeaders,
    pub payload_hash: String,
}

impl CanonicalRequest {
    /// Builds the canonical request. A signed header absent from `headers` counts as
    /// empty: the signer never lists one, a verifier checks `missing_header` first.
    pub fn new(
        method: &str,
        resource_path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        signed_headers: SignedHeaders,
        body: &[u8],
    ) -> Self {
        let mut canonical_headers = String::new();
        for name in signed_headers.names() {
            let value = header_value(headers, name).unwrap_or_default();
            canonical_headers.push_str(name);
            canonical_headers.push(':');
            canonical_headers.push_str(value);
            canonical_headers.push('\n');
        }
        let payload_hash = if body.is_empty() {
            EMPTY_HASH.to_owned()
        } else {
            match header_value(headers, HEADER_CONTENT_SHA256) {
                Some(v) if !v.is_empty() => v.to_owned(),
                _ => hex_sha256(body),
            }
        };
        CanonicalRequest {
            method: method.to_ascii_uppercase(),
            uri: canonical_uri(resource_path),
            query: canonical_query(query),
            headers: canonical_headers,
            signed_headers,
            payload_hash,
        }
    }
}

/// A header's trimmed value; a later header of the same name wins, as in a Python dict.
pub fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method, self.uri, self.query, self.headers, self.signed_headers, self.payload_hash
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uri_gets_trailing_slash_and_reencoding() {
        assert_eq!(canonical_uri("/v2/p/instances/i/connector"), "/v2/p/instances/i/connector/");
        assert_eq!(canonical_uri("/a%20b/c d/"), "/a%20b/c%20d/");
        assert_eq!(canonical_uri("/é"), "/%C3%A9/");
    }

    #[test]
    fn query_is_sorted_by_key_then_value() {
        let q = vec![
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "z y".to_owned()),
            ("a".to_owned(), "x".to_owned()),
        ];
        assert_eq!(canonical_query(&q), "a=x&a=z%20y&b=2");
    }

    #[test]
    fn underscore_headers_are_not_signed() {
        let h = vec![("X_Foo".to_owned(), "1".to_owned()), ("Host".to_owned(), "h".to_owned())];
        assert_eq!(SignedHeaders::from_headers(&h).to_string(), "host");
    }

    proptest! {
        #[test]
        fn uri_is_idempotent_and_ascii(path in "(/[a-zA-Z0-9 %~_.éß-]{0,8}){0,4}") {
            let once = canonical_uri(&path);
            prop_assert!(once.is_ascii());
            prop_assert!(once.ends_with('/'));
        }

        #[test]
        fn query_encoding_leaves_only_unreserved(k in "\\PC{0,6}", v in "\\PC{0,6}") {
            let q = canonical_query(&[(k, v)]);
            prop_assert!(q.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-~%=".contains(&b)));
        }
    }
}
