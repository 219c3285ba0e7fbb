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
use crate::config;
use crate::error::Error;
use crate::runtime;

/// How often a blocked wait looks for a signal (Ctrl-C) to raise.
pub(super) const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Whether this is Python's main thread, the only one signal handlers run on (so the only one
/// whose blocked waits look for them).
pub(super) fn on_main_thread(py: Python<'_>) -> bool {
    static MAIN: PyOnceLock<std::os::raw::c_ulong> = PyOnceLock::new();
    let main = MAIN.get_or_try_init(py, || {
        py.import("threading")?
            .call_method0("main_thread")?
            .getattr("ident")?
            .extract::<std::os::raw::c_ulong>()
    });
    // SAFETY: no preconditions; it returns the calling thread's id (pthread_self and the like).
    let this = unsafe { pyo3::ffi::PyThread_get_thread_ident() };
    main.is_ok_and(|m| *m == this)
}

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

    /// Records the outcome, runs the done-callbacks, then wakes every waiter. Callbacks run
    /// Python code (logs, HTTP handlers that may themselves call the SDK), so they run on the
    /// runtime's blocking pool, never on a worker thread; without callbacks nothing takes the
    /// GIL.
    fn finish(self: &Arc<Self>, outcome: Outcome) {
        let callbacks = {
            let mut st = self.lock();
            if st.outcome.is_some() {
                return;
            }
            st.outcome = Some(outcome);
            std::mem::take(&mut st.callbacks)
        };
        if callbacks.is_empty() {
            self.wake();
            return;
        }
        let shared = self.clone();
        let run = move || {
            // However the callbacks end (a panic at interpreter exit included), waiters wake.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| run_callbacks(callbacks)));
            shared.wake();
        };
        match runtime::runtime() {
            Ok(rt) => drop(rt.spawn_blocking(run)),
            Err(_) => run(),
        }
    }

    fn wake(&self) {
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
        IN_FLIGHT.finished();
    }
}

/// Runs done-callbacks with the GIL; an exception is reported as unraisable, as a
/// `concurrent.futures` callback's is.
fn run_callbacks(callbacks: Vec<Py<PyAny>>) {
    Python::attach(|py| {
        for cb in callbacks {
            if let Err(e) = cb.call0(py) {
                e.write_unraisable(py, Some(cb.bind(py)));
            }
        }
    });
}

/// Calls started and not yet done, so the interpreter's exit can wait for them as the official
/// SDK's executor threads are joined at exit: a call nobody waited for is still made.
struct InFlight {
    count: Mutex<usize>,
    done: Condvar,
}

static IN_FLIGHT: InFlight = InFlight {
    count: Mutex::new(0),
    done: Condvar::new(),
};

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.count.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn started(&self) {
        *self.lock() += 1;
    }

    fn finished(&self) {
        let mut n = self.lock();
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.done.notify_all();
        }
    }
}

/// Waits (GIL released) until every started call is done; registered with `atexit` by the
/// client module. Ctrl-C ends the wait.
#[pyfunction]
pub fn wait_for_calls(py: Python<'_>) -> PyResult<()> {
    py.detach(|| loop {
        let n = IN_FLIGHT.lock();
        if *n == 0 {
            return Ok(());
        }
        let (n, _) = IN_FLIGHT
            .done
            .wait_timeout(n, SIGNAL_CHECK)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *n == 0 {
            return Ok(());
        }
        drop(n);
        Python::attach(|py| py.check_signals())?;
    })
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
    IN_FLIGHT.started();
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
        let deadline = config::wait_limit(timeout)
            .map_err(errors::to_py)?
            .and_then(|limit| Instant::now().checked_add(limit));
        let main = on_main_thread(py);
        py.detach(|| loop {
            let st = self.shared.lock();
            if st.ready {
                return Ok(true);
            }
            let left = match deadline {
                None => Duration::MAX,
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return Ok(false),
                },
            };
            let slice = if main { left.min(SIGNAL_CHECK) } else { left };
            let (st, _) = self
                .shared
                .ready
                .wait_timeout(st, slice)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if st.ready {
                return Ok(true);
            }
            drop(st);
            if main {
                Python::attach(|py| py.check_signals())?;
            }
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
    /// outcome; an exception it raises is reported as unraisable, wherever it runs.
    fn add_done_callback(&self, callback: Py<PyAny>) {
        {
            let mut st = self.shared.lock();
            if st.outcome.is_none() {
                st.callbacks.push(callback);
                return;
            }
        }
        run_callbacks(vec![callback]);
    }
}
