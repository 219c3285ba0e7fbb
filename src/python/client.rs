//! `CoreClient`: one core client; sync calls release the GIL and block on the calling
//! thread's own runtime, async calls run on the shared runtime and hand the result to asyncio.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::call::{self, CoreCall};
use super::{convert, errors};
use crate::client::{CallOptions, Client, RawResponse, Trace};
use crate::config::HttpConfig;
use crate::credentials::{self, FetchSettings, KeyProvider, Keys, Secret, Source};
use crate::error::Error;
use crate::model::Body;
use crate::operations::{OpId, Operation, Reply, Service, OPERATIONS};
use crate::signer::{Signer, SigningInput};
use crate::{region, runtime, validate};

/// `(method, url, headers)` of a request as sent.
type SentTrace = (&'static str, String, Vec<(String, String)>);

/// `(project_id, iam_endpoint, keys)` of the default chain.
type FoundCredentials = (Option<String>, Option<String>, CoreKeys);

/// What a call returned: status, request id, raw body, and the create-connector fields.
#[pyclass(frozen, module = "dmskafka._core")]
#[derive(Clone)]
pub struct CoreResponse {
    #[pyo3(get)]
    status_code: u16,
    #[pyo3(get)]
    request_id: Option<String>,
    #[pyo3(get)]
    job_id: Option<String>,
    #[pyo3(get)]
    connector_id: Option<String>,
    body: Vec<u8>,
    sent: Option<Trace>,
    /// The response headers, kept when the call asked for a trace.
    #[pyo3(get)]
    headers: Vec<(String, String)>,
}

#[pymethods]
impl CoreResponse {
    #[getter]
    fn raw_content<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    /// `(method, url, headers)` as sent, when the call asked for a trace; the token is masked.
    #[getter]
    fn trace(&self) -> Option<SentTrace> {
        self.sent.as_ref().map(|t| (t.method, t.url.clone(), t.headers.clone()))
    }
}

impl From<RawResponse> for CoreResponse {
    fn from(raw: RawResponse) -> Self {
        CoreResponse {
            status_code: raw.status,
            request_id: raw.request_id,
            job_id: None,
            connector_id: None,
            body: raw.body,
            sent: raw.trace,
            headers: raw.headers,
        }
    }
}

/// Runs a call of `client` to completion on this thread's runtime for it, with the GIL
/// released; Ctrl-C (any signal handler's exception) ends it within `SIGNAL_CHECK`, dropping
/// its connection. A panic becomes SdkException.
pub(super) fn block_on<T: Send>(
    py: Python<'_>,
    client: &Client,
    fut: impl Future<Output = Result<T, Error>> + Send,
) -> PyResult<T> {
    let main = call::on_main_thread(py);
    let outcome =
        py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(|| client.block_on(interruptible(fut, main)))));
    if matches!(outcome, Ok(Ok(Err(_)))) {
        // Interrupted: the dropped call's connection would stay open until this thread's next
        // call drives its runtime; close it now.
        client.release_this_thread();
    }
    finish(outcome)
}

/// [`block_on`] for work that belongs to no client yet (project id discovery).
pub(super) fn block_on_unbound<T: Send>(
    py: Python<'_>,
    fut: impl Future<Output = Result<T, Error>> + Send,
) -> PyResult<T> {
    let main = call::on_main_thread(py);
    finish(
        py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(|| runtime::block_on_here(interruptible(fut, main))))),
    )
}

type Blocked<T> = std::thread::Result<Result<Result<Result<T, Error>, PyErr>, Error>>;

fn finish<T>(outcome: Blocked<T>) -> PyResult<T> {
    match outcome {
        Ok(Ok(Ok(result))) => result.map_err(errors::to_py),
        Ok(Ok(Err(interrupted))) => Err(interrupted),
        Ok(Err(e)) => Err(errors::to_py(e)),
        Err(payload) => Err(errors::panic_to_py(payload)),
    }
}

/// `fut`, or the exception a signal handler raised (KeyboardInterrupt) while it ran; signals
/// are looked for on the main thread only (`main`), the one their handlers run on.
async fn interruptible<T>(fut: impl Future<Output = T>, main: bool) -> Result<T, PyErr> {
    if !main {
        return Ok(fut.await);
    }
    tokio::pin!(fut);
    loop {
        tokio::select! {
            biased;
            out = &mut fut => return Ok(out),
            () = tokio::time::sleep(call::SIGNAL_CHECK) => Python::attach(|py| py.check_signals())?,
        }
    }
}

fn call_options(headers: Vec<(String, String)>, trace: bool) -> Result<CallOptions, Error> {
    for (k, v) in &headers {
        validate::header_value("header name", k)?;
        validate::header_value("header value", v)?;
    }
    Ok(CallOptions { headers, trace })
}

#[pyclass(frozen, module = "dmskafka._core")]
pub struct CoreClient {
    inner: Arc<Client>,
    /// The source of the client's keys.
    #[pyo3(get)]
    keys: CoreKeys,
}

/// One operation of the table as Python sees it: a typed handle for `CoreClient.call`, and
/// the names and route the client methods, logs and handler views are made from.
#[pyclass(frozen, module = "dmskafka._core", name = "Operation")]
pub struct PyOperation(&'static Operation);

#[pymethods]
impl PyOperation {
    #[getter]
    fn name(&self) -> &'static str {
        self.0.name
    }
    #[getter]
    fn service(&self) -> &'static str {
        self.0.service.name()
    }
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method
    }
    #[getter]
    fn path(&self) -> &'static str {
        self.0.path
    }
    #[getter]
    fn path_params(&self) -> Vec<&'static str> {
        self.0.path_params.to_vec()
    }
    #[getter]
    fn query_params(&self) -> Vec<&'static str> {
        self.0.query_params.to_vec()
    }
    #[getter]
    fn request(&self) -> &'static str {
        self.0.request
    }
    #[getter]
    fn body(&self) -> Option<&'static str> {
        self.0.body
    }
    #[getter]
    fn response(&self) -> &'static str {
        self.0.response
    }
    /// What the success body holds: "object", "array" (the model's `body`) or "nothing".
    #[getter]
    fn reply(&self) -> &'static str {
        match self.0.reply {
            Reply::JsonObject | Reply::Connector => "object",
            Reply::JsonArray => "array",
            Reply::Nothing => "nothing",
        }
    }
    #[getter]
    fn resend_safe(&self) -> bool {
        self.0.resend_safe
    }
    fn __repr__(&self) -> String {
        format!("<Operation {} {} {}>", self.0.name, self.0.method, self.0.path)
    }
}

/// Checks the waiter's settings (the core's rule; `wait_for_job` calls it first).
#[pyfunction]
#[pyo3(signature = (timeout, poll_interval, max_poll_interval=None))]
fn check_wait(timeout: f64, poll_interval: f64, max_poll_interval: Option<f64>) -> PyResult<()> {
    crate::config::check_wait(timeout, poll_interval, max_poll_interval).map_err(errors::to_py)
}

/// Checks `body` as `CoreClient.call` would check it for `op`, sending nothing: the flows
/// that make several calls check every body first, so a bad one changes nothing.
#[pyfunction]
fn check_body(op: &PyOperation, body: &Bound<'_, PyAny>) -> PyResult<()> {
    let Some(model) = op.0.body else {
        let rule = format!("{} takes no body", op.0.name);
        return Err(errors::to_py(Error::validation("body", rule)));
    };
    let input = convert::body_input(body, model)?;
    Body::check(model, &input).map(|_| ()).map_err(errors::to_py)
}

/// Every operation of the table, in its order.
#[pyfunction]
fn operations() -> Vec<PyOperation> {
    OPERATIONS.iter().map(|op| PyOperation(op)).collect()
}

/// The inputs of one call, converted and validated before any I/O.
struct Inputs {
    params: Vec<(&'static str, String)>,
    body: Option<Body>,
    opts: CallOptions,
}

fn inputs(
    op: &'static Operation,
    params: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    trace: bool,
) -> PyResult<Inputs> {
    let raw_body = match (op.body, body.filter(|b| !b.is_none())) {
        (Some(model), Some(given)) => Some((model, convert::body_input(given, model)?)),
        // An omitted body is sent as `{}`.
        (Some(_), None) | (None, None) => None,
        (None, Some(_)) => {
            let rule = format!("{} takes no body", op.name);
            return Err(errors::to_py(Error::validation("body", rule)));
        }
    };
    let headers = convert::header_pairs(headers)?;
    let pairs = convert::param_pairs(params)?;
    let checked = (|| {
        let mut values = Vec::with_capacity(pairs.len());
        for (name, value) in &pairs {
            let Some(name) = op
                .path_params
                .iter()
                .chain(op.query_params)
                .find(|p| **p == name.as_str())
            else {
                return Err(Error::validation(
                    "params",
                    format!("{name} is not a parameter of {}", op.name),
                ));
            };
            // An unset parameter is left out; a required one is then reported by name.
            if let Some(value) = value {
                values.push((*name, validate::param(op, name, value)?));
            }
        }
        let body = match &raw_body {
            Some((model, input)) => Some(Body::check(model, input)?),
            None => None,
        };
        Ok::<_, Error>(Inputs {
            params: values,
            body,
            opts: call_options(headers, trace)?,
        })
    })();
    checked.map_err(errors::to_py)
}

async fn run(client: Arc<Client>, op: OpId, inputs: Inputs) -> Result<CoreResponse, Error> {
    let answer = client
        .call(op, &inputs.params, inputs.body.as_ref(), &inputs.opts)
        .await?;
    let connector = answer.connector;
    let mut response = CoreResponse::from(answer.raw);
    if let Some(c) = connector {
        response.job_id = Some(c.job_id);
        response.connector_id = Some(c.connector_id);
    }
    Ok(response)
}

impl CoreClient {
    /// A Kafka client runs Kafka operations only (IAM's go to IAM's endpoint).
    fn kafka(&self, op: &PyOperation) -> PyResult<()> {
        if op.0.service != Service::Kafka {
            let rule = format!("{} is not an operation of this client", op.0.name);
            return Err(errors::to_py(Error::validation("op", rule)));
        }
        Ok(())
    }
}

#[pymethods]
impl CoreClient {
    #[new]
    #[pyo3(signature = (keys, project_id, endpoints, http_config, product))]
    fn new(
        keys: &CoreKeys,
        project_id: Option<&Bound<'_, PyAny>>,
        endpoints: &Bound<'_, PyAny>,
        http_config: &Bound<'_, PyAny>,
        product: &str,
    ) -> PyResult<Self> {
        let config = convert::http_config(http_config)?;
        let endpoints = convert::str_list(endpoints, "endpoint")?;
        let project_id = convert::opt_strict_str(project_id, "project_id")?;
        if project_id.as_deref().is_none_or(str::is_empty) {
            let rule = "is required: set it in BasicCredentials, or give with_region() so it can be looked up";
            return Err(errors::to_py(Error::validation("project_id", rule)));
        }
        let client =
            Client::with_keys(keys.0.clone(), project_id, &endpoints, config, product).map_err(errors::to_py)?;
        Ok(CoreClient {
            inner: Arc::new(client),
            keys: keys.clone(),
        })
    }

    /// Runs one operation: `params` are its `(name, value)` path and query parameters,
    /// `body` its request body (a model or a dict), `headers` added headers.
    #[pyo3(signature = (op, params, body=None, headers=None, trace=false))]
    fn call(
        &self,
        py: Python<'_>,
        op: &PyOperation,
        params: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreResponse> {
        let inputs = inputs(op.0, params, body, headers, trace)?;
        self.kafka(op)?;
        block_on(py, &self.inner, run(self.inner.clone(), op.0.id, inputs))
    }

    /// `call`, started now on the shared runtime.
    #[pyo3(signature = (op, params, body=None, headers=None, trace=false))]
    fn call_async(
        &self,
        op: &PyOperation,
        params: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreCall> {
        let inputs = inputs(op.0, params, body, headers, trace)?;
        self.kafka(op)?;
        call::start(run(self.inner.clone(), op.0.id, inputs))
    }

    /// The URL a log line names for a call of `op` that got no answer (see `Client::url_for_log`).
    fn url_for_log(&self, op: &PyOperation, params: &Bound<'_, PyAny>) -> PyResult<String> {
        let values = convert::param_pairs(params)?
            .into_iter()
            .filter_map(|(name, value)| {
                let name = op.0.path_params.iter().chain(op.0.query_params).find(|p| **p == name)?;
                Some((*name, validate::param(op.0, name, &value?).ok()?))
            })
            .collect::<Vec<_>>();
        Ok(self.inner.url_for_log(op.0.id, &values))
    }

    /// Releases the client's connections and per-thread runtimes; it stays usable.
    fn close(&self) {
        self.inner.close();
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// Where a client's keys come from, shared by the client, its project id lookup and the
/// Python credentials object (which shows the keys last fetched).
#[pyclass(frozen, module = "dmskafka._core")]
#[derive(Clone)]
pub struct CoreKeys(Arc<KeyProvider>);

#[pymethods]
impl CoreKeys {
    /// The source of hand-made credentials, as the official picks it (see
    /// [`credentials::source_of`]); `sts_endpoint` only serves the chain's OIDC source.
    #[new]
    #[pyo3(signature = (ak, sk, security_token, idp_id, id_token_file, iam_endpoint, sts_endpoint, http_config, product))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        ak: Option<&Bound<'_, PyAny>>,
        sk: Option<&Bound<'_, PyAny>>,
        security_token: Option<&Bound<'_, PyAny>>,
        idp_id: Option<&Bound<'_, PyAny>>,
        id_token_file: Option<&Bound<'_, PyAny>>,
        iam_endpoint: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
        http_config: &Bound<'_, PyAny>,
        product: String,
    ) -> PyResult<Self> {
        let keys = Keys {
            ak: convert::opt_strict_str(ak, "ak")?.unwrap_or_default(),
            sk: Secret::new(convert::opt_strict_str(sk, "sk")?.unwrap_or_default()),
            security_token: convert::opt_strict_str(security_token, "security_token")?.map(Secret::new),
            expires_at: None,
        };
        let idp_id = convert::opt_strict_str(idp_id, "idp_id")?;
        let id_token_file = convert::opt_strict_str(id_token_file, "id_token_file")?;
        let iam_endpoint = convert::opt_strict_str(iam_endpoint, "iam_endpoint")?;
        if convert::opt_strict_str(sts_endpoint, "sts_endpoint")?.is_some_and(|e| !e.is_empty()) {
            let rule = "is used only by the OIDC source of the default chain (HUAWEICLOUD_OIDC_* variables), \
                        not by these credentials";
            return Err(errors::to_py(Error::validation("sts_endpoint", rule)));
        }
        let source = credentials::source_of(keys, idp_id, id_token_file).map_err(errors::to_py)?;
        let config = convert::http_config(http_config)?;
        let settings = FetchSettings::from_env(config, product, iam_endpoint, None, &env_var);
        Ok(CoreKeys(Arc::new(KeyProvider::new(source, settings))))
    }

    /// `(ak, sk, security_token)` last fetched or given; `None` before the first fetch.
    fn current(&self) -> Option<(String, String, Option<String>)> {
        self.0.current().map(|k| {
            let token = k.security_token.as_ref().map(|t| t.expose().to_owned());
            (k.ak.clone(), k.sk.expose().to_owned(), token)
        })
    }

    /// Whether the keys are fetched (temporary, refreshed) rather than given.
    #[getter]
    fn temporary(&self) -> bool {
        !matches!(self.0.source(), Source::Given(_))
    }

    /// `(idp_id, id_token_file)` of a federated source.
    fn federation(&self) -> Option<(String, String)> {
        match self.0.source() {
            Source::Federal { idp_id, id_token_file } => Some((idp_id.clone(), id_token_file.display().to_string())),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The platform's home: $HOME on Unix, the profile folder on Windows (as Python's expanduser).
fn home() -> Option<std::path::PathBuf> {
    std::env::home_dir()
}

/// `(id, endpoints)` configured for a Kafka region outside the built-in table (the
/// environment, then the regions file), or `None`; ValueError for a malformed regions file.
#[pyfunction]
fn configured_kafka_region(region_id: &str) -> PyResult<Option<(String, Vec<String>)>> {
    region::configured(region_id, &env_var, home().as_deref())
        .map(|found| found.map(|r| (r.id, r.endpoints)))
        .map_err(errors::to_py)
}

/// Every built-in Kafka region as `(id, endpoint)`.
#[pyfunction]
fn kafka_regions() -> Vec<(&'static str, &'static str)> {
    region::KAFKA_REGIONS.to_vec()
}

/// The default provider chain for `credential_type` (`basiccredentials`, as the official
/// `build()` runs it, or `basic`), run with the GIL released (the metadata and pod identity
/// links fetch their keys now, as the official ones do).
#[pyfunction]
#[pyo3(signature = (http_config, product, credential_type = "basiccredentials"))]
fn default_credentials(
    py: Python<'_>,
    http_config: &Bound<'_, PyAny>,
    product: String,
    credential_type: &str,
) -> PyResult<FoundCredentials> {
    let config = convert::http_config(http_config)?;
    let settings = FetchSettings::from_env(config, product, None, None, &env_var);
    let credential_type = credential_type.to_owned();
    let chained = block_on_unbound(py, async move {
        let now = time::OffsetDateTime::now_utc();
        credentials::default_chain(&credential_type, &env_var, home().as_deref(), settings, now).await
    })?;
    Ok((chained.project_id, chained.iam_endpoint, CoreKeys(chained.keys)))
}

/// One link of the chain alone, as the official provider class of it (`oidc`, `env`,
/// `profile`, `metadata`, `pod_identity`); `overrides` are variables read before the
/// environment's (a provider's constructor arguments).
#[pyfunction]
#[pyo3(signature = (link, credential_type, overrides, http_config, product))]
fn credential_link(
    py: Python<'_>,
    link: &str,
    credential_type: &str,
    overrides: std::collections::HashMap<String, String>,
    http_config: &Bound<'_, PyAny>,
    product: String,
) -> PyResult<FoundCredentials> {
    let Some(link) = credentials::Link::named(link) else {
        return Err(errors::to_py(Error::validation(
            "link",
            format!("no credential provider {link:?}"),
        )));
    };
    let config = convert::http_config(http_config)?;
    let env = move |name: &str| overrides.get(name).cloned().or_else(|| env_var(name));
    let settings = FetchSettings::from_env(config, product, None, None, &env);
    let credential_type = credential_type.to_owned();
    let chained = block_on_unbound(py, async move {
        let now = time::OffsetDateTime::now_utc();
        credentials::from_link(link, &credential_type, &env, home().as_deref(), &settings, now).await
    })?;
    Ok((chained.project_id, chained.iam_endpoint, CoreKeys(chained.keys)))
}

/// Looks up (and caches) the project id of a region from IAM.
#[pyfunction]
#[pyo3(signature = (keys, iam_endpoint, region_id, http_config, product))]
fn discover_project_id(
    py: Python<'_>,
    keys: &CoreKeys,
    iam_endpoint: Option<&Bound<'_, PyAny>>,
    region_id: &Bound<'_, PyAny>,
    http_config: &Bound<'_, PyAny>,
    product: String,
) -> PyResult<String> {
    let config = convert::http_config(http_config)?;
    let iam_endpoint = convert::opt_strict_str(iam_endpoint, "iam_endpoint")?;
    let region_id = convert::strict_str(region_id, "region_id")?;
    let iam = iam_endpoint.unwrap_or_else(|| region::iam_endpoint(&region_id, &env_var));
    let keys = keys.0.clone();
    block_on_unbound(py, async move {
        Client::discover_project_id(&keys, &iam, &region_id, &config, &product).await
    })
}

/// Signs a request exactly as the client does with `algorithm` (a `SigningAlgorithm` member
/// name); for tests and benchmarks. An ECDSA or SM2 key is derived on each call.
#[pyfunction]
#[pyo3(signature = (ak, sk, method, resource_path, query, headers, body, sdk_date, algorithm = "HMAC_SHA256"))]
#[allow(clippy::too_many_arguments)]
fn sign(
    ak: &str,
    sk: &str,
    method: &str,
    resource_path: &str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: &[u8],
    sdk_date: &str,
    algorithm: &str,
) -> PyResult<String> {
    let signer =
        Signer::new(HttpConfig::signing_algorithm(algorithm).map_err(errors::to_py)?, ak, sk).map_err(errors::to_py)?;
    signer
        .sign(&SigningInput {
            method,
            resource_path,
            query: &query,
            headers: &headers,
            body,
            sdk_date,
        })
        .map(|auth| auth.to_string())
        .map_err(errors::to_py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoreClient>()?;
    m.add_class::<CoreResponse>()?;
    m.add_class::<CoreCall>()?;
    m.add_class::<PyOperation>()?;
    m.add_class::<CoreKeys>()?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(check_wait, m)?)?;
    m.add_function(wrap_pyfunction!(check_body, m)?)?;
    m.add_function(wrap_pyfunction!(call::wait_for_calls, m)?)?;
    m.add_function(wrap_pyfunction!(configured_kafka_region, m)?)?;
    m.add_function(wrap_pyfunction!(kafka_regions, m)?)?;
    m.add_function(wrap_pyfunction!(default_credentials, m)?)?;
    m.add_function(wrap_pyfunction!(credential_link, m)?)?;
    m.add_function(wrap_pyfunction!(discover_project_id, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    Ok(())
}
