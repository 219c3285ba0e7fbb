//! The four signing algorithms of the official SDK (`SigningAlgorithm`) and their hashes.

use std::fmt;

use sha2::digest::Update;
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// An official `SigningAlgorithm`: it names the `Authorization` scheme, the hash of the
/// canonical request and payload, and the header that may replace the payload hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `SDK-HMAC-SHA256`: HMAC-SHA256 keyed with the SK.
    #[default]
    HmacSha256,
    /// `SDK-HMAC-SM3`: HMAC-SM3 keyed with the SK; SM3 hashes.
    HmacSm3,
    /// `SDK-ECDSA-P256-SHA256`: ECDSA over P-256 with a key derived from the AK/SK.
    EcdsaP256Sha256,
    /// `SDK-SM2-SM3`: SM2 with a key derived from the AK/SK; SM3 hashes.
    Sm2Sm3,
}

/// Which hash an algorithm uses for the payload, the canonical request and its key derivation.
#[derive(Clone, Copy)]
enum HashKind {
    Sha256,
    Sm3,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [
        Algorithm::HmacSha256,
        Algorithm::HmacSm3,
        Algorithm::EcdsaP256Sha256,
        Algorithm::Sm2Sm3,
    ];

    /// The member name of the official `SigningAlgorithm` enum.
    pub fn option_name(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "HMAC_SHA256",
            Algorithm::HmacSm3 => "HMAC_SM3",
            Algorithm::EcdsaP256Sha256 => "ECDSA_P256_SHA256",
            Algorithm::Sm2Sm3 => "SM2_SM3",
        }
    }

    pub fn from_option_name(name: &str) -> Option<Self> {
        Algorithm::ALL.into_iter().find(|a| a.option_name() == name)
    }

    /// The first word of the `Authorization` header and of the string to sign.
    pub fn scheme(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "SDK-HMAC-SHA256",
            Algorithm::HmacSm3 => "SDK-HMAC-SM3",
            Algorithm::EcdsaP256Sha256 => "SDK-ECDSA-P256-SHA256",
            Algorithm::Sm2Sm3 => "SDK-SM2-SM3",
        }
    }

    pub fn from_scheme(scheme: &str) -> Option<Self> {
        Algorithm::ALL.into_iter().find(|a| a.scheme() == scheme)
    }

    /// The header whose value, when set, is used as the payload hash (`UNSIGNED-PAYLOAD`):
    /// the official SM3 signers read `X-Sdk-Content-Sm3`, the others `X-Sdk-Content-Sha256`.
    pub fn content_hash_header(self) -> &'static str {
        match self.hash() {
            HashKind::Sha256 => super::HEADER_CONTENT_SHA256,
            HashKind::Sm3 => super::HEADER_CONTENT_SM3,
        }
    }

    fn hash(self) -> HashKind {
        match self {
            Algorithm::HmacSha256 | Algorithm::EcdsaP256Sha256 => HashKind::Sha256,
            Algorithm::HmacSm3 | Algorithm::Sm2Sm3 => HashKind::Sm3,
        }
    }

    /// The hex hash of the empty payload (constants, as in the official signers).
    pub(crate) fn empty_hash(self) -> &'static str {
        match self.hash() {
            HashKind::Sha256 => "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            HashKind::Sm3 => "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b",
        }
    }

    /// Lower-case hex of the algorithm's hash of `data`.
    pub(crate) fn hex_hash(self, data: &[u8]) -> String {
        match self.hash() {
            HashKind::Sha256 => hex::encode(Sha256::digest(data)),
            HashKind::Sm3 => hex::encode(Sm3::digest(data)),
        }
    }

    /// `hex_hash(value.to_string())`, the text streamed into the hash (no intermediate string).
    pub(crate) fn hex_hash_of(self, value: &impl fmt::Display) -> String {
        fn of<D: Digest + Update>(value: &impl fmt::Display) -> String {
            let mut hasher = D::new();
            feed(&mut hasher, value);
            hex::encode(hasher.finalize())
        }
        match self.hash() {
            HashKind::Sha256 => of::<Sha256>(value),
            HashKind::Sm3 => of::<Sm3>(value),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.option_name())
    }
}

/// Feeds `value`'s `Display` text to a hash or MAC, as `update(value.to_string().as_bytes())`.
pub(crate) fn feed(hash: &mut impl Update, value: &impl fmt::Display) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_option_name(a.option_name()), Some(a));
            assert_eq!(Algorithm::from_scheme(a.scheme()), Some(a));
        }
        assert_eq!(Algorithm::from_option_name("hmac_sha256"), None);
        assert_eq!(Algorithm::from_scheme("SDK-HMAC-SHA1"), None);
    }

    #[test]
    fn empty_hashes_are_the_hashes_of_nothing() {
        for a in Algorithm::ALL {
            assert_eq!(a.empty_hash(), a.hex_hash(b""), "{a}");
            assert_eq!(a.hex_hash_of(&""), a.hex_hash(b""), "{a}");
        }
        // GB/T 32905-2016, example 1: SM3("abc").
        assert_eq!(
            Algorithm::HmacSm3.hex_hash(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
