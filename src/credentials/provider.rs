//! The keys a client signs with, and their refresh: temporary keys are fetched again when
//! less than the official margin is left, by one caller at a time; the others wait for its
//! keys instead of signing with the old ones or fetching too.

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
    /// The ECS metadata service: the official address, or a test's fake.
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
}

/// The source of a client's keys and the keys it last gave. Shared (`Arc`) by the client,
/// its project id lookup and the Python credentials object.
pub struct KeyProvider {
    source: Source,
    settings: FetchSettings,
    current: RwLock<Option<Arc<Keys>>>,
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
        let current = match &source {
            Source::Given(keys) => Some(Arc::new(keys.clone())),
            _ => None,
        };
        KeyProvider {
            source,
            settings,
            current: RwLock::new(current),
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
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn usable(&self, now: OffsetDateTime) -> Option<Arc<Keys>> {
        self.current().filter(|k| !k.expiring(now))
    }

    /// Keys to sign with at `now`: the current ones, or new ones when they are missing or
    /// expiring. Concurrent callers wait for one fetch (the lock is async: a waiting call
    /// holds no thread, and a sync call waits with the GIL released).
    pub async fn keys(&self, now: OffsetDateTime) -> Result<Arc<Keys>, Error> {
        if let Some(keys) = self.usable(now) {
            return Ok(keys);
        }
        let mut session = self.refresh.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(keys) = self.usable(now) {
            return Ok(keys);
        }
        let keys = Arc::new(self.fetch(&mut session).await?);
        keys.check()
            .map_err(|e| Error::Sdk(format!("the credential service returned unusable keys: {e}")))?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(keys.clone());
        Ok(keys)
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
            Source::Metadata => session.credential(&s.metadata_endpoint).await,
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
