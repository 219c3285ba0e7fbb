//! The runtimes: one shared multi-thread runtime for async calls, and for sync calls a
//! current-thread runtime owned by the calling thread.
//!
//! Why two: `block_on` of a multi-thread runtime polls the call's future on the caller's
//! thread while the socket is driven by a worker thread, so every call pays cross-thread
//! wake-ups (futex and eventfd: a third more CPU per call in the raw loop, and a third of
//! the sequential loop's samples in the kernel; bench/README.md). A current-thread runtime
//! driven by the caller does the whole call on one thread. Its connections belong to it
//! (their tasks live on it and run only while this thread drives it), so sync calls use a
//! per-thread connection pool too; see `transport::Http`.

use std::cell::{Cell, RefCell};
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
    static DRIVING: Cell<bool> = const { Cell::new(false) };
}

/// Resets `DRIVING` however `block_on_here` ends, a panic included.
struct Driving;

impl Driving {
    fn start() -> Self {
        DRIVING.with(|d| d.set(true));
        Driving
    }
}

impl Drop for Driving {
    fn drop(&mut self) {
        DRIVING.with(|d| d.set(false));
    }
}

/// True while this thread runs a future in `block_on_here`: its connections must then come
/// from this thread's pool.
pub fn driving_here() -> bool {
    DRIVING.with(Cell::get)
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
        let _driving = Driving::start();
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
    fn driving_here_only_while_this_thread_runs_a_sync_call() {
        assert!(!driving_here());
        assert!(matches!(block_on_here(async { driving_here() }), Ok(true)));
        assert!(!driving_here());
        let other_thread = std::thread::spawn(driving_here).join();
        assert!(matches!(other_thread, Ok(false)));
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
