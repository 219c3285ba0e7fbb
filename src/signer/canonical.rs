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

/// The headers as the official signer sees them: a Python dict built from the pairs. A name
/// repeated exactly (case-sensitively) is one entry, at its first position, with its last
/// value; names differing only in case stay separate entries.
fn as_dict(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut dict: Vec<(&str, &str)> = Vec::with_capacity(headers.len());
    for (k, v) in headers {
        match dict.iter_mut().find(|(seen, _)| *seen == k.as_str()) {
            Some(entry) => entry.1 = v.as_str(),
            None => dict.push((k.as_str(), v.as_str())),
        }
    }
    dict
}

/// Python's `str.lower()` on a header name (full Unicode lower-casing, not ASCII only).
fn lower(name: &str) -> String {
    name.to_lowercase()
}

/// Python's `str.strip()`: Rust's Unicode whitespace plus U+001C..U+001F, which Python
/// also counts as whitespace.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Lower-cased names of the signed headers, sorted; names with `_` are never signed.
///
/// As in the official signer, two names differing only in case are both listed (the list
/// then holds the lower-cased name twice); an exactly repeated name is listed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders(Vec<String>);

impl SignedHeaders {
    pub fn from_headers(headers: &[(String, String)]) -> Self {
        let mut names: Vec<String> = as_dict(headers)
            .into_iter()
            .filter(|(k, _)| !k.contains('_'))
            .map(|(k, _)| lower(k))
            .collect();
        names.sort();
        SignedHeaders(names)
    }

    /// The names as listed in an `Authorization` header (`a;b;c`), as received. An empty
    /// list is no names, as the signer prints it (not one empty name), so that
    /// `parse(x.to_string()) == x` and a verifier rebuilds the signer's canonical request.
    pub fn parse(list: &str) -> Self {
        if list.is_empty() {
            return SignedHeaders(Vec::new());
        }
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
            match content_sha256(headers) {
                Some(v) if !v.is_empty() => v,
                _ => hex_sha256(body),
            }
        };
        CanonicalRequest {
            method: method.to_uppercase(),
            uri: canonical_uri(resource_path),
            query: canonical_query(query),
            headers: canonical_headers,
            signed_headers,
            payload_hash,
        }
    }
}

/// A header's trimmed value, matched case-insensitively. Among names differing only in case
/// the one that comes last in the official signer's dict wins (see `as_dict`), as it does
/// when that signer builds the canonical headers.
pub fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    let name = lower(name);
    as_dict(headers)
        .into_iter()
        .rev()
        .find(|(k, _)| lower(k) == name)
        .map(|(_, v)| py_strip(v))
}

/// The `X-Sdk-Content-Sha256` value the official signer uses as payload hash: the FIRST
/// case-insensitive match in its dict, trimmed — and, since that signer reads it after
/// rewriting every header value as `value.encode('utf-8').decode('iso-8859-1')`, with each
/// UTF-8 byte of a non-ASCII value taken as one Latin-1 character.
fn content_sha256(headers: &[(String, String)]) -> Option<String> {
    let name = lower(HEADER_CONTENT_SHA256);
    as_dict(headers)
        .into_iter()
        .find(|(k, _)| lower(k) == name)
        .map(|(_, v)| py_strip(v).bytes().map(char::from).collect())
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

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn names_differing_in_case_are_listed_twice_with_the_later_value() {
        let h = pairs(&[("X-A", "1"), ("Host", "h"), ("x-a", "2"), ("X-A", "3")]);
        // As a Python dict: {"X-A": "3", "Host": "h", "x-a": "2"}; "x-a" is the later key.
        assert_eq!(SignedHeaders::from_headers(&h).to_string(), "host;x-a;x-a");
        assert_eq!(header_value(&h, "X-A"), Some("2"));
    }

    #[test]
    fn exact_repeats_collapse_to_the_last_value() {
        let h = pairs(&[("X-A", "1"), ("X-A", " 3 ")]);
        assert_eq!(SignedHeaders::from_headers(&h).to_string(), "x-a");
        assert_eq!(header_value(&h, "x-a"), Some("3"));
    }

    #[test]
    fn values_are_stripped_like_python() {
        let h = pairs(&[("X-A", "\u{1c}\u{a0}v w\u{3000}\u{1f}\t")]);
        assert_eq!(header_value(&h, "x-a"), Some("v w"));
    }

    #[test]
    fn payload_hash_header_first_match_latin1() {
        let h = pairs(&[("x-sdk-content-sha256", " é "), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")]);
        let c = CanonicalRequest::new("put", "/", &[], &h, SignedHeaders::from_headers(&h), b"x");
        assert_eq!(c.payload_hash, "\u{c3}\u{a9}");
        assert_eq!(c.method, "PUT");
        let c = CanonicalRequest::new("put", "/", &[], &h, SignedHeaders::from_headers(&h), b"");
        assert_eq!(c.payload_hash, EMPTY_HASH);
    }

    #[test]
    fn an_empty_list_parses_to_no_names_and_round_trips() {
        let none = SignedHeaders::from_headers(&[]);
        assert_eq!(none.to_string(), "");
        assert_eq!(SignedHeaders::parse(""), none);
        assert_eq!(SignedHeaders::parse(";").names(), ["", ""]);
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
