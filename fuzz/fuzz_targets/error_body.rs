//! parse_error_body: the first two input bytes are the status, the rest the body.
//! The properties live in tests/fuzz_checks/, shared with the corpus test tests/fuzz_corpus.rs.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::error_body(data));
