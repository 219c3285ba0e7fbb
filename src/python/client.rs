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
use crate::credentials::{self, Credentials, Secret};
use crate::error::Error;
use crate::signer::{self, SigningInput};
use crate::{region, runtime, validate};

/// `(method, url, headers)` of a request as sent.
type SentTrace = (&'static str, String, Vec<(String, String)>);

/// `(ak, sk, project_id, security_token, iam_endpoint)`.
type FoundCredentials = (String, String, Option<String>, Option<String>, Option<String>);

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
    let outcome = py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(|| client.block_on(interruptible(fut)))));
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
    finish(py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(|| runtime::block_on_here(interruptible(fut))))))
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

/// `fut`, or the exception a signal handler raised (KeyboardInterrupt) while it ran.
async fn interruptible<T>(fut: impl Future<Output = T>) -> Result<T, PyErr> {
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
}

/// The inputs of one create-connector call, validated before any I/O.
fn create_inputs(
    instance_id: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    trace: bool,
) -> PyResult<(String, crate::model::CreateConnectorReq, CallOptions)> {
    let raw_body = convert::body(body)?;
    let headers = convert::header_pairs(headers)?;
    let checked = (|| {
        let id = validate::id_input("instance_id", &convert::text(instance_id))?;
        let body = validate::create_connector_body(raw_body.as_ref())?;
        Ok::<_, Error>((id, body, call_options(headers, trace)?))
    })();
    checked.map_err(errors::to_py)
}

async fn create(
    client: Arc<Client>,
    id: String,
    body: crate::model::CreateConnectorReq,
    opts: CallOptions,
) -> Result<CoreResponse, Error> {
    let (parsed, raw) = client.create_connector(&id, &body, &opts).await?;
    Ok(CoreResponse {
        job_id: Some(parsed.job_id),
        connector_id: Some(parsed.connector_id),
        ..raw.into()
    })
}

/// Which lifecycle call: the official operation names.
enum Lifecycle {
    ShowInstance,
    ShowBackgroundTask(String),
    DeleteConnector,
}

async fn lifecycle(client: Arc<Client>, op: Lifecycle, id: String, opts: CallOptions) -> Result<CoreResponse, Error> {
    let raw = match op {
        Lifecycle::ShowInstance => client.show_instance(&id, &opts).await?,
        Lifecycle::ShowBackgroundTask(task) => client.show_background_task(&id, &task, &opts).await?,
        Lifecycle::DeleteConnector => client.delete_connector(&id, &opts).await?,
    };
    Ok(raw.into())
}

impl CoreClient {
    fn lifecycle_inputs(
        &self,
        name: &str,
        instance_id: &Bound<'_, PyAny>,
        task_id: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<(Lifecycle, String, CallOptions)> {
        let headers = convert::header_pairs(headers)?;
        let checked = (|| {
            let id = validate::id_input("instance_id", &convert::text(instance_id))?;
            let op = match (name, task_id) {
                ("show_instance", _) => Lifecycle::ShowInstance,
                ("delete_connector", _) => Lifecycle::DeleteConnector,
                (_, Some(t)) => Lifecycle::ShowBackgroundTask(validate::id_input("task_id", &convert::text(t))?),
                (_, None) => return Err(Error::validation("task_id", "is required")),
            };
            Ok::<_, Error>((op, id, call_options(headers, trace)?))
        })();
        checked.map_err(errors::to_py)
    }
}

#[pymethods]
impl CoreClient {
    #[new]
    #[pyo3(signature = (ak, sk, project_id, security_token, endpoints, http_config, product))]
    fn new(
        ak: &Bound<'_, PyAny>,
        sk: &Bound<'_, PyAny>,
        project_id: Option<&Bound<'_, PyAny>>,
        security_token: Option<&Bound<'_, PyAny>>,
        endpoints: &Bound<'_, PyAny>,
        http_config: &Bound<'_, PyAny>,
        product: &str,
    ) -> PyResult<Self> {
        let config = convert::http_config(http_config)?;
        let endpoints = convert::str_list(endpoints, "endpoint")?;
        let mut creds = credentials_from(ak, sk, security_token)?;
        creds.project_id = convert::opt_strict_str(project_id, "project_id")?;
        let client = Client::new(creds, &endpoints, config, product).map_err(errors::to_py)?;
        Ok(CoreClient {
            inner: Arc::new(client),
        })
    }

    #[pyo3(signature = (instance_id, body=None, headers=None, trace=false))]
    fn create_connector(
        &self,
        py: Python<'_>,
        instance_id: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreResponse> {
        let (id, body, opts) = create_inputs(instance_id, body, headers, trace)?;
        block_on(py, &self.inner, create(self.inner.clone(), id, body, opts))
    }

    #[pyo3(signature = (instance_id, body=None, headers=None, trace=false))]
    fn create_connector_async(
        &self,
        instance_id: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreCall> {
        let (id, body, opts) = create_inputs(instance_id, body, headers, trace)?;
        call::start(create(self.inner.clone(), id, body, opts))
    }

    /// `name` is show_instance, show_background_task or delete_connector.
    #[pyo3(signature = (name, instance_id, task_id=None, headers=None, trace=false))]
    fn call(
        &self,
        py: Python<'_>,
        name: &str,
        instance_id: &Bound<'_, PyAny>,
        task_id: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreResponse> {
        let (op, id, opts) = self.lifecycle_inputs(name, instance_id, task_id, headers, trace)?;
        block_on(py, &self.inner, lifecycle(self.inner.clone(), op, id, opts))
    }

    #[pyo3(signature = (name, instance_id, task_id=None, headers=None, trace=false))]
    fn call_async(
        &self,
        name: &str,
        instance_id: &Bound<'_, PyAny>,
        task_id: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        trace: bool,
    ) -> PyResult<CoreCall> {
        let (op, id, opts) = self.lifecycle_inputs(name, instance_id, task_id, headers, trace)?;
        call::start(lifecycle(self.inner.clone(), op, id, opts))
    }

    /// Releases the client's connections and per-thread runtimes; it stays usable.
    fn close(&self) {
        self.inner.close();
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// AK/SK credentials from Python values, converted strictly (see [`convert::strict_str`]).
fn credentials_from(
    ak: &Bound<'_, PyAny>,
    sk: &Bound<'_, PyAny>,
    security_token: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let mut creds = Credentials::new(convert::strict_str(ak, "ak")?, convert::strict_str(sk, "sk")?);
    creds.security_token = convert::opt_strict_str(security_token, "security_token")?.map(Secret::new);
    Ok(creds)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `(id, endpoints)` for a Kafka region, honouring the environment override; KeyError if unknown.
#[pyfunction]
fn kafka_region(region_id: &str) -> PyResult<(String, Vec<String>)> {
    region::value_of(region_id, &env_var)
        .map(|r| (r.id, r.endpoints))
        .map_err(|e| pyo3::exceptions::PyKeyError::new_err(e.to_string()))
}

/// Every built-in Kafka region as `(id, endpoint)`.
#[pyfunction]
fn kafka_regions() -> Vec<(&'static str, &'static str)> {
    region::KAFKA_REGIONS.to_vec()
}

/// The default provider chain: `(ak, sk, project_id, security_token, iam_endpoint)`.
#[pyfunction]
fn default_credentials() -> PyResult<FoundCredentials> {
    // The platform's way: $HOME on Unix, the profile folder on Windows (as Python's expanduser).
    let home = std::env::home_dir();
    let c = credentials::default_chain(&env_var, home.as_deref()).map_err(errors::to_py)?;
    Ok((
        c.ak,
        c.sk.expose().to_owned(),
        c.project_id,
        c.security_token.map(|t| t.expose().to_owned()),
        c.iam_endpoint,
    ))
}

/// Looks up (and caches) the project id of a region from IAM.
#[pyfunction]
#[pyo3(signature = (ak, sk, security_token, iam_endpoint, region_id, http_config, product))]
#[allow(clippy::too_many_arguments)]
fn discover_project_id(
    py: Python<'_>,
    ak: &Bound<'_, PyAny>,
    sk: &Bound<'_, PyAny>,
    security_token: Option<&Bound<'_, PyAny>>,
    iam_endpoint: Option<&Bound<'_, PyAny>>,
    region_id: &Bound<'_, PyAny>,
    http_config: &Bound<'_, PyAny>,
    product: String,
) -> PyResult<String> {
    let config = convert::http_config(http_config)?;
    let creds = credentials_from(ak, sk, security_token)?;
    let iam_endpoint = convert::opt_strict_str(iam_endpoint, "iam_endpoint")?;
    let region_id = convert::strict_str(region_id, "region_id")?;
    let iam = iam_endpoint.unwrap_or_else(|| region::iam_endpoint(&region_id, &env_var));
    block_on_unbound(py, async move {
        Client::discover_project_id(&creds, &iam, &region_id, &config, &product).await
    })
}

/// Signs a request exactly as the client does; for tests and benchmarks.
#[pyfunction]
#[pyo3(signature = (ak, sk, method, resource_path, query, headers, body, sdk_date))]
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
) -> String {
    signer::sign(
        ak,
        sk,
        &SigningInput {
            method,
            resource_path,
            query: &query,
            headers: &headers,
            body,
            sdk_date,
        },
    )
    .to_string()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoreClient>()?;
    m.add_class::<CoreResponse>()?;
    m.add_class::<CoreCall>()?;
    m.add_function(wrap_pyfunction!(kafka_region, m)?)?;
    m.add_function(wrap_pyfunction!(kafka_regions, m)?)?;
    m.add_function(wrap_pyfunction!(default_credentials, m)?)?;
    m.add_function(wrap_pyfunction!(discover_project_id, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    Ok(())
}
