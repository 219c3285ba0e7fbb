//! One error type for every failure, and the official rules for reading error bodies.

use serde_json::Value;

/// What a 4xx/5xx response said, read by the official `DefaultExceptionHandler` rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkError {
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub encoded_auth_msg: Option<String>,
}

/// Where a transport failure happened; it decides whether the request may have been received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before any byte of the request left: safe to retry.
    Connect,
    /// After the request may have reached the server: outcome unknown.
    AfterSend,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Bad input caught before any I/O; nothing was sent.
    #[error("invalid {field}: {rule}")]
    Validation { field: &'static str, rule: String },
    /// Bad client set-up (no endpoint, unreadable CA file, bad proxy, ...).
    #[error("{0}")]
    Config(String),
    #[error("{message}")]
    HostUnreachable { message: String },
    #[error("{message}")]
    SslHandshake { message: String },
    /// Refused, reset or closed connections.
    #[error("{message}")]
    Connection { message: String, phase: Phase },
    /// No connection within the connect timeout; nothing was sent.
    #[error("{message}")]
    ConnectTimeout { message: String },
    /// No (complete) response within the read timeout or the call deadline.
    #[error("{message}")]
    ReadTimeout { message: String },
    /// More redirects than allowed, with `allow_redirects` on; each hop was a new request.
    #[error("{message}")]
    TooManyRedirects { message: String },
    /// A 3xx/4xx/5xx response; `response` is the response itself (with the request's trace
    /// when the call asked for one), for logs and HTTP handlers.
    #[error("status {status}: {}", .error.error_msg.as_deref().unwrap_or(""))]
    Service {
        status: u16,
        error: SdkError,
        response: Option<Box<crate::client::RawResponse>>,
    },
    /// A success status whose body is not the documented response.
    #[error("{message}")]
    InvalidResponse {
        status: u16,
        request_id: Option<String>,
        message: String,
    },
    /// Anything else, including failures inside the SDK itself.
    #[error("{0}")]
    Sdk(String),
}

/// Appended to transport errors raised after the request may have been received.
pub const OUTCOME_UNKNOWN: &str = "the request may have reached the server, so the outcome is unknown \
and it was not re-sent; check with show_instance or wait_for_job before trying again";

impl Error {
    pub fn validation(field: &'static str, rule: impl Into<String>) -> Self {
        Error::Validation {
            field,
            rule: rule.into(),
        }
    }

    /// True when the request may have been received and acted on.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::Connection {
                phase: Phase::AfterSend,
                ..
            } | Error::ReadTimeout { .. }
                | Error::TooManyRedirects { .. }
        )
    }
}

/// Reads an error response as the official SDK does: `error_code`/`error_msg`, then
/// `errorCode`/`errorMsg`, then `code`/`message`, else nested objects; a non-JSON body
/// becomes the message and the status becomes the code when none is given.
pub fn parse_error_body(status: u16, request_id: Option<String>, body: &[u8]) -> SdkError {
    let text = String::from_utf8_lossy(body);
    let mut found = Found::default();
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(entries)) => found.visit(&entries),
        _ => found.msg = Some(Value::String(text.to_string())),
    }
    let code = found.code.filter(truthy).map(value_text);
    let msg = found.msg.filter(truthy).map(value_text);
    SdkError {
        request_id,
        error_code: Some(code.unwrap_or_else(|| status.to_string())),
        error_msg: Some(msg.unwrap_or_else(|| text.to_string())),
        // JSON null is Python's None, as the official handler keeps it.
        encoded_auth_msg: found.encoded.filter(|v| !v.is_null()).map(value_text),
    }
}

/// A JSON value whose objects keep their keys in document order, as Python's `dict` does
/// (serde_json's `Map` sorts them): the official nested search keeps the last match in that
/// order. A repeated key keeps its first place and its last value, as in `json.loads`.
enum Json {
    Object(Vec<(String, Json)>),
    Other(Value),
}

impl Json {
    fn get(entries: &[(String, Json)], key: &str) -> Option<Value> {
        entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.to_value())
    }

    fn to_value(&self) -> Value {
        match self {
            Json::Object(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
            Json::Other(v) => v.clone(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        // Index by key, so a body of many keys stays linear.
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            match index.get(&key).and_then(|&i| entries.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
        }
        Ok(Json::Object(entries))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Json::Other(Value::Array(items)))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Other(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Other(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Other(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Other(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Other(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Other(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Other(Value::Null))
    }
}

#[derive(Default)]
struct Found {
    code: Option<Value>,
    msg: Option<Value>,
    encoded: Option<Value>,
}

impl Found {
    fn visit(&mut self, entries: &[(String, Json)]) {
        if let Some(v) = Json::get(entries, "encoded_authorization_message") {
            self.encoded = Some(v);
        }
        for (code_key, msg_key) in [
            ("error_code", "error_msg"),
            ("errorCode", "errorMsg"),
            ("code", "message"),
        ] {
            if let (Some(c), Some(m)) = (Json::get(entries, code_key), Json::get(entries, msg_key)) {
                self.code = Some(c);
                self.msg = Some(m);
                return;
            }
        }
        for (_, v) in entries {
            if let Json::Object(inner) = v {
                self.visit(inner);
            }
        }
    }
}

/// Python truthiness of a JSON value, as `if not sdk_error.error_code` sees it.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The text `str()` shows of a value: strings as they are, booleans as Python spells them.
fn value_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(body: &str) -> SdkError {
        parse_error_body(400, Some("rid".into()), body.as_bytes())
    }

    #[test]
    fn snake_case_pair() {
        let e = parse(r#"{"error_code":"DMS.00400026","error_msg":"busy"}"#);
        assert_eq!(e.error_code.as_deref(), Some("DMS.00400026"));
        assert_eq!(e.error_msg.as_deref(), Some("busy"));
        assert_eq!(e.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn camel_case_and_code_message() {
        assert_eq!(
            parse(r#"{"errorCode":"A","errorMsg":"b"}"#).error_code.as_deref(),
            Some("A")
        );
        assert_eq!(parse(r#"{"code":"C","message":"m"}"#).error_msg.as_deref(), Some("m"));
    }

    #[test]
    fn nested_object_and_encoded_message() {
        let e = parse(r#"{"error":{"code":"APIG.0301","message":"bad"},"encoded_authorization_message":"enc"}"#);
        assert_eq!(e.error_code.as_deref(), Some("APIG.0301"));
        assert_eq!(e.error_msg.as_deref(), Some("bad"));
        assert_eq!(e.encoded_auth_msg.as_deref(), Some("enc"));
    }

    #[test]
    fn non_json_body_becomes_message_and_status_the_code() {
        let e = parse("Bad Gateway");
        assert_eq!(e.error_code.as_deref(), Some("400"));
        assert_eq!(e.error_msg.as_deref(), Some("Bad Gateway"));
    }

    #[test]
    fn empty_code_falls_back_to_status_and_empty_msg_to_text() {
        let body = r#"{"error_code":"","error_msg":null}"#;
        let e = parse(body);
        assert_eq!(e.error_code.as_deref(), Some("400"));
        assert_eq!(e.error_msg.as_deref(), Some(body));
    }

    #[test]
    fn only_one_key_of_a_pair_is_not_a_match() {
        let e = parse(r#"{"error_code":"X"}"#);
        assert_eq!(e.error_code.as_deref(), Some("400"));
    }

    #[test]
    fn nested_matches_keep_the_last_in_document_order_like_a_python_dict() {
        // Sorted keys would visit "a" first and keep "B"; Python's dict keeps "A".
        let e = parse(r#"{"b":{"code":"B","message":"mb"},"a":{"code":"A","message":"ma"}}"#);
        assert_eq!(
            (e.error_code.as_deref(), e.error_msg.as_deref()),
            (Some("A"), Some("ma"))
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let e = parse(r#"{"error_code":"X","error_msg":"m","error_code":"Y"}"#);
        assert_eq!(e.error_code.as_deref(), Some("Y"));
    }

    #[test]
    fn null_encoded_message_is_none_and_booleans_read_as_python_prints_them() {
        let e = parse(r#"{"error_code":true,"error_msg":"m","encoded_authorization_message":null}"#);
        assert_eq!(e.encoded_auth_msg, None);
        assert_eq!(e.error_code.as_deref(), Some("True"));
    }

    proptest! {
        #[test]
        fn non_empty_string_pairs_are_taken_as_given(code in "\\PC+", msg in "\\PC+", noise in "[a-z]{0,8}") {
            let body = serde_json::json!({"error_code": code, "error_msg": msg, "x": {"code": noise, "message": "n"}});
            let e = parse_error_body(500, None, body.to_string().as_bytes());
            prop_assert_eq!(e.error_code, Some(code));
            prop_assert_eq!(e.error_msg, Some(msg));
        }

        #[test]
        fn never_fails_and_always_has_code_and_msg(body in proptest::collection::vec(any::<u8>(), 0..256), status in 300u16..600) {
            let e = parse_error_body(status, None, &body);
            prop_assert!(e.error_code.is_some());
            prop_assert!(e.error_msg.is_some());
        }
    }
}
