//! The canonical request: method, URI, query, headers, signed headers, payload hash.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::Algorithm;

/// Python's `urllib.parse.quote(s, safe='~')`: everything but `A-Za-z0-9_.-~` is encoded.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');

fn quote(s: &str) -> String {
    utf8_percent_encode(s, QUOTE).to_string()
}

/// The path decoded once, each segment re-encoded, with a trailing `/`.
pub fn canonical_uri(resource_path: &str) -> String {
    // Nothing to decode or encode (every API path of this SDK): decoding, splitting and
    // quoting would give the path back unchanged, at a dozen allocations.
    let plain = |b: u8| b == b'/' || b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~');
    if resource_path.bytes().all(plain) {
        let mut uri = String::with_capacity(resource_path.len() + 1);
        uri.push_str(resource_path);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        return uri;
    }
    let decoded = percent_decode_str(resource_path).decode_utf8_lossy();
    // Segments encoded straight into one string: `split('/').map(quote).join("/")`.
    let mut uri = String::with_capacity(decoded.len() + 8);
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            uri.push('/');
        }
        uri.extend(utf8_percent_encode(segment, QUOTE));
    }
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
fn as_dict<K: AsRef<str>, V: AsRef<str>>(headers: &[(K, V)]) -> Vec<(&str, &str)> {
    let mut dict: Vec<(&str, &str)> = Vec::with_capacity(headers.len());
    for (k, v) in headers {
        let (k, v) = (k.as_ref(), v.as_ref());
        match dict.iter_mut().find(|(seen, _)| *seen == k) {
            Some(entry) => entry.1 = v,
            None => dict.push((k, v)),
        }
    }
    dict
}

/// Python's `str.lower()` on a header name (full Unicode lower-casing, not ASCII only).
fn lower(name: &str) -> String {
    name.to_lowercase()
}

/// `lower`, without a copy when the name is ASCII with no upper-case letter (the usual case).
fn lower_cow(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(lower(name))
    }
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
    /// Whose hash the payload hash and the string to sign use (not part of the text).
    pub algorithm: Algorithm,
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
        algorithm: Algorithm,
        method: &str,
        resource_path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        signed_headers: SignedHeaders,
        body: &[u8],
    ) -> Self {
        CanonicalRequest::with_dict(
            algorithm,
            method,
            resource_path,
            query,
            &HeaderDict::new(headers),
            signed_headers,
            body,
        )
    }

    /// `new`, from a dict built once (a verifier also looks headers up in it).
    pub(crate) fn with_dict(
        algorithm: Algorithm,
        method: &str,
        resource_path: &str,
        query: &[(String, String)],
        dict: &HeaderDict<'_>,
        signed_headers: SignedHeaders,
        body: &[u8],
    ) -> Self {
        // One dict, not one per signed name (as `header_value` would): the same lookups.
        let mut canonical_headers = String::new();
        for name in signed_headers.names() {
            let value = dict.get(name).unwrap_or("");
            canonical_headers.push_str(name);
            canonical_headers.push(':');
            canonical_headers.push_str(value);
            canonical_headers.push('\n');
        }
        let payload_hash = if body.is_empty() {
            algorithm.empty_hash().to_owned()
        } else {
            match dict.content_hash(algorithm.content_hash_header()) {
                Some(v) if !v.is_empty() => v,
                _ => algorithm.hex_hash(body),
            }
        };
        CanonicalRequest {
            algorithm,
            method: if method.bytes().all(|b| b.is_ascii_uppercase()) {
                method.to_owned()
            } else {
                method.to_uppercase()
            },
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
    HeaderDict::new(headers).get(name)
}

/// The official signer's dict of the headers (see `as_dict`) with lower-cased names, built
/// once for any number of lookups.
pub(crate) struct HeaderDict<'h> {
    /// `(lower(name), value)`, in dict order.
    entries: Vec<(Cow<'h, str>, &'h str)>,
}

impl<'h> HeaderDict<'h> {
    pub(crate) fn new<K: AsRef<str>, V: AsRef<str>>(headers: &'h [(K, V)]) -> Self {
        HeaderDict {
            entries: as_dict(headers).into_iter().map(|(k, v)| (lower_cow(k), v)).collect(),
        }
    }

    /// `header_value`: the last dict entry whose lower-cased name is `lower(name)`, trimmed.
    pub(crate) fn get(&self, name: &str) -> Option<&'h str> {
        // The entries' names are lower-cased already, so they hold no ASCII upper-case
        // letter: for an ASCII `name`, `k == lower(name)` is an ASCII-case-insensitive
        // comparison. Other names take the full Unicode lower-casing.
        let found = if name.is_ascii() {
            self.entries.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name))
        } else {
            let name = lower(name);
            self.entries.iter().rev().find(|(k, _)| *k == name.as_str())
        };
        found.map(|(_, v)| py_strip(v))
    }

    /// The value of `header` (`X-Sdk-Content-Sha256` or `-Sm3`, by algorithm) the official
    /// signer uses as payload hash: the FIRST case-insensitive match in its dict, trimmed —
    /// and, since that signer reads it after rewriting every header value as
    /// `value.encode('utf-8').decode('iso-8859-1')`, with each UTF-8 byte of a non-ASCII value
    /// taken as one Latin-1 character.
    fn content_hash(&self, header: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(header))
            .map(|(_, v)| py_strip(v).bytes().map(char::from).collect())
    }
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
        assert_eq!(
            canonical_uri("/v2/p/instances/i/connector"),
            "/v2/p/instances/i/connector/"
        );
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
        let h = pairs(&[
            ("x-sdk-content-sha256", " é "),
            ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ]);
        let c = CanonicalRequest::new(
            Algorithm::HmacSha256,
            "put",
            "/",
            &[],
            &h,
            SignedHeaders::from_headers(&h),
            b"x",
        );
        assert_eq!(c.payload_hash, "\u{c3}\u{a9}");
        assert_eq!(c.method, "PUT");
        let c = CanonicalRequest::new(
            Algorithm::HmacSha256,
            "put",
            "/",
            &[],
            &h,
            SignedHeaders::from_headers(&h),
            b"",
        );
        assert_eq!(c.payload_hash, Algorithm::HmacSha256.empty_hash());
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
        let h = vec![
            ("X_Foo".to_owned(), "1".to_owned()),
            ("Host".to_owned(), "h".to_owned()),
        ];
        assert_eq!(SignedHeaders::from_headers(&h).to_string(), "host");
    }

    /// `header_value` as first written: every name fully lower-cased on every lookup.
    fn header_value_reference<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
        let name = lower(name);
        as_dict(headers)
            .into_iter()
            .rev()
            .find(|(k, _)| lower(k) == name)
            .map(|(_, v)| py_strip(v))
    }

    /// The old `split('/').map(quote).join("/")`.
    fn canonical_uri_reference(resource_path: &str) -> String {
        let decoded = percent_decode_str(resource_path).decode_utf8_lossy();
        let mut uri = decoded.split('/').map(quote).collect::<Vec<_>>().join("/");
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    #[test]
    fn unicode_names_lower_case_like_python() {
        // KELVIN SIGN lower-cases to an ASCII 'k'; 'İ' to "i̇".
        let h = pairs(&[("\u{212a}ey", "1"), ("X-\u{130}", "2"), ("\u{c9}t\u{c9}", "3")]);
        assert_eq!(header_value(&h, "key"), Some("1"));
        assert_eq!(header_value(&h, "KEY"), Some("1"));
        assert_eq!(header_value(&h, "\u{212a}EY"), Some("1"));
        assert_eq!(header_value(&h, "x-i\u{307}"), Some("2"));
        assert_eq!(header_value(&h, "x-i"), None);
        assert_eq!(header_value(&h, "\u{e9}t\u{e9}"), Some("3"));
        for name in ["key", "x-\u{130}", "\u{c9}T\u{c9}", "nope"] {
            assert_eq!(header_value(&h, name), header_value_reference(&h, name), "{name}");
        }
    }

    proptest! {
        #[test]
        fn header_lookup_matches_the_reference(
            headers in proptest::collection::vec(("[kKxX\u{212a}\u{130}iI_-]{1,3}", "[ a-z\u{a0}]{0,3}"), 0..6),
            name in "[kKxX\u{212a}\u{130}iI_-]{1,3}",
        ) {
            prop_assert_eq!(header_value(&headers, &name), header_value_reference(&headers, &name));
            let signed = SignedHeaders::from_headers(&headers);
            let canonical = CanonicalRequest::new(Algorithm::HmacSha256, "GET", "/", &[], &headers, signed.clone(), b"x");
            let mut expected = String::new();
            for n in signed.names() {
                expected.push_str(&format!("{n}:{}\n", header_value_reference(&headers, n).unwrap_or_default()));
            }
            prop_assert_eq!(canonical.headers, expected);
        }

        #[test]
        fn uri_matches_the_reference(path in "(/[a-zA-Z0-9 %~_.\u{e9}\u{df}-]{0,8}){0,4}/?") {
            prop_assert_eq!(canonical_uri(&path), canonical_uri_reference(&path));
        }
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
