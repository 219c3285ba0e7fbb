//! The signing key of one AK/SK for one algorithm: the SK itself for HMAC, or the key pair
//! the official signer derives from the AK/SK for ECDSA and SM2. Signs a string to sign and
//! checks a received signature (the emulator's verifier).

use std::fmt;

use hmac::digest::{KeyInit, Update};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sm3::Sm3;

use super::algorithm::feed;
use super::ecdsa::P256Key;
use super::sign::StringToSign;
use super::sm2::Sm2Key;
use super::Algorithm;
use crate::error::Error;

/// Never shown by `Debug`: it holds the SK (HMAC) or a private key.
#[derive(Clone)]
pub struct Key {
    algorithm: Algorithm,
    material: Material,
}

#[derive(Clone)]
enum Material {
    /// HMAC keyed with the SK once; each signature clones it.
    HmacSha256(Hmac<Sha256>),
    HmacSm3(Hmac<Sm3>),
    P256(P256Key),
    Sm2(Sm2Key),
}

impl Key {
    /// The key for `algorithm`. ECDSA and SM2 derive theirs here, once, where the official
    /// signer derives it for every request (same key); that fails, with the official message,
    /// only when none of the 255 derivation counters gives a key (about 2^-8000).
    pub fn new(algorithm: Algorithm, ak: &str, sk: &str) -> Result<Self, Error> {
        let underived = || Error::Sdk("derive candidate failed, counter out of range".to_owned());
        let material = match algorithm {
            // HMAC takes a key of any length, so these never fail.
            Algorithm::HmacSha256 => {
                Material::HmacSha256(<Hmac<Sha256> as KeyInit>::new_from_slice(sk.as_bytes()).map_err(|_| underived())?)
            }
            Algorithm::HmacSm3 => {
                Material::HmacSm3(<Hmac<Sm3> as KeyInit>::new_from_slice(sk.as_bytes()).map_err(|_| underived())?)
            }
            Algorithm::EcdsaP256Sha256 => Material::P256(P256Key::derive(ak, sk).ok_or_else(underived)?),
            Algorithm::Sm2Sm3 => Material::Sm2(Sm2Key::derive(ak, sk).ok_or_else(underived)?),
        };
        Ok(Key { algorithm, material })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex signature of a string to sign of this key's algorithm, as the official
    /// `_sign_string_to_sign`: the HMAC, or the DER-encoded ECDSA / SM2 signature.
    pub fn sign(&self, string_to_sign: &StringToSign) -> Result<String, Error> {
        if string_to_sign.algorithm != self.algorithm {
            return Err(Error::Sdk(format!(
                "a {} string to sign cannot be signed with a {} key",
                string_to_sign.algorithm, self.algorithm
            )));
        }
        let der = match &self.material {
            Material::HmacSha256(mac) => return Ok(hmac_hex(mac.clone(), string_to_sign)),
            Material::HmacSm3(mac) => return Ok(hmac_hex(mac.clone(), string_to_sign)),
            Material::P256(key) => key.sign(string_to_sign.to_string().as_bytes()),
            Material::Sm2(key) => key
                .sign(string_to_sign.to_string().as_bytes())
                .ok_or_else(|| Error::Sdk("sm2 sign failed".to_owned()))?,
        };
        Ok(hex::encode(der))
    }

    /// Whether `signature` (hex, as in the `Authorization` header) signs `string_to_sign`.
    /// HMAC signatures are compared in constant time, as the exact lower-case text signed.
    pub fn verify(&self, string_to_sign: &StringToSign, signature: &str) -> bool {
        if string_to_sign.algorithm != self.algorithm {
            return false;
        }
        let message = || string_to_sign.to_string();
        match &self.material {
            Material::HmacSha256(mac) => same(hmac_hex(mac.clone(), string_to_sign).as_bytes(), signature.as_bytes()),
            Material::HmacSm3(mac) => same(hmac_hex(mac.clone(), string_to_sign).as_bytes(), signature.as_bytes()),
            Material::P256(key) => hex::decode(signature).is_ok_and(|der| key.verify(message().as_bytes(), &der)),
            Material::Sm2(key) => hex::decode(signature).is_ok_and(|der| key.verify(message().as_bytes(), &der)),
        }
    }

    /// The public key of a derived key pair, SEC1 uncompressed (`04 || x || y`); `None` for HMAC.
    pub fn public_key(&self) -> Option<Vec<u8>> {
        match &self.material {
            Material::HmacSha256(_) | Material::HmacSm3(_) => None,
            Material::P256(key) => Some(key.public_key()),
            Material::Sm2(key) => Some(key.public_key()),
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Lower-case hex of the MAC of the string to sign, streamed in.
fn hmac_hex<M: Mac + Update>(mut mac: M, string_to_sign: &StringToSign) -> String {
    feed(&mut mac, string_to_sign);
    hex::encode(mac.finalize().into_bytes())
}

/// Byte comparison whose time does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
