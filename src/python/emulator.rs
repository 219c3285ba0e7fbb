//! `EmulatorServer`: the emulator handle for Python. Converts values; every rule is in
//! `crate::emulator`.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pyo3::exceptions::{PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList};
use serde_json::Value;

use crate::emulator::{
    ChargingMode, CredentialSpec, Emulator, EmulatorConfig, EmulatorError, EmulatorHandle, FaultSpec, Flavor,
    InstanceSpec, KafkaPeerSpec, ObsBucketSpec,
};

fn to_py_err(e: EmulatorError) -> PyErr {
    match e {
        EmulatorError::Start(m) => PyOSError::new_err(m),
        EmulatorError::Invalid(m) => PyValueError::new_err(m),
        EmulatorError::NotFound(id) => PyKeyError::new_err(id),
        e @ EmulatorError::TaskNotFound { .. } => PyKeyError::new_err(e.to_string()),
    }
}

/// A count given as a Python int: out of range is a ValueError, not pyo3's OverflowError.
fn count(name: &str, v: i64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| PyValueError::new_err(format!("{name} must be from 0 to {}, not {v}", u32::MAX)))
}

fn duration(name: &str, v: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(v)
        .map_err(|_| PyValueError::new_err(format!("{name} must be a non-negative number of seconds, not {v}")))
}

fn opt_seconds(name: &str, v: Option<f64>) -> PyResult<Option<Duration>> {
    v.map(|v| duration(name, v)).transpose()
}

/// JSON -> Python dicts, lists and scalars.
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

#[pyclass(frozen, module = "dmskafka._core")]
pub struct EmulatorServer {
    handle: Mutex<EmulatorHandle>,
}

impl EmulatorServer {
    fn handle(&self) -> MutexGuard<'_, EmulatorHandle> {
        self.handle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl EmulatorServer {
    #[new]
    #[pyo3(signature = (host = "127.0.0.1", port = 0, job_duration = 2.0, task_duration = 2.0))]
    fn new(py: Python<'_>, host: &str, port: u16, job_duration: f64, task_duration: f64) -> PyResult<Self> {
        let ip: IpAddr = host
            .parse()
            .map_err(|_| PyValueError::new_err(format!("host must be an IP address, not {host:?}")))?;
        let config = EmulatorConfig {
            job_duration: duration("job_duration", job_duration)?,
            task_duration: duration("task_duration", task_duration)?,
            ..Default::default()
        };
        let handle = py
            .detach(|| Emulator::start_with(SocketAddr::new(ip, port), config))
            .map_err(to_py_err)?;
        Ok(EmulatorServer {
            handle: Mutex::new(handle),
        })
    }

    #[getter]
    fn endpoint(&self) -> String {
        self.handle().endpoint()
    }

    #[getter]
    fn iam_endpoint(&self) -> String {
        self.handle().iam_endpoint()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.handle().local_addr().port()
    }

    #[getter]
    fn ak(&self) -> String {
        self.handle().credentials().ak.clone()
    }

    #[getter]
    fn sk(&self) -> String {
        self.handle().credentials().sk.clone()
    }

    #[getter]
    fn project_id(&self) -> String {
        self.handle().credentials().project_id.clone()
    }

    #[pyo3(signature = (ak, sk, project_id, security_token = None, region = None))]
    fn add_credentials(
        &self,
        ak: String,
        sk: String,
        project_id: String,
        security_token: Option<String>,
        region: Option<String>,
    ) -> PyResult<()> {
        self.handle()
            .add_credentials(CredentialSpec {
                ak,
                sk,
                project_id,
                security_token,
                region,
            })
            .map_err(to_py_err)
    }

    #[pyo3(signature = (
        instance_id = None, project_id = None, charging_mode = "postPaid", flavor = "new",
        specification = None, status = "RUNNING", name = None, job_duration = None, fail_enable = false,
        max_tasks = 18
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_instance(
        &self,
        instance_id: Option<String>,
        project_id: Option<String>,
        charging_mode: &str,
        flavor: &str,
        specification: Option<String>,
        status: &str,
        name: Option<String>,
        job_duration: Option<f64>,
        fail_enable: bool,
        max_tasks: i64,
    ) -> PyResult<String> {
        let spec = InstanceSpec {
            instance_id,
            project_id,
            name,
            charging_mode: ChargingMode::parse(charging_mode).map_err(to_py_err)?,
            flavor: Flavor::parse(flavor).map_err(to_py_err)?,
            specification,
            status: status.to_owned(),
            job_duration: opt_seconds("job_duration", job_duration)?,
            fail_enable,
            max_tasks: count("max_tasks", max_tasks)?,
        };
        self.handle().add_instance(spec).map_err(to_py_err)
    }

    #[pyo3(signature = (*, instance_id = None, bootstrap_servers = None, brokers = 3, user = None, password = None))]
    fn add_kafka_peer(
        &self,
        instance_id: Option<String>,
        bootstrap_servers: Option<String>,
        brokers: i64,
        user: Option<String>,
        password: Option<String>,
    ) -> PyResult<()> {
        let spec = KafkaPeerSpec {
            instance_id,
            bootstrap_servers,
            brokers: count("brokers", brokers)?,
            user,
            password,
        };
        self.handle().add_kafka_peer(spec).map_err(to_py_err)
    }

    #[pyo3(signature = (name, *, location = "cn-north-4", storage_class = "STANDARD"))]
    fn add_obs_bucket(&self, name: String, location: &str, storage_class: &str) -> PyResult<()> {
        let spec = ObsBucketSpec {
            name,
            location: location.to_owned(),
            storage_class: storage_class.to_owned(),
        };
        self.handle().add_obs_bucket(spec).map_err(to_py_err)
    }

    fn fail_task(&self, instance_id: &str, task_id: &str) -> PyResult<()> {
        self.handle().fail_task(instance_id, task_id).map_err(to_py_err)
    }

    fn connector_tasks<'py>(&self, py: Python<'py>, instance_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let tasks = self.handle().connector_tasks(instance_id).map_err(to_py_err)?;
        to_py(py, &Value::Array(tasks))
    }

    fn set_connector_sold_out(&self, sold_out: bool) {
        self.handle().set_connector_sold_out(sold_out);
    }

    fn show_instance<'py>(&self, py: Python<'py>, instance_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let view = self.handle().show_instance(instance_id).map_err(to_py_err)?;
        to_py(py, &view)
    }

    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let records = self.handle().requests();
        let value = serde_json::to_value(records).map_err(|e| PyValueError::new_err(e.to_string()))?;
        to_py(py, &value)
    }

    fn clear_requests(&self) {
        self.handle().clear_requests();
    }

    #[pyo3(signature = (
        route = None, *, latency = None, status = None, body = None, count = None, probability = None,
        drop_connection = false, truncate_body = false, trickle = None, seed = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn inject_fault(
        &self,
        route: Option<String>,
        latency: Option<f64>,
        status: Option<u16>,
        body: Option<String>,
        count: Option<u64>,
        probability: Option<f64>,
        drop_connection: bool,
        truncate_body: bool,
        trickle: Option<f64>,
        seed: Option<u64>,
    ) -> PyResult<()> {
        let spec = FaultSpec {
            route,
            latency: opt_seconds("latency", latency)?,
            status,
            body,
            count,
            probability,
            drop_connection,
            truncate_body,
            trickle: opt_seconds("trickle", trickle)?,
            seed,
        };
        self.handle().inject_fault(spec).map_err(to_py_err)
    }

    fn clear_faults(&self) {
        self.handle().clear_faults();
    }

    fn advance(&self, seconds: f64) -> PyResult<()> {
        self.handle().advance(duration("seconds", seconds)?);
        Ok(())
    }

    /// Stops the server; idempotent.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.handle().shutdown());
    }

    fn __repr__(&self) -> String {
        format!("EmulatorServer(endpoint={:?})", self.handle().endpoint())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EmulatorServer>()
}
