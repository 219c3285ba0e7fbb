//! String to sign, signature and the `Authorization` header value.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::digest::Update;
use sha2::{Digest, Sha256};

use super::canonical::{CanonicalRequest, SignedHeaders};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex(sha256(canonical request))}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    pub sdk_date: String,
    pub canonical_hash: String,
}

impl StringToSign {
    pub fn new(canonical: &CanonicalRequest, sdk_date: &str) -> Self {
        StringToSign {
            sdk_date: sdk_date.to_owned(),
            canonical_hash: {
                // The canonical text streamed into the hash: no intermediate string.
                let mut hasher = Sha256::new();
                feed(&mut hasher, canonical);
                hex::encode(hasher.finalize())
            },
        }
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}\n{}", ALGORITHM, self.sdk_date, self.canonical_hash)
    }
}

/// Lower-case hex of HMAC-SHA256(sk, string to sign).
pub fn signature(sk: &str, string_to_sign: &StringToSign) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = match Hmac::<Sha256>::new_from_slice(sk.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    feed(&mut mac, string_to_sign);
    hex::encode(mac.finalize().into_bytes())
}

/// Feeds `value`'s `Display` text to a hash, as `update(value.to_string().as_bytes())` would.
fn feed(hash: &mut impl Update, value: &impl fmt::Display) {
    struct Feed<'a, H>(&'a mut H);
    impl<H: Update> fmt::Write for Feed<'_, H> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    // Writing to a hash cannot fail, nor can these `Display`s.
    let _ = fmt::write(&mut Feed(hash), format_args!("{value}"));
}

/// `SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..`.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access: String,
    pub signed_headers: SignedHeaders,
    pub signature: String,
}

impl Authorization {
    /// Parses a received header value; `None` when it is not of the signer's form.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
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
            ALGORITHM, self.access, self.signed_headers, self.signature
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

/// Signs a request: the stages in the order the official signer runs them.
pub fn sign(ak: &str, sk: &str, input: &SigningInput<'_>) -> Authorization {
    // 1. Every header whose name has no '_' is signed.
    let signed_headers = SignedHeaders::from_headers(input.headers);
    // 2. Canonical request: method, URI, query, headers, signed names, payload hash.
    let canonical = CanonicalRequest::new(
        input.method,
        input.resource_path,
        input.query,
        input.headers,
        signed_headers.clone(),
        input.body,
    );
    // 3. String to sign over the canonical request's hash.
    let sts = StringToSign::new(&canonical, input.sdk_date);
    // 4. HMAC with the secret key.
    Authorization {
        access: ak.to_owned(),
        signed_headers,
        signature: signature(sk, &sts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_round_trips() {
        let a = Authorization {
            access: "AK".into(),
            signed_headers: SignedHeaders::parse("host;x-sdk-date"),
            signature: "ab".into(),
        };
        let text = a.to_string();
        assert_eq!(
            text,
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab"
        );
        assert_eq!(Authorization::parse(&text), Some(a));
        assert_eq!(Authorization::parse("Basic abc"), None);
    }
}
