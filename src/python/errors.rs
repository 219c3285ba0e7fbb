//! The one mapping from core errors to the Python exceptions of `dmskafka.exceptions`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyModule};
use pyo3::IntoPyObjectExt;

use crate::client::RawResponse;
use crate::error::{Error, JsonValue};

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
        Error::ApiValue(msg) => Ok(PyErr::from_value(class(py, "ApiValueError")?.call1((msg.as_str(),))?)),
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
            // The values the core read, in their JSON types, as the official attributes hold them.
            let sdk_error = class(py, "SdkError")?.call1((
                error.request_id.as_deref(),
                optional(py, error.error_code_value())?,
                optional(py, error.error_msg_value())?,
                optional(py, error.encoded_auth_msg_value())?,
            ))?;
            let name = match status {
                400..=499 => "ClientRequestException",
                500.. => "ServerResponseException",
                _ => "ServiceResponseException",
            };
            let exc = class(py, name)?.call1((*status, sdk_error))?;
            with_exchange(py, exc, response.as_deref())
        }
        Error::InvalidResponse {
            status,
            request_id,
            message,
            response,
        } => {
            let sdk_error =
                class(py, "SdkError")?.call1((request_id.as_deref(), "SDK.InvalidResponse", message.as_str()))?;
            let exc = class(py, "ServerResponseException")?.call1((*status, sdk_error))?;
            with_exchange(py, exc, response.as_deref())
        }
        Error::Sdk(msg) => simple("SdkException", msg.clone()),
    }
}

/// A JSON value as Python's `json.loads` gives it: int, float, str, bool, None, list, dict
/// (keys in the body's order). The core's parse bounds the depth, so the recursion is bounded.
fn json_to_py<'py>(py: Python<'py>, value: &JsonValue) -> PyResult<Bound<'py, PyAny>> {
    match value {
        JsonValue::Null => Ok(py.None().into_bound(py)),
        JsonValue::Bool(b) => b.into_bound_py_any(py),
        JsonValue::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.into_bound_py_any(py),
            (None, Some(i), _) => i.into_bound_py_any(py),
            (None, None, Some(f)) => f.into_bound_py_any(py),
            (None, None, None) => Err(PyRuntimeError::new_err(format!("unreadable JSON number {n}"))),
        },
        JsonValue::String(s) => s.into_bound_py_any(py),
        JsonValue::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        JsonValue::Object(entries) => {
            let dict = PyDict::new(py);
            for (k, v) in entries {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

fn optional<'py>(py: Python<'py>, value: Option<JsonValue>) -> PyResult<Bound<'py, PyAny>> {
    value.map_or_else(|| Ok(py.None().into_bound(py)), |v| json_to_py(py, &v))
}

/// The exception of an answered call, with the response attached for logs and HTTP handlers.
fn with_exchange(py: Python<'_>, exc: Bound<'_, PyAny>, response: Option<&RawResponse>) -> PyResult<PyErr> {
    if let Some(response) = response {
        let exchange = Bound::new(py, super::client::CoreResponse::from(response.clone()))?;
        exc.setattr(pyo3::intern!(py, "_exchange"), exchange)?;
    }
    Ok(PyErr::from_value(exc))
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
