//! The reqwest clients (a shared pool for async calls, one per thread for sync calls) and
//! the classification of their failures, from the cause chain.

use std::cell::RefCell;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::config::HttpConfig;
use crate::error::{Error, Phase, OUTCOME_UNKNOWN};
use crate::{runtime, tls};

/// A failed name lookup: a type of our own, so it is found in the cause chain by type.
#[derive(Debug, thiserror::Error)]
#[error("host unreachable: cannot resolve '{host}': {source}")]
pub struct DnsError {
    host: String,
    source: std::io::Error,
}

/// Resolves through the system resolver (as reqwest's default does), failing with `DnsError`.
struct Resolver;

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let looked_up = tokio::net::lookup_host(format!("{host}:0")).await;
            match looked_up {
                Ok(addrs) => {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
                }
                Err(source) => Err(Box::new(DnsError { host, source }) as Box<dyn StdError + Send + Sync>),
            }
        })
    }
}

/// How much longer than the connect timeout the first read may wait; see `read_timer`.
const CONNECT_MARGIN: Duration = Duration::from_millis(200);

/// reqwest starts its read timer when the request starts, not once connected, so a read
/// timer that ends before the connect timer would report a stalled connect as a read timeout
/// ("outcome unknown", not retried) although nothing was sent. It therefore never ends before
/// the connect timeout (plus a margin); with the defaults (60 s, 120 s) it is the read timeout.
fn read_timer(config: &HttpConfig) -> Duration {
    config
        .read_timeout
        .max(config.connect_timeout.saturating_add(CONNECT_MARGIN))
}

/// The HTTP clients of one SDK client: one pool shared by its async calls on the shared
/// runtime, and for sync calls one pool per calling thread, built with the same settings on
/// that thread's first call. A connection serves only the runtime that opened it: its task
/// lives there, and a thread's runtime runs only during that thread's calls (`runtime`).
pub struct Http {
    shared: reqwest::Client,
    config: HttpConfig,
    id: u64,
    /// Per-thread pools hold a `Weak` of it: once the SDK client is gone, they are dropped.
    alive: Arc<()>,
}

/// A thread's pool for one SDK client.
struct ThreadPool {
    id: u64,
    alive: Weak<()>,
    client: reqwest::Client,
}

thread_local! {
    static THREAD_POOLS: RefCell<Vec<ThreadPool>> = const { RefCell::new(Vec::new()) };
}

impl Http {
    pub fn new(config: &HttpConfig) -> Result<Self, Error> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Ok(Http {
            shared: build(config)?,
            config: config.clone(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
        })
    }

    /// The client for the runtime driving this call: this thread's pool inside a sync call
    /// (`runtime::block_on_here`), the shared pool otherwise.
    pub fn current(&self) -> Result<reqwest::Client, Error> {
        if !runtime::driving_here() {
            return Ok(self.shared.clone());
        }
        THREAD_POOLS.with(|cell| {
            let mut pools = cell.borrow_mut();
            if let Some(pool) = pools.iter().find(|p| p.id == self.id) {
                return Ok(pool.client.clone());
            }
            // Pools of SDK clients dropped since go now, and their idle connections close.
            pools.retain(|p| p.alive.strong_count() > 0);
            let client = build(&self.config)?;
            pools.push(ThreadPool {
                id: self.id,
                alive: Arc::downgrade(&self.alive),
                client: client.clone(),
            });
            Ok(client)
        })
    }
}

/// One pooled HTTP client.
fn build(config: &HttpConfig) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls::client_config(config)?)
        .dns_resolver(std::sync::Arc::new(Resolver))
        .connect_timeout(config.connect_timeout)
        .read_timeout(read_timer(config))
        .pool_max_idle_per_host(config.pool_maxsize)
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .http1_title_case_headers()
        .redirect(if config.allow_redirects {
            reqwest::redirect::Policy::limited(MAX_REDIRECTS)
        } else {
            reqwest::redirect::Policy::none()
        });
    if let Some(proxy) = &config.proxy {
        // The official SDK proxies https URLs only; the URL's text may hold a password.
        let p = reqwest::Proxy::https(proxy).map_err(|_| Error::Config("invalid proxy settings".to_owned()))?;
        b = b.proxy(p);
    }
    b.build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", chain_text(&e))))
}

/// With `allow_redirects`, at most this many hops (the requests library's default is 30;
/// a redirect loop should fail fast).
const MAX_REDIRECTS: usize = 10;

/// Maps a reqwest failure onto the SDK's classes by walking its cause chain.
pub fn classify(err: &reqwest::Error, config: &HttpConfig) -> Error {
    let detail = chain_text(err);
    if err.is_builder() {
        // The request could not even be built (e.g. an invalid header): nothing was sent.
        return Error::Sdk(format!("cannot build the request, nothing was sent: {detail}"));
    }
    if err.is_redirect() {
        // The official SDK's RetryOutageException; every hop reached a server.
        return Error::TooManyRedirects {
            message: format!("too many redirects (more than {MAX_REDIRECTS}); {OUTCOME_UNKNOWN}: {detail}"),
        };
    }
    if err.is_timeout() {
        return if err.is_connect() {
            Error::ConnectTimeout {
                message: format!(
                    "connect timed out after {:?}; the request was not sent: {detail}",
                    config.connect_timeout
                ),
            }
        } else {
            read_timeout(config)
        };
    }
    if find::<DnsError>(err).is_some() {
        return Error::HostUnreachable { message: detail };
    }
    if find::<rustls::Error>(err).is_some() {
        return Error::SslHandshake {
            message: format!("TLS handshake failed: {detail}"),
        };
    }
    if err.is_connect() {
        return Error::Connection {
            message: format!("cannot connect: {detail}"),
            phase: Phase::Connect,
        };
    }
    Error::Connection {
        message: format!("connection failed during the call: {detail}; {OUTCOME_UNKNOWN}"),
        phase: Phase::AfterSend,
    }
}

pub fn read_timeout(config: &HttpConfig) -> Error {
    Error::ReadTimeout {
        message: format!(
            "no complete response within the read timeout of {:?}; {OUTCOME_UNKNOWN}",
            config.read_timeout
        ),
    }
}

/// The first error of type `T` in the chain. `io::Error` hides what it wraps from
/// `source()`, so the walk steps into its inner error explicitly.
fn find<'e, T: StdError + 'static>(err: &'e (dyn StdError + 'static)) -> Option<&'e T> {
    let mut cur: Option<&'e (dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        cur = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

/// The messages of the whole chain, outermost first, without repeats.
pub fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}
