//! The TLS settings of every connection: ring as the crypto provider, the Mozilla roots of
//! `webpki-roots` (what the official SDK trusts through certifi) plus `ssl_ca_cert`, an
//! optional client certificate (`cert_file`/`key_file`), HTTP/1.1 only.
//!
//! Built here rather than by reqwest, so the roots and the provider are ours to choose on every
//! platform (reqwest 0.13's own rustls set-up uses aws-lc-rs and the platform verifier).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::HttpConfig;
use crate::error::Error;

/// The rustls client configuration for `config`; a file that cannot be used is a
/// `ValidationException` naming the option.
pub fn client_config(config: &HttpConfig) -> Result<ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("cannot set up TLS: {e}")))?;
    let builder = if config.ignore_ssl_verification {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(
                provider.signature_verification_algorithms,
            )))
    } else {
        builder.with_root_certificates(roots(config.ssl_ca_cert.as_deref())?)
    };
    let mut tls = match &config.client_cert {
        Some(cert) => {
            let (chain, key) = client_identity(&cert.cert_file, cert.key_file.as_deref())?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| Error::validation("key_file", format!("does not match cert_file: {e}")))?
        }
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

fn read(path: &Path, field: &'static str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::validation(field, format!("cannot read '{}': {e}", path.display())))
}

fn roots(ssl_ca_cert: Option<&Path>) -> Result<RootCertStore, Error> {
    let mut store = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ssl_ca_cert {
        let pem = read(path, "ssl_ca_cert")?;
        let not_pem = |why: String| Error::validation("ssl_ca_cert", format!("'{}' {why}", path.display()));
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| not_pem(format!("is not a PEM bundle: {e}")))?;
            store
                .add(cert)
                .map_err(|e| not_pem(format!("holds a certificate that cannot be trusted: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(not_pem("holds no PEM certificate".to_owned()));
        }
    }
    Ok(store)
}

/// The certificate chain and private key, as `requests` takes `cert=(cert_file, key_file)`:
/// without a key file, the certificate file holds the key too.
fn client_identity(
    cert_file: &Path,
    key_file: Option<&Path>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Error> {
    let cert_pem = read(cert_file, "cert_file")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::validation("cert_file", format!("is not a PEM certificate: {e}")))?;
    if chain.is_empty() {
        return Err(Error::validation("cert_file", "holds no PEM certificate"));
    }
    let (key_pem, field) = match key_file {
        Some(path) => (read(path, "key_file")?, "key_file"),
        None => (cert_pem, "cert_file"),
    };
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| Error::validation(field, format!("holds no usable PEM private key: {e}")))?;
    Ok((chain, key))
}

/// `ignore_ssl_verification`: any certificate is accepted, as `requests` with `verify=False`;
/// the handshake signatures are still checked, so the peer holds the key it presented.
#[derive(Debug)]
struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
