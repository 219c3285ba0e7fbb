//! Credentials: AK/SK as given, or found by the official provider chain (`chain`), and the
//! temporary keys of the federated, OIDC, ECS metadata and pod identity sources, fetched
//! (`fetch`) and refreshed before they expire (`provider`).

mod chain;
mod fetch;
mod metadata;
mod profile;
mod provider;

use std::fmt;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::error::Error;
use crate::validate;

pub use chain::{default_chain, from_link, Chained, Link};
pub use provider::{FetchSettings, KeyProvider, REFRESH_MARGIN};

/// A secret string: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Basic (project-scoped) credentials, as the official `BasicCredentials`.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub ak: String,
    pub sk: Secret,
    pub project_id: Option<String>,
    pub security_token: Option<Secret>,
    pub iam_endpoint: Option<String>,
}

impl Credentials {
    pub fn new(ak: impl Into<String>, sk: impl Into<String>) -> Self {
        Credentials {
            ak: ak.into(),
            sk: Secret::new(sk),
            project_id: None,
            security_token: None,
            iam_endpoint: None,
        }
    }

    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    pub fn with_iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Everything that goes into a header must be a clean header value.
    pub fn check(&self) -> Result<(), Error> {
        self.keys().check()?;
        if let Some(p) = &self.project_id {
            validate::id("project_id", p)?;
        }
        Ok(())
    }

    /// The keys these credentials sign with, never refreshed.
    pub fn keys(&self) -> Keys {
        Keys {
            ak: self.ak.clone(),
            sk: self.sk.clone(),
            security_token: self.security_token.clone(),
            expires_at: None,
        }
    }
}

/// The keys a request is signed with.
#[derive(Clone, Debug)]
pub struct Keys {
    pub ak: String,
    pub sk: Secret,
    pub security_token: Option<Secret>,
    /// When temporary keys expire; `None` for keys that are never refreshed.
    pub expires_at: Option<OffsetDateTime>,
}

impl Keys {
    /// Both keys present, and every value a clean header value (the values are never quoted).
    pub fn check(&self) -> Result<(), Error> {
        if self.ak.is_empty() {
            return Err(Error::validation("ak", "is required in credentials"));
        }
        if self.sk.expose().is_empty() {
            return Err(Error::validation("sk", "is required in credentials"));
        }
        validate::header_value("ak", &self.ak)?;
        if let Some(t) = &self.security_token {
            validate::header_value("security_token", t.expose())?;
        }
        Ok(())
    }

    /// Whether they must be renewed before signing at `now`: less than [`REFRESH_MARGIN`]
    /// left, as the official `_is_expired`.
    pub fn expiring(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|at| at - now < REFRESH_MARGIN)
    }
}

/// Where a client's keys come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The AK/SK (and security token) as given: never refreshed.
    Given(Keys),
    /// IAM federation (`idp_id` + `id_token_file`): the id token buys an unscoped token, that
    /// token temporary keys.
    Federal { idp_id: String, id_token_file: PathBuf },
    /// STS `assume-with-oidc` (the `HUAWEICLOUD_OIDC_*` variables).
    OidcSts(Oidc),
    /// The ECS metadata service: the temporary keys of the instance's agency.
    Metadata,
    /// A pod identity agent (`HC_CONTAINER_CREDENTIALS_FULL_URI`).
    PodIdentity { uri: String, token_file: PathBuf },
}

/// What STS `assume-with-oidc` is asked for.
#[derive(Clone, Debug)]
pub struct Oidc {
    pub provider_urn: String,
    pub agency_urn: String,
    pub id_token: IdToken,
    pub session_name: String,
    pub duration_seconds: i64,
    pub policy: Option<String>,
    pub policy_ids: Option<Vec<String>>,
}

/// The OIDC id token: given, or a file read at every refresh (a rotated token is picked up).
#[derive(Clone, Debug)]
pub enum IdToken {
    Value(Secret),
    File(PathBuf),
}

pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
pub const ENV_IDP_ID: &str = "HUAWEICLOUD_SDK_IDP_ID";
pub const ENV_ID_TOKEN_FILE: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
pub const ENV_STS_ENDPOINT: &str = "HUAWEICLOUD_SDK_STS_ENDPOINT";
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.cn-north-4.myhuaweicloud.com";
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// Test-only: the ECS metadata service's address, so tests can run a fake on 127.0.0.1.
/// Not an official setting; never set it in production.
pub const ENV_TEST_METADATA_ENDPOINT: &str = "DMSKAFKA_TEST_METADATA_ENDPOINT";

/// The source of credentials built by hand, as the official `BasicCredentials` picks its
/// accessor: `idp_id` with `id_token_file` federate; neither AK nor SK means the ECS
/// metadata service; otherwise the keys as given.
pub fn source_of(keys: Keys, idp_id: Option<String>, id_token_file: Option<String>) -> Result<Source, Error> {
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    match (non_empty(idp_id), non_empty(id_token_file)) {
        (Some(idp_id), Some(file)) => Ok(Source::Federal {
            idp_id,
            id_token_file: PathBuf::from(file),
        }),
        // The official messages; it raises them only when looking up a project id, we always
        // (one of the two alone would be ignored).
        (None, Some(_)) => Err(Error::ApiValue(
            "idp_id is required when using idp_id & id_token_file".to_owned(),
        )),
        (Some(_), None) => Err(Error::ApiValue(
            "id_token_file is required when using idp_id & id_token_file".to_owned(),
        )),
        (None, None) if keys.ak.is_empty() && keys.sk.expose().is_empty() => Ok(Source::Metadata),
        (None, None) => {
            keys.check()?;
            Ok(Source::Given(keys))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AK1", "very-secret-sk").with_security_token("tok-secret");
        let shown = format!("{c:?} {:?}", Source::Given(c.keys()));
        assert!(shown.contains("AK1"));
        assert!(!shown.contains("very-secret-sk"));
        assert!(!shown.contains("tok-secret"));
    }

    #[test]
    fn hand_made_sources_follow_the_official_accessor_choice() {
        let empty = Keys {
            ak: String::new(),
            sk: Secret::new(""),
            security_token: None,
            expires_at: None,
        };
        assert!(matches!(source_of(empty.clone(), None, None), Ok(Source::Metadata)));
        let federal = source_of(empty.clone(), Some("idp".into()), Some("/t".into()));
        assert!(matches!(federal, Ok(Source::Federal { .. })));
        let half = source_of(empty, None, Some("/t".into())).err().map(|e| e.to_string());
        assert_eq!(
            half.as_deref(),
            Some("idp_id is required when using idp_id & id_token_file")
        );
        let given = source_of(Credentials::new("AK", "SK").keys(), None, None);
        assert!(matches!(given, Ok(Source::Given(_))));
        let no_sk = source_of(Credentials::new("AK", "").keys(), None, None);
        assert!(matches!(no_sk, Err(Error::Validation { field: "sk", .. })));
    }

    #[test]
    fn keys_expire_within_the_official_margin() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let keys = |left: time::Duration| Keys {
            expires_at: Some(now + left),
            ..Credentials::new("A", "S").keys()
        };
        assert!(keys(REFRESH_MARGIN - time::Duration::SECOND).expiring(now));
        assert!(!keys(REFRESH_MARGIN).expiring(now));
        assert!(!Credentials::new("A", "S").keys().expiring(now));
    }
}
