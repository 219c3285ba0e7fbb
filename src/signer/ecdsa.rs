//! SDK-ECDSA-P256-SHA256: ECDSA over P-256 and SHA-256, the key derived from the AK/SK.

use ::p256::ecdsa::signature::{Signer as _, Verifier as _};
use ::p256::ecdsa::{DerSignature, SigningKey};
use ::p256::elliptic_curve::ff::PrimeField;
use ::p256::elliptic_curve::sec1::ToSec1Point;
use ::p256::{FieldBytes, NonZeroScalar, Scalar};
use hmac::Hmac;
use sha2::Sha256;

use super::derive::derive;
use super::Algorithm;

/// The P-256 key the official `P256SHA256Signer` derives for an AK/SK.
#[derive(Clone)]
pub(super) struct P256Key(SigningKey);

impl P256Key {
    /// The official `_derive_key` over HMAC-SHA256 with P-256's order.
    pub(super) fn derive(ak: &str, sk: &str) -> Option<Self> {
        derive::<Hmac<Sha256>, _>(Algorithm::EcdsaP256Sha256.scheme(), ak, sk, |candidate| {
            // Below n (a scalar) and not n - 1 (whose successor is 0): at most n - 2.
            let scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::try_from(candidate).ok()?))?;
            Option::<NonZeroScalar>::from(NonZeroScalar::new(scalar + Scalar::ONE)).map(SigningKey::from)
        })
        .map(P256Key)
    }

    /// The DER `SEQUENCE { r, s }` of an ECDSA-SHA256 signature of `message`, as the official
    /// `P256SigningKey.sign` encodes it; the nonce is RFC 6979's (deterministic), the official
    /// draws it at random: either verifies the same way.
    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: DerSignature = self.0.sign(message);
        signature.as_bytes().to_vec()
    }

    /// Whether `der` is a valid signature of `message` (high and low `s` alike, as the official).
    pub(super) fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        DerSignature::from_bytes(der).is_ok_and(|signature| self.0.verifying_key().verify(message, &signature).is_ok())
    }

    /// The public key, SEC1 uncompressed (`04 || x || y`).
    pub(super) fn public_key(&self) -> Vec<u8> {
        self.0
            .verifying_key()
            .as_affine()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }
}
