//! Python values -> core inputs. Types are only named here; the core judges them.

use std::path::PathBuf;

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::errors;
use crate::config::{self, ClientCert, HttpConfig, TimeoutInput};
use crate::error::Error;
use crate::spec;
use crate::validate::{self, Input, NOT_UNICODE};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// Nesting deeper than this is not a request body: refused rather than recursed into.
const MAX_DEPTH: usize = 32;

/// A body as given, read as its model's description names the fields (`ty`: the official
/// type); the core judges it. A model (or any object with the fields as attributes) and a dict
/// become an `Object`; `None` values count as omitted.
pub fn body_input(obj: &Bound<'_, PyAny>, model: &str) -> PyResult<Input> {
    input_as(obj, model, 0)
}

fn input_as(obj: &Bound<'_, PyAny>, ty: &str, depth: usize) -> PyResult<Input> {
    if depth > MAX_DEPTH {
        return Ok(Input::Other("value nested too deeply".to_owned()));
    }
    if let Some(fields) = spec::described(ty) {
        if let Ok(dict) = obj.cast::<PyDict>() {
            let mut entries = Vec::with_capacity(dict.len());
            for (k, v) in dict.iter() {
                let key = k.str()?.to_string_lossy().into_owned();
                let field_ty = fields
                    .iter()
                    .find(|f| f.json == key || f.name == key)
                    .map(|f| f.ty.as_str());
                entries.push((key, input_or_leaf(&v, field_ty, depth)?));
            }
            return Ok(Input::Object(entries));
        }
        if fields.iter().any(|f| obj.hasattr(f.name.as_str()).unwrap_or(false)) {
            let mut entries = Vec::with_capacity(fields.len());
            for f in fields {
                if let Some(v) = obj.getattr_opt(f.name.as_str())?.filter(|v| !v.is_none()) {
                    entries.push((f.json.clone(), input_as(&v, &f.ty, depth + 1)?));
                }
            }
            return Ok(Input::Object(entries));
        }
    }
    if let Some(inner) = ty.strip_prefix("list[").and_then(|t| t.strip_suffix(']')) {
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            let items = obj
                .try_iter()?
                .map(|item| input_as(&item?, inner, depth + 1))
                .collect::<PyResult<_>>()?;
            return Ok(Input::List(items));
        }
    }
    leaf(obj, depth)
}

fn input_or_leaf(obj: &Bound<'_, PyAny>, ty: Option<&str>, depth: usize) -> PyResult<Input> {
    match ty {
        Some(ty) => input_as(obj, ty, depth + 1),
        None => leaf(obj, depth + 1),
    }
}

/// A value whose type the description does not name: what Python has.
fn leaf(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Input> {
    if depth > MAX_DEPTH {
        return Ok(Input::Other("value nested too deeply".to_owned()));
    }
    if obj.is_none() {
        return Ok(Input::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Input::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        // Larger than i128: the digits, for the range rule to speak.
        return Ok(obj.extract::<i128>().map_or_else(
            |_| Input::BigInt(obj.str().map_or_else(|_| String::new(), |s| s.to_string())),
            Input::Int,
        ));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        // Strict: a lossy copy would send U+FFFD in place of what the caller wrote.
        return Ok(s.to_cow().map_or_else(
            |_| Input::BadText(s.to_string_lossy().into_owned()),
            |t| Input::Text(t.into_owned()),
        ));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .map(|item| leaf(&item?, depth + 1))
            .collect::<PyResult<_>>()?;
        return Ok(Input::List(items));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut entries = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            entries.push((k.str()?.to_string_lossy().into_owned(), leaf(&v, depth + 1)?));
        }
        return Ok(Input::Object(entries));
    }
    Ok(Input::Other(type_name(obj)))
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
    let not_pairs = |kind: String| {
        PyTypeError::new_err(format!(
            "headers must be (name, value) pairs of str; got {}",
            validate::a(&kind)
        ))
    };
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
pub fn param_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Option<Input>)>> {
    let mut pairs = Vec::new();
    for item in obj.try_iter()? {
        let (name, value) = item?.extract::<(String, Bound<'_, PyAny>)>()?;
        let value = if value.is_none() { None } else { Some(leaf(&value, 0)?) };
        pairs.push((name, value));
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
    let signing_algorithm =
        HttpConfig::signing_algorithm(&signing_algorithm(&cfg.getattr("signing_algorithm")?)).map_err(errors::to_py)?;
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
        signing_algorithm,
        ..HttpConfig::default()
    };
    config
        .set_timeout(timeout(&cfg.getattr("timeout")?))
        .map_err(errors::to_py)?;
    Ok(config)
}
