//! Authorization::parse on any header value, and its print/parse round trip.
//! The properties live in tests/fuzz_checks/, shared with the corpus test tests/fuzz_corpus.rs.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::authorization_header(data));
