//! Python values -> core inputs. Types are only named here; the core judges them.

use std::path::PathBuf;

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::errors;
use crate::config::{self, ClientCert, HttpConfig, TimeoutInput};
use crate::error::Error;
use crate::validate::{NodeCntInput, RawCreateConnectorReq, TextInput};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// What a str holding a lone surrogate is called in messages: it cannot be sent as UTF-8.
const NOT_UNICODE: &str = "str that is not valid Unicode (it holds a lone surrogate)";

pub fn text(obj: &Bound<'_, PyAny>) -> TextInput {
    match obj.cast::<PyString>() {
        // Strict: a lossy copy would send U+FFFD in place of what the caller wrote.
        Ok(s) => s.to_cow().map_or_else(
            |_| TextInput::Other(NOT_UNICODE.to_owned()),
            |t| TextInput::Text(t.into_owned()),
        ),
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

const BODY_FIELDS: [&str; 3] = ["specification", "node_cnt", "spec_code"];

/// A body given as a model (attributes) or a dict (keys); `None` values count as omitted.
pub fn body(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<RawCreateConnectorReq>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    // Anything else (a JSON string, a number, a list) would otherwise be read as `{}`.
    if !obj.is_instance_of::<PyDict>() && !BODY_FIELDS.iter().any(|f| obj.hasattr(*f).unwrap_or(false)) {
        let rule = format!("must be a CreateConnectorReq or a dict; got a {}", type_name(obj));
        return Err(errors::to_py(Error::validation("body", rule)));
    }
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

fn not_unicode(field: &'static str) -> PyErr {
    errors::to_py(Error::validation(field, format!("must be text; got a {NOT_UNICODE}")))
}

/// A str argument, strictly: another type is a TypeError naming `field`, a lone surrogate a
/// ValidationException naming it (never a UnicodeEncodeError from deep inside a call).
pub fn strict_str(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => s.to_cow().map(|t| t.into_owned()).map_err(|_| not_unicode(field)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{field} must be a str, not {}",
            type_name(obj)
        ))),
    }
}

/// [`strict_str`] where `None` means unset.
pub fn opt_strict_str(obj: Option<&Bound<'_, PyAny>>, field: &'static str) -> PyResult<Option<String>> {
    obj.filter(|o| !o.is_none()).map(|o| strict_str(o, field)).transpose()
}

/// A list or tuple of str (a lone str would otherwise be read as its characters).
pub fn str_list(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Vec<String>> {
    if !obj.is_instance_of::<PyList>() && !obj.is_instance_of::<PyTuple>() {
        let kind = type_name(obj);
        return Err(PyTypeError::new_err(format!(
            "{field} must be a list of str, not {kind}"
        )));
    }
    obj.try_iter()?.map(|item| strict_str(&item?, field)).collect()
}

/// Added request headers: `None` or an iterable of `(name, value)` pairs of str.
pub fn header_pairs(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let not_pairs =
        |kind: String| PyTypeError::new_err(format!("headers must be (name, value) pairs of str; got a {kind}"));
    if obj.is_instance_of::<PyString>() {
        return Err(not_pairs("str".to_owned()));
    }
    let mut pairs = Vec::new();
    for item in obj.try_iter().map_err(|_| not_pairs(type_name(obj)))? {
        let item = item?;
        let (name, value) = item
            .extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()
            .map_err(|_| not_pairs(type_name(&item)))?;
        let pair_text = |v: &Bound<'_, PyAny>, field| {
            if v.is_instance_of::<PyString>() {
                strict_str(v, field)
            } else {
                Err(not_pairs(type_name(v)))
            }
        };
        pairs.push((pair_text(&name, "header name")?, pair_text(&value, "header value")?));
    }
    Ok(pairs)
}

/// Call parameters: an iterable of `(name, value)` pairs, the name a str; a `None` value
/// means unset.
pub fn param_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Option<TextInput>)>> {
    let mut pairs = Vec::new();
    for item in obj.try_iter()? {
        let (name, value) = item?.extract::<(String, Bound<'_, PyAny>)>()?;
        pairs.push((name, (!value.is_none()).then(|| text(&value))));
    }
    Ok(pairs)
}

/// A text setting sent in a header: strict, so a lone surrogate is refused, not replaced.
fn opt_header_text(obj: &Bound<'_, PyAny>, name: &'static str) -> PyResult<Option<String>> {
    let v = obj.getattr(name)?;
    if v.is_none() {
        return Ok(None);
    }
    v.str()?
        .to_cow()
        .map(|t| Some(t.into_owned()))
        .map_err(|_| not_unicode(name))
}

/// An integer setting, `None` when unset; the core judges its range (a ValidationException
/// naming it). Too large for i128 is passed on as such, not raised as an OverflowError.
fn count(cfg: &Bound<'_, PyAny>, name: &'static str, max: u64) -> PyResult<Option<u64>> {
    let v = cfg.getattr(name)?;
    if v.is_none() {
        return Ok(None);
    }
    let n: Option<i128> = match v.extract::<i128>() {
        Ok(n) => Some(n),
        Err(e) if e.is_instance_of::<PyOverflowError>(cfg.py()) => None,
        Err(e) => return Err(e),
    };
    config::count(name, n, max).map(Some).map_err(errors::to_py)
}

/// A number of seconds (int or float, not bool) as f64; `None` for anything else.
fn number(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if obj.is_instance_of::<PyBool>() || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>()) {
        return None;
    }
    // An int too large for f64 becomes inf, which the range rule refuses.
    obj.extract::<f64>().ok().or(Some(f64::INFINITY))
}

/// `HttpConfig.timeout` as given, for the core to judge.
fn timeout(obj: &Bound<'_, PyAny>) -> TimeoutInput {
    if let Some(s) = number(obj) {
        return TimeoutInput::Both(s);
    }
    if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter().map_or_else(|_| Vec::new(), |it| it.flatten().collect());
        return match items.as_slice() {
            [c, r] => match (number(c), number(r)) {
                (Some(c), Some(r)) => TimeoutInput::Pair(c, r),
                _ => TimeoutInput::Other(format!("a pair of {} and {}", type_name(c), type_name(r))),
            },
            other => TimeoutInput::Other(format!("a {} of {}", type_name(obj), other.len())),
        };
    }
    TimeoutInput::Other(format!("a {}", type_name(obj)))
}

/// The name of a `SigningAlgorithm` member (ours or the official enum), else what was given.
fn signing_algorithm(obj: &Bound<'_, PyAny>) -> String {
    match obj.getattr("name").ok().and_then(|n| n.extract::<String>().ok()) {
        Some(name) => name,
        None => format!("a {}", type_name(obj)),
    }
}

/// Reads a `dmskafka.HttpConfig`; the core judges every value.
pub fn http_config(cfg: &Bound<'_, PyAny>) -> PyResult<HttpConfig> {
    let proxy = match opt_string(cfg, "proxy_host")? {
        None => None,
        Some(_) => cfg
            .call_method0("get_proxy")?
            .get_item("https")?
            .extract::<Option<String>>()?,
    };
    HttpConfig::check_signing_algorithm(&signing_algorithm(&cfg.getattr("signing_algorithm")?))
        .map_err(errors::to_py)?;
    let mut config = HttpConfig {
        ignore_ssl_verification: cfg.getattr("ignore_ssl_verification")?.is_truthy()?,
        ssl_ca_cert: opt_string(cfg, "ssl_ca_cert")?.map(PathBuf::from),
        client_cert: ClientCert::from_options(
            opt_string(cfg, "cert_file")?.map(PathBuf::from),
            opt_string(cfg, "key_file")?.map(PathBuf::from),
        )
        .map_err(errors::to_py)?,
        proxy,
        retry_times: count(cfg, "retry_times", u32::MAX.into())?.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        pool_maxsize: count(cfg, "pool_maxsize", u32::MAX.into())?
            .map_or(10, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        allow_redirects: cfg.getattr("allow_redirects")?.is_truthy()?,
        ignore_content_type_for_get_request: cfg.getattr("ignore_content_type_for_get_request")?.is_truthy()?,
        pool_connections: count(cfg, "pool_connections", u32::MAX.into())?
            .map_or(10, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        user_agent: opt_header_text(cfg, "user_agent")?,
        max_response_bytes: count(cfg, "max_response_bytes", u64::MAX)?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .ok_or_else(|| PyTypeError::new_err("HttpConfig.max_response_bytes must be an integer, not None"))?,
        ..HttpConfig::default()
    };
    config
        .set_timeout(timeout(&cfg.getattr("timeout")?))
        .map_err(errors::to_py)?;
    Ok(config)
}
