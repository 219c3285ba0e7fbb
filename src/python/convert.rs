//! Python values -> core inputs. Types are only named here; the core judges them.

use std::path::PathBuf;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

use crate::config::HttpConfig;
use crate::validate::{NodeCntInput, RawCreateConnectorReq, TextInput};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

pub fn text(obj: &Bound<'_, PyAny>) -> TextInput {
    match obj.cast::<PyString>() {
        Ok(s) => TextInput::Text(s.to_string_lossy().into_owned()),
        Err(_) => TextInput::Other(type_name(obj)),
    }
}

fn node_cnt(obj: &Bound<'_, PyAny>) -> NodeCntInput {
    if obj.is_instance_of::<PyBool>() {
        return NodeCntInput::Other("bool".to_owned());
    }
    if obj.is_instance_of::<PyInt>() {
        // Larger than i128: pass the digits on and let the range rule speak.
        return obj
            .extract::<i128>()
            .map(NodeCntInput::Int)
            .unwrap_or_else(|_| NodeCntInput::Text(obj.str().map_or_else(|_| String::new(), |s| s.to_string())));
    }
    match obj.cast::<PyString>() {
        Ok(s) => NodeCntInput::Text(s.to_string_lossy().into_owned()),
        Err(_) => NodeCntInput::Other(type_name(obj)),
    }
}

/// A body given as a model (attributes) or a dict (keys); `None` values count as omitted.
pub fn body(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<RawCreateConnectorReq>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    let field = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        let value = match obj.cast::<PyDict>() {
            Ok(d) => d.get_item(name)?,
            Err(_) => obj.getattr_opt(name)?,
        };
        Ok(value.filter(|v| !v.is_none()))
    };
    Ok(Some(RawCreateConnectorReq {
        specification: field("specification")?.as_ref().map(text),
        node_cnt: field("node_cnt")?.as_ref().map(node_cnt),
        spec_code: field("spec_code")?.as_ref().map(text),
    }))
}

fn opt_string(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<String>> {
    let v = obj.getattr(name)?;
    if v.is_none() {
        Ok(None)
    } else {
        Ok(Some(v.str()?.to_string()))
    }
}

fn seconds(v: f64) -> Duration {
    Duration::try_from_secs_f64(v).unwrap_or(Duration::MAX)
}

/// Reads a `dmskafka.HttpConfig`; its `_timeouts()` has already checked the timeout shape.
pub fn http_config(cfg: &Bound<'_, PyAny>) -> PyResult<HttpConfig> {
    let (connect, read): (f64, f64) = cfg.call_method0("_timeouts")?.extract()?;
    let proxy = match opt_string(cfg, "proxy_host")? {
        None => None,
        Some(_) => cfg.call_method0("get_proxy")?.get_item("https")?.extract::<Option<String>>()?,
    };
    Ok(HttpConfig {
        connect_timeout: seconds(connect),
        read_timeout: seconds(read),
        ignore_ssl_verification: cfg.getattr("ignore_ssl_verification")?.is_truthy()?,
        ssl_ca_cert: opt_string(cfg, "ssl_ca_cert")?.map(PathBuf::from),
        proxy,
        retry_times: cfg.getattr("retry_times")?.extract::<Option<u32>>()?.unwrap_or(0),
        pool_maxsize: cfg.getattr("pool_maxsize")?.extract::<Option<usize>>()?.unwrap_or(10),
        allow_redirects: cfg.getattr("allow_redirects")?.is_truthy()?,
        user_agent: opt_string(cfg, "user_agent")?,
        max_response_bytes: cfg.getattr("max_response_bytes")?.extract()?,
    })
}
