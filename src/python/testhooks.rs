//! Test-only hooks: provoke failures that a correct library never has, to prove that the
//! boundary still holds (tests/test_hostile.py). Private (`_core._test_*`), never documented
//! as API.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::call;
use super::client::{block_on_unbound, CoreResponse};
use crate::error::Error;

/// Panics inside the guarded sync path (`where_="sync"`: in a future driven by `block_on`)
/// or inside an async call (`"async"`: in a future started by `call::start` on a runtime
/// worker; returned as a `FutureSdkResponse` to await).
/// `detail`'s repr goes into the panic message, so a test can check what a panic message
/// would show of, say, a client.
#[pyfunction]
#[pyo3(signature = (where_, detail=None))]
// The point of this hook is a real panic where the library must catch it.
#[allow(clippy::panic)]
fn _test_panic<'py>(py: Python<'py>, where_: &str, detail: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let shown = match detail {
        Some(d) => d.repr()?.to_string(),
        None => String::new(),
    };
    let message = format!("dmskafka test panic ({where_}) {shown}");
    let boom = move || -> Result<CoreResponse, Error> { panic!("{message}") };
    match where_ {
        "sync" => block_on_unbound(py, async move { boom() }).map(|_| py.None().into_bound(py)),
        "async" => {
            let started = call::start(async move { boom() })?;
            py.import("dmskafka.client")?
                .getattr("FutureSdkResponse")?
                .call1((started,))
        }
        other => Err(PyValueError::new_err(format!(
            "where_ must be 'sync' or 'async', not {other:?}"
        ))),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    Ok(())
}
