//! Field rules, checked before any I/O. Each failure names the field and the rule.

use crate::error::Error;
use crate::model::{CreateConnectorReq, Specification};
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
        TextInput::Other(t) => return Err(Error::validation("specification", format!("{allowed}; got a {t}"))),
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
        TextInput::Other(t) => Err(Error::validation("spec_code", format!("must be a string; got a {t}"))),
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

/// The body fields as given, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawCreateConnectorReq {
    pub specification: Option<TextInput>,
    pub node_cnt: Option<NodeCntInput>,
    pub spec_code: Option<TextInput>,
}

/// An id given as a Python value: it must be a string obeying `id`.
pub fn id_input(field: &'static str, value: &TextInput) -> Result<String, Error> {
    match value {
        TextInput::Text(s) => id(field, s).map(|()| s.clone()),
        TextInput::Other(t) => Err(Error::validation(field, format!("must be a string; got a {t}"))),
    }
}

/// Validates a create-connector body; an omitted body becomes `{}`.
pub fn create_connector_body(body: Option<&RawCreateConnectorReq>) -> Result<CreateConnectorReq, Error> {
    let Some(raw) = body else {
        return Ok(CreateConnectorReq::default());
    };
    Ok(CreateConnectorReq {
        specification: raw.specification.as_ref().map(specification).transpose()?,
        node_cnt: raw.node_cnt.as_ref().map(node_cnt).transpose()?,
        spec_code: raw.spec_code.as_ref().map(spec_code).transpose()?,
    })
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
    fn omitted_body_is_empty_object() {
        assert_eq!(create_connector_body(None).ok(), Some(CreateConnectorReq::default()));
        assert!(rule(id_input("instance_id", &TextInput::Other("int".into()))).contains("must be a string"));
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
