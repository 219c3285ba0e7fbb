//! The official signer's `_derive_key`: the ECDSA and SM2 private keys come from the AK/SK.

use hmac::digest::KeyInit;
use hmac::Mac;

/// Candidates tried, as the official `for counter in range(0xff)`.
const COUNTERS: std::ops::Range<u8> = 0..0xff;

/// The official `_derive_key`: for each counter, the candidate
/// `HMAC(SK, 00000001 || scheme || 00 || AK || counter || 00000100)` (the HMAC over the
/// algorithm's hash: SHA-256 for ECDSA, SM3 for SM2). `accept` reads a candidate as the
/// official does (big-endian, taken when at most n - 2, the key then being candidate + 1) and
/// gives the key; the first accepted one is returned, `None` when no counter gives one.
pub(super) fn derive<M, K>(scheme: &str, ak: &str, sk: &str, mut accept: impl FnMut(&[u8]) -> Option<K>) -> Option<K>
where
    M: Mac + KeyInit + Clone,
{
    // HMAC takes a key of any length, so this never fails.
    let keyed = <M as KeyInit>::new_from_slice(sk.as_bytes()).ok()?;
    COUNTERS.into_iter().find_map(|counter| {
        let mut mac = keyed.clone();
        mac.update(&[0, 0, 0, 1]);
        mac.update(scheme.as_bytes());
        mac.update(&[0]);
        mac.update(ak.as_bytes());
        mac.update(&[counter]);
        mac.update(&[0, 0, 1, 0]);
        accept(&mac.finalize().into_bytes())
    })
}

#[cfg(test)]
mod tests {
    //! The counter loop checked against the official `_derive_key` run with a smaller bound
    //! than n - 2 (tests/vectors/derived-keys.json, `bounded`), so counters past 0 are taken;
    //! with the real bound that happens about once in 2^32 keys.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use hmac::Hmac;
    use sha2::Sha256;
    use sm3::Sm3;

    use crate::signer::Algorithm;

    #[derive(serde::Deserialize)]
    struct Bounded {
        algorithm: String,
        ak: String,
        sk: String,
        n_minus_two: String,
        private_key: Option<String>,
    }

    #[derive(serde::Deserialize)]
    struct Vectors {
        bounded: Vec<Bounded>,
    }

    /// `candidate <= bound`, then `candidate + 1`: the official rule, for any bound.
    fn bounded(bound: &[u8]) -> impl FnMut(&[u8]) -> Option<Vec<u8>> + '_ {
        move |candidate| {
            (candidate <= bound).then(|| {
                let mut key = candidate.to_vec();
                for byte in key.iter_mut().rev() {
                    let (sum, carry) = byte.overflowing_add(1);
                    *byte = sum;
                    if !carry {
                        break;
                    }
                }
                key
            })
        }
    }

    #[test]
    fn counter_loop_matches_the_official_derive_key() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/derived-keys.json");
        let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(vectors.bounded.len() >= 4);
        for v in &vectors.bounded {
            let algorithm = Algorithm::from_option_name(&v.algorithm).unwrap();
            let bound = hex::decode(&v.n_minus_two).unwrap();
            let scheme = algorithm.scheme();
            let got = match algorithm {
                Algorithm::EcdsaP256Sha256 => derive::<Hmac<Sha256>, _>(scheme, &v.ak, &v.sk, bounded(&bound)),
                Algorithm::Sm2Sm3 => derive::<Hmac<Sm3>, _>(scheme, &v.ak, &v.sk, bounded(&bound)),
                other => panic!("{other} derives no key"),
            };
            assert_eq!(
                got.map(hex::encode),
                v.private_key,
                "{} {} bound {}",
                v.algorithm,
                v.ak,
                v.n_minus_two
            );
        }
    }
}
