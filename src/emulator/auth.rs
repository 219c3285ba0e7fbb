//! Gateway-style verification of the four official signing algorithms (SDK-HMAC-SHA256,
//! SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3), from the request as received.
//!
//! The canonical request is rebuilt from the wire: the method, the raw request-line path,
//! the query pairs decoded from the raw query (then re-encoded by the canonicalizer), the
//! headers named in the received SignedHeaders with their received values, and the body
//! bytes. A client whose signer deviates from the official one is rejected here, whatever
//! dmskafka's own signer does. ECDSA and SM2 signatures are checked with the public key
//! derived from the registered AK/SK, as the official signer derives its private key.
//! Messages say what was wrong but never hold the SK, a key, the security token or the
//! expected signature.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use percent_encoding::percent_decode_str;

use super::errors::ApiError;
use super::EmulatorError;
use crate::signer::{self, Algorithm, Authorization, CanonicalRequest, HeaderDict, Key, StringToSign};

/// The gateway's tolerance between X-Sdk-Date and its own clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Credentials to register. Registering an AK again replaces its SK and token and adds
/// the project, so one AK can own several projects.
#[derive(Clone)]
pub struct CredentialSpec {
    pub ak: String,
    pub sk: String,
    pub project_id: String,
    /// Temporary credentials: requests must carry this X-Security-Token.
    pub security_token: Option<String>,
    /// The region (IAM project name) the project answers for; `None` answers for any.
    pub region: Option<String>,
}

impl std::fmt::Debug for CredentialSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSpec")
            .field("ak", &self.ak)
            .field("sk", &"****")
            .field("project_id", &self.project_id)
            .field("security_token", &self.security_token.as_ref().map(|_| "****"))
            .field("region", &self.region)
            .finish()
    }
}

/// A project an AK belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub region: Option<String>,
}

struct Entry {
    sk: String,
    token: Option<String>,
    projects: Vec<Project>,
}

#[derive(Default)]
pub struct CredentialStore {
    by_ak: RwLock<HashMap<String, Entry>>,
}

impl CredentialStore {
    pub fn add(&self, spec: CredentialSpec) -> Result<(), EmulatorError> {
        if spec.ak.is_empty() || spec.sk.is_empty() {
            return Err(EmulatorError::invalid("ak and sk must not be empty"));
        }
        // The AK travels inside the Authorization header's `Access=...,` list.
        if spec.ak.chars().any(|c| c.is_control() || matches!(c, ',' | ' ' | '=')) {
            return Err(EmulatorError::invalid(
                "ak must not contain spaces, commas, '=' or control characters",
            ));
        }
        crate::validate::id("project_id", &spec.project_id).map_err(|e| EmulatorError::invalid(e.to_string()))?;
        let mut map = self.by_ak.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let project = Project {
            id: spec.project_id,
            region: spec.region,
        };
        let entry = map.entry(spec.ak).or_insert_with(|| Entry {
            sk: String::new(),
            token: None,
            projects: Vec::new(),
        });
        entry.sk = spec.sk;
        entry.token = spec.security_token;
        if !entry.projects.contains(&project) {
            entry.projects.push(project);
        }
        Ok(())
    }

    /// Whether `sk` is the SK registered with `ak` (what OBS would accept from a connector).
    pub fn knows_pair(&self, ak: &str, sk: &str) -> bool {
        let map = self.by_ak.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(ak).is_some_and(|e| same(e.sk.as_bytes(), sk.as_bytes()))
    }

    /// The AK's projects answering for `region` (all of them when `region` is `None`).
    pub fn projects(&self, ak: &str, region: Option<&str>) -> Vec<Project> {
        let map = self.by_ak.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(ak).map_or_else(Vec::new, |e| {
            e.projects
                .iter()
                .filter(|p| match (region, &p.region) {
                    (Some(wanted), Some(own)) => wanted == own,
                    _ => true,
                })
                .cloned()
                .collect()
        })
    }
}

/// A request as received, borrowed from the server's parsed copy.
pub struct Received<'a, K = String, V = String> {
    pub method: &'a str,
    /// The path exactly as in the request line.
    pub raw_path: &'a str,
    /// Query pairs, percent-decoded.
    pub query: &'a [(String, String)],
    /// Header names and values as received (values with invalid UTF-8 replaced).
    pub headers: &'a [(K, V)],
    pub body: &'a [u8],
}

/// Splits a raw query into decoded pairs (`+` is a space, as in forms).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(part), String::new()),
        })
        .collect()
}

/// Byte comparison whose time does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn signed(auth: &Authorization, name: &str) -> bool {
    auth.signed_headers.names().iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Checks one request; `path_project` is the `{project_id}` of a `/v2/...` path.
/// Returns the AK on success.
pub fn verify<K: AsRef<str>, V: AsRef<str>>(
    req: &Received<'_, K, V>,
    store: &CredentialStore,
    path_project: Option<&str>,
    real_now: time::OffsetDateTime,
) -> Result<String, ApiError> {
    // The official signer's dict, built once for every lookup below (`header_value`'s rules).
    let headers = HeaderDict::new(req.headers);
    let header_value = |name: &str| headers.get(name);

    // 1. An Authorization header of the signer's form.
    let raw_auth =
        header_value("Authorization").ok_or_else(|| ApiError::auth("the Authorization header is missing"))?;
    let auth = Authorization::parse(raw_auth).ok_or_else(|| {
        let schemes: Vec<&str> = Algorithm::ALL.iter().map(|a| a.scheme()).collect();
        ApiError::auth(format!(
            "the Authorization header is not of the form '<algorithm> Access=..., SignedHeaders=..., Signature=...' \
             with an algorithm of {}",
            schemes.join(", ")
        ))
    })?;

    // 2. Host and X-Sdk-Date are present and signed; every signed header is present.
    for required in ["host", "x-sdk-date"] {
        if header_value(required).is_none() {
            return Err(ApiError::auth(format!("the required header '{required}' is missing")));
        }
        if !signed(&auth, required) {
            return Err(ApiError::auth(format!(
                "the header '{required}' is not listed in SignedHeaders"
            )));
        }
    }
    if let Some(absent) = auth.signed_headers.names().iter().find(|n| header_value(n).is_none()) {
        return Err(ApiError::auth(format!(
            "the signed header '{absent}' is not in the request"
        )));
    }

    // 3. X-Sdk-Date within 15 minutes of the real clock.
    let sdk_date = header_value(signer::HEADER_SDK_DATE).unwrap_or_default();
    let when = signer::parse_sdk_date(sdk_date)
        .ok_or_else(|| ApiError::auth(format!("X-Sdk-Date {sdk_date:?} is not of the form YYYYMMDDTHHMMSSZ")))?;
    let skew = (real_now - when).unsigned_abs();
    if skew > MAX_SKEW {
        return Err(ApiError::auth(format!(
            "X-Sdk-Date {sdk_date} is {}s away from the server time; at most 15 minutes is accepted (check the client clock)",
            skew.as_secs()
        )));
    }

    // 4. The algorithm's payload hash header, when not UNSIGNED-PAYLOAD, must be the body's.
    let content_header = auth.algorithm.content_hash_header();
    if let Some(claimed) = header_value(content_header) {
        if !req.body.is_empty()
            && claimed != UNSIGNED_PAYLOAD
            && !same(claimed.as_bytes(), auth.algorithm.hex_hash(req.body).as_bytes())
        {
            return Err(ApiError::auth(format!(
                "{content_header} does not match the request body"
            )));
        }
    }

    // 5. A known AK, and the signature recomputed with its SK.
    let map = store.by_ak.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    let entry = map
        .get(&auth.access)
        .ok_or_else(|| ApiError::auth(format!("the access key {} does not exist", auth.access)))?;
    let canonical = CanonicalRequest::with_dict(
        auth.algorithm,
        req.method,
        req.raw_path,
        req.query,
        &headers,
        auth.signed_headers.clone(),
        req.body,
    );
    // The SK keys the HMAC; for ECDSA and SM2 it derives the key pair, as for the signer.
    let key = Key::new(auth.algorithm, &auth.access, &entry.sk)
        .map_err(|_| ApiError::auth("no key can be derived from this access key"))?;
    if !key.verify(&StringToSign::new(&canonical, sdk_date), &auth.signature) {
        return Err(ApiError::auth(
            "verify aksk signature fail: the signature does not match the request as received \
             (wrong SK, or the method, path, query, a signed header or the body changed after signing)",
        ));
    }

    // 6. Temporary credentials: the registered token, signed.
    match (header_value("X-Security-Token"), &entry.token) {
        (Some(_), _) if !signed(&auth, "x-security-token") => {
            return Err(ApiError::auth(
                "the header 'x-security-token' is not listed in SignedHeaders",
            ));
        }
        (Some(got), Some(want)) if same(got.as_bytes(), want.as_bytes()) => {}
        (Some(_), _) => return Err(ApiError::auth("the security token is not valid for this access key")),
        (None, Some(_)) => {
            return Err(ApiError::auth(
                "this access key is temporary: the X-Security-Token header is required",
            ));
        }
        (None, None) => {}
    }

    // 7. The project: X-Project-Id signed and equal to the path's; the AK must own it.
    if let Some(header_project) = header_value("X-Project-Id") {
        if !signed(&auth, "x-project-id") {
            return Err(ApiError::auth(
                "the header 'x-project-id' is not listed in SignedHeaders",
            ));
        }
        if let Some(path_project) = path_project {
            if header_project != path_project {
                return Err(ApiError::auth(format!(
                    "X-Project-Id {header_project} does not match the project {path_project} in the URL"
                )));
            }
        }
    }
    if let Some(path_project) = path_project {
        if !entry.projects.iter().any(|p| p.id == path_project) {
            return Err(ApiError::auth(format!(
                "the access key {} has no access to the project {path_project}",
                auth.access
            )));
        }
    }
    Ok(auth.access)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::{format_sdk_date, Signer, SigningInput};

    type R = Result<(), Box<dyn std::error::Error>>;

    fn store() -> Result<CredentialStore, EmulatorError> {
        let s = CredentialStore::default();
        s.add(CredentialSpec {
            ak: "AK1".into(),
            sk: "SK1".into(),
            project_id: "p1".into(),
            security_token: None,
            region: None,
        })?;
        Ok(s)
    }

    /// Headers signed by the crate's signer with `algorithm`, the Authorization appended.
    fn signed_headers(
        algorithm: Algorithm,
        path: &str,
        body: &[u8],
        extra: &[(&str, &str)],
        sk: &str,
    ) -> Result<Vec<(String, String)>, crate::Error> {
        let date = format_sdk_date(time::OffsetDateTime::now_utc());
        let mut h: Vec<(String, String)> = vec![
            ("Host".into(), "127.0.0.1:1".into()),
            ("X-Sdk-Date".into(), date.clone()),
        ];
        h.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let auth = Signer::new(algorithm, "AK1", sk)?.sign(&SigningInput {
            method: "POST",
            resource_path: path,
            query: &[],
            headers: &h,
            body,
            sdk_date: &date,
        })?;
        h.push(("Authorization".into(), auth.to_string()));
        Ok(h)
    }

    fn check(path: &str, headers: &[(String, String)], body: &[u8]) -> Result<String, ApiError> {
        let store = store().map_err(|e| ApiError::auth(e.to_string()))?;
        let req = Received {
            method: "POST",
            raw_path: path,
            query: &[],
            headers,
            body,
        };
        verify(&req, &store, Some("p1"), time::OffsetDateTime::now_utc())
    }

    #[test]
    fn accepts_every_algorithm_and_rejects_tampering() -> R {
        let path = "/v2/p1/instances/i/connector";
        for algorithm in Algorithm::ALL {
            let h = signed_headers(algorithm, path, b"{}", &[("X-Project-Id", "p1")], "SK1")?;
            assert_eq!(check(path, &h, b"{}")?, "AK1", "{algorithm}");
            assert!(check(path, &h, br#"{"node_cnt":3}"#).is_err(), "{algorithm}");
            assert!(check("/v2/p1/instances/j/connector", &h, b"{}").is_err(), "{algorithm}");
            // One hex digit of the signature changed.
            let mut tampered = h.clone();
            if let Some((_, auth)) = tampered.last_mut() {
                let flipped = if auth.ends_with('0') { '1' } else { '0' };
                auth.pop();
                auth.push(flipped);
            }
            let err = check(path, &tampered, b"{}")
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(err.contains("verify aksk signature fail"), "{algorithm}: {err}");
        }
        Ok(())
    }

    #[test]
    fn the_payload_hash_header_is_the_algorithms() -> R {
        let path = "/v2/p1/instances/i/connector";
        for algorithm in Algorithm::ALL {
            let header = algorithm.content_hash_header();
            let claimed = algorithm.hex_hash(b"{}");
            let h = signed_headers(algorithm, path, b"{}", &[(header, &claimed)], "SK1")?;
            assert_eq!(check(path, &h, b"{}")?, "AK1", "{algorithm}");
            let h = signed_headers(algorithm, path, b"{}", &[(header, algorithm.empty_hash())], "SK1")?;
            let err = check(path, &h, b"{}").err().map(|e| e.message).unwrap_or_default();
            assert!(
                err.ends_with(&format!(": {header} does not match the request body")),
                "{algorithm}: {err}"
            );
            // The other algorithms' header is only a signed header.
            let other = if header == signer::HEADER_CONTENT_SM3 {
                signer::HEADER_CONTENT_SHA256
            } else {
                signer::HEADER_CONTENT_SM3
            };
            let h = signed_headers(algorithm, path, b"{}", &[(other, "not-a-hash")], "SK1")?;
            assert_eq!(check(path, &h, b"{}")?, "AK1", "{algorithm}");
        }
        Ok(())
    }

    #[test]
    fn messages_never_hold_secrets() -> R {
        let path = "/v2/p1/instances/i/connector";
        for algorithm in Algorithm::ALL {
            let h = signed_headers(algorithm, path, b"{}", &[], "WRONG-SK")?;
            let err = check(path, &h, b"{}").err().map(|e| e.message).unwrap_or_default();
            assert!(err.contains("signature"), "{err}");
            assert!(!err.contains("SK1") && !err.contains("WRONG-SK"));
        }
        Ok(())
    }

    #[test]
    fn project_header_must_match_path() -> R {
        let path = "/v2/p1/instances/i/connector";
        let h = signed_headers(Algorithm::HmacSha256, path, b"{}", &[("X-Project-Id", "p2")], "SK1")?;
        let err = check(path, &h, b"{}").err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("does not match"), "{err}");
        Ok(())
    }

    #[test]
    fn query_pairs_are_decoded() {
        assert_eq!(
            parse_query("name=cn-north-4&a=x%20y&b+c=&flag"),
            vec![
                ("name".to_owned(), "cn-north-4".to_owned()),
                ("a".to_owned(), "x y".to_owned()),
                ("b c".to_owned(), String::new()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }
}
