//! String to sign, the `Authorization` header value and the signer.

use std::fmt;

use super::canonical::{CanonicalRequest, SignedHeaders};
use super::{Algorithm, Key};
use crate::error::Error;

/// `{scheme}\n{X-Sdk-Date}\n{hex(hash(canonical request))}`, the hash the algorithm's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    pub algorithm: Algorithm,
    pub sdk_date: String,
    pub canonical_hash: String,
}

impl StringToSign {
    pub fn new(canonical: &CanonicalRequest, sdk_date: &str) -> Self {
        StringToSign {
            algorithm: canonical.algorithm,
            sdk_date: sdk_date.to_owned(),
            canonical_hash: canonical.algorithm.hex_hash_of(canonical),
        }
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}",
            self.algorithm.scheme(),
            self.sdk_date,
            self.canonical_hash
        )
    }
}

/// `{scheme} Access=.., SignedHeaders=.., Signature=..`.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    pub algorithm: Algorithm,
    pub access: String,
    pub signed_headers: SignedHeaders,
    pub signature: String,
}

impl Authorization {
    /// Parses a received header value; `None` when it is not of a signer's form.
    pub fn parse(value: &str) -> Option<Self> {
        let (scheme, rest) = value.split_once(' ')?;
        let algorithm = Algorithm::from_scheme(scheme)?;
        let mut access = None;
        let mut signed = None;
        let mut sig = None;
        for part in rest.split(", ") {
            let (k, v) = part.split_once('=')?;
            match k {
                "Access" => access = Some(v),
                "SignedHeaders" => signed = Some(v),
                "Signature" => sig = Some(v),
                _ => return None,
            }
        }
        Some(Authorization {
            algorithm,
            access: access?.to_owned(),
            signed_headers: SignedHeaders::parse(signed?),
            signature: sig?.to_owned(),
        })
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} Access={}, SignedHeaders={}, Signature={}",
            self.algorithm.scheme(),
            self.access,
            self.signed_headers,
            self.signature
        )
    }
}

// The signature is not secret, but keep Debug one line and obviously non-sensitive.
impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Everything the signer needs; headers must already hold `Host` and `X-Sdk-Date`.
pub struct SigningInput<'a> {
    pub method: &'a str,
    pub resource_path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub sdk_date: &'a str,
}

/// Signs requests for one AK/SK with one algorithm. `Debug` shows the AK and the algorithm.
#[derive(Clone)]
pub struct Signer {
    ak: String,
    key: Key,
}

impl Signer {
    /// Fails only when no ECDSA / SM2 key can be derived (see `Key::new`).
    pub fn new(algorithm: Algorithm, ak: &str, sk: &str) -> Result<Self, Error> {
        Ok(Signer {
            ak: ak.to_owned(),
            key: Key::new(algorithm, ak, sk)?,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// Signs a request: the stages in the order the official signer runs them. Fails only
    /// when an SM2 nonce gives no signature (see `Key::sign`).
    pub fn sign(&self, input: &SigningInput<'_>) -> Result<Authorization, Error> {
        // 1. Every header whose name has no '_' is signed.
        let signed_headers = SignedHeaders::from_headers(input.headers);
        // 2. Canonical request: method, URI, query, headers, signed names, payload hash.
        let canonical = CanonicalRequest::new(
            self.algorithm(),
            input.method,
            input.resource_path,
            input.query,
            input.headers,
            signed_headers.clone(),
            input.body,
        );
        // 3. String to sign over the canonical request's hash.
        let sts = StringToSign::new(&canonical, input.sdk_date);
        // 4. The signature: HMAC with the SK, or ECDSA / SM2 with the derived key.
        Ok(Authorization {
            algorithm: self.algorithm(),
            access: self.ak.clone(),
            signed_headers,
            signature: self.key.sign(&sts)?,
        })
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("ak", &self.ak)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_round_trips() {
        for algorithm in Algorithm::ALL {
            let a = Authorization {
                algorithm,
                access: "AK".into(),
                signed_headers: SignedHeaders::parse("host;x-sdk-date"),
                signature: "ab".into(),
            };
            let text = a.to_string();
            assert_eq!(
                text,
                format!(
                    "{} Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab",
                    algorithm.scheme()
                )
            );
            assert_eq!(Authorization::parse(&text), Some(a));
        }
        assert_eq!(Authorization::parse("Basic abc"), None);
        assert_eq!(
            Authorization::parse("SDK-HMAC-SHA1 Access=AK, SignedHeaders=host, Signature=ab"),
            None
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        for algorithm in Algorithm::ALL {
            let signer = Signer::new(algorithm, "AK1", "very-secret-sk").map(|s| format!("{s:?}"));
            let shown = signer.unwrap_or_default();
            assert!(shown.contains("AK1") && !shown.contains("very-secret-sk"), "{shown}");
        }
    }
}
