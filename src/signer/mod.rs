//! Request signing exactly as the official Huawei Cloud SDK signer does, with each of its
//! algorithms: SDK-HMAC-SHA256, SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3.
//!
//! Each stage is a type whose `Display` is the exact text of that stage, so vectors
//! can check every stage on its own. Nothing here reads the clock: the caller passes
//! the `X-Sdk-Date` value.

mod algorithm;
mod canonical;
mod derive;
mod ecdsa;
mod key;
mod sign;
mod sm2;

pub use algorithm::Algorithm;
#[cfg(feature = "emulator")]
pub(crate) use canonical::HeaderDict;
pub use canonical::{canonical_query, canonical_uri, header_value, CanonicalRequest, SignedHeaders};
pub use key::Key;
pub use sign::{Authorization, Signer, SigningInput, StringToSign};

/// Header carrying the signing time, `%Y%m%dT%H%M%SZ`.
pub const HEADER_SDK_DATE: &str = "X-Sdk-Date";
/// Header that, when present, replaces the payload hash (unsigned payloads); the SM3
/// algorithms read `HEADER_CONTENT_SM3` instead (`Algorithm::content_hash_header`).
pub const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";
pub const HEADER_CONTENT_SM3: &str = "X-Sdk-Content-Sm3";

/// Formats a UTC time the way `X-Sdk-Date` carries it.
pub fn format_sdk_date(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an `X-Sdk-Date` value; `None` when it is not of that exact form.
pub fn parse_sdk_date(s: &str) -> Option<time::OffsetDateTime> {
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s, &fmt).ok().map(|t| t.assume_utc())
}
