//! HTTP settings, mirroring the official `HttpConfig`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::signer::Algorithm;

#[derive(Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub ignore_ssl_verification: bool,
    /// A PEM bundle to trust in addition to the built-in roots.
    pub ssl_ca_cert: Option<PathBuf>,
    /// A client certificate presented in the TLS handshake (mutual TLS).
    pub client_cert: Option<ClientCert>,
    /// Proxy URL, possibly with user and password: never shown by `Debug`.
    pub proxy: Option<String>,
    /// Retries of failures before the request could have reached the server.
    pub retry_times: u32,
    pub pool_maxsize: usize,
    pub allow_redirects: bool,
    /// A GET without a body is sent without Content-Type.
    pub ignore_content_type_for_get_request: bool,
    /// How many hosts' pools are kept (requests' `pool_connections`); see `check_pools`.
    pub pool_connections: usize,
    /// Appended to the User-Agent.
    pub user_agent: Option<String>,
    /// Larger response bodies are refused; memory stays bounded.
    pub max_response_bytes: usize,
    /// How requests are signed (the official `SigningAlgorithm`).
    pub signing_algorithm: Algorithm,
}

/// `cert_file` (PEM certificate chain) and `key_file` (PEM private key); without a key file,
/// the certificate file holds the key too, as `requests` reads `cert=`.
#[derive(Clone, Debug)]
pub struct ClientCert {
    pub cert_file: PathBuf,
    pub key_file: Option<PathBuf>,
}

impl ClientCert {
    /// The official options as given: `key_file` alone names no certificate to present.
    pub fn from_options(cert_file: Option<PathBuf>, key_file: Option<PathBuf>) -> Result<Option<Self>, Error> {
        match (cert_file, key_file) {
            (Some(cert_file), key_file) => Ok(Some(ClientCert { cert_file, key_file })),
            (None, Some(_)) => Err(Error::validation(
                "key_file",
                "needs cert_file (the client certificate)",
            )),
            (None, None) => Ok(None),
        }
    }
}

/// `HttpConfig.timeout` as given: seconds for both phases, or a `(connect, read)` pair.
#[derive(Clone, Debug)]
pub enum TimeoutInput {
    Both(f64),
    Pair(f64, f64),
    /// Anything else, described (e.g. "a str", "a tuple of 3").
    Other(String),
}

/// The longest timeout accepted, in seconds (a day): longer ones are mistakes, and every
/// duration sum stays far from overflowing.
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;

fn seconds(value: f64) -> Result<Duration, Error> {
    if !(value.is_finite() && value > 0.0 && value <= MAX_TIMEOUT_SECS) {
        return Err(Error::validation(
            "timeout",
            format!("must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECS}, or a (connect, read) pair of them; got {value}"),
        ));
    }
    Duration::try_from_secs_f64(value).map_err(|e| Error::validation("timeout", e.to_string()))
}

/// How long a blocking wait on a started call may take: `None` (or +inf) for no limit, else
/// seconds >= 0 (capped far beyond any call's own deadline, so no arithmetic overflows).
pub fn wait_limit(timeout: Option<f64>) -> Result<Option<Duration>, Error> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_infinite() && t > 0.0 => Ok(None),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(Duration::from_secs_f64(t.min(1e9)))),
        Some(t) => Err(Error::validation(
            "timeout",
            format!("must be a number of seconds >= 0 or None; got {t}"),
        )),
    }
}

/// The waiter's settings (`wait_for_job`): a positive timeout and poll interval (a zero
/// interval would poll in a busy loop), and a maximum interval, when given, not below the first.
pub fn check_wait(timeout: f64, poll_interval: f64, max_poll_interval: Option<f64>) -> Result<(), Error> {
    let positive = |field: &'static str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(Error::validation(
                field,
                format!("must be a positive number of seconds; got {v}"),
            ))
        }
    };
    positive("poll_interval", poll_interval)?;
    positive("timeout", timeout)?;
    if let Some(max) = max_poll_interval {
        positive("max_poll_interval", max)?;
    }
    Ok(())
}

/// An integer setting in `0..=max`; `None` is an integer too large to read.
pub fn count(field: &'static str, value: Option<i128>, max: u64) -> Result<u64, Error> {
    value
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            let got = value.map_or_else(|| "a larger integer".to_owned(), |n| n.to_string());
            Error::validation(
                field,
                format!("HttpConfig.{field} must be an integer from 0 to {max}; got {got}"),
            )
        })
}

impl HttpConfig {
    /// Sets both timeouts from the official `timeout` value.
    pub fn set_timeout(&mut self, timeout: TimeoutInput) -> Result<(), Error> {
        let (connect, read) = match timeout {
            TimeoutInput::Both(s) => (seconds(s)?, seconds(s)?),
            TimeoutInput::Pair(c, r) => (seconds(c)?, seconds(r)?),
            TimeoutInput::Other(what) => {
                return Err(Error::validation(
                    "timeout",
                    format!("must be a number of seconds or a (connect, read) pair of them; got {what}"),
                ))
            }
        };
        self.connect_timeout = connect;
        self.read_timeout = read;
        Ok(())
    }

    /// The algorithm of an official `SigningAlgorithm` member name; anything else is refused.
    pub fn signing_algorithm(name: &str) -> Result<Algorithm, Error> {
        Algorithm::from_option_name(name).ok_or_else(|| {
            let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.option_name()).collect();
            Error::validation(
                "signing_algorithm",
                format!("must be a SigningAlgorithm ({}); got {name}", names.join(", ")),
            )
        })
    }

    /// `pool_connections` is how many hosts' pools requests keeps (least recently used first
    /// out). The client uses one endpoint at a time (failover moves on and stays), so the pool
    /// of the endpoint in use is always kept: any value from 1 has the official effect. With 0,
    /// requests would drop every pool at once and never reuse a connection: refused.
    pub fn check_pools(&self) -> Result<(), Error> {
        if self.pool_connections == 0 {
            return Err(Error::validation(
                "pool_connections",
                "must be at least 1: the pool of the endpoint in use is always kept",
            ));
        }
        Ok(())
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(120),
            ignore_ssl_verification: false,
            ssl_ca_cert: None,
            client_cert: None,
            proxy: None,
            retry_times: 0,
            pool_maxsize: 10,
            allow_redirects: false,
            ignore_content_type_for_get_request: false,
            pool_connections: 10,
            user_agent: None,
            max_response_bytes: 8 * 1024 * 1024,
            signing_algorithm: Algorithm::default(),
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("ignore_ssl_verification", &self.ignore_ssl_verification)
            .field("ssl_ca_cert", &self.ssl_ca_cert)
            .field("client_cert", &self.client_cert)
            .field("proxy", &self.proxy.as_ref().map(|_| "****"))
            .field("retry_times", &self.retry_times)
            .field("pool_connections", &self.pool_connections)
            .field("pool_maxsize", &self.pool_maxsize)
            .field("allow_redirects", &self.allow_redirects)
            .field(
                "ignore_content_type_for_get_request",
                &self.ignore_content_type_for_get_request,
            )
            .field("user_agent", &self.user_agent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("signing_algorithm", &self.signing_algorithm)
            .finish()
    }
}
