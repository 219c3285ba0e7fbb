//! The shared multi-thread runtime that async calls run on, and `block_on_here` for sync work
//! that belongs to no client yet (the project id lookup of `build()`).
//!
//! Sync calls of a client do not use either: they block on a current-thread runtime of that
//! client's own for the calling thread (`transport::Http::block_on`). `block_on` of a
//! multi-thread runtime polls the call's future on the caller's thread while the socket is
//! driven by a worker thread, so every call pays cross-thread wake-ups (futex and eventfd: a
//! third more CPU per call in the raw loop; bench/README.md); a current-thread runtime driven by
//! the caller does the whole call on one thread.

use std::cell::RefCell;
use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::Error;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared multi-thread runtime: async calls run on it.
pub fn runtime() -> Result<&'static Runtime, Error> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .thread_name("dmskafka-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Sdk(format!("cannot start the I/O runtime: {e}")))
}

/// This thread's current-thread runtime, built on its first sync call.
struct ThreadRuntime(Option<Runtime>);

impl Drop for ThreadRuntime {
    fn drop(&mut self) {
        // At thread exit: do not wait for a blocking DNS lookup still running.
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

thread_local! {
    static THREAD_RUNTIME: RefCell<ThreadRuntime> = const { RefCell::new(ThreadRuntime(None)) };
}

/// Runs `fut` to completion on this thread's own current-thread runtime.
///
/// Not from inside a runtime (as any `block_on`): the pyo3 layer calls it with the GIL
/// released from plain Python threads.
pub fn block_on_here<F: Future>(fut: F) -> Result<F::Output, Error> {
    THREAD_RUNTIME.with(|cell| {
        let mut slot = cell
            .try_borrow_mut()
            .map_err(|_| Error::Sdk("a sync call cannot run inside another sync call on the same thread".to_owned()))?;
        if slot.0.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Sdk(format!("cannot start the I/O runtime: {e}")))?;
            slot.0 = Some(rt);
        }
        let rt = slot
            .0
            .as_ref()
            .ok_or_else(|| Error::Sdk("the I/O runtime is gone".to_owned()))?;
        Ok(rt.block_on(fut))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_call_inside_a_sync_call_is_an_error_not_a_panic() {
        let outer = block_on_here(async { block_on_here(async { 1 }).is_err() });
        assert!(matches!(outer, Ok(true)));
    }

    #[test]
    fn each_thread_keeps_its_runtime_across_calls() {
        let on_this_thread = || block_on_here(async { tokio::runtime::Handle::current().runtime_flavor() });
        for _ in 0..3 {
            assert!(matches!(
                on_this_thread(),
                Ok(tokio::runtime::RuntimeFlavor::CurrentThread)
            ));
        }
        let joined = std::thread::spawn(move || block_on_here(async { 7 }).ok()).join();
        assert!(matches!(joined, Ok(Some(7))));
    }
}
