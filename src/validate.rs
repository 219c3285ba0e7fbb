//! Field rules, checked before any I/O. Each failure names the field and the rule.

use crate::error::Error;
use crate::model::Specification;
use crate::spec;

/// `node_cnt` as the caller gave it; the Python layer maps its types onto these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeCntInput {
    Int(i128),
    Text(String),
    /// Any other type, by name (bool, float, ...): always rejected.
    Other(String),
}

/// `specification` or `spec_code` as given: a string, or another type by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextInput {
    Text(String),
    Other(String),
}

const ID_MAX_LEN: usize = 64;

/// `project_id` and `instance_id`: 1 to 64 of `[A-Za-z0-9_-]`, so nothing can escape the path.
pub fn id(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::validation(field, "is required and must not be empty"));
    }
    // Length first: the placeholder message quotes the value, which must stay short.
    if value.chars().count() > ID_MAX_LEN {
        return Err(Error::validation(
            field,
            format!("must be at most {ID_MAX_LEN} characters"),
        ));
    }
    if value.starts_with('{') && value.ends_with('}') {
        return Err(Error::validation(
            field,
            format!("{value:?} is an unreplaced placeholder; put the real {field} there"),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(Error::validation(
            field,
            format!("may contain only letters, digits, '-' and '_' (found {c:?})"),
        ));
    }
    Ok(())
}

/// `node_cnt`: an integer, or a string of decimal digits, at least 2.
pub fn node_cnt(value: &NodeCntInput) -> Result<u64, Error> {
    let minimum = spec::field("CreateConnectorReq", "node_cnt")?.minimum.unwrap_or(0);
    let rule = format!("must be an integer (or a string of decimal digits) of at least {minimum}");
    let rule = rule.as_str();
    let n: i128 = match value {
        NodeCntInput::Int(n) => *n,
        NodeCntInput::Text(s) => {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::validation("node_cnt", format!("{rule}; got the string {s:?}")));
            }
            s.parse::<i128>().unwrap_or(i128::MAX)
        }
        NodeCntInput::Other(type_name) => {
            return Err(Error::validation(
                "node_cnt",
                format!("{rule}; got a value of type {type_name}"),
            ))
        }
    };
    if n < i128::from(minimum) {
        return Err(Error::validation("node_cnt", format!("{rule}; got {n}")));
    }
    u64::try_from(n).map_err(|_| Error::validation("node_cnt", format!("{rule} and at most {}", u64::MAX)))
}

/// `specification`: 100MB, 300MB, 600MB or 1200MB; the document's "100 MB" is accepted.
pub fn specification(value: &TextInput) -> Result<Specification, Error> {
    let values = spec::field("CreateConnectorReq", "specification")?.text_values();
    let allowed = format!("must be one of {}", values.join(", "));
    let s = match value {
        TextInput::Text(s) => s,
        TextInput::Other(t) => return Err(Error::validation("specification", format!("{allowed}; got {}", a(t)))),
    };
    // Exactly a listed value, or the document's spelling with one space before "MB".
    let compact = match s.strip_suffix(" MB") {
        Some(number) => format!("{number}MB"),
        None => s.clone(),
    };
    values
        .into_iter()
        .find(|v| *v == compact)
        .map(|v| Specification(v.to_owned()))
        .ok_or_else(|| Error::validation("specification", format!("{allowed}; got {s:?}")))
}

/// `spec_code`: a non-empty string.
pub fn spec_code(value: &TextInput) -> Result<String, Error> {
    match value {
        TextInput::Text(s) if !s.trim().is_empty() => Ok(s.clone()),
        TextInput::Text(_) => Err(Error::validation("spec_code", "must be a non-empty string when given")),
        TextInput::Other(t) => Err(Error::validation(
            "spec_code",
            format!("must be a string; got {}", a(t)),
        )),
    }
}

/// A value sent in a header: no CR, LF or other control characters.
pub fn header_value(field: &'static str, value: &str) -> Result<(), Error> {
    match value.chars().find(|c| c.is_control() && *c != '\t') {
        Some(c) => Err(Error::validation(
            field,
            format!("must not contain control characters such as CR or LF (found {:?})", c),
        )),
        None => Ok(()),
    }
}

/// An id given as a Python value: it must be a string obeying `id`.
pub fn id_input(field: &'static str, value: &TextInput) -> Result<String, Error> {
    match value {
        TextInput::Text(s) => id(field, s).map(|()| s.clone()),
        TextInput::Other(t) => Err(Error::validation(field, format!("must be a string; got {}", a(t)))),
    }
}

/// One path or query parameter of `op` as given, as it is sent: a path parameter is an id;
/// a query parameter is checked against the request model's description (an integer, or
/// decimal text, in its range).
pub fn param(op: &crate::operations::Operation, name: &'static str, value: &Input) -> Result<String, Error> {
    if op.path_params.contains(&name) {
        return id_input(name, &value.text());
    }
    let Some(field) = spec::described(op.request).and_then(|fields| fields.iter().find(|f| f.name == name)) else {
        // A parameter of an undescribed request (IAM's): text, sent as given.
        return match value.text() {
            TextInput::Text(s) => Ok(s),
            TextInput::Other(kind) => Err(Error::validation(name, format!("must be a str; got {}", a(&kind)))),
        };
    };
    match (field.ty.as_str(), value) {
        ("int", Input::Text(s)) if is_integer_text(s) => {
            let n = s
                .parse::<i128>()
                .unwrap_or(if s.starts_with('-') { i128::MIN } else { i128::MAX });
            typed(field, "int", &Input::Int(n)).map(|v| v.to_string())
        }
        ("int", Input::BigInt(_)) => typed(field, "int", &Input::Int(i128::MAX)).map(|v| v.to_string()),
        (ty, given) => typed(field, ty, given).map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }),
    }
}

/// A type's name with its article: "an int", "a str".
pub fn a(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

/// The description of the field `path` names (dot-separated through nested models) and its
/// value in the checked JSON `out` of `model`, if given.
fn nested<'a>(
    model: &str,
    out: &'a serde_json::Map<String, serde_json::Value>,
    path: &str,
) -> Result<(&'static spec::Field, Option<&'a serde_json::Value>), Error> {
    let (mut model, mut object) = (model.to_owned(), Some(out));
    let mut found = None;
    for name in path.split('.') {
        let field = spec::field(&model, name)?;
        let value = object.and_then(|o| o.get(&field.json));
        object = value.and_then(serde_json::Value::as_object);
        model.clone_from(&field.ty);
        found = Some((field, value));
    }
    found.ok_or_else(|| Error::Sdk(format!("an empty field path in a rule of {model}")))
}

/// Decimal digits, with an optional leading `-` (a query parameter given as text).
fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// How a str that cannot be sent as UTF-8 is named in messages.
pub const NOT_UNICODE: &str = "str that is not valid Unicode (it holds a lone surrogate)";

/// A request body (or part of one) as the caller gave it: the binding maps its values onto
/// these without judging them; `body` judges them against the model description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer beyond i128, as its digits.
    BigInt(String),
    Text(String),
    /// A str that is not valid Unicode (a lone surrogate), as lossy text.
    BadText(String),
    List(Vec<Input>),
    /// A model's fields or a dict's entries, by JSON (or Python) name.
    Object(Vec<(String, Input)>),
    /// Any other type, by name.
    Other(String),
}

impl Input {
    /// The Python type name of what was given, for messages.
    fn kind(&self) -> String {
        match self {
            Input::Null => "NoneType".to_owned(),
            Input::Bool(_) => "bool".to_owned(),
            Input::Int(_) | Input::BigInt(_) => "int".to_owned(),
            Input::Text(_) | Input::BadText(_) => "str".to_owned(),
            Input::List(_) => "list".to_owned(),
            Input::Object(_) => "dict".to_owned(),
            Input::Other(name) => name.clone(),
        }
    }

    pub fn text(&self) -> TextInput {
        match self {
            Input::Text(s) => TextInput::Text(s.clone()),
            Input::BadText(_) => TextInput::Other(NOT_UNICODE.to_owned()),
            other => TextInput::Other(other.kind()),
        }
    }

    fn node_cnt(&self) -> NodeCntInput {
        match self {
            Input::Int(n) => NodeCntInput::Int(*n),
            Input::BigInt(digits) => NodeCntInput::Text(digits.clone()),
            Input::Text(s) | Input::BadText(s) => NodeCntInput::Text(s.clone()),
            other => NodeCntInput::Other(other.kind()),
        }
    }

    /// A JSON value (a Rust caller's typed body) as an input.
    pub fn from_json(value: &serde_json::Value) -> Input {
        use serde_json::Value;
        match value {
            Value::Null => Input::Null,
            Value::Bool(b) => Input::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Input::Other("float".to_owned()), |i| Input::Int(i.into())),
            Value::String(s) => Input::Text(s.clone()),
            Value::Array(items) => Input::List(items.iter().map(Input::from_json).collect()),
            Value::Object(map) => Input::Object(map.iter().map(|(k, v)| (k.clone(), Input::from_json(v))).collect()),
        }
    }
}

/// A body checked against its model's description (`spec/models.json`): each field by its
/// type, enum and range, required ones present, nested models in turn; the JSON to send, under
/// the JSON names. Fields with a rule of their own (CreateConnectorReq's) use it.
pub fn body(model: &str, input: &Input) -> Result<serde_json::Value, Error> {
    match input {
        Input::Object(_) => object(model, input),
        other => Err(Error::validation(
            "body",
            format!("must be a {model} or a dict; got {}", a(&other.kind())),
        )),
    }
}

fn object(model: &str, input: &Input) -> Result<serde_json::Value, Error> {
    let Input::Object(entries) = input else {
        return Err(Error::validation("body", format!("must be a {model}")));
    };
    let mut out = serde_json::Map::new();
    let fields = spec::model(model)?;
    for field in fields {
        // A repeated key keeps its last value, as a dict does.
        let given = entries
            .iter()
            .rev()
            .find(|(k, _)| *k == field.json || *k == field.name)
            .map(|(_, v)| v)
            .filter(|v| **v != Input::Null);
        match given {
            None if field.required => return Err(Error::validation(&field.name, "is required")),
            None => {}
            Some(value) => {
                out.insert(field.json.clone(), field_value(model, field, value)?);
            }
        }
    }
    for rule in spec::rules(model) {
        check_rule(model, rule, &out)?;
    }
    // A dict's keys the description does not name are sent as given, as the official SDK
    // sends a dict (a model's attributes are read by the description, so it has none).
    for (key, value) in entries {
        let described = fields.iter().any(|f| *key == f.json || *key == f.name);
        if !described && !out.contains_key(key) {
            out.insert(key.clone(), plain(value));
        }
    }
    Ok(serde_json::Value::Object(out))
}

/// One rule across the fields of `model` (spec/README.md), on the checked JSON. A name may
/// reach into a nested model (`source_task.instance_id`).
fn check_rule(model: &str, rule: &spec::Rule, out: &serde_json::Map<String, serde_json::Value>) -> Result<(), Error> {
    use spec::RuleKind;
    let field = |name: &str| nested(model, out, name).map(|(field, _)| field);
    let given = |name: &str| -> Result<bool, Error> {
        let (_, value) = nested(model, out, name)?;
        Ok(value.is_some_and(|v| !(v.is_null() || *v == serde_json::Value::Bool(false) || v.as_str() == Some(""))))
    };
    for (name, values) in &rule.when {
        if !nested(model, out, name)?.1.is_some_and(|v| values.contains(v)) {
            return Ok(());
        }
    }
    match &rule.kind {
        RuleKind::ExactlyOneOf(names) | RuleKind::AtMostOneOf(names) => {
            let mut count = 0;
            for name in names {
                count += usize::from(given(name)?);
            }
            let exactly = matches!(rule.kind, RuleKind::ExactlyOneOf(_));
            if count > 1 || (exactly && count == 0) {
                let which = if exactly { "exactly" } else { "at most" };
                let got = match (count, names.len()) {
                    (0, 2) => "neither",
                    (0, _) => "none",
                    (_, 2) => "both",
                    _ => "more than one",
                };
                let first = field(names.first().map_or("", String::as_str))?;
                return Err(Error::validation(
                    &first.name,
                    format!("give {which} one of {} in {model}; got {got}", names.join(", ")),
                ));
            }
        }
        RuleKind::Require(name) => {
            if !given(name)? {
                let condition: Vec<String> = rule
                    .when
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k} is {}",
                            v.iter()
                                .map(|x| x.as_str().map_or(x.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    })
                    .collect();
                let rule = if condition.is_empty() {
                    format!("is required in {model}")
                } else {
                    format!("is required in {model} when {}", condition.join(" and "))
                };
                return Err(Error::validation(&field(name)?.name, rule));
            }
        }
    }
    Ok(())
}

fn field_value(model: &str, field: &'static spec::Field, value: &Input) -> Result<serde_json::Value, Error> {
    use serde_json::Value;
    match (model, field.name.as_str()) {
        ("CreateConnectorReq", "node_cnt") => node_cnt(&value.node_cnt()).map(Value::from),
        ("CreateConnectorReq", "specification") => specification(&value.text()).map(|s| Value::from(s.as_str())),
        ("CreateConnectorReq", "spec_code") => spec_code(&value.text()).map(Value::from),
        _ => typed(field, &field.ty, value),
    }
}

/// A value of the described type `ty`.
fn typed(field: &'static spec::Field, ty: &str, value: &Input) -> Result<serde_json::Value, Error> {
    use serde_json::Value;
    let name = field.name.as_str();
    let wrong = |want: &str| Error::validation(name, format!("must be {want}; got {}", a(&value.kind())));
    match (ty, value) {
        ("str", Input::Text(s)) => {
            let allowed = field.text_values();
            if !allowed.is_empty() && !allowed.contains(&s.as_str()) {
                let got = if field.secret {
                    String::new()
                } else {
                    format!("; got {s:?}")
                };
                return Err(Error::validation(
                    name,
                    format!("must be one of {}{got}", allowed.join(", ")),
                ));
            }
            Ok(Value::from(s.as_str()))
        }
        ("str", Input::BadText(_)) => Err(Error::validation(name, format!("must be text; got a {NOT_UNICODE}"))),
        ("str", _) => Err(wrong("a str")),
        ("int", Input::Int(n)) => {
            let (min, max) = (field.minimum.map(i128::from), field.maximum.map(i128::from));
            if min.is_some_and(|m| *n < m) || max.is_some_and(|m| *n > m) {
                let range = match (field.minimum, field.maximum) {
                    (Some(lo), Some(hi)) => format!("from {lo} to {hi}"),
                    (Some(lo), None) => format!("of at least {lo}"),
                    (None, Some(hi)) => format!("of at most {hi}"),
                    (None, None) => String::new(),
                };
                return Err(Error::validation(name, format!("must be an integer {range}; got {n}")));
            }
            i64::try_from(*n)
                .map(Value::from)
                .map_err(|_| Error::validation(name, format!("must fit in 64 bits; got {n}")))
        }
        ("int", _) => Err(wrong("an integer")),
        ("bool", Input::Bool(b)) => Ok(Value::Bool(*b)),
        ("bool", _) => Err(wrong("a bool")),
        (list, Input::List(items)) if list.starts_with("list[") => {
            let inner = list.trim_start_matches("list[").trim_end_matches(']');
            items
                .iter()
                .map(|item| typed(field, inner, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        (list, _) if list.starts_with("list[") => Err(wrong("a list")),
        (nested, Input::Object(_)) if spec::described(nested).is_some() => object(nested, value),
        (nested, _) if spec::described(nested).is_some() => Err(wrong(&format!("a {nested} or a dict"))),
        // A type the description does not detail: sent as given.
        (_, other) => Ok(plain(other)),
    }
}

fn plain(value: &Input) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Input::Null | Input::Other(_) => Value::Null,
        Input::Bool(b) => Value::Bool(*b),
        Input::Int(n) => i64::try_from(*n).map_or_else(|_| Value::from(n.to_string()), Value::from),
        Input::BigInt(d) => Value::from(d.as_str()),
        Input::Text(s) | Input::BadText(s) => Value::from(s.as_str()),
        Input::List(items) => Value::Array(items.iter().map(plain).collect()),
        Input::Object(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), plain(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(e: Result<impl std::fmt::Debug, Error>) -> String {
        match e {
            Err(Error::Validation { field, rule }) => format!("{field}: {rule}"),
            other => format!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn ids() {
        assert!(id("instance_id", "a1b2-c3_d4").is_ok());
        assert!(rule(id("instance_id", "")).contains("required"));
        assert!(rule(id("instance_id", "{instance_id}")).contains("placeholder"));
        assert!(rule(id("instance_id", "../x")).contains("found '.'"));
        assert!(rule(id("project_id", &"a".repeat(65))).contains("at most 64"));
    }

    #[test]
    fn node_cnt_rules() {
        assert_eq!(node_cnt(&NodeCntInput::Int(2)).ok(), Some(2));
        assert_eq!(node_cnt(&NodeCntInput::Text("16".into())).ok(), Some(16));
        assert!(rule(node_cnt(&NodeCntInput::Int(1))).contains("got 1"));
        assert!(rule(node_cnt(&NodeCntInput::Text("2.0".into()))).contains("\"2.0\""));
        assert!(rule(node_cnt(&NodeCntInput::Text(" 2".into()))).starts_with("node_cnt"));
        assert!(rule(node_cnt(&NodeCntInput::Other("bool".into()))).contains("bool"));
        assert!(rule(node_cnt(&NodeCntInput::Text("9".repeat(40)))).contains("at most"));
    }

    #[test]
    fn specification_rules() {
        assert_eq!(
            specification(&TextInput::Text("100 MB".into())).ok(),
            Some(Specification("100MB".to_owned()))
        );
        assert_eq!(
            specification(&TextInput::Text("1200MB".into())).ok(),
            Some(Specification("1200MB".to_owned()))
        );
        assert!(rule(specification(&TextInput::Text("200MB".into()))).contains("one of"));
        assert!(rule(specification(&TextInput::Text("100  MB".into()))).contains("one of"));
    }

    #[test]
    fn header_values_reject_crlf() {
        assert!(header_value("user_agent", "ok\tvalue").is_ok());
        assert!(rule(header_value("security_token", "a\r\nX-Evil: 1")).contains("control"));
    }

    #[test]
    fn ids_of_another_type_are_refused() {
        assert!(rule(id_input("instance_id", &TextInput::Other("int".into()))).contains("must be a string"));
    }

    fn object(entries: &[(&str, Input)]) -> Input {
        Input::Object(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn a_body_is_checked_against_its_description_and_sent_under_json_names() {
        let given = object(&[
            ("node_cnt", Input::Text("3".into())),
            ("specification", Input::Text("100 MB".into())),
            ("spec_code", Input::Null),
            ("unknown", Input::Int(1)),
        ]);
        let sent = body("CreateConnectorReq", &given).unwrap_or_default();
        // A key the description does not name is sent as given, as the official SDK sends a dict.
        assert_eq!(
            sent,
            serde_json::json!({"specification": "100MB", "node_cnt": 3, "unknown": 1})
        );
        assert_eq!(
            body("CreateConnectorReq", &object(&[])).ok(),
            Some(serde_json::json!({}))
        );
        assert!(rule(body("CreateConnectorReq", &Input::Text("{}".into())))
            .starts_with("body: must be a CreateConnectorReq"));
        assert!(rule(body("CreateConnectorReq", &object(&[("node_cnt", Input::Bool(true))]))).contains("bool"));
    }

    #[test]
    fn described_types_enums_and_ranges_are_enforced_generically() {
        // ListBackgroundTasksRespTasks.status is a described str with an enum.
        let bad = object(&[("status", Input::Text("NOPE".into()))]);
        assert!(rule(body("ListBackgroundTasksRespTasks", &bad)).starts_with("status: must be one of"));
        let wrong_type = object(&[("status", Input::Int(5))]);
        assert!(rule(body("ListBackgroundTasksRespTasks", &wrong_type)).contains("must be a str; got an int"));
        let nested = object(&[(
            "tasks",
            Input::List(vec![object(&[("status", Input::Text("SUCCESS".into()))])]),
        )]);
        let sent = body("ShowBackgroundTaskResponse", &nested).unwrap_or_default();
        assert_eq!(sent, serde_json::json!({"tasks": [{"status": "SUCCESS"}]}));
    }

    fn text(s: &str) -> Input {
        Input::Text(s.to_owned())
    }

    #[test]
    fn rules_across_fields_exactly_one_at_most_one_and_require_when() {
        let task = |extra: &[(&str, Input)]| {
            let mut entries = vec![("task_name", text("t"))];
            entries.extend(extra.iter().cloned());
            body("CreateSmartConnectTaskReq", &object(&entries))
        };
        assert_eq!(
            rule(task(&[])),
            "topics: give exactly one of topics, topics_regex in CreateSmartConnectTaskReq; got neither"
        );
        assert!(rule(task(&[("topics", text("a")), ("topics_regex", text("a.*"))])).ends_with("got both"));
        // An empty string is not given.
        assert!(task(&[("topics", text("a")), ("topics_regex", text(""))]).is_ok());
        assert_eq!(
            rule(task(&[("topics", text("a")), ("sink_type", text("OBS_SINK"))])),
            "sink_task: is required in CreateSmartConnectTaskReq when sink_type is OBS_SINK"
        );
        assert!(task(&[("topics", text("a")), ("sink_type", text("NONE"))]).is_ok());

        // Through a nested model: the peer is required only when the task replicates from Kafka.
        let kafka = ("source_type", text("KAFKA_REPLICATOR_SOURCE"));
        assert_eq!(
            rule(task(&[
                ("topics", text("a")),
                kafka.clone(),
                ("source_task", object(&[]))
            ])),
            "instance_id: give exactly one of source_task.instance_id, source_task.bootstrap_servers in \
             CreateSmartConnectTaskReq; got neither"
        );
        let peer_by_id = ("source_task", object(&[("instance_id", text("i"))]));
        assert!(task(&[("topics", text("a")), kafka, peer_by_id.clone()]).is_ok());
        assert!(task(&[
            ("topics", text("a")),
            ("source_type", text("NONE")),
            ("source_task", object(&[]))
        ])
        .is_ok());

        let source = |entries: &[(&str, Input)]| body("SmartConnectTaskReqSourceConfig", &object(entries));
        assert!(source(&[]).is_ok());
        assert!(rule(source(&[
            ("instance_id", text("i")),
            ("bootstrap_servers", text("h:1"))
        ]))
        .ends_with("got both"));
        let peer = ("bootstrap_servers", text("h:9092"));
        // rename_topic_enabled: false is not given, so it goes with topics_mapping.
        assert!(source(&[
            peer.clone(),
            ("topics_mapping", text("a:b")),
            ("rename_topic_enabled", Input::Bool(false))
        ])
        .is_ok());
        assert!(rule(source(&[
            peer.clone(),
            ("topics_mapping", text("a:b")),
            ("rename_topic_enabled", Input::Bool(true))
        ]))
        .starts_with("topics_mapping: give at most one of"));
        assert_eq!(
            rule(source(&[peer.clone(), ("security_protocol", text("SASL_SSL")), ("user_name", text("u"))])),
            "password: is required in SmartConnectTaskReqSourceConfig when security_protocol is SASL_SSL or SASL_PLAINTEXT"
        );
        let sasl = [
            ("security_protocol", text("SASL_SSL")),
            ("user_name", text("u")),
            ("password", text("p")),
        ];
        assert!(rule(source(&[&[peer.clone()][..], &sasl[..]].concat())).starts_with("sasl_mechanism: is required"));
    }

    #[test]
    fn a_secret_is_never_quoted() {
        let secret = "s3cr3t-value";
        let given = object(&[
            ("obs_bucket_name", text("b")),
            ("secret_key", Input::List(vec![text(secret)])),
        ]);
        let shown = rule(body("SmartConnectTaskReqSinkConfig", &given));
        assert!(shown.starts_with("secret_key: must be a str"), "{shown}");
        assert!(!shown.contains(secret));
        let sent = body(
            "SmartConnectTaskReqSinkConfig",
            &object(&[("obs_bucket_name", text("b")), ("secret_key", text(secret))]),
        );
        assert_eq!(
            sent.ok(),
            Some(serde_json::json!({"obs_bucket_name": "b", "secret_key": secret}))
        );
    }

    #[test]
    fn a_long_placeholder_is_refused_for_its_length_without_being_quoted() {
        let long = format!("{{{}}}", "a".repeat(10_000));
        let shown = rule(id("instance_id", &long));
        assert!(shown.contains("at most 64"), "{shown}");
        assert!(shown.len() < 100);
    }

    #[test]
    fn specification_spaces_only_before_mb() {
        for bad in [" 100MB", "100MB ", "1 00MB", "100 MB ", " 100 MB"] {
            assert!(
                rule(specification(&TextInput::Text(bad.into()))).contains("one of"),
                "{bad:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn specification_accepts_exactly_the_documented_spellings(s in "[0126 MB]{0,7}") {
            const OK: [&str; 8] = ["100MB", "300MB", "600MB", "1200MB", "100 MB", "300 MB", "600 MB", "1200 MB"];
            prop_assert_eq!(specification(&TextInput::Text(s.clone())).is_ok(), OK.contains(&s.as_str()));
        }

        #[test]
        fn valid_ids_never_need_escaping(s in "[A-Za-z0-9_-]{1,64}") {
            prop_assert!(id("instance_id", &s).is_ok());
        }

        #[test]
        fn anything_else_is_rejected(s in "\\PC*[^A-Za-z0-9_-]\\PC*") {
            prop_assert!(id("instance_id", &s).is_err());
        }

        #[test]
        fn node_cnt_accepts_exactly_integers_from_two(n in any::<i64>()) {
            prop_assert_eq!(node_cnt(&NodeCntInput::Int(n.into())).is_ok(), n >= 2);
            prop_assert_eq!(node_cnt(&NodeCntInput::Text(n.to_string())).is_ok(), n >= 2);
        }
    }
}
