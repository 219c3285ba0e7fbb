//! The model descriptions (`spec/models.json`), read by the core for the rules it enforces:
//! the same file the Python models and stubs are generated from, so a rule is written once.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::Error;

#[derive(Debug, Deserialize)]
struct Spec {
    models: Vec<Model>,
}

#[derive(Debug, Deserialize)]
struct Model {
    name: String,
    fields: Vec<Field>,
    #[serde(default)]
    rules: Vec<Rule>,
}

/// A rule across fields of one model (spec/README.md). A field counts as given when it is
/// present and not null, `false` or an empty string.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Exactly one of these fields is given.
    ExactlyOneOf(Vec<String>),
    /// At most one of these fields is given.
    AtMostOneOf(Vec<String>),
    /// This field is given (when the `when` fields hold one of their listed values).
    Require(String),
}

#[derive(Debug, Deserialize)]
pub struct Rule {
    #[serde(flatten)]
    pub kind: RuleKind,
    /// Field name -> the values that make the rule apply; empty: it always applies.
    #[serde(default)]
    pub when: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
}

/// One field's description; keys the core does not enforce are ignored here.
#[derive(Debug, Deserialize)]
pub struct Field {
    pub name: String,
    pub json: String,
    /// The official type: `str`, `int`, `bool`, `list[X]`, or a model's name.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub minimum: Option<i64>,
    #[serde(default)]
    pub maximum: Option<i64>,
    /// Never shown (masked in output and never quoted in errors); still sent.
    #[serde(default)]
    pub secret: bool,
    /// The value the service uses when the field is left out.
    #[serde(default)]
    pub service_default: Option<serde_json::Value>,
}

fn spec() -> Result<&'static Spec, Error> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    SPEC.get_or_init(|| serde_json::from_str(include_str!("../spec/models.json")).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Sdk(format!("the model descriptions cannot be read: {e}")))
}

/// The fields of `model`, in the official order.
pub fn model(name: &str) -> Result<&'static [Field], Error> {
    described(name).ok_or_else(|| Error::Sdk(format!("no description of the model {name}")))
}

/// The fields of `name` if it is a described model (a type name may be `str`, `int`, ...).
pub fn described(name: &str) -> Option<&'static [Field]> {
    spec()
        .ok()?
        .models
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.fields.as_slice())
}

/// The rules across the fields of `model` (none for a model without any).
pub fn rules(name: &str) -> &'static [Rule] {
    spec()
        .ok()
        .and_then(|s| s.models.iter().find(|m| m.name == name))
        .map_or(&[], |m| m.rules.as_slice())
}

/// The JSON names of the secret fields of every model (each once).
pub fn secret_json_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = spec()
        .map(|s| s.models.as_slice())
        .unwrap_or_default()
        .iter()
        .flat_map(|m| m.fields.iter())
        .filter(|f| f.secret)
        .map(|f| f.json.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The description of `model`'s field `field`.
pub fn field(model: &str, field: &str) -> Result<&'static Field, Error> {
    spec()?
        .models
        .iter()
        .find(|m| m.name == model)
        .and_then(|m| m.fields.iter().find(|f| f.name == field))
        .ok_or_else(|| Error::Sdk(format!("no description of {model}.{field}")))
}

impl Field {
    /// The enumerated values that are strings, in the described order.
    pub fn text_values(&self) -> Vec<&str> {
        self.enum_values
            .iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_descriptions_parse_and_describe_the_rules_the_core_enforces() {
        let node_cnt = field("CreateConnectorReq", "node_cnt");
        assert!(node_cnt.is_ok_and(|f| f.minimum.is_some()));
        let spec = field("CreateConnectorReq", "specification");
        assert!(spec.is_ok_and(|f| !f.text_values().is_empty()));
        assert!(field("CreateConnectorReq", "no_such_field").is_err());
    }

    #[test]
    fn secret_names_are_the_sasl_password_and_the_obs_keys() {
        assert_eq!(secret_json_names(), ["access_key", "password", "secret_key"]);
    }
}
