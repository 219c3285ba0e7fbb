//! The bounded log of received requests, for assertions in tests.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::faults::Applied;

/// Header values never kept in the log.
const REDACTED: [&str; 1] = ["x-security-token"];

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

pub struct RequestLog {
    entries: Mutex<VecDeque<RequestRecord>>,
    capacity: usize,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity: capacity.max(1),
        }
    }

    /// Appends, forgetting the oldest record when full.
    pub fn push(&self, record: RequestRecord) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(record);
    }

    pub fn snapshot(&self) -> Vec<RequestRecord> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> RequestRecord {
        RequestRecord {
            method: "GET".into(),
            path: format!("/{n}"),
            query: String::new(),
            headers: vec![("x-security-token".into(), "secret".into())],
            body: String::new(),
            route: None,
            status: Some(404),
            error_code: None,
            request_id: None,
            fault: None,
            received_at: String::new(),
        }
    }

    #[test]
    fn bounded_and_redacted() {
        let log = RequestLog::new(3);
        for n in 0..5 {
            let mut r = record(n);
            redact(&mut r.headers);
            log.push(r);
        }
        let got = log.snapshot();
        assert_eq!(
            got.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
            ["/2", "/3", "/4"]
        );
        assert!(got.iter().all(|r| r.headers.iter().all(|(_, v)| v == "****")));
    }
}
