//! Request bodies and query parameters as the service reads them: pure parsing, one error per
//! rule. The create-connector body has rules of its own; the task calls' bodies and queries
//! are judged by the core's checks, so the emulator refuses exactly what the client refuses.

use serde_json::{Map, Value};

use super::errors::{ApiError, ErrorKind};
use crate::operations::Operation;
use crate::validate::Input;

pub const MIN_NODE_CNT: i64 = 2;
pub const MAX_NODE_CNT: i64 = 16;
/// Used when node_cnt is omitted or null, as the document says.
pub const DEFAULT_NODE_CNT: u32 = 2;

/// Smart Connect bandwidths, for old-flavor instances.
pub const BANDWIDTHS: [&str; 4] = ["100MB", "300MB", "600MB", "1200MB"];

/// A checked body. Flavor rules (old flavors need specification and spec_code) need the
/// instance, so they are checked by the state, not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnableBody {
    pub node_cnt: u32,
    /// One of `BANDWIDTHS`.
    pub specification: Option<&'static str>,
    /// As given; may be empty (an old flavor then rejects it).
    pub spec_code: Option<String>,
}

/// `100MB`, or the document's spelling `100 MB`, to the canonical form.
pub fn bandwidth(text: &str) -> Option<&'static str> {
    let compact = text.replacen(' ', "", 1);
    BANDWIDTHS.into_iter().find(|b| *b == compact)
}

pub fn parse_enable_body(body: &[u8]) -> Result<EnableBody, ApiError> {
    let map = json_object(body)?;
    Ok(EnableBody {
        node_cnt: node_cnt(map.get("node_cnt"))?,
        specification: specification(map.get("specification"))?,
        spec_code: spec_code(map.get("spec_code"))?,
    })
}

/// A JSON object checked against `model` as the client checks a body before sending it
/// (`validate::body`): the JSON under the JSON names, fields outside the model dropped.
pub fn checked_body(model: &str, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let given = Value::Object(json_object(body)?);
    match crate::validate::body(model, &Input::from_json(&given)) {
        Ok(Value::Object(checked)) => Ok(checked),
        Ok(other) => Err(ApiError::new(
            ErrorKind::Internal,
            format!("the checked body is {}, not an object", kind_name(&other)),
        )),
        Err(e) => Err(ApiError::new(ErrorKind::TaskBodyInvalid, format!("{e}."))),
    }
}

/// Bodyless calls take no body; one sent anyway must be a JSON object, and is ignored.
pub fn ignored_body(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(())
    } else {
        json_object(body).map(|_| ())
    }
}

/// An integer query parameter of `op` (the last one of the name), judged as the client judges
/// it (`validate::param`); `None` when absent.
pub fn query_int(op: &Operation, query: &[(String, String)], name: &'static str) -> Result<Option<usize>, ApiError> {
    let Some((_, given)) = query.iter().rev().find(|(k, _)| k == name) else {
        return Ok(None);
    };
    let invalid = |rule: String| ApiError::new(ErrorKind::TaskQueryInvalid, rule);
    let checked =
        crate::validate::param(op, name, &Input::Text(given.clone())).map_err(|e| invalid(format!("{e}.")))?;
    checked
        .parse::<usize>()
        .map(Some)
        .map_err(|_| invalid(format!("invalid {name}: must be an integer; got {checked:?}.")))
}

/// list_connector_tasks' `offset` (0 when absent) and `limit` (the request model's
/// `service_default` when absent).
pub fn page(op: &Operation, query: &[(String, String)]) -> Result<(usize, usize), ApiError> {
    let offset = query_int(op, query, "offset")?.unwrap_or(0);
    let limit = match query_int(op, query, "limit")? {
        Some(limit) => limit,
        None => crate::spec::field(op.request, "limit")
            .ok()
            .and_then(|f| f.service_default.as_ref()?.as_u64())
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| ApiError::new(ErrorKind::Internal, "no default limit in the model description"))?,
    };
    Ok((offset, limit))
}

/// Any body must be a JSON object.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorKind::MalformedBody,
            "The request body is empty; a JSON object is required.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::new(
            ErrorKind::MalformedBody,
            format!("The request body must be a JSON object, not {}.", kind_name(&other)),
        )),
        Err(e) => Err(ApiError::new(
            ErrorKind::MalformedBody,
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON integer or a string holding one (the SDKs send either), 2 to 16.
fn node_cnt(v: Option<&Value>) -> Result<u32, ApiError> {
    let not_integer = |shown: String| {
        ApiError::new(
            ErrorKind::NodeCntNotInteger,
            format!("Invalid node_cnt {shown}: it must be an integer from {MIN_NODE_CNT} to {MAX_NODE_CNT}."),
        )
    };
    let n: i128 = match v {
        None | Some(Value::Null) => return Ok(DEFAULT_NODE_CNT),
        Some(Value::Number(num)) => match (num.as_i64(), num.as_u64()) {
            (Some(i), _) => i128::from(i),
            (None, Some(u)) => i128::from(u),
            _ => return Err(not_integer(num.to_string())),
        },
        Some(Value::String(s)) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_integer(format!("{s:?}")));
            }
            // All digits: too many of them is simply out of range.
            s.parse::<i128>().unwrap_or(i128::MAX)
        }
        Some(other) => return Err(not_integer(format!("({})", kind_name(other)))),
    };
    if !(i128::from(MIN_NODE_CNT)..=i128::from(MAX_NODE_CNT)).contains(&n) {
        return Err(ApiError::new(
            ErrorKind::NodeCntOutOfRange,
            format!("Invalid node_cnt {n}: it must be from {MIN_NODE_CNT} to {MAX_NODE_CNT}."),
        ));
    }
    u32::try_from(n).map_err(|_| ApiError::new(ErrorKind::NodeCntOutOfRange, "Invalid node_cnt."))
}

fn specification(v: Option<&Value>) -> Result<Option<&'static str>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => bandwidth(s).map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorKind::SpecificationInvalid,
                format!(
                    "Invalid specification {s:?}: it must be one of {}.",
                    BANDWIDTHS.join(", ")
                ),
            )
        }),
        Some(other) => Err(ApiError::new(
            ErrorKind::SpecificationInvalid,
            format!("Invalid specification: it must be a string, not {}.", kind_name(other)),
        )),
    }
}

fn spec_code(v: Option<&Value>) -> Result<Option<String>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::new(
            ErrorKind::SpecCodeRequired,
            format!("Invalid spec_code: it must be a string, not {}.", kind_name(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(body: &str) -> Option<ErrorKind> {
        parse_enable_body(body.as_bytes()).err().map(|e| e.kind)
    }

    #[test]
    fn node_cnt_number_or_numeric_string() {
        assert_eq!(parse_enable_body(br#"{"node_cnt": 2}"#).map(|b| b.node_cnt), Ok(2));
        assert_eq!(parse_enable_body(br#"{"node_cnt": "16"}"#).map(|b| b.node_cnt), Ok(16));
        assert_eq!(parse_enable_body(b"{}").map(|b| b.node_cnt), Ok(2));
        assert_eq!(parse_enable_body(br#"{"node_cnt": null}"#).map(|b| b.node_cnt), Ok(2));
    }

    #[test]
    fn node_cnt_rules() {
        assert_eq!(kind(r#"{"node_cnt": 1}"#), Some(ErrorKind::NodeCntOutOfRange));
        assert_eq!(kind(r#"{"node_cnt": 17}"#), Some(ErrorKind::NodeCntOutOfRange));
        assert_eq!(kind(r#"{"node_cnt": "-3"}"#), Some(ErrorKind::NodeCntOutOfRange));
        assert_eq!(
            kind(r#"{"node_cnt": "99999999999999999999999999999999999999999"}"#),
            Some(ErrorKind::NodeCntOutOfRange)
        );
        assert_eq!(kind(r#"{"node_cnt": 2.5}"#), Some(ErrorKind::NodeCntNotInteger));
        assert_eq!(kind(r#"{"node_cnt": 2.0}"#), Some(ErrorKind::NodeCntNotInteger));
        assert_eq!(kind(r#"{"node_cnt": "two"}"#), Some(ErrorKind::NodeCntNotInteger));
        assert_eq!(kind(r#"{"node_cnt": " 2"}"#), Some(ErrorKind::NodeCntNotInteger));
        assert_eq!(kind(r#"{"node_cnt": true}"#), Some(ErrorKind::NodeCntNotInteger));
    }

    #[test]
    fn malformed_bodies() {
        assert_eq!(kind(""), Some(ErrorKind::MalformedBody));
        assert_eq!(kind("{"), Some(ErrorKind::MalformedBody));
        assert_eq!(kind("[1]"), Some(ErrorKind::MalformedBody));
    }

    #[test]
    fn specification_values() {
        let b = parse_enable_body(br#"{"specification": "100 MB", "spec_code": "x"}"#);
        assert_eq!(b.map(|b| b.specification), Ok(Some("100MB")));
        assert_eq!(
            kind(r#"{"specification": "150MB"}"#),
            Some(ErrorKind::SpecificationInvalid)
        );
        assert_eq!(kind(r#"{"specification": 100}"#), Some(ErrorKind::SpecificationInvalid));
        assert_eq!(kind(r#"{"spec_code": 1}"#), Some(ErrorKind::SpecCodeRequired));
    }
}
