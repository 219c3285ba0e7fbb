//! SDK-SM2-SM3: SM2 signatures with the default user id, the key derived from the AK/SK.

use ::sm2::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use ::sm2::dsa::{Signature, SigningKey};
use ::sm2::elliptic_curve::ff::PrimeField;
use ::sm2::elliptic_curve::point::AffineCoordinates;
use ::sm2::elliptic_curve::sec1::ToSec1Point;
use ::sm2::{AffinePoint, FieldBytes, NonZeroScalar, Scalar, Sm2};
use hmac::Hmac;
use primeorder::PrimeCurveParams;
use sha2::Digest;
use sm3::Sm3;

use super::derive::derive;
use super::Algorithm;

/// The official default user id (`SM2SigningKey._za`'s `uid`).
const USER_ID: &str = "1234567812345678";

/// The SM2 key the official `SM2SM3Signer` derives for an AK/SK, with its `ZA` as the official
/// computes it.
#[derive(Clone)]
pub(super) struct Sm2Key {
    key: SigningKey,
    za: [u8; 32],
}

impl Sm2Key {
    /// The official `_derive_key` over HMAC-SM3 with SM2's order.
    pub(super) fn derive(ak: &str, sk: &str) -> Option<Self> {
        derive::<Hmac<Sm3>, _>(Algorithm::Sm2Sm3.scheme(), ak, sk, |candidate| {
            // Below n (a scalar) and not n - 1 (whose successor is 0): at most n - 2.
            let scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::try_from(candidate).ok()?))?;
            let secret = Option::<NonZeroScalar>::from(NonZeroScalar::new(scalar + Scalar::ONE))?;
            SigningKey::from_nonzero_scalar(USER_ID, secret).ok()
        })
        .map(|key| {
            let za = za(key.verifying_key().as_affine());
            Sm2Key { key, za }
        })
    }

    /// `e = SM3(ZA || message)`, the digest SM2 signs.
    fn digest(&self, message: &[u8]) -> sm3::digest::Output<Sm3> {
        Sm3::new_with_prefix(self.za).chain_update(message).finalize()
    }

    /// The DER `SEQUENCE { r, s }` of the SM2 signature of `message`, as the official
    /// `SM2SigningKey.sign` encodes it; the nonce is RFC 6979's (deterministic), the official
    /// draws it at random. `None` if no valid signature came of that nonce (r = 0, r + k = n or
    /// s = 0: probability about 2^-255).
    pub(super) fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let signature: Signature = self.key.sign_prehash(&self.digest(message)).ok()?;
        Some(signature.to_der().as_bytes().to_vec())
    }

    pub(super) fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        Signature::from_der(der).is_ok_and(|signature| {
            self.key
                .verifying_key()
                .verify_prehash(&self.digest(message), &signature)
                .is_ok()
        })
    }

    /// The public key, SEC1 uncompressed (`04 || x || y`).
    pub(super) fn public_key(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .as_affine()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }
}

/// `ZA = SM3(ENTLA || ID || a || b || xG || yG || xA || yA)` as the official `_za` computes it:
/// each number as its shortest big-endian bytes (`_int_to_bytes`). GB/T 32918 writes every
/// coordinate in 32 bytes, so the two differ for the keys whose x or y has a leading zero byte
/// (about 1 in 128); signatures must verify with the official code, so this follows it.
fn za(public: &AffinePoint) -> [u8; 32] {
    fn shortest(bytes: &[u8]) -> &[u8] {
        let zeros = bytes.iter().take_while(|b| **b == 0).count();
        bytes.get(zeros..).unwrap_or_default()
    }
    let entla = u16::try_from(USER_ID.len() * 8).unwrap_or_default();
    let mut hash = Sm3::new();
    hash.update(entla.to_be_bytes());
    hash.update(USER_ID);
    for number in [
        Sm2::EQUATION_A.to_repr(),
        Sm2::EQUATION_B.to_repr(),
        Sm2::GENERATOR.0.to_repr(),
        Sm2::GENERATOR.1.to_repr(),
        public.x(),
        public.y(),
    ] {
        hash.update(shortest(&number));
    }
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use ::sm2::dsa::signature::Verifier as _;

    /// For a key whose coordinates need all 32 bytes, the official ZA is the standard one:
    /// the sm2 crate's own verifier (standard ZA, the same user id) accepts our signature.
    #[test]
    fn za_is_the_standard_one_for_full_length_coordinates() {
        let key = Sm2Key::derive("TESTAKNOTREAL000000", "test-secret-key-not-real").expect("a key");
        let point = key.key.verifying_key().as_affine();
        let leading = |c: FieldBytes| c.first().copied();
        assert!(
            leading(point.x()) != Some(0) && leading(point.y()) != Some(0),
            "pick another AK"
        );
        let message = b"SDK-SM2-SM3\n20240318T081530Z\nabc";
        let der = key.sign(message).expect("a signature");
        assert!(key.verify(message, &der));
        let signature = Signature::from_der(&der).unwrap();
        assert!(key.key.verifying_key().verify(message, &signature).is_ok());
        assert!(!key.verify(b"another message", &der));
    }
}
