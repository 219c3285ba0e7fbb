//! `CoreCall`: a handle on one call started on the shared runtime the moment an `*_async`
//! method returns, as the official SDK submits its request to an executor then.
//!
//! Waiting never starts the call again: `.result(timeout)` blocks on it (GIL released,
//! Ctrl-C checked), `await` gets an asyncio future that completes when it does — as often as
//! asked, from any thread or event loop. Done-callbacks (logs, HTTP handlers) run once, on the
//! thread that finishes the call, before any waiter sees the outcome.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use super::asyncio_bridge::{self, AbortOnDone, Bridge};
use super::client::CoreResponse;
use super::errors;
use crate::error::Error;
use crate::runtime;

/// How often a blocked wait looks for a signal (Ctrl-C) to raise.
pub(super) const SIGNAL_CHECK: Duration = Duration::from_millis(100);

#[derive(Clone)]
enum Outcome {
    Done(CoreResponse),
    Failed(Error),
    /// The call was aborted (its awaiting asyncio task was cancelled).
    Cancelled,
}

#[derive(Default)]
struct State {
    outcome: Option<Outcome>,
    /// Set once the done-callbacks have run: waiters see the outcome from then on.
    ready: bool,
    callbacks: Vec<Py<PyAny>>,
    awaiting: Vec<(Arc<Bridge>, Py<PyAny>)>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    ready: Condvar,
    ready_async: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding this lock; recover the state if it ever did.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records the outcome, runs the done-callbacks, then wakes every waiter.
    fn finish(&self, outcome: Outcome) {
        let callbacks = {
            let mut st = self.lock();
            if st.outcome.is_some() {
                return;
            }
            st.outcome = Some(outcome);
            std::mem::take(&mut st.callbacks)
        };
        if !callbacks.is_empty() {
            Python::attach(|py| {
                for cb in callbacks {
                    if let Err(e) = cb.call0(py) {
                        e.write_unraisable(py, Some(cb.bind(py)));
                    }
                }
            });
        }
        let awaiting = {
            let mut st = self.lock();
            st.ready = true;
            std::mem::take(&mut st.awaiting)
        };
        for (bridge, py_future) in awaiting {
            bridge.complete(py_future, Box::new(|py| Ok(py.None())));
        }
        self.ready.notify_all();
        self.ready_async.notify_waiters();
    }
}

/// Finishes the call as cancelled if its task is dropped before it finished (aborted, or the
/// runtime shut down), so no waiter waits forever.
struct FinishOnDrop(Arc<Shared>);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish(Outcome::Cancelled);
    }
}

#[pyclass(frozen, module = "dmskafka._core")]
pub struct CoreCall {
    shared: Arc<Shared>,
    abort: tokio::task::AbortHandle,
}

/// Starts `fut` on the shared runtime now; a panic inside becomes an SdkException.
pub(super) fn start<F>(fut: F) -> PyResult<CoreCall>
where
    F: Future<Output = Result<CoreResponse, Error>> + Send + 'static,
{
    let rt = runtime::runtime().map_err(errors::to_py)?;
    let shared = Arc::new(Shared::default());
    let guard = FinishOnDrop(shared.clone());
    let task = rt.spawn(async move {
        let outcome = match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(Ok(response)) => Outcome::Done(response),
            Ok(Err(e)) => Outcome::Failed(e),
            Err(payload) => Outcome::Failed(errors::panic_error(payload)),
        };
        guard.0.finish(outcome);
    });
    Ok(CoreCall {
        shared,
        abort: task.abort_handle(),
    })
}

/// `concurrent.futures.CancelledError`, what `.result()` of a cancelled call raises.
fn cancelled_error(py: Python<'_>) -> PyErr {
    static CANCELLED: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    match CANCELLED.get_or_try_init(py, || {
        py.import("concurrent.futures")?
            .getattr("CancelledError")
            .map(Bound::unbind)
    }) {
        Ok(class) => match class.bind(py).call1(("the call was cancelled",)) {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        },
        Err(e) => e,
    }
}

#[pymethods]
impl CoreCall {
    /// Whether the outcome is there for waiters.
    fn done(&self) -> bool {
        self.shared.lock().ready
    }

    /// Blocks until the call is done or `timeout` seconds pass (`None`: no limit), with the
    /// GIL released; True when done. A signal handler's exception (KeyboardInterrupt) is
    /// raised within `SIGNAL_CHECK`; the call goes on.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let deadline = match timeout {
            None => None,
            Some(t) if t.is_finite() && t >= 0.0 => Instant::now().checked_add(Duration::from_secs_f64(t.min(1e9))),
            Some(t) if t.is_infinite() && t > 0.0 => None,
            Some(t) => {
                return Err(errors::to_py(Error::validation(
                    "timeout",
                    format!("must be a number of seconds >= 0 or None; got {t}"),
                )))
            }
        };
        py.detach(|| loop {
            let st = self.shared.lock();
            if st.ready {
                return Ok(true);
            }
            let slice = match deadline {
                None => SIGNAL_CHECK,
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(SIGNAL_CHECK),
                    _ => return Ok(false),
                },
            };
            let (st, _) = self
                .shared
                .ready
                .wait_timeout(st, slice)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if st.ready {
                return Ok(true);
            }
            drop(st);
            Python::attach(|py| py.check_signals())?;
        })
    }

    /// The response, or raises the call's exception; only once `done()`.
    fn outcome(&self, py: Python<'_>) -> PyResult<CoreResponse> {
        let outcome = self.shared.lock().outcome.clone();
        match outcome {
            Some(Outcome::Done(response)) => Ok(response),
            Some(Outcome::Failed(e)) => Err(errors::to_py(e)),
            Some(Outcome::Cancelled) => Err(cancelled_error(py)),
            None => Err(pyo3::exceptions::PyRuntimeError::new_err("the call is not done")),
        }
    }

    /// An asyncio future of the running loop that gets `None` once the call is done;
    /// cancelling it cancels the call.
    fn asyncio_future<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (event_loop, bridge) = asyncio_bridge::for_running_loop(py)?;
        let py_future = match bridge {
            Some(bridge) => {
                let py_future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
                let mut st = self.shared.lock();
                if st.ready {
                    drop(st);
                    py_future.call_method1(pyo3::intern!(py, "set_result"), (py.None(),))?;
                } else {
                    st.awaiting.push((bridge, py_future.clone().unbind()));
                }
                py_future
            }
            // Loops that cannot watch a socket (Windows' proactor): pyo3-async-runtimes hands
            // the wake-up over with `call_soon_threadsafe`.
            None => {
                let shared = self.shared.clone();
                asyncio_bridge::portable_future(py, async move {
                    let notified = shared.ready_async.notified();
                    if !shared.lock().ready {
                        notified.await;
                    }
                })?
            }
        };
        let abort = AbortOnDone(self.abort.clone());
        py_future.call_method1(pyo3::intern!(py, "add_done_callback"), (abort,))?;
        Ok(py_future)
    }

    /// Runs `callback()` once the call is done (now, if it is), before waiters see the
    /// outcome; on the thread that finishes the call, with the GIL.
    fn add_done_callback(&self, py: Python<'_>, callback: Py<PyAny>) -> PyResult<()> {
        {
            let mut st = self.shared.lock();
            if st.outcome.is_none() {
                st.callbacks.push(callback);
                return Ok(());
            }
        }
        callback.call0(py).map(drop)
    }

    /// Aborts the call: its connection is dropped and waiters get CancelledError.
    fn cancel(&self) {
        self.abort.abort();
    }
}
