//! The reqwest client and the classification of its failures, from the cause chain.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::HttpConfig;
use crate::error::{Error, Phase, OUTCOME_UNKNOWN};

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

/// One pooled HTTP client for one SDK client.
pub fn build(config: &HttpConfig) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .dns_resolver(std::sync::Arc::new(Resolver))
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        .pool_max_idle_per_host(config.pool_maxsize)
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .http1_title_case_headers()
        .redirect(if config.allow_redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        });
    if config.ignore_ssl_verification {
        b = b.danger_accept_invalid_certs(true);
    } else if let Some(path) = &config.ssl_ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| Error::Config(format!("cannot read ssl_ca_cert '{}': {e}", path.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Error::Config(format!("ssl_ca_cert '{}' is not a PEM bundle: {e}", path.display())))?;
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    if let Some(proxy) = &config.proxy {
        // The official SDK proxies https URLs only; the URL's text may hold a password.
        let p = reqwest::Proxy::https(proxy).map_err(|_| Error::Config("invalid proxy settings".to_owned()))?;
        b = b.proxy(p);
    }
    b.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", chain_text(&e))))
}

/// Maps a reqwest failure onto the SDK's classes by walking its cause chain.
pub fn classify(err: &reqwest::Error, config: &HttpConfig) -> Error {
    let detail = chain_text(err);
    if err.is_timeout() {
        return if err.is_connect() {
            Error::ConnectTimeout {
                message: format!("connect timed out after {:?}; the request was not sent: {detail}", config.connect_timeout),
            }
        } else {
            read_timeout(config)
        };
    }
    if find::<DnsError>(err).is_some() {
        return Error::HostUnreachable { message: detail };
    }
    if find::<rustls::Error>(err).is_some() {
        return Error::SslHandshake { message: format!("TLS handshake failed: {detail}") };
    }
    if err.is_connect() {
        return Error::Connection { message: format!("cannot connect: {detail}"), phase: Phase::Connect };
    }
    Error::Connection {
        message: format!("connection failed during the call: {detail}; {OUTCOME_UNKNOWN}"),
        phase: Phase::AfterSend,
    }
}

pub fn read_timeout(config: &HttpConfig) -> Error {
    Error::ReadTimeout {
        message: format!("no complete response within the read timeout of {:?}; {OUTCOME_UNKNOWN}", config.read_timeout),
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
