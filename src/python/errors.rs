//! The one mapping from core errors to the Python exceptions of `dmskafka.exceptions`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

use crate::error::Error;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let module = EXCEPTIONS.get_or_try_init(py, || py.import("dmskafka.exceptions").map(Bound::unbind))?;
    module.bind(py).getattr(name)
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let simple = |name: &str, msg: String| -> PyResult<PyErr> {
        let exc = class(py, name)?.call1((msg,))?;
        if err.outcome_unknown() {
            exc.setattr("outcome_unknown", true)?;
        }
        Ok(PyErr::from_value(exc))
    };
    match err {
        Error::Validation { field, rule } => Ok(PyErr::from_value(
            class(py, "ValidationException")?.call1((*field, rule.as_str()))?,
        )),
        Error::Config(msg) => Ok(pyo3::exceptions::PyValueError::new_err(msg.clone())),
        Error::HostUnreachable { message } => simple("HostUnreachableException", message.clone()),
        Error::SslHandshake { message } => simple("SslHandShakeException", message.clone()),
        Error::Connection { message, .. } => simple("ConnectionException", message.clone()),
        Error::ConnectTimeout { message } => simple("RequestTimeoutException", message.clone()),
        Error::ReadTimeout { message } => simple("CallTimeoutException", message.clone()),
        Error::TooManyRedirects { message } => simple("RetryOutageException", message.clone()),
        Error::Service {
            status,
            error,
            response,
        } => {
            let sdk_error = class(py, "SdkError")?.call1((
                error.request_id.as_deref(),
                error.error_code.as_deref(),
                error.error_msg.as_deref(),
                error.encoded_auth_msg.as_deref(),
            ))?;
            let name = match status {
                400..=499 => "ClientRequestException",
                500.. => "ServerResponseException",
                _ => "ServiceResponseException",
            };
            let exc = class(py, name)?.call1((*status, sdk_error))?;
            if let Some(response) = response {
                // What logs and HTTP handlers show of an answered call that failed.
                let exchange = Bound::new(py, super::client::CoreResponse::from((**response).clone()))?;
                exc.setattr(pyo3::intern!(py, "_exchange"), exchange)?;
            }
            Ok(PyErr::from_value(exc))
        }
        Error::InvalidResponse {
            status,
            request_id,
            message,
        } => {
            let sdk_error =
                class(py, "SdkError")?.call1((request_id.as_deref(), "SDK.InvalidResponse", message.as_str()))?;
            Ok(PyErr::from_value(
                class(py, "ServerResponseException")?.call1((*status, sdk_error))?,
            ))
        }
        Error::Sdk(msg) => simple("SdkException", msg.clone()),
    }
}

/// Converts a core error; if even that fails, a RuntimeError says why (never a panic).
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| PyRuntimeError::new_err(format!("{err} (and {e})"))))
}

/// A panic caught at the boundary becomes an SdkException naming the internal failure.
pub fn panic_to_py(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    to_py(panic_error(payload))
}

/// The error a caught panic is reported as.
pub fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Error::Sdk(format!("internal error in dmskafka (please report it): {what}"))
}
