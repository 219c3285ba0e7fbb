//! Hands results of futures on the shared runtime to asyncio without the runtime's threads
//! ever taking the GIL.
//!
//! pyo3-async-runtimes' `future_into_py` sets each result from a blocking-pool thread that
//! takes the GIL and calls `call_soon_threadsafe`: per call, a thread hand-off, a fight for
//! the GIL with the event loop and a self-pipe write (bench/README.md measured it). Here a
//! finished call is queued, and only the first call queued since the loop last looked writes
//! one byte to a socket the loop watches (`add_reader`); the loop then sets every queued
//! result in one callback, on its own thread, holding the GIL it already has.
//!
//! One bridge per event loop, kept in a `WeakKeyDictionary` keyed by the loop, so it goes
//! (and its sockets close) with the loop. Loops without `add_reader` (Windows' proactor) or
//! weak references, and platforms without Unix sockets, get `None` from `for_running_loop`;
//! the caller then takes the portable path, `portable_future` (pyo3-async-runtimes).

use std::future::Future;
use std::mem;
use std::sync::{Arc, Mutex, Once};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::runtime;

#[cfg(not(unix))]
use portable_wake as wake;
#[cfg(unix)]
use unix_wake as wake;

/// The socket pair a bridge wakes its loop with.
#[cfg(unix)]
mod unix_wake {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    pub struct Wake {
        tx: UnixStream,
        rx: UnixStream,
    }

    impl Wake {
        pub fn new() -> Option<Self> {
            let (tx, rx) = UnixStream::pair().ok()?;
            (tx.set_nonblocking(true).is_ok() && rx.set_nonblocking(true).is_ok()).then_some(Wake { tx, rx })
        }

        /// What the loop's `add_reader` watches.
        pub fn fd(&self) -> i64 {
            self.rx.as_raw_fd().into()
        }

        pub fn send(&self) {
            // Full or closed (the loop is gone): nobody is left to wake, or a byte is pending.
            let _ = (&self.tx).write(&[1]);
        }

        pub fn drain(&self) {
            let mut sink = [0u8; 256];
            while matches!((&self.rx).read(&mut sink), Ok(n) if n > 0) {}
        }
    }
}

/// No Unix sockets: no bridge, every loop takes the portable path. Compiled by the tests on
/// every platform, so the Windows build's variant is type-checked on Linux too.
#[cfg(any(not(unix), test))]
#[cfg_attr(unix, allow(dead_code))]
mod portable_wake {
    pub enum Wake {}

    impl Wake {
        pub fn new() -> Option<Self> {
            None
        }

        pub fn fd(&self) -> i64 {
            match *self {}
        }

        pub fn send(&self) {
            match *self {}
        }

        pub fn drain(&self) {
            match *self {}
        }
    }
}

/// Sets one asyncio future's outcome; runs on the loop's thread with the GIL.
type Deliver = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

struct Queue {
    done: Vec<(Py<PyAny>, Deliver)>,
    /// A byte is on its way to the loop: later completions need not send another.
    woken: bool,
}

pub struct Bridge {
    queue: Mutex<Queue>,
    wake: wake::Wake,
}

impl Bridge {
    /// Queues a finished call; from any thread, without the GIL.
    pub fn complete(&self, py_future: Py<PyAny>, deliver: Deliver) {
        let send_wake = match self.queue.lock() {
            Ok(mut q) => {
                q.done.push((py_future, deliver));
                !mem::replace(&mut q.woken, true)
            }
            // A panic while holding this lock is impossible (push and replace do not panic).
            Err(_) => false,
        };
        if send_wake {
            self.wake.send();
        }
    }
}

/// The loop's reader callback: sets every queued result.
#[pyclass(frozen, module = "dmskafka._core")]
struct Drain(Arc<Bridge>);

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        // Empty the socket first, then take the queue and reset `woken`: a completion queued
        // after the take sends a byte of its own. (The other order could swallow that byte
        // and leave its result queued with nobody woken.)
        self.0.wake.drain();
        let done = match self.0.queue.lock() {
            Ok(mut q) => {
                q.woken = false;
                mem::take(&mut q.done)
            }
            Err(_) => Vec::new(),
        };
        for (future, deliver) in done {
            let future = future.bind(py);
            let outcome = deliver(py);
            // A cancelled future refuses a result (InvalidStateError): nobody waits for it.
            let _ = match outcome {
                Ok(value) => future.call_method1(pyo3::intern!(py, "set_result"), (value,)),
                Err(err) => future.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),)),
            };
        }
    }
}

/// Done callback of each asyncio future: aborting a finished task does nothing, so it only
/// matters when the future was cancelled, and then it drops (cancels) the Rust call.
#[pyclass(frozen, module = "dmskafka._core")]
pub struct AbortOnDone(pub tokio::task::AbortHandle);

#[pymethods]
impl AbortOnDone {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.abort();
    }
}

/// `asyncio.get_running_loop` and the loop -> `Drain` WeakKeyDictionary (a plain dict would
/// keep every loop alive), looked up once.
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static BRIDGES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A new bridge whose socket the loop watches; `None` when the loop cannot watch one.
fn new_bridge<'py>(event_loop: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, Drain>>> {
    let Some(wake) = wake::Wake::new() else {
        return Ok(None);
    };
    let fd = wake.fd();
    let queue = Mutex::new(Queue {
        done: Vec::new(),
        woken: false,
    });
    let drain = Bound::new(event_loop.py(), Drain(Arc::new(Bridge { queue, wake })))?;
    // NotImplementedError on loops that cannot watch a socket (e.g. Windows' proactor).
    if event_loop
        .call_method1(pyo3::intern!(event_loop.py(), "add_reader"), (fd, &drain))
        .is_err()
    {
        return Ok(None);
    }
    Ok(Some(drain))
}

/// The running event loop and its bridge, made on first use; the bridge is `None` when this
/// loop cannot have one. Errors only when no loop is running.
pub fn for_running_loop(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Option<Arc<Bridge>>)> {
    let get_loop = GET_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("asyncio")?.getattr("get_running_loop").map(Bound::unbind)
    })?;
    let event_loop = get_loop.bind(py).call0()?;
    let bridges = BRIDGES.get_or_try_init(py, || {
        py.import("weakref")?
            .getattr("WeakKeyDictionary")?
            .call0()
            .map(Bound::unbind)
    })?;
    let bridges = bridges.bind(py);
    if let Ok(found) = bridges.call_method1(pyo3::intern!(py, "get"), (&event_loop,)) {
        if let Ok(drain) = found.cast::<Drain>() {
            return Ok((event_loop, Some(drain.get().0.clone())));
        }
    }
    let Some(drain) = new_bridge(&event_loop)? else {
        return Ok((event_loop, None));
    };
    let bridge = drain.get().0.clone();
    // A loop that cannot be weakly referenced cannot be a key: stop watching, fall back.
    if bridges.set_item(&event_loop, &drain).is_err() {
        let _ = event_loop.call_method1("remove_reader", (bridge.wake.fd(),));
        return Ok((event_loop, None));
    }
    Ok((event_loop, Some(bridge)))
}

static PORTABLE_INIT: Once = Once::new();

/// An asyncio future of the running loop that gets `None` when `fut` (on the shared runtime)
/// ends; the result is handed over with `call_soon_threadsafe`, which every loop has.
pub fn portable_future<'py>(
    py: Python<'py>,
    fut: impl Future<Output = ()> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>> {
    let rt = runtime::runtime().map_err(super::errors::to_py)?;
    PORTABLE_INIT.call_once(|| {
        // Fails only if already set, which Once rules out.
        let _ = pyo3_async_runtimes::tokio::init_with_runtime(rt);
    });
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        fut.await;
        Ok(None::<()>)
    })
}
