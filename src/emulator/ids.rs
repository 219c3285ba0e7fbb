//! Random v4 UUIDs (request, job and connector ids) from the thread's cached CSPRNG.
//!
//! `Uuid::new_v4` asks the OS for 16 bytes on every call (a `getrandom` syscall); the
//! thread-local generator is seeded from the OS once and reseeds itself, so ids stay
//! unpredictable at a fraction of the cost.

use rand::Rng;
use uuid::Uuid;

/// A random (v4) UUID.
pub fn new_v4() -> Uuid {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_4_and_distinct() {
        let (a, b) = (new_v4(), new_v4());
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }
}
