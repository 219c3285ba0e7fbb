//! The bounded log of received requests, for assertions in tests.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

use hyper::{HeaderMap, Method, Uri};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use super::clock::{iso_millis, Millis};
use super::faults::Applied;

/// Header values never kept in the log.
const REDACTED: [&str; 1] = ["x-security-token"];
/// What a body holding secrets it cannot be parsed to mask is logged as.
const WITHHELD: &[u8] = b"<withheld: not JSON, and it may hold a secret field>";

/// One received request and what the emulator did with it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    /// The path as in the request line.
    pub path: String,
    /// The raw query string, without `?` (empty when none).
    pub query: String,
    /// Names lower-cased, in received order; X-Security-Token shown as `****`.
    #[serde(serialize_with = "as_map")]
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The route name, `None` for unknown paths.
    pub route: Option<&'static str>,
    /// The status sent; `None` when the connection was dropped instead.
    pub status: Option<u16>,
    pub error_code: Option<String>,
    /// The X-Request-Id sent; `None` when nothing was sent.
    pub request_id: Option<String>,
    /// The fault applied, if one fired.
    pub fault: Option<Applied>,
    /// Emulator time when the request was read.
    pub received_at: String,
}

fn as_map<S: Serializer>(headers: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(headers.len()))?;
    for (k, v) in headers {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Replaces secret header values in place.
pub fn redact(headers: &mut [(String, String)]) {
    for (k, v) in headers.iter_mut() {
        if REDACTED.iter().any(|r| k.eq_ignore_ascii_case(r)) {
            *v = "****".to_owned();
        }
    }
}

/// The body as kept in the log: the values of the model descriptions' secret fields (the SASL
/// password, the OBS keys), at any depth of a JSON body, replaced by `****`. Only a body that
/// could name one (its name appears, or an escape might spell it) is parsed; one that then
/// cannot be parsed is withheld whole.
fn without_secrets(body: &[u8]) -> Cow<'_, [u8]> {
    static SECRETS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let secrets = SECRETS.get_or_init(crate::spec::secret_json_names);
    let mentions = |name: &str| body.windows(name.len()).any(|w| w == name.as_bytes());
    if !body.contains(&b'\\') && !secrets.iter().any(|name| mentions(name)) {
        return Cow::Borrowed(body);
    }
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Cow::Borrowed(WITHHELD);
    };
    if !mask(&mut value, secrets) {
        return Cow::Borrowed(body);
    }
    serde_json::to_vec(&value).map_or(Cow::Borrowed(WITHHELD), Cow::Owned)
}

/// Masks the secret keys' values in place (every one: no short cut); whether there was any.
fn mask(value: &mut serde_json::Value, secrets: &[&str]) -> bool {
    use serde_json::Value;
    let mut found = false;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if secrets.contains(&k.as_str()) {
                    *v = Value::from("****");
                    found = true;
                } else {
                    found |= mask(v, secrets);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                found |= mask(v, secrets);
            }
        }
        _ => {}
    }
    found
}

/// A logged request, compact: the received bytes copied into one allocation (so hyper's
/// read buffers are not pinned by the log), the texts of a [`RequestRecord`] built only
/// when the log is read.
pub struct Entry {
    method: Method,
    /// Length-prefixed: path, query, the header count, then name and value of each
    /// header in received order, then the body.
    wire: Box<[u8]>,
    /// The body was over the size limit (and is not kept).
    body_over_limit: bool,
    route: Option<&'static str>,
    status: Option<u16>,
    error_code: Option<&'static str>,
    request_id: Option<Uuid>,
    fault: Option<Applied>,
    /// Emulator time when the request was read.
    received_at: Millis,
}

/// What the server hands to the log.
pub struct Received<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    /// `None` when it was over the size limit.
    pub body: Option<&'a [u8]>,
    pub route: Option<&'static str>,
    pub status: Option<u16>,
    pub error_code: Option<&'static str>,
    pub request_id: Option<Uuid>,
    pub fault: Option<Applied>,
    pub received_at: Millis,
}

fn put(wire: &mut Vec<u8>, bytes: &[u8]) {
    // Parts are far below 4 GiB (bodies are capped at 1 MiB, heads by hyper).
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    wire.extend_from_slice(&len.to_le_bytes());
    wire.extend_from_slice(bytes.get(..len as usize).unwrap_or(bytes));
}

/// The next length-prefixed part; empty once `rest` is used up.
fn take<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let Some((len, tail)) = rest.split_first_chunk::<4>() else {
        *rest = &[];
        return &[];
    };
    let len = u32::from_le_bytes(*len) as usize;
    let (part, tail) = tail.split_at_checked(len).unwrap_or((tail, &[]));
    *rest = tail;
    part
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Entry {
    pub fn new(r: Received<'_>) -> Entry {
        let path = r.uri.path().as_bytes();
        let query = r.uri.query().unwrap_or("").as_bytes();
        let body = without_secrets(r.body.unwrap_or_default());
        let size = r
            .headers
            .iter()
            .fold(4 * 4 + path.len() + query.len() + body.len(), |n, (k, v)| {
                n + 8 + k.as_str().len() + v.as_bytes().len()
            });
        let mut wire = Vec::with_capacity(size);
        put(&mut wire, path);
        put(&mut wire, query);
        let count = u32::try_from(r.headers.len()).unwrap_or(u32::MAX);
        wire.extend_from_slice(&count.to_le_bytes());
        for (k, v) in r.headers {
            put(&mut wire, k.as_str().as_bytes());
            put(&mut wire, v.as_bytes());
        }
        put(&mut wire, &body);
        Entry {
            method: r.method.clone(),
            wire: wire.into_boxed_slice(),
            body_over_limit: r.body.is_none(),
            route: r.route,
            status: r.status,
            error_code: r.error_code,
            request_id: r.request_id,
            fault: r.fault,
            received_at: r.received_at,
        }
    }

    /// The record `requests()` shows.
    pub fn record(&self) -> RequestRecord {
        let mut rest: &[u8] = &self.wire;
        let path = text(take(&mut rest));
        let query = text(take(&mut rest));
        let count = rest.split_first_chunk::<4>().map_or(0, |(n, tail)| {
            rest = tail;
            u32::from_le_bytes(*n)
        });
        let mut headers: Vec<(String, String)> = (0..count)
            .map(|_| {
                let name = text(take(&mut rest));
                (name, text(take(&mut rest)))
            })
            .collect();
        redact(&mut headers);
        let body = take(&mut rest);
        RequestRecord {
            method: self.method.as_str().to_owned(),
            path,
            query,
            headers,
            body: if self.body_over_limit {
                "<over the size limit>".to_owned()
            } else {
                text(body)
            },
            route: self.route,
            status: self.status,
            error_code: self.error_code.map(str::to_owned),
            request_id: self.request_id.map(|id| id.to_string()),
            fault: self.fault.clone(),
            received_at: iso_millis(self.received_at),
        }
    }
}

pub struct RequestLog {
    entries: Mutex<VecDeque<Entry>>,
    capacity: usize,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity: capacity.max(1),
        }
    }

    /// Appends, forgetting the oldest entry when full.
    pub fn push(&self, entry: Entry) {
        let forgotten = {
            let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let forgotten = if entries.len() >= self.capacity {
                entries.pop_front()
            } else {
                None
            };
            entries.push_back(entry);
            forgotten
        };
        // Freed after the lock is released.
        drop(forgotten);
    }

    pub fn snapshot(&self) -> Vec<RequestRecord> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.iter().map(Entry::record).collect()
    }

    pub fn clear(&self) {
        let cleared = std::mem::take(&mut *self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        drop(cleared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> Result<Entry, Box<dyn std::error::Error>> {
        let mut headers = HeaderMap::new();
        headers.insert("x-security-token", hyper::header::HeaderValue::from_static("secret"));
        headers.insert("x-a", hyper::header::HeaderValue::from_bytes(b"caf\xc3\xa9 \xff")?);
        let uri: Uri = format!("/{n}?a=%20b").parse()?;
        Ok(Entry::new(Received {
            method: &Method::GET,
            uri: &uri,
            headers: &headers,
            body: Some(b"{}"),
            route: None,
            status: Some(404),
            error_code: Some("APIG.0101"),
            request_id: Some(Uuid::nil()),
            fault: None,
            received_at: 1_630_929_347_093,
        }))
    }

    #[test]
    fn bounded_and_redacted() -> Result<(), Box<dyn std::error::Error>> {
        let log = RequestLog::new(3);
        for n in 0..5 {
            log.push(entry(n)?);
        }
        let got = log.snapshot();
        assert_eq!(
            got.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
            ["/2", "/3", "/4"]
        );
        let first = got.first().ok_or("empty log")?;
        assert_eq!(
            first.headers,
            [
                ("x-security-token".to_owned(), "****".to_owned()),
                ("x-a".to_owned(), "caf\u{e9} \u{fffd}".to_owned())
            ]
        );
        assert_eq!(first.query, "a=%20b");
        assert_eq!(first.method, "GET");
        assert_eq!(first.body, "{}");
        assert_eq!(first.error_code.as_deref(), Some("APIG.0101"));
        assert_eq!(
            first.request_id.as_deref(),
            Some("00000000-0000-0000-0000-000000000000")
        );
        assert_eq!(first.received_at, "2021-09-06T11:55:47.093Z");
        let uri: Uri = "/".parse()?;
        let over = Entry::new(Received {
            method: &Method::POST,
            uri: &uri,
            headers: &HeaderMap::new(),
            body: None,
            route: Some("create_connector"),
            status: None,
            error_code: None,
            request_id: None,
            fault: None,
            received_at: 0,
        })
        .record();
        assert_eq!(
            (over.path.as_str(), over.query.as_str(), over.body.as_str()),
            ("/", "", "<over the size limit>")
        );
        assert!(over.headers.is_empty() && over.request_id.is_none() && over.status.is_none());
        log.clear();
        assert!(log.snapshot().is_empty());
        Ok(())
    }

    #[test]
    fn secret_fields_are_masked_at_any_depth_and_unparsable_mentions_withheld() {
        let logged = |body: &str| String::from_utf8_lossy(&without_secrets(body.as_bytes())).into_owned();
        assert_eq!(logged(r#"{"node_cnt": 2}"#), r#"{"node_cnt": 2}"#);
        let masked = logged(
            r#"{"source_task": {"password": "hunter2", "user_name": "u"}, "x": [{"secret_key": "S", "access_key": "A"}]}"#,
        );
        assert!(!masked.contains("hunter2") && !masked.contains("\"S\"") && !masked.contains("\"A\""));
        assert_eq!(masked.matches("****").count(), 3, "{masked}");
        // An escape spelling the key is read as the key.
        assert!(!logged(r#"{"pass\u0077ord": "hunter2"}"#).contains("hunter2"));
        assert_eq!(logged(r#"{"password": "hunter2""#).as_bytes(), WITHHELD);
        // Escapes without a secret keep the body as sent.
        assert_eq!(logged(r#"{"a": "\n"}"#), r#"{"a": "\n"}"#);
    }
}
