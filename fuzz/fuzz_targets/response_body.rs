//! The create-connector response parse and RawResponse::require_json_object on a 200 body.
//! The properties live in tests/fuzz_checks/, shared with the corpus test tests/fuzz_corpus.rs.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::response_body(data));
