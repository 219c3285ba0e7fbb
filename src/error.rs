//! One error type for every failure, and the official rules for reading error bodies.

/// What a 4xx/5xx response said, read by the official `DefaultExceptionHandler` rules.
///
/// The `String` fields are text, convenient in Rust and in `Display`: a JSON string as it is,
/// any other JSON value as its JSON text. `values` keeps what the body actually held (a number
/// stays a number, a list a list), which is what the official SDK's exception attributes carry;
/// it is boxed so that `Error` stays small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkError {
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub encoded_auth_msg: Option<String>,
    pub values: Box<ErrorValues>,
}

/// The fields of an [`SdkError`] as the body typed them. `None` where the field did not come
/// from the body's JSON: then the text field is the value (a string, or nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorValues {
    pub error_code: Option<JsonValue>,
    pub error_msg: Option<JsonValue>,
    /// `Some(JsonValue::Null)` when the body said `null`: the attribute is then `None`.
    pub encoded_auth_msg: Option<JsonValue>,
}

impl SdkError {
    /// The error code as the official SDK's attribute holds it: the body's JSON value, else the text.
    pub fn error_code_value(&self) -> Option<JsonValue> {
        typed(&self.values.error_code, &self.error_code)
    }

    /// The error message as the official SDK's attribute holds it.
    pub fn error_msg_value(&self) -> Option<JsonValue> {
        typed(&self.values.error_msg, &self.error_msg)
    }

    /// The encoded authorization message as the official SDK's attribute holds it
    /// (`None` when absent or `null`).
    pub fn encoded_auth_msg_value(&self) -> Option<JsonValue> {
        typed(&self.values.encoded_auth_msg, &self.encoded_auth_msg).filter(|v| *v != JsonValue::Null)
    }
}

fn typed(value: &Option<JsonValue>, text: &Option<String>) -> Option<JsonValue> {
    value.clone().or_else(|| text.clone().map(JsonValue::String))
}

/// A JSON value as Python's `json.loads` gives it: objects keep their keys in document order
/// (serde_json's `Map` sorts them), and a repeated key keeps its first place and its last value.
/// The official nested search keeps the last match in that order, and `str()` of a dict shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// Python truthiness, as `if not sdk_error.error_code` sees it.
    fn truthy(&self) -> bool {
        match self {
            JsonValue::Null => false,
            JsonValue::Bool(b) => *b,
            JsonValue::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            JsonValue::String(s) => !s.is_empty(),
            JsonValue::Array(a) => !a.is_empty(),
            JsonValue::Object(o) => !o.is_empty(),
        }
    }

    /// The text of a field: a string as it is, any other value as its JSON text.
    fn text(&self) -> String {
        match self {
            JsonValue::String(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        }
    }
}

impl serde::Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            JsonValue::Null => serializer.serialize_unit(),
            JsonValue::Bool(b) => serializer.serialize_bool(*b),
            JsonValue::Number(n) => n.serialize(serializer),
            JsonValue::String(s) => serializer.serialize_str(s),
            JsonValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonValue::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
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
    /// The official `ApiValueError`: a credential source lacks a setting, or the provider
    /// chain found no credentials (its message lists why, link by link).
    #[error("{0}")]
    ApiValue(String),
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
    /// A success status whose body is not the documented response: the server accepted the
    /// call. `response` is the response itself, for logs and HTTP handlers.
    #[error("{message}")]
    InvalidResponse {
        status: u16,
        request_id: Option<String>,
        message: String,
        response: Option<Box<crate::client::RawResponse>>,
    },
    /// Anything else, including failures inside the SDK itself.
    #[error("{0}")]
    Sdk(String),
}

/// Appended to transport errors raised after the request may have been received.
pub const OUTCOME_UNKNOWN: &str = "the request may have reached the server, so the outcome is unknown \
and it was not re-sent; check the state it changes before trying again (show_instance or wait_for_job \
for Smart Connect, show_connector_task or list_connector_tasks for a task)";

impl Error {
    pub fn validation(field: &'static str, rule: impl Into<String>) -> Self {
        Error::Validation {
            field,
            rule: rule.into(),
        }
    }

    /// A transport failure worth another attempt: the connection failed or timed out, or
    /// (`outcome_unknown`) the request may have been received; never a server's answer.
    pub fn may_retry(&self) -> bool {
        matches!(
            self,
            Error::Connection { .. } | Error::ConnectTimeout { .. } | Error::ReadTimeout { .. }
        )
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
/// `errorCode`/`errorMsg`, then `code`/`message`, else nested objects; a body that is not a JSON
/// object becomes the message, and a missing or falsy code/message becomes the status/the body.
/// Values are kept as the body typed them (`values`), and as text in the `String` fields.
pub fn parse_error_body(status: u16, request_id: Option<String>, body: &[u8]) -> SdkError {
    let text = String::from_utf8_lossy(body);
    let mut found = Found::default();
    if let Ok(JsonValue::Object(entries)) = serde_json::from_slice::<JsonValue>(body) {
        found.visit(&entries);
    }
    let code = found
        .code
        .filter(JsonValue::truthy)
        .unwrap_or_else(|| JsonValue::String(status.to_string()));
    let msg = found
        .msg
        .filter(JsonValue::truthy)
        .unwrap_or_else(|| JsonValue::String(text.into_owned()));
    SdkError {
        request_id,
        error_code: Some(code.text()),
        error_msg: Some(msg.text()),
        // JSON null is Python's None, as the official handler keeps it.
        encoded_auth_msg: found
            .encoded
            .as_ref()
            .filter(|v| **v != JsonValue::Null)
            .map(JsonValue::text),
        values: Box::new(ErrorValues {
            error_code: Some(code),
            error_msg: Some(msg),
            encoded_auth_msg: found.encoded,
        }),
    }
}

impl<'de> serde::Deserialize<'de> for JsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = JsonValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
        let mut entries: Vec<(String, JsonValue)> = Vec::new();
        // Index by key, so a body of many keys stays linear.
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        while let Some((key, value)) = map.next_entry::<String, JsonValue>()? {
            match index.get(&key).and_then(|&i| entries.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
        }
        Ok(JsonValue::Object(entries))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<JsonValue>()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }

    fn visit_bool<E>(self, v: bool) -> Result<JsonValue, E> {
        Ok(JsonValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<JsonValue, E> {
        // JSON has no NaN or infinity, so this is always a number.
        Ok(serde_json::Number::from_f64(v).map_or(JsonValue::Null, JsonValue::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v))
    }

    fn visit_unit<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
}

#[derive(Default)]
struct Found {
    code: Option<JsonValue>,
    msg: Option<JsonValue>,
    encoded: Option<JsonValue>,
}

impl Found {
    fn visit(&mut self, entries: &[(String, JsonValue)]) {
        let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if let Some(v) = get("encoded_authorization_message") {
            self.encoded = Some(v);
        }
        for (code_key, msg_key) in [
            ("error_code", "error_msg"),
            ("errorCode", "errorMsg"),
            ("code", "message"),
        ] {
            if let (Some(c), Some(m)) = (get(code_key), get(msg_key)) {
                self.code = Some(c);
                self.msg = Some(m);
                return;
            }
        }
        for (_, v) in entries {
            if let JsonValue::Object(inner) = v {
                self.visit(inner);
            }
        }
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
    fn null_encoded_message_is_none_and_other_values_read_as_json_text() {
        let e = parse(r#"{"error_code":true,"error_msg":["a",{"b":1}],"encoded_authorization_message":null}"#);
        assert_eq!(e.encoded_auth_msg, None);
        assert_eq!(e.encoded_auth_msg_value(), None);
        assert_eq!(e.values.encoded_auth_msg, Some(JsonValue::Null));
        assert_eq!(e.error_code.as_deref(), Some("true"));
        assert_eq!(e.error_msg.as_deref(), Some(r#"["a",{"b":1}]"#));
    }

    #[test]
    fn values_keep_the_json_types_the_body_gave() {
        let e = parse(r#"{"error_code":123,"error_msg":{"z":1.5,"a":[null,false]},"encoded_authorization_message":7}"#);
        assert_eq!(e.error_code_value(), Some(JsonValue::Number(123.into())));
        let msg = JsonValue::Object(vec![
            (
                "z".to_owned(),
                JsonValue::Number(serde_json::Number::from_f64(1.5).unwrap_or_else(|| 0.into())),
            ),
            (
                "a".to_owned(),
                JsonValue::Array(vec![JsonValue::Null, JsonValue::Bool(false)]),
            ),
        ]);
        assert_eq!(e.error_msg_value(), Some(msg));
        // Document order, not sorted: as Python's dict prints it.
        assert_eq!(e.error_msg.as_deref(), Some(r#"{"z":1.5,"a":[null,false]}"#));
        assert_eq!(e.encoded_auth_msg_value(), Some(JsonValue::Number(7.into())));
        assert_eq!(e.encoded_auth_msg.as_deref(), Some("7"));
    }

    #[test]
    fn falsy_values_of_any_type_fall_back_to_strings() {
        for falsy in ["null", "0", "0.0", "false", r#""""#, "[]", "{}"] {
            let body = format!(r#"{{"code":{falsy},"message":{falsy}}}"#);
            let e = parse(&body);
            assert_eq!(e.error_code_value(), Some(JsonValue::String("400".into())), "{body}");
            assert_eq!(e.error_msg_value(), Some(JsonValue::String(body.clone())), "{body}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_inside_values_too() {
        let e = parse(r#"{"error_code":"X","error_msg":{"b":1,"a":2,"b":3}}"#);
        assert_eq!(e.error_msg.as_deref(), Some(r#"{"b":3,"a":2}"#));
    }

    #[test]
    fn errors_not_read_from_a_body_take_their_texts_as_values() {
        let e = SdkError {
            error_code: Some("301".into()),
            error_msg: Some("redirect".into()),
            ..SdkError::default()
        };
        assert_eq!(e.error_code_value(), Some(JsonValue::String("301".into())));
        assert_eq!(e.error_msg_value(), Some(JsonValue::String("redirect".into())));
        assert_eq!(e.encoded_auth_msg_value(), None);
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
        fn floats_are_read_exactly_as_python_reads_them(f in any::<f64>().prop_filter("finite, non-zero", |f| f.is_finite() && *f != 0.0)) {
            // The shortest text and a 25-digit one: both name exactly this float.
            for text in [format!("{f:e}"), format!("{f:.25e}")] {
                let e = parse(&format!(r#"{{"code":{text},"message":"m"}}"#));
                prop_assert_eq!(e.error_code_value(), serde_json::Number::from_f64(f).map(JsonValue::Number), "{}", text);
            }
        }

        #[test]
        fn never_fails_and_always_has_code_and_msg(body in proptest::collection::vec(any::<u8>(), 0..256), status in 300u16..600) {
            let e = parse_error_body(status, None, &body);
            prop_assert!(e.error_code.is_some());
            prop_assert!(e.error_msg.is_some());
        }
    }
}
