//! CanonicalRequest::new, canonical_uri/query and sign on a request decoded with `arbitrary`.
//! The properties live in tests/fuzz_checks/, shared with the corpus test tests/fuzz_corpus.rs.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::canonical_request(data));
