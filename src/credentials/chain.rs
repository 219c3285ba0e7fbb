//! The official default provider chain, in its order: OIDC/STS, environment, profile file,
//! ECS metadata, pod identity. Each link that finds nothing says why, in the official words;
//! when none finds anything, the error lists every reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;

use super::provider::{FetchSettings, KeyProvider};
use super::{profile, IdToken, Oidc, Secret, Source, ENV_PROJECT_ID};
use crate::error::{Error, SdkError};

const ENV_OIDC_PROVIDER_URN: &str = "HUAWEICLOUD_OIDC_PROVIDER_URN";
const ENV_OIDC_AGENCY_URN: &str = "HUAWEICLOUD_OIDC_AGENCY_URN";
const ENV_OIDC_ID_TOKEN: &str = "HUAWEICLOUD_OIDC_ID_TOKEN";
const ENV_OIDC_TOKEN_FILE: &str = "HUAWEICLOUD_OIDC_TOKEN_FILE";
const ENV_OIDC_SESSION_NAME: &str = "HUAWEICLOUD_OIDC_SESSION_NAME";
const ENV_OIDC_DURATION_SECONDS: &str = "HUAWEICLOUD_OIDC_DURATION_SECONDS";
const ENV_OIDC_POLICY: &str = "HUAWEICLOUD_OIDC_POLICY";
const ENV_OIDC_POLICY_IDS: &str = "HUAWEICLOUD_OIDC_POLICY_IDS";
/// The official `OidcStsAccessor._DEFAULT_DURATION_SECONDS`.
const DEFAULT_OIDC_DURATION_SECONDS: i64 = 3600;
const ENV_POD_URI: &str = "HC_CONTAINER_CREDENTIALS_FULL_URI";
const ENV_POD_TOKEN_FILE: &str = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// What one link found, before any key is fetched.
#[derive(Debug)]
pub(super) struct Found {
    pub source: Source,
    pub project_id: Option<String>,
    pub iam_endpoint: Option<String>,
}

/// What the chain found: the keys (fetched already for the metadata and pod identity links,
/// as the official providers fetch them), and the project and IAM endpoint it names.
#[derive(Debug)]
pub struct Chained {
    pub keys: Arc<KeyProvider>,
    pub project_id: Option<String>,
    pub iam_endpoint: Option<String>,
}

/// A link of the chain, in the official order; each is also an official provider class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    OidcSts,
    Env,
    Profile,
    Metadata,
    PodIdentity,
}

impl Link {
    pub const CHAIN: [Link; 5] = [
        Link::OidcSts,
        Link::Env,
        Link::Profile,
        Link::Metadata,
        Link::PodIdentity,
    ];

    /// The link of a provider name: `oidc`, `env`, `profile`, `metadata`, `pod_identity`.
    pub fn named(name: &str) -> Option<Link> {
        Some(match name {
            "oidc" => Link::OidcSts,
            "env" => Link::Env,
            "profile" => Link::Profile,
            "metadata" => Link::Metadata,
            "pod_identity" => Link::PodIdentity,
            _ => return None,
        })
    }
}

/// Runs the chain for `credential_type`, the official one lower-cased: `basic` for the
/// official `get_basic_credential_provider_chain()`, `basiccredentials` for what the official
/// `build()` runs without credentials (it names the profile file's section). `env` and `home`
/// are parameters so tests need not touch the process; `settings` are those of the client
/// being built (the OIDC and federated requests use them). A link's failure is collected and
/// the next one tried, except a setting that is present but unusable (`Error::Config`), or
/// found keys that fail the checks of hand-made ones (`Error::Validation`), which end the chain.
pub async fn default_chain(
    credential_type: &str,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    home: Option<&Path>,
    settings: FetchSettings,
    now: OffsetDateTime,
) -> Result<Chained, Error> {
    let mut reasons: Vec<String> = Vec::new();
    for link in Link::CHAIN {
        match from_link(link, credential_type, env, home, &settings, now).await {
            Ok(chained) => return checked(chained),
            // A setting present but unusable, or found keys that fail the checks of
            // hand-made ones, ends the chain.
            Err(e @ (Error::Config(_) | Error::Validation { .. })) => return Err(e),
            Err(other) => reasons.push(official_text(&other)),
        }
    }
    Err(Error::ApiValue(format!(
        "Failed to get credentials from provider chain\n{}",
        reasons.join("\n")
    )))
}

/// One link alone, as the official provider class of it finds credentials: the metadata and
/// pod identity links fetch their keys now, the others on first use.
pub async fn from_link(
    link: Link,
    credential_type: &str,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    home: Option<&Path>,
    settings: &FetchSettings,
    now: OffsetDateTime,
) -> Result<Chained, Error> {
    let found = match link {
        Link::OidcSts => from_oidc(env)?,
        Link::Env => profile::from_env(env)?,
        Link::Profile => profile::from_profile(profile::profile_path(env, home).as_deref(), credential_type)?,
        // The official metadata provider reads no project id; neither does pod identity.
        Link::Metadata => return fetched(Source::Metadata, settings, now).await.map(anonymous),
        Link::PodIdentity => return fetched(pod_identity(env)?, settings, now).await.map(anonymous),
    };
    Ok(chained(found, settings.clone()))
}

/// A provider for what a link found. The profile's `iam_endpoint` is federation's IAM
/// endpoint, before `$HUAWEICLOUD_SDK_IAM_ENDPOINT`, as the official
/// `self.iam_endpoint or IamHelper.get_iam_endpoint()`.
fn chained(found: Found, mut settings: FetchSettings) -> Chained {
    if let Some(iam) = &found.iam_endpoint {
        settings.iam_endpoint = Some(iam.clone());
    }
    Chained {
        keys: Arc::new(KeyProvider::new(found.source, settings)),
        project_id: found.project_id,
        iam_endpoint: found.iam_endpoint,
    }
}

/// What the chain found for a client being built: keys found as they are (environment,
/// profile) get the checks of keys given by hand, at build rather than when a call sends
/// them. A provider class used alone (`from_link`) returns them unchecked, as the official.
fn checked(chained: Chained) -> Result<Chained, Error> {
    if let Source::Given(keys) = chained.keys.source() {
        keys.check()?;
    }
    if let Some(p) = &chained.project_id {
        crate::validate::id("project_id", p)?;
    }
    Ok(chained)
}

fn anonymous(keys: Arc<KeyProvider>) -> Chained {
    Chained {
        keys,
        project_id: None,
        iam_endpoint: None,
    }
}

/// A provider whose keys are fetched now, as the official providers call `process_sts`.
async fn fetched(source: Source, settings: &FetchSettings, now: OffsetDateTime) -> Result<Arc<KeyProvider>, Error> {
    let keys = Arc::new(KeyProvider::new(source, settings.clone()));
    keys.keys(now).await?;
    Ok(keys)
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

fn required(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<String, Error> {
    non_empty(env(name)).ok_or_else(|| Error::ApiValue(format!("Missing required env var: {name}")))
}

/// The official `OidcStsCredentialProvider` from the environment; the token file must exist
/// and hold a token now (it is read again at each refresh).
fn from_oidc(env: &dyn Fn(&str) -> Option<String>) -> Result<Found, Error> {
    let provider_urn = required(env, ENV_OIDC_PROVIDER_URN)?;
    let agency_urn = required(env, ENV_OIDC_AGENCY_URN)?;
    let id_token = match (non_empty(env(ENV_OIDC_ID_TOKEN)), non_empty(env(ENV_OIDC_TOKEN_FILE))) {
        (Some(token), _) => IdToken::Value(Secret::new(token)),
        (None, Some(file)) => {
            let path = PathBuf::from(&file);
            if !path.exists() {
                return Err(Error::ApiValue(format!("id_token file '{file}' does not exist")));
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Config(format!("cannot read id_token file '{file}': {e}")))?;
            if text.trim().is_empty() {
                return Err(Error::ApiValue(format!("empty content in id_token file '{file}'")));
            }
            IdToken::File(path)
        }
        (None, None) => {
            return Err(Error::ApiValue(format!(
                "Missing required env var: {ENV_OIDC_ID_TOKEN} or {ENV_OIDC_TOKEN_FILE}"
            )))
        }
    };
    // 0 asks for the default, as the official `duration_seconds or 3600`.
    let duration_seconds = match env(ENV_OIDC_DURATION_SECONDS) {
        None => DEFAULT_OIDC_DURATION_SECONDS,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(0) => DEFAULT_OIDC_DURATION_SECONDS,
            Ok(seconds) => seconds,
            Err(_) => {
                return Err(Error::Config(format!(
                    "{ENV_OIDC_DURATION_SECONDS} must be a whole number of seconds, not {text:?}"
                )))
            }
        },
    };
    let policy_ids = non_empty(env(ENV_OIDC_POLICY_IDS)).map(|ids| {
        ids.split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    Ok(Found {
        source: Source::OidcSts(Oidc {
            provider_urn,
            agency_urn,
            id_token,
            session_name: env(ENV_OIDC_SESSION_NAME).unwrap_or_else(|| "oidc-sts-session".to_owned()),
            duration_seconds,
            policy: env(ENV_OIDC_POLICY),
            policy_ids: policy_ids.filter(|ids| !ids.is_empty()),
        }),
        project_id: non_empty(env(ENV_PROJECT_ID)),
        iam_endpoint: None,
    })
}

/// The official `PodIdentityCredentialProvider`'s settings.
fn pod_identity(env: &dyn Fn(&str) -> Option<String>) -> Result<Source, Error> {
    match (non_empty(env(ENV_POD_URI)), non_empty(env(ENV_POD_TOKEN_FILE))) {
        (Some(uri), Some(file)) => Ok(Source::PodIdentity {
            uri,
            token_file: PathBuf::from(file),
        }),
        _ => Err(Error::Sdk(format!(
            "The environment variable {ENV_POD_URI} and {ENV_POD_TOKEN_FILE} must be set when using pod identity credential"
        ))),
    }
}

/// An error as `str()` of the official exception shows it, for the chain's list of reasons.
pub(super) fn official_text(e: &Error) -> String {
    let class = match e {
        Error::ApiValue(msg) | Error::Config(msg) => return msg.clone(),
        Error::Service { status, error, .. } => return service_text(*status, error),
        Error::Validation { .. } => "ValidationException",
        Error::HostUnreachable { .. } => "HostUnreachableException",
        Error::SslHandshake { .. } => "SslHandShakeException",
        Error::Connection { .. } => "ConnectionException",
        Error::ConnectTimeout { .. } => "RequestTimeoutException",
        Error::ReadTimeout { .. } => "CallTimeoutException",
        Error::TooManyRedirects { .. } => "RetryOutageException",
        Error::InvalidResponse { .. } => "ServerResponseException",
        Error::Sdk(_) => "SdkException",
    };
    format!("{class} - {e}")
}

/// `str()` of the official `ServiceResponseException` subclasses.
pub(super) fn service_text(status: u16, error: &SdkError) -> String {
    let class = if status >= 500 {
        "ServerResponseException"
    } else {
        "ClientRequestException"
    };
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "None".to_owned());
    format!(
        "{class} - {{status_code:{status},request_id:{},error_code:{},error_msg:{},encoded_authorization_message:{} }}",
        shown(&error.request_id),
        shown(&error.error_code),
        shown(&error.error_msg),
        shown(&error.encoded_auth_msg),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn oidc_names_the_first_missing_variable() {
        let e = from_oidc(&env_of(&[])).err().map(|e| official_text(&e));
        assert_eq!(
            e.as_deref(),
            Some("Missing required env var: HUAWEICLOUD_OIDC_PROVIDER_URN")
        );
        let e = from_oidc(&env_of(&[(ENV_OIDC_PROVIDER_URN, "p"), (ENV_OIDC_AGENCY_URN, "a")]))
            .err()
            .map(|e| official_text(&e));
        assert_eq!(
            e.as_deref(),
            Some("Missing required env var: HUAWEICLOUD_OIDC_ID_TOKEN or HUAWEICLOUD_OIDC_TOKEN_FILE")
        );
    }

    #[test]
    fn oidc_reads_its_settings_with_the_official_defaults() {
        let env = env_of(&[
            (ENV_OIDC_PROVIDER_URN, "p"),
            (ENV_OIDC_AGENCY_URN, "a"),
            (ENV_OIDC_ID_TOKEN, "tok"),
            (ENV_OIDC_POLICY_IDS, " x, ,y "),
        ]);
        let oidc = match from_oidc(&env).map(|f| f.source) {
            Ok(Source::OidcSts(oidc)) => Some(oidc),
            _ => None,
        };
        let read = oidc.map(|o| (o.session_name, o.duration_seconds, o.policy_ids));
        let ids = Some(vec!["x".to_owned(), "y".to_owned()]);
        assert_eq!(read, Some(("oidc-sts-session".to_owned(), 3600, ids)));
        let bad = env_of(&[
            (ENV_OIDC_PROVIDER_URN, "p"),
            (ENV_OIDC_AGENCY_URN, "a"),
            (ENV_OIDC_ID_TOKEN, "tok"),
            (ENV_OIDC_DURATION_SECONDS, "1h"),
        ]);
        assert!(matches!(from_oidc(&bad), Err(Error::Config(_))));
        let zero = env_of(&[
            (ENV_OIDC_PROVIDER_URN, "p"),
            (ENV_OIDC_AGENCY_URN, "a"),
            (ENV_OIDC_ID_TOKEN, "tok"),
            (ENV_OIDC_DURATION_SECONDS, "0"),
        ]);
        let duration = match from_oidc(&zero).map(|f| f.source) {
            Ok(Source::OidcSts(oidc)) => Some(oidc.duration_seconds),
            _ => None,
        };
        assert_eq!(duration, Some(3600));
    }

    #[test]
    fn found_keys_get_the_checks_of_given_ones() {
        let settings =
            FetchSettings::from_env(crate::config::HttpConfig::default(), String::new(), None, None, &|_| {
                None
            });
        let found = |token: &str| Found {
            source: Source::Given(
                super::super::Credentials::new("AK", "SK")
                    .with_security_token(token)
                    .keys(),
            ),
            project_id: None,
            iam_endpoint: None,
        };
        assert!(checked(chained(found("tok"), settings.clone())).is_ok());
        let bad = checked(chained(found("tok\r\nX-Injected: 1"), settings)).err();
        assert!(matches!(
            bad,
            Some(Error::Validation {
                field: "security_token",
                ..
            })
        ));
    }

    #[test]
    fn pod_identity_needs_both_variables() {
        let e = pod_identity(&env_of(&[(ENV_POD_URI, "http://x")]))
            .err()
            .map(|e| official_text(&e));
        assert!(e.is_some_and(|t| t.starts_with("SdkException - The environment variable HC_CONTAINER")));
    }
}
