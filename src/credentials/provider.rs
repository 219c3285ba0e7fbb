//! The keys a client signs with, and their refresh: temporary keys are fetched again when
//! less than the official margin is left, by one caller at a time; the callers that arrive
//! while it fetches wait for it and share its outcome, keys or error, instead of signing with
//! the old keys or fetching too.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use time::OffsetDateTime;

use super::metadata::Session;
use super::{fetch, Keys, Source};
use crate::config::HttpConfig;
use crate::error::Error;
use crate::region::DEFAULT_IAM_ENDPOINT;

/// Keys with less than this left are renewed before signing (the official 40 minutes).
pub const REFRESH_MARGIN: time::Duration = time::Duration::minutes(40);

/// Where the keys are fetched from, and with which HTTP settings.
#[derive(Clone, Debug)]
pub struct FetchSettings {
    /// The client's settings: the federated and OIDC requests use them, as the official
    /// sends them with the client's HTTP client.
    pub config: HttpConfig,
    pub user_agent: String,
    /// For federation: given, or `$HUAWEICLOUD_SDK_IAM_ENDPOINT`; else the region's once a
    /// project id is looked up, else the official default.
    pub iam_endpoint: Option<String>,
    /// For OIDC: given, `$HUAWEICLOUD_SDK_STS_ENDPOINT`, or the official default.
    pub sts_endpoint: String,
    /// The ECS metadata service: the official address, or a test's fake on a loopback
    /// address (anything else is refused when the service is asked).
    pub metadata_endpoint: String,
}

impl FetchSettings {
    /// The official endpoints, each overridden by its variable in `env`.
    pub fn from_env(
        config: HttpConfig,
        user_agent: String,
        iam_endpoint: Option<String>,
        sts_endpoint: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        FetchSettings {
            config,
            user_agent,
            iam_endpoint: iam_endpoint.or_else(|| var(crate::region::ENV_IAM_ENDPOINT)),
            sts_endpoint: sts_endpoint
                .or_else(|| var(super::ENV_STS_ENDPOINT))
                .unwrap_or_else(|| super::DEFAULT_STS_ENDPOINT.to_owned()),
            metadata_endpoint: var(super::ENV_TEST_METADATA_ENDPOINT)
                .unwrap_or_else(|| super::DEFAULT_METADATA_ENDPOINT.to_owned()),
        }
    }

    /// The metadata service's address. The official one, or a fake's named by the test-only
    /// variable, which takes loopback addresses only: set by mistake in production it cannot
    /// send the instance's token requests elsewhere.
    fn metadata_endpoint(&self) -> Result<&str, Error> {
        let endpoint = self.metadata_endpoint.as_str();
        if endpoint == super::DEFAULT_METADATA_ENDPOINT || is_loopback(endpoint) {
            return Ok(endpoint);
        }
        Err(Error::Config(format!(
            "{} is for tests only and takes a loopback address (127.0.0.0/8, ::1 or localhost), not {endpoint:?}",
            super::ENV_TEST_METADATA_ENDPOINT
        )))
    }
}

/// Whether `endpoint` is an `http(s)` URL whose host is a loopback address or `localhost`.
fn is_loopback(endpoint: &str) -> bool {
    let Ok(url) = url::Url::parse(endpoint) else {
        return false;
    };
    let plain = matches!(url.scheme(), "http" | "https") && url.username().is_empty() && url.password().is_none();
    plain
        && match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        }
}

/// The keys in use, and the outcome of the last fetch for the callers that waited for it.
#[derive(Default)]
struct State {
    keys: Option<Arc<Keys>>,
    /// When `keys` must be fetched again; `None`: never.
    refresh_at: Option<OffsetDateTime>,
    /// Counts finished fetches: a caller that saw `n` before waiting and finds more after
    /// waited for a fetch, and takes its outcome.
    generation: u64,
    outcome: Option<Result<Arc<Keys>, Error>>,
}

impl State {
    fn fresh(&self, now: OffsetDateTime) -> Option<Arc<Keys>> {
        let due = self.refresh_at.is_some_and(|at| now >= at);
        self.keys.clone().filter(|_| !due)
    }
}

/// When keys fetched at `now` must be fetched again: [`REFRESH_MARGIN`] before they expire, as
/// the official. Keys that have less than the margin left already when fetched are used
/// until [`EXPIRY_GUARD`] before they expire: fetching again at once would give the same
/// short-lived keys, one request per call (the official does so; README, Intended
/// differences).
fn refresh_at(keys: &Keys, now: OffsetDateTime) -> Option<OffsetDateTime> {
    keys.expires_at.map(|at| {
        if keys.expiring(now) {
            at - EXPIRY_GUARD
        } else {
            at - REFRESH_MARGIN
        }
    })
}

/// Short-lived keys are not used in their last minute: a request signed just before they
/// expire could reach the service after.
const EXPIRY_GUARD: time::Duration = time::Duration::minutes(1);

/// The source of a client's keys and the keys it last gave. Shared (`Arc`) by the client,
/// its project id lookup and the Python credentials object.
pub struct KeyProvider {
    source: Source,
    settings: FetchSettings,
    state: RwLock<State>,
    /// Held while fetching, so one caller fetches; it also keeps the metadata session token.
    refresh: tokio::sync::Mutex<Session>,
    /// The region's IAM endpoint, once a project id lookup chose one.
    region_iam: Mutex<Option<String>>,
}

impl std::fmt::Debug for KeyProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyProvider")
            .field("source", &self.source)
            .field("current", &self.current())
            .finish_non_exhaustive()
    }
}

impl KeyProvider {
    pub fn new(source: Source, settings: FetchSettings) -> Self {
        let keys = match &source {
            Source::Given(keys) => Some(Arc::new(keys.clone())),
            _ => None,
        };
        KeyProvider {
            source,
            settings,
            state: RwLock::new(State {
                keys,
                ..State::default()
            }),
            refresh: tokio::sync::Mutex::new(Session::default()),
            region_iam: Mutex::new(None),
        }
    }

    /// Keys given as they are, never refreshed.
    pub fn given(keys: Keys) -> Self {
        let settings = FetchSettings::from_env(HttpConfig::default(), String::new(), None, None, &|_| None);
        KeyProvider::new(Source::Given(keys), settings)
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The keys last fetched (or given), without fetching.
    pub fn current(&self) -> Option<Arc<Keys>> {
        self.state.read().unwrap_or_else(PoisonError::into_inner).keys.clone()
    }

    /// Keys to sign with at `now`: the current ones, or new ones when they are missing or
    /// due for renewal. One caller fetches; the callers that waited for it share its
    /// outcome, keys or error, and fetch nothing themselves (the lock is async: a waiting
    /// call holds no thread, and a sync call waits with the GIL released).
    pub async fn keys(&self, now: OffsetDateTime) -> Result<Arc<Keys>, Error> {
        let seen = {
            let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(keys) = state.fresh(now) {
                return Ok(keys);
            }
            state.generation
        };
        let mut session = self.refresh.lock().await;
        {
            let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
            // A fetch finished while this caller waited: its outcome is this caller's too.
            if state.generation != seen {
                if let Some(outcome) = &state.outcome {
                    return outcome.clone();
                }
            }
            if let Some(keys) = state.fresh(now) {
                return Ok(keys);
            }
        }
        let fetched = self.fetch(&mut session).await.and_then(|keys| {
            keys.check()
                .map_err(|e| Error::Sdk(format!("the credential service returned unusable keys: {e}")))?;
            Ok(Arc::new(keys))
        });
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let outcome = match fetched {
            Ok(keys) => {
                state.refresh_at = refresh_at(&keys, now);
                state.keys = Some(keys.clone());
                Ok(keys)
            }
            // A failed renewal while the current keys have not expired yet: they are used
            // (the next call tries again). The official raises the error instead (README,
            // Intended differences).
            Err(e) => match state.keys.clone().filter(|k| k.expires_at.is_some_and(|at| now < at)) {
                Some(keys) => Ok(keys),
                None => Err(e),
            },
        };
        state.generation = state.generation.wrapping_add(1);
        state.outcome = Some(outcome.clone());
        outcome
    }

    /// Federation's IAM endpoint when none was given: the one a project id lookup used, as
    /// the official sets the credentials' IAM endpoint for it.
    pub fn use_region_iam_endpoint(&self, endpoint: &str) {
        let mut region_iam = self.region_iam.lock().unwrap_or_else(PoisonError::into_inner);
        region_iam.get_or_insert_with(|| endpoint.to_owned());
    }

    async fn fetch(&self, session: &mut Session) -> Result<Keys, Error> {
        let s = &self.settings;
        match &self.source {
            Source::Given(keys) => Ok(keys.clone()),
            Source::Metadata => session.credential(s.metadata_endpoint()?).await,
            Source::PodIdentity { uri, token_file } => fetch::pod_identity(uri, token_file).await,
            Source::OidcSts(oidc) => fetch::oidc(s, oidc).await,
            Source::Federal { idp_id, id_token_file } => {
                let region_iam = self.region_iam.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let iam = s
                    .iam_endpoint
                    .clone()
                    .or(region_iam)
                    .unwrap_or_else(|| DEFAULT_IAM_ENDPOINT.to_owned());
                fetch::federal(s, &iam, idp_id, id_token_file).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_metadata_address_is_loopback_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:80",
            "http://localhost:1",
            "http://169.254.169.254",
        ] {
            let env = |name: &str| (name == crate::credentials::ENV_TEST_METADATA_ENDPOINT).then(|| ok.to_owned());
            let s = FetchSettings::from_env(HttpConfig::default(), String::new(), None, None, &env);
            assert_eq!(s.metadata_endpoint().ok(), Some(ok));
        }
        for bad in [
            "http://169.254.169.253",
            "http://10.0.0.1",
            "http://evil.example",
            "http://localhost.evil.example",
            "http://u:p@127.0.0.1",
            "file:///etc",
            "nonsense",
        ] {
            let env = |name: &str| (name == crate::credentials::ENV_TEST_METADATA_ENDPOINT).then(|| bad.to_owned());
            let s = FetchSettings::from_env(HttpConfig::default(), String::new(), None, None, &env);
            let e = s.metadata_endpoint().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                e.starts_with("DMSKAFKA_TEST_METADATA_ENDPOINT is for tests only"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn short_lived_keys_are_used_until_their_last_minute() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let keys = |left: time::Duration| Keys {
            expires_at: Some(now + left),
            ..crate::credentials::Credentials::new("A", "S").keys()
        };
        let long = time::Duration::hours(6);
        assert_eq!(refresh_at(&keys(long), now), Some(now + long - REFRESH_MARGIN));
        let short = time::Duration::minutes(30);
        assert_eq!(refresh_at(&keys(short), now), Some(now + short - EXPIRY_GUARD));
        assert_eq!(
            refresh_at(&crate::credentials::Credentials::new("A", "S").keys(), now),
            None
        );
    }
}
