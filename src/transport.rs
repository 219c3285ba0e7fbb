//! The reqwest clients (a shared pool for async calls, one per thread for sync calls) and
//! the classification of their failures, from the cause chain.

use std::cell::RefCell;
use std::error::Error as StdError;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::config::HttpConfig;
use crate::error::{Error, Phase, OUTCOME_UNKNOWN};
use crate::{timeouts, tls};

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

/// The HTTP clients of one SDK client: one pool shared by its async calls on the shared
/// runtime, and for sync calls one current-thread runtime and pool per calling thread, built
/// on that thread's first call. A connection serves only the runtime that opened it: its task
/// lives there, and a thread's runtime runs only during that thread's calls (`runtime`).
///
/// `close()` releases them all (connections, runtimes and their descriptors), as the official
/// `close()` closes its session; a later call builds them again.
pub struct Http {
    config: HttpConfig,
    shared: Mutex<Option<reqwest::Client>>,
    /// Every thread's slot, for `close()`; the thread owns it (it goes when the thread ends).
    threads: Mutex<Vec<Weak<ThreadSlot>>>,
    id: u64,
}

/// A thread's runtime and pool for one SDK client.
#[derive(Default)]
struct ThreadSlot {
    built: Mutex<Option<ThreadIo>>,
    /// `close()` came while this thread was in a call: release once it is over.
    release: AtomicBool,
}

impl ThreadSlot {
    /// The slot's runtime and pool; after a panic in a call (caught at the boundary) they may
    /// be in any state, so they are dropped and built anew rather than the client being
    /// unusable on this thread for good.
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ThreadIo>> {
        self.built.lock().unwrap_or_else(|poisoned| {
            let mut built = poisoned.into_inner();
            built.take();
            self.built.clear_poison();
            built
        })
    }
}

struct ThreadIo {
    /// Always `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
    client: reqwest::Client,
}

impl Drop for ThreadIo {
    fn drop(&mut self) {
        // Its tasks (and so its connections) go now; a blocking DNS lookup is not waited for.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

thread_local! {
    static SLOTS: RefCell<Vec<(u64, Arc<ThreadSlot>)>> = const { RefCell::new(Vec::new()) };
    /// The pool of the sync call this thread is driving: `(SDK client id, pool)`.
    static DRIVING: RefCell<Option<(u64, reqwest::Client)>> = const { RefCell::new(None) };
}

/// Clears `DRIVING` however a sync call ends, a panic included.
struct Driving;

impl Drop for Driving {
    fn drop(&mut self) {
        DRIVING.with(|d| d.borrow_mut().take());
    }
}

impl Http {
    pub fn new(config: &HttpConfig) -> Result<Self, Error> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Ok(Http {
            shared: Mutex::new(Some(build(config)?)),
            config: config.clone(),
            threads: Mutex::new(Vec::new()),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The client for the runtime driving this call: this thread's pool inside a sync call
    /// (`block_on`), the shared pool otherwise.
    pub fn current(&self) -> Result<reqwest::Client, Error> {
        let driving = DRIVING.with(|d| match &*d.borrow() {
            Some((id, client)) if *id == self.id => Some(client.clone()),
            _ => None,
        });
        if let Some(client) = driving {
            return Ok(client);
        }
        let mut shared = self.shared.lock().map_err(|_| poisoned())?;
        match &*shared {
            Some(client) => Ok(client.clone()),
            None => {
                let client = build(&self.config)?;
                *shared = Some(client.clone());
                Ok(client)
            }
        }
    }

    /// Runs `fut` to completion on this thread's runtime for this client, its connections
    /// from this thread's pool. Not from inside a runtime, as any `block_on`.
    pub fn block_on<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        if DRIVING.with(|d| d.borrow().is_some()) {
            return Err(Error::Sdk(
                "a sync call cannot run inside another sync call on the same thread".to_owned(),
            ));
        }
        let slot = self.thread_slot();
        let mut built = slot.lock();
        if slot.release.swap(false, Ordering::AcqRel) {
            built.take();
        }
        let io = match &mut *built {
            Some(io) => io,
            empty => empty.insert(ThreadIo {
                runtime: Some(
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| Error::Sdk(format!("cannot start the I/O runtime: {e}")))?,
                ),
                client: build(&self.config)?,
            }),
        };
        let runtime = io
            .runtime
            .as_ref()
            .ok_or_else(|| Error::Sdk("the I/O runtime is gone".to_owned()))?;
        DRIVING.with(|d| *d.borrow_mut() = Some((self.id, io.client.clone())));
        let _driving = Driving;
        let out = runtime.block_on(fut);
        if slot.release.swap(false, Ordering::AcqRel) {
            built.take();
        }
        Ok(out)
    }

    /// Drops this thread's runtime and pool for this client, closing their connections now
    /// (a call interrupted mid-way leaves its connection to a runtime nobody drives).
    pub fn release_this_thread(&self) {
        let slot = self.thread_slot();
        let released = slot.lock().take();
        drop(released);
    }

    /// This thread's slot for this client, made (and registered for `close()`) on first use.
    fn thread_slot(&self) -> Arc<ThreadSlot> {
        SLOTS.with(|cell| {
            let mut slots = cell.borrow_mut();
            if let Some((_, slot)) = slots.iter().find(|(id, _)| *id == self.id) {
                return slot.clone();
            }
            let slot = Arc::new(ThreadSlot::default());
            // Slots of SDK clients dropped since (only this thread still holds them) go now.
            slots.retain(|(_, s)| Arc::weak_count(s) > 0);
            slots.push((self.id, slot.clone()));
            if let Ok(mut threads) = self.threads.lock() {
                threads.retain(|w| w.strong_count() > 0);
                threads.push(Arc::downgrade(&slot));
            }
            slot
        })
    }

    /// Releases every pool and thread runtime of this client: idle connections close now,
    /// those of calls in flight when their call ends. Later calls build new ones.
    pub fn close(&self) {
        if let Ok(mut shared) = self.shared.lock() {
            shared.take();
        }
        // The slots stay registered: a thread that calls again rebuilds in the same slot.
        let threads: Vec<Arc<ThreadSlot>> = self
            .threads
            .lock()
            .map(|t| t.iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default();
        for slot in threads {
            slot.release.store(true, Ordering::Release);
            // A thread in a call holds the lock and releases its own after the call.
            let idle = match slot.built.try_lock() {
                Ok(built) => Some(built),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            };
            if let Some(mut built) = idle {
                if slot.release.swap(false, Ordering::AcqRel) {
                    built.take();
                }
            }
        }
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        self.close();
    }
}

fn poisoned() -> Error {
    Error::Sdk("the HTTP client's state was poisoned by a panic".to_owned())
}

/// One pooled HTTP client.
pub(crate) fn build(config: &HttpConfig) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls::client_config(config)?)
        .dns_resolver(std::sync::Arc::new(Resolver))
        .connect_timeout(config.connect_timeout)
        .connector_layer(timeouts::MarkConnected)
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
    // A TLS error once connected (a bad record mid-response) is no handshake failure: the
    // request may have been received, so it must not move on to the next endpoint.
    if err.is_connect() && find::<rustls::Error>(err).is_some() {
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
