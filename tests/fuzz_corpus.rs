//! The cargo-fuzz corpus as regression tests: every file under `fuzz/corpus/<target>/` is run
//! through the same property check as the fuzz target `<target>` (tests/fuzz_checks/), so an
//! input once found by fuzzing (or seeded there) keeps being checked by plain `cargo test`.
//! See fuzz/README.md for how the corpus is grown and minimized.

// Test code: a missing corpus or a broken property should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod fuzz_checks;

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every corpus file of `target`; reports all failing files, not only the first.
fn replay(target: &str) {
    let files = corpus_files(target);
    assert!(!files.is_empty(), "the corpus of {target} is empty");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let data = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            catch_unwind(AssertUnwindSafe(|| fuzz_checks::run(target, &data)))
                .err()
                .map(|_| format!("{} ({} bytes)", path.display(), data.len()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{target}: {} of {} corpus inputs fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn error_body_corpus() {
    replay("error_body");
}

#[test]
fn response_body_corpus() {
    replay("response_body");
}

#[test]
fn canonical_request_corpus() {
    replay("canonical_request");
}

#[test]
fn authorization_header_corpus() {
    replay("authorization_header");
}

/// The corpus folders and the fuzz target files are exactly `fuzz_checks::TARGETS`, each of
/// which has a test above: a target added without a corpus or a test fails here.
#[test]
fn corpus_folders_and_targets_match() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let names = |dir: &str, suffix: &str| {
        let mut v: Vec<String> = fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(suffix)
                    .to_owned()
            })
            .collect();
        v.sort();
        v
    };
    let mut targets: Vec<String> = fuzz_checks::TARGETS.iter().map(|t| (*t).to_owned()).collect();
    targets.sort();
    assert_eq!(names("corpus", ""), targets, "fuzz/corpus/ folders");
    assert_eq!(names("fuzz_targets", ".rs"), targets, "fuzz/fuzz_targets/ files");
}
