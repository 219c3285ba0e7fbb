//! The pyo3 layer, `dmskafka._core`: converts Python values to core values and back.
//! It never decides: rules live in the core.

mod asyncio_bridge;
mod call;
mod client;
mod convert;
mod emulator;
mod errors;
mod testhooks;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    client::register(m)?;
    emulator::register(m)?;
    testhooks::register(m)?;
    Ok(())
}
