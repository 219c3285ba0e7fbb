//! A local emulator of the DMS for Kafka Smart Connect API (and the IAM project lookup).
//!
//! It answers like the real service: gateway-style signature checks on the request as
//! received, the official body shapes, `X-Request-Id` on every response, DMS error codes
//! (see [`ErrorKind`]), and a lazy state machine driven by an emulator clock that tests
//! fast-forward with [`EmulatorHandle::advance`]. Fault rules make it misbehave on purpose.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dmskafka::emulator::{Emulator, InstanceSpec};
//! let emu = Emulator::start("127.0.0.1:0".parse()?)?;
//! let instance_id = emu.add_instance(InstanceSpec::default())?;
//! let creds = emu.credentials();
//! println!("{} {} {} {instance_id}", emu.endpoint(), creds.ak, creds.project_id);
//! emu.advance(std::time::Duration::from_secs(5)); // finishes running jobs
//! # Ok(()) }
//! ```

mod auth;
mod body;
mod clock;
mod connect;
mod errors;
mod faults;
mod ids;
mod log;
mod outside;
mod params;
mod routes;
mod server;
mod state;
mod tasks;
mod views;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use auth::{CredentialSpec, MAX_SKEW};
pub use errors::ErrorKind;
pub use faults::{Applied as AppliedFault, FaultSpec};
pub use log::RequestRecord;
pub use outside::{KafkaPeerSpec, ObsBucketSpec};
pub use state::{ChargingMode, Flavor, InstanceSpec};
pub use tasks::DEFAULT_MAX_TASKS;

/// Failures of the control plane (never of a request: those become HTTP answers).
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot start the emulator: {0}")]
    Start(String),
    #[error("{0}")]
    Invalid(String),
    #[error("no instance {0} in the emulator")]
    NotFound(String),
    #[error("no Smart Connect task {task_id} on the instance {instance_id}")]
    TaskNotFound { instance_id: String, task_id: String },
}

impl EmulatorError {
    pub fn invalid(message: impl Into<String>) -> Self {
        EmulatorError::Invalid(message.into())
    }
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// How long enable/delete jobs take in emulator time (per-instance overridable).
    pub job_duration: Duration,
    /// How long a Smart Connect task is CREATING, or RESTARTING, in emulator time.
    pub task_duration: Duration,
    /// Worker threads of the emulator's own runtime.
    pub worker_threads: usize,
    /// Requests kept in the log; older ones are forgotten.
    pub log_capacity: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            job_duration: Duration::from_secs(2),
            task_duration: Duration::from_secs(2),
            worker_threads: 2,
            log_capacity: 10_000,
        }
    }
}

/// The credentials every emulator starts with (random per start).
#[derive(Clone)]
pub struct SeededCredentials {
    pub ak: String,
    pub sk: String,
    pub project_id: String,
}

impl std::fmt::Debug for SeededCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeededCredentials")
            .field("ak", &self.ak)
            .field("sk", &"****")
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// Everything the request path and the control plane share.
pub(crate) struct Shared {
    state: Mutex<state::State>,
    creds: auth::CredentialStore,
    faults: faults::FaultSet,
    log: log::RequestLog,
    clock: clock::Clock,
    /// `http://host:port`, for links in IAM answers.
    endpoint: String,
    domain_id: String,
}

pub struct Emulator;

impl Emulator {
    /// Starts an emulator with default settings; port 0 picks a free port.
    pub fn start(bind: SocketAddr) -> Result<EmulatorHandle, EmulatorError> {
        Emulator::start_with(bind, EmulatorConfig::default())
    }

    pub fn start_with(bind: SocketAddr, config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        let hex = || uuid::Uuid::new_v4().simple().to_string();
        let seeded = SeededCredentials {
            ak: hex().to_ascii_uppercase().chars().take(20).collect(),
            sk: format!("{}{}", hex(), hex()).chars().take(40).collect(),
            project_id: hex(),
        };
        let listener = server::bind(bind)?;
        let addr = listener
            .local_addr()
            .map_err(|e| EmulatorError::Start(format!("cannot read the bound address: {e}")))?;
        let shared = Shared {
            state: Mutex::new(state::State::new(config.job_duration, config.task_duration)),
            creds: auth::CredentialStore::default(),
            faults: faults::FaultSet::default(),
            log: log::RequestLog::new(config.log_capacity),
            clock: clock::Clock::default(),
            endpoint: format!("http://{addr}"),
            domain_id: hex(),
        };
        shared.creds.add(CredentialSpec {
            ak: seeded.ak.clone(),
            sk: seeded.sk.clone(),
            project_id: seeded.project_id.clone(),
            security_token: None,
            region: None,
        })?;
        let shared = Arc::new(shared);
        let running = server::spawn(listener, shared.clone(), config.worker_threads)?;
        Ok(EmulatorHandle {
            shared,
            addr,
            seeded,
            running,
        })
    }
}

/// A running emulator. Dropping it shuts the server down.
pub struct EmulatorHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    seeded: SeededCredentials,
    running: server::Running,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .field("credentials", &self.seeded)
            .finish()
    }
}

impl EmulatorHandle {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the DMS endpoint.
    pub fn endpoint(&self) -> String {
        self.shared.endpoint.clone()
    }

    /// The IAM endpoint: the same server.
    pub fn iam_endpoint(&self) -> String {
        self.shared.endpoint.clone()
    }

    pub fn credentials(&self) -> &SeededCredentials {
        &self.seeded
    }

    pub fn add_credentials(&self, spec: CredentialSpec) -> Result<(), EmulatorError> {
        self.shared.creds.add(spec)
    }

    /// Whether the region's connector resources are sold out: `show_connector_resource_info`
    /// says so, and enabling Smart Connect fails.
    pub fn set_connector_sold_out(&self, sold_out: bool) {
        self.lock_state().set_connector_sold_out(sold_out);
    }

    /// Seeds an instance (in the seeded project unless `project_id` is set); returns its id.
    pub fn add_instance(&self, spec: InstanceSpec) -> Result<String, EmulatorError> {
        let now = self.shared.clock.now_ms();
        self.lock_state().add(spec, &self.seeded.project_id, now)
    }

    /// The emulator's view of an instance: the ShowInstance body plus `project_id`,
    /// `flavor` and every task.
    pub fn show_instance(&self, instance_id: &str) -> Result<serde_json::Value, EmulatorError> {
        let now = self.shared.clock.now_ms();
        let view = self
            .lock_state()
            .control_view(instance_id, now)
            .ok_or_else(|| EmulatorError::NotFound(instance_id.to_owned()))?;
        serde_json::to_value(view).map_err(|e| EmulatorError::invalid(e.to_string()))
    }

    /// A peer Kafka the Smart Connect tasks can reach.
    pub fn add_kafka_peer(&self, spec: KafkaPeerSpec) -> Result<(), EmulatorError> {
        self.lock_state().add_kafka_peer(spec)
    }

    /// An OBS bucket: listed by list_obs_buckets, and a valid OBS_SINK destination.
    pub fn add_obs_bucket(&self, spec: ObsBucketSpec) -> Result<(), EmulatorError> {
        let now = self.shared.clock.now_ms();
        self.lock_state().add_obs_bucket(spec, now)
    }

    /// Puts a Smart Connect task in FAILED (a status the emulator alone produces).
    pub fn fail_task(&self, instance_id: &str, task_id: &str) -> Result<(), EmulatorError> {
        self.lock_state().fail_connector_task(instance_id, task_id)
    }

    /// The instance's Smart Connect tasks as show_connector_task shows them.
    pub fn connector_tasks(&self, instance_id: &str) -> Result<Vec<serde_json::Value>, EmulatorError> {
        let now = self.shared.clock.now_ms();
        self.lock_state().connector_task_views(instance_id, now)
    }

    /// The received requests, oldest first (the last 10 000 by default).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    pub fn inject_fault(&self, spec: FaultSpec) -> Result<(), EmulatorError> {
        self.shared.faults.add(spec)
    }

    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Fast-forwards emulator time (jobs, timestamps); signature checks keep real time.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Stops the server and joins its threads. Idempotent; dropping the handle does it too.
    pub fn shutdown(&mut self) {
        self.running.stop();
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, state::State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.running.stop();
    }
}
