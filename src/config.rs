//! HTTP settings, mirroring the official `HttpConfig`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;

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
    /// Appended to the User-Agent.
    pub user_agent: Option<String>,
    /// Larger response bodies are refused; memory stays bounded.
    pub max_response_bytes: usize,
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
            user_agent: None,
            max_response_bytes: 8 * 1024 * 1024,
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
            .field("pool_maxsize", &self.pool_maxsize)
            .field("allow_redirects", &self.allow_redirects)
            .field("user_agent", &self.user_agent)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}
