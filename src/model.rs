//! Request and response models of the Smart Connect API (serde).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Smart Connect bandwidth, for old instance flavors: one of the values the model description
/// lists (`spec/models.json`), checked by `validate::specification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Specification(pub(crate) String);

impl Specification {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The validated body of `POST /v2/{project_id}/instances/{instance_id}/connector`.
/// `node_cnt` is always a JSON number, as in the document's example requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateConnectorReq {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specification: Option<Specification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_cnt: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_code: Option<String>,
}

/// A request body checked against its model's description: the JSON to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Body {
    pub model: &'static str,
    json: serde_json::Value,
}

/// The model only: a body may hold a task's password or OBS keys.
impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl Body {
    /// Checks `input` against the description of `model` (see `validate::body`).
    pub fn check(model: &'static str, input: &crate::validate::Input) -> Result<Body, crate::error::Error> {
        Ok(Body {
            model,
            json: crate::validate::body(model, input)?,
        })
    }

    /// The JSON sent.
    pub fn to_json(&self) -> Result<Vec<u8>, crate::error::Error> {
        serde_json::to_vec(&self.json).map_err(|e| crate::error::Error::Sdk(format!("cannot encode the body: {e}")))
    }
}

/// The 200 response: the job that enables Smart Connect, and the connector's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateConnectorResponse {
    pub job_id: String,
    pub connector_id: String,
}

/// Read as Python's `json.loads` would read it, not as derived serde does: only a JSON object
/// (derived serde also takes `["job", "connector"]`), every value parsed in full (derived serde
/// skips unknown fields without checking their UTF-8), and a repeated key keeps its last value
/// (derived serde rejects it). Found by the `response_body` fuzz target (fuzz/README.md).
impl<'de> Deserialize<'de> for CreateConnectorResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        match (object.remove("job_id"), object.remove("connector_id")) {
            (Some(Value::String(job_id)), Some(Value::String(connector_id))) => {
                Ok(CreateConnectorResponse { job_id, connector_id })
            }
            _ => Err(serde::de::Error::custom("expected string job_id and connector_id")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_omits_unset_fields_and_sends_a_number() {
        let req = CreateConnectorReq {
            node_cnt: Some(2),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&req).ok().as_deref(), Some(r#"{"node_cnt":2}"#));
        let old = CreateConnectorReq {
            specification: Some(Specification("100MB".to_owned())),
            node_cnt: Some(2),
            spec_code: Some("kafka.c3.mini.connector".into()),
        };
        assert_eq!(
            serde_json::to_string(&old).ok().as_deref(),
            Some(r#"{"specification":"100MB","node_cnt":2,"spec_code":"kafka.c3.mini.connector"}"#)
        );
        assert_eq!(
            serde_json::to_string(&CreateConnectorReq::default()).ok().as_deref(),
            Some("{}")
        );
    }

    #[test]
    fn response_is_read_only_from_an_object_with_string_ids() {
        let read = |body: &[u8]| serde_json::from_slice::<CreateConnectorResponse>(body).ok();
        let want = |job: &str, conn: &str| {
            Some(CreateConnectorResponse {
                job_id: job.into(),
                connector_id: conn.into(),
            })
        };
        assert_eq!(
            read(br#"{"job_id":"j","connector_id":"c","extra":[1]}"#),
            want("j", "c")
        );
        assert_eq!(
            read(br#"{"job_id":1,"connector_id":"c","job_id":"j"}"#),
            want("j", "c"),
            "last repeat wins"
        );
        assert_eq!(read(br#"["j","c"]"#), None, "an array is not the response");
        assert_eq!(
            read(b"{\"job_id\":\"j\",\"connector_id\":\"c\",\"x\":[{\"\xff\":0}]}"),
            None,
            "invalid UTF-8"
        );
        assert_eq!(read(br#"{"job_id":"j","connector_id":null}"#), None);
        assert_eq!(read(b"null"), None);
    }
}
