//! The requests that buy temporary keys, as the official accessors send them: IAM
//! federation, STS `assume-with-oidc` and the pod identity agent (the metadata service is in
//! `metadata`), and the official reading of the credential they answer with.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::chain::service_text;
use super::provider::FetchSettings;
use super::{IdToken, Keys, Oidc, Secret};
use crate::config::HttpConfig;
use crate::error::{parse_error_body, Error, SdkError};
use crate::{timeouts, transport};

const JSON_UTF8: &str = "application/json;charset=UTF-8";
/// What the official asks IAM for: 6 hours.
const FEDERAL_DURATION_SECONDS: u32 = 6 * 60 * 60;

/// A response as received.
pub(super) struct Reply {
    pub status: u16,
    request_id: Option<String>,
    subject_token: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// 4xx and 5xx read by the official rules for error bodies.
    fn error(&self) -> Option<SdkError> {
        (self.status >= 400).then(|| parse_error_body(self.status, self.request_id.clone(), &self.body))
    }
}

/// The official accessors' fixed timeouts (the metadata service: 3 s, pod identity: 5 s),
/// with the client's other defaults.
pub(super) fn fixed_timeouts(seconds: u64) -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(seconds),
        read_timeout: Duration::from_secs(seconds),
        ..HttpConfig::default()
    }
}

/// One request on a client of its own (refreshes are rare, and may run on any thread's
/// runtime), with the timeouts as urllib3's: the connect timeout, then the read timeout
/// for the response's headers and for each wait for more of its body (a silent metadata
/// service fails after 3 s, as the official's). The body is read up to the configured cap,
/// and the whole exchange within connect + read timeout, so a trickled answer ends too.
pub(super) async fn exchange(
    config: &HttpConfig,
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Result<Reply, Error> {
    let mut req = transport::build(config)?.request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.body(body);
    }
    let read_timeout = config.read_timeout;
    let run = async {
        let mut resp = timeouts::headers_within(req.send(), read_timeout)
            .await
            .map_err(|()| transport::read_timeout(config))?
            .map_err(|e| transport::classify(&e, config))?;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let (request_id, subject_token) = (header("X-Request-Id"), header("X-Subject-Token"));
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = tokio::time::timeout(read_timeout, resp.chunk())
            .await
            .map_err(|_| transport::read_timeout(config))?
            .map_err(|e| transport::classify(&e, config))?
        {
            if body.len() + chunk.len() > config.max_response_bytes {
                return Err(Error::Sdk(format!(
                    "the credential service's {status} response is larger than {} bytes",
                    config.max_response_bytes
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            request_id,
            subject_token,
            body,
        })
    };
    let deadline = config.connect_timeout.saturating_add(read_timeout);
    tokio::time::timeout(deadline, run)
        .await
        .map_err(|_| transport::read_timeout(config))?
}

/// A file's content, trimmed, as the official `_get_content` reads token files.
fn content(path: &Path) -> Result<String, Error> {
    let shown = path.display();
    if !path.exists() {
        return Err(Error::Sdk(format!("file '{shown}' does not exist")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::Sdk(format!("cannot read file '{shown}': {e}")))?;
    if text.is_empty() {
        return Err(Error::Sdk(format!("empty content in file '{shown}'")));
    }
    Ok(text.trim().to_owned())
}

fn json_body(value: &Value) -> Option<Vec<u8>> {
    Some(value.to_string().into_bytes())
}

/// The pod identity agent: `POST` with the token file's content as `Authorization`.
pub(super) async fn pod_identity(uri: &str, token_file: &Path) -> Result<Keys, Error> {
    let token = content(token_file)?;
    let headers = [("Authorization", token.as_str()), ("Content-Type", "application/json")];
    let reply = exchange(
        &fixed_timeouts(5),
        reqwest::Method::POST,
        uri,
        &headers,
        json_body(&json!({})),
    )
    .await?;
    if reply.status >= 400 {
        // requests' HTTPError text, which the official message quotes.
        let kind = if reply.status >= 500 { "Server" } else { "Client" };
        let reason = reqwest::StatusCode::from_u16(reply.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let url = url::Url::parse(uri).map_or_else(|_| uri.to_owned(), String::from);
        return Err(Error::Sdk(format!(
            "failed to get credential from pod identity, detail: {} {kind} Error: {reason} for url: {url}",
            reply.status
        )));
    }
    parse_credential(&reply.body)
}

/// STS `assume-with-oidc`, unsigned: the id token is the proof.
pub(super) async fn oidc(settings: &FetchSettings, oidc: &Oidc) -> Result<Keys, Error> {
    let id_token = match &oidc.id_token {
        IdToken::Value(token) => token.expose().to_owned(),
        IdToken::File(path) => {
            let token = std::fs::read_to_string(path)
                .map_err(|_| Error::ApiValue(format!("id_token file '{}' does not exist", path.display())))?;
            let token = token.trim().to_owned();
            if token.is_empty() {
                return Err(Error::ApiValue(format!(
                    "empty content in id_token file '{}'",
                    path.display()
                )));
            }
            token
        }
    };
    let mut payload = json!({
        "provider_urn": oidc.provider_urn,
        "agency_urn": oidc.agency_urn,
        "agency_session_name": oidc.session_name,
        "id_token": id_token,
        "duration_seconds": oidc.duration_seconds,
    });
    if let Some(map) = payload.as_object_mut() {
        if let Some(policy) = oidc.policy.as_ref().filter(|p| !p.is_empty()) {
            map.insert("policy".to_owned(), json!(policy));
        }
        if let Some(ids) = &oidc.policy_ids {
            map.insert("policy_ids".to_owned(), json!(ids));
        }
    }
    let url = format!(
        "{}/v5/agencies/assume-with-oidc",
        settings.sts_endpoint.trim_end_matches('/')
    );
    let headers = [
        ("Content-Type", JSON_UTF8),
        ("User-Agent", settings.user_agent.as_str()),
    ];
    let reply = exchange(
        &settings.config,
        reqwest::Method::POST,
        &url,
        &headers,
        json_body(&payload),
    )
    .await?;
    if let Some(error) = reply.error() {
        return Err(Error::Sdk(format!(
            "failed to get credential from oidc sts, detail: {}",
            service_text(reply.status, &error)
        )));
    }
    if reply.body.is_empty() {
        return Err(Error::Sdk(
            "failed to get credential from oidc sts, empty response".to_owned(),
        ));
    }
    parse_credential(&reply.body)
}

/// IAM federation: the id token buys an unscoped token (`X-Subject-Token`), which buys
/// temporary keys. Both requests unsigned, as the official sends them.
pub(super) async fn federal(
    settings: &FetchSettings,
    iam: &str,
    idp_id: &str,
    token_file: &Path,
) -> Result<Keys, Error> {
    let iam = iam.trim_end_matches('/');
    let id_token = content(token_file)?;
    let ua = settings.user_agent.as_str();
    let body = json!({"auth": {"id_token": {"id": id_token}}});
    let url = format!("{iam}/v3.0/OS-AUTH/id-token/tokens");
    let headers = [("X-Idp-Id", idp_id), ("Content-Type", JSON_UTF8), ("User-Agent", ua)];
    let reply = exchange(
        &settings.config,
        reqwest::Method::POST,
        &url,
        &headers,
        json_body(&body),
    )
    .await?;
    service_error(&reply)?;
    let token = match (reply.body.is_empty(), reply.subject_token) {
        (false, Some(token)) => token,
        _ => return Err(Error::ApiValue("Failed to get token by id_token".to_owned())),
    };
    let body = json!({"auth": {"identity": {"methods": ["token"],
        "token": {"id": token, "duration_seconds": FEDERAL_DURATION_SECONDS}}}});
    let url = format!("{iam}/v3.0/OS-CREDENTIAL/securitytokens");
    let headers = [("Content-Type", JSON_UTF8), ("User-Agent", ua)];
    let reply = exchange(
        &settings.config,
        reqwest::Method::POST,
        &url,
        &headers,
        json_body(&body),
    )
    .await?;
    service_error(&reply)?;
    if reply.body.is_empty() {
        return Err(Error::ApiValue("Failed to get temporary credential".to_owned()));
    }
    let value: Value = serde_json::from_slice(&reply.body).map_err(|_| unreadable("not JSON"))?;
    match value.get("credential") {
        Some(Value::Object(credential)) => keys_from(credential),
        _ => Err(unreadable("no credential")),
    }
}

/// An IAM error answer, as the official client raises it.
fn service_error(reply: &Reply) -> Result<(), Error> {
    match reply.error() {
        Some(error) => Err(Error::Service {
            status: reply.status,
            error,
            response: None,
        }),
        None => Ok(()),
    }
}

fn unreadable(why: &str) -> Error {
    Error::Sdk(format!("failed to process credential from data: {why}"))
}

/// The official `_process_credential`: the object itself or under `credential`/`credentials`,
/// with any of the official spellings of each field.
pub(super) fn parse_credential(body: &[u8]) -> Result<Keys, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|_| unreadable("not JSON"))?;
    let outer = value.as_object().ok_or_else(|| unreadable("not a JSON object"))?;
    let inner = outer.get("credential").or_else(|| outer.get("credentials"));
    match inner {
        Some(Value::Object(credential)) => keys_from(credential),
        Some(_) => Err(unreadable("the credential is not an object")),
        None => keys_from(outer),
    }
}

fn keys_from(credential: &Map<String, Value>) -> Result<Keys, Error> {
    let pick = |names: &[&str]| {
        names.iter().find_map(|name| {
            credential
                .get(*name)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
    };
    let ak = pick(&["access", "accessKeyId", "access_key_id"]).ok_or_else(|| unreadable("no access key"))?;
    let sk = pick(&["secret", "secretAccessKey", "secret_access_key"]).ok_or_else(|| unreadable("no secret key"))?;
    let expiry = pick(&["expires_at", "expiration"]).ok_or_else(|| unreadable("no expires_at"))?;
    let expires_at = OffsetDateTime::parse(&expiry, &Rfc3339).map_err(|_| {
        unreadable(&format!(
            "expires_at {expiry:?} is not a UTC time such as 2019-03-04T08:38:37.722000Z"
        ))
    })?;
    Ok(Keys {
        ak,
        sk: Secret::new(sk),
        security_token: pick(&["securitytoken", "securityToken", "security_token"]).map(Secret::new),
        expires_at: Some(expires_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_official_spelling_is_read() {
        let metadata = br#"{"credential": {"access": "A1", "secret": "S1", "securitytoken": "T1",
            "expires_at": "2019-03-04T08:38:37.722000Z"}}"#;
        let sts = br#"{"credentials": {"access_key_id": "A2", "secret_access_key": "S2",
            "security_token": "T2", "expiration": "2030-01-02T03:04:05Z"}}"#;
        let flat = br#"{"accessKeyId": "A3", "secretAccessKey": "S3", "securityToken": "T3",
            "expiration": "2030-01-02T03:04:05.5Z"}"#;
        for (body, ak) in [(&metadata[..], "A1"), (&sts[..], "A2"), (&flat[..], "A3")] {
            let keys = parse_credential(body).ok();
            assert_eq!(keys.as_ref().map(|k| k.ak.as_str()), Some(ak));
            assert!(keys.is_some_and(|k| k.security_token.is_some() && k.expires_at.is_some()));
        }
        let at = parse_credential(metadata).ok().and_then(|k| k.expires_at);
        assert_eq!(at.map(OffsetDateTime::unix_timestamp), Some(1_551_688_717));
    }

    #[test]
    fn unreadable_credentials_never_quote_secrets() {
        for body in [
            &br#"{"credential": {"access": "A", "secret": "S3CR3T"}}"#[..],
            br#"{"credential": {"access": "A", "secret": "S3CR3T", "expires_at": "soon"}}"#,
            br#"{"credential": {"secret": "S3CR3T", "expires_at": "2030-01-02T03:04:05Z"}}"#,
            b"S3CR3T",
        ] {
            let e = parse_credential(body).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.starts_with("failed to process credential from data"), "{e}");
            assert!(!e.contains("S3CR3T"));
        }
    }
}
