//! Instances and their background tasks. Transitions are lazy: a task's phase is a pure
//! function of emulator time, and its effect on the instance is applied the first time
//! anyone looks after it finished. So `advance` completes jobs without any timer.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;

use super::ids;
use super::outside::Outside;
use super::tasks::{TaskBook, DEFAULT_MAX_TASKS};
use super::views::{ControlView, InstanceView, TaskList, TaskView};

use super::clock::{duration_ms, iso_millis, Millis};
use super::errors::{ApiError, ErrorKind};
use super::params::{bandwidth, EnableBody, BANDWIDTHS};
use super::EmulatorError;

/// Tasks kept per instance; older finished ones are forgotten.
const MAX_TASKS_PER_INSTANCE: usize = 1000;
// Instance statuses. RUNNING and EXTENDING ("specifications are being changed") are in the API
// reference's Instance Status table, which the official `ShowInstanceResponse.status` docstring
// points to: https://support.huaweicloud.com/intl/en-us/api-kafka/kafka-api-180514012.html
// CONNECTOR_DELETING is not in that table; its source is Huawei's Terraform provider, which waits
// from EXTENDING to RUNNING after enabling Smart Connect and from CONNECTOR_DELETING to RUNNING
// after delete-connector:
// https://github.com/huaweicloud/terraform-provider-huaweicloud/blob/master/huaweicloud/services/kafka/resource_huaweicloud_dms_kafka_smart_connect.go
const RUNNING: &str = "RUNNING";
const EXTENDING: &str = "EXTENDING";
const CONNECTOR_DELETING: &str = "CONNECTOR_DELETING";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChargingMode {
    /// Pay-per-use: `charging_mode` 1.
    #[default]
    PostPaid,
    /// Yearly/monthly: `charging_mode` 0.
    PrePaid,
}

impl ChargingMode {
    pub fn parse(s: &str) -> Result<Self, EmulatorError> {
        match s {
            "postPaid" => Ok(ChargingMode::PostPaid),
            "prePaid" => Ok(ChargingMode::PrePaid),
            other => Err(EmulatorError::invalid(format!(
                "charging_mode must be \"postPaid\" or \"prePaid\", not {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    #[default]
    New,
    /// Old flavors must name specification and spec_code when enabling Smart Connect.
    Old,
}

impl Flavor {
    pub fn parse(s: &str) -> Result<Self, EmulatorError> {
        match s {
            "new" => Ok(Flavor::New),
            "old" => Ok(Flavor::Old),
            other => Err(EmulatorError::invalid(format!(
                "flavor must be \"new\" or \"old\", not {other:?}"
            ))),
        }
    }
}

/// What to seed; `None` fields take defaults.
#[derive(Debug, Clone)]
pub struct InstanceSpec {
    pub instance_id: Option<String>,
    /// Defaults to the emulator's seeded project.
    pub project_id: Option<String>,
    pub name: Option<String>,
    pub charging_mode: ChargingMode,
    pub flavor: Flavor,
    /// Old flavor: the bandwidth (default 100MB). New flavor: the instance flavor name.
    pub specification: Option<String>,
    pub status: String,
    /// Overrides the emulator-wide job duration for this instance.
    pub job_duration: Option<Duration>,
    /// Enabling Smart Connect on this instance fails: the task ends FAILED.
    pub fail_enable: bool,
    /// The most Smart Connect tasks it may have (`max_tasks` and `quota_tasks` of the list).
    pub max_tasks: u32,
}

impl Default for InstanceSpec {
    fn default() -> Self {
        InstanceSpec {
            instance_id: None,
            project_id: None,
            name: None,
            charging_mode: ChargingMode::PostPaid,
            flavor: Flavor::New,
            specification: None,
            status: RUNNING.to_owned(),
            job_duration: None,
            fail_enable: false,
            max_tasks: DEFAULT_MAX_TASKS,
        }
    }
}

#[derive(Debug, Clone)]
enum Connector {
    Disabled,
    Enabled { id: String, node_num: u32 },
}

#[derive(Debug, Clone)]
enum Effect {
    Enable { connector_id: String, node_cnt: u32 },
    Disable,
}

#[derive(Debug, Clone)]
struct Task {
    /// `id` as a UUID: the key of the instance's task index.
    key: Uuid,
    id: String,
    name: &'static str,
    params: String,
    created_ms: Millis,
    duration_ms: Millis,
    fails: bool,
    effect: Effect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Created,
    Executing,
    Done,
}

impl Task {
    /// CREATED for the first quarter of the duration, then EXECUTING, then done.
    fn phase(&self, now: Millis) -> Phase {
        // A request reads the clock before it takes the state lock, so it can look at a task
        // started a moment "later" by a request that got the lock first: that task has just begun.
        let elapsed = now.saturating_sub(self.created_ms).max(0);
        if elapsed >= self.duration_ms {
            Phase::Done
        } else if elapsed < self.duration_ms / 4 {
            Phase::Created
        } else {
            Phase::Executing
        }
    }

    fn view(&self, now: Millis, user: &User) -> TaskView {
        // Task statuses from the official model docstring (huaweicloudsdkkafka/v2/model/
        // list_background_tasks_resp_tasks.py, the `tasks` of ShowBackgroundTaskResponse) and
        // https://support.huaweicloud.com/intl/en-us/api-kafka/ShowBackgroundTask.html, which
        // also list DELETED and CANCELLED; the emulator never produces those two.
        let (status, updated) = match self.phase(now) {
            Phase::Created => ("CREATED", self.created_ms),
            Phase::Executing => ("EXECUTING", self.created_ms.saturating_add(self.duration_ms / 4)),
            Phase::Done if self.fails => ("FAILED", self.created_ms.saturating_add(self.duration_ms)),
            Phase::Done => ("SUCCESS", self.created_ms.saturating_add(self.duration_ms)),
        };
        TaskView {
            id: self.id.clone(),
            name: self.name,
            user_name: user.name.clone(),
            user_id: user.id.clone(),
            params: self.params.clone(),
            status,
            created_at: iso_millis(self.created_ms),
            updated_at: iso_millis(updated),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Instance {
    id: String,
    pub(super) project_id: String,
    name: String,
    charging_mode: ChargingMode,
    flavor: Flavor,
    specification: String,
    /// The seeded status or one of the state machine's (no copy for those).
    status: Cow<'static, str>,
    connector: Connector,
    /// Key of the task that has not been settled yet.
    active: Option<Uuid>,
    /// Oldest first, at most `MAX_TASKS_PER_INSTANCE`.
    tasks: VecDeque<Task>,
    /// Task key -> sequence number; `tasks[seq - first_seq]` is the task. Finds any task
    /// without scanning the list.
    task_index: HashMap<Uuid, u64>,
    /// Sequence number of `tasks[0]`.
    first_seq: u64,
    created_ms: Millis,
    job_duration_ms: Option<Millis>,
    fail_enable: bool,
    /// Smart Connect tasks (only while Smart Connect is enabled).
    pub(super) connector_tasks: TaskBook,
    pub(super) max_tasks: u32,
}

impl Instance {
    /// Applies the active task's effect once it is done.
    fn settle(&mut self, now: Millis) {
        let Some(active) = self.active else { return };
        let Some(task) = self.task_by_key(active) else {
            self.active = None;
            return;
        };
        if task.phase(now) != Phase::Done {
            return;
        }
        if !task.fails {
            self.connector = match &task.effect {
                Effect::Enable { connector_id, node_cnt } => Connector::Enabled {
                    id: connector_id.clone(),
                    node_num: *node_cnt,
                },
                Effect::Disable => Connector::Disabled,
            };
        }
        self.status = Cow::Borrowed(RUNNING);
        self.active = None;
    }

    fn task_by_key(&self, key: Uuid) -> Option<&Task> {
        let seq = *self.task_index.get(&key)?;
        self.tasks.get(usize::try_from(seq.checked_sub(self.first_seq)?).ok()?)
    }

    /// The task whose id is exactly `id`.
    fn task_by_id(&self, id: &str) -> Option<&Task> {
        // Every id is a UUID's hyphenated text; the exact comparison keeps other spellings
        // of the same UUID (upper case, braces, ...) unknown, as they always were.
        let key = Uuid::try_parse(id).ok()?;
        self.task_by_key(key).filter(|t| t.id == id)
    }

    /// Whether Smart Connect is enabled and not being disabled: task calls need it.
    pub(super) fn connect_enabled(&self) -> bool {
        let disabling = self
            .active
            .and_then(|key| self.task_by_key(key))
            .is_some_and(|t| matches!(t.effect, Effect::Disable));
        matches!(self.connector, Connector::Enabled { .. }) && !disabling
    }

    fn busy(&self) -> Option<ApiError> {
        if self.active.is_some() || self.status != RUNNING {
            return Some(ApiError::new(
                ErrorKind::StatusConflict,
                format!(
                    "This operation is not allowed due to the instance status ({}): wait until the \
                     instance is RUNNING and its jobs have finished.",
                    self.status
                ),
            ));
        }
        None
    }

    fn start_task(
        &mut self,
        name: &'static str,
        effect: Effect,
        params: String,
        now: Millis,
        default_ms: Millis,
    ) -> String {
        let key = ids::new_v4();
        let id = key.to_string();
        let fails = matches!(effect, Effect::Enable { .. }) && self.fail_enable;
        let task = Task {
            key,
            id: id.clone(),
            name,
            params,
            created_ms: now,
            duration_ms: self.job_duration_ms.unwrap_or(default_ms).max(0),
            fails,
            effect,
        };
        if self.tasks.len() >= MAX_TASKS_PER_INSTANCE {
            if let Some(old) = self.tasks.pop_front() {
                self.task_index.remove(&old.key);
                self.first_seq += 1;
            }
        }
        let seq = self.first_seq + self.tasks.len() as u64;
        self.tasks.push_back(task);
        self.task_index.insert(key, seq);
        self.active = Some(key);
        id
    }

    fn view(&self, user: &User) -> InstanceView {
        let (connector_enable, connector_id, connector_node_num) = match &self.connector {
            Connector::Disabled => (false, String::new(), 0),
            Connector::Enabled { id, node_num } => (true, id.clone(), *node_num),
        };
        let (resource_spec_code, product_id) = match self.flavor {
            Flavor::Old => (old_resource_spec_code(&self.specification), "00300-30308-0--0"),
            Flavor::New => ("", "c6.2u4g.cluster"),
        };
        InstanceView {
            name: self.name.clone(),
            engine: "kafka",
            engine_version: "2.7",
            description: "",
            specification: self.specification.clone(),
            storage_space: 600,
            partition_num: "300",
            used_storage_space: 0,
            dns_enable: false,
            connect_address: "192.168.0.11,192.168.0.12,192.168.0.13",
            port: 9092,
            status: self.status.to_string(),
            instance_id: self.id.clone(),
            resource_spec_code,
            charging_mode: match self.charging_mode {
                ChargingMode::PostPaid => 1,
                ChargingMode::PrePaid => 0,
            },
            vpc_id: "1e93f86e-13af-46c8-97d6-d40fa62b76c2",
            vpc_name: "vpc-emulator",
            created_at: self.created_ms.to_string(),
            subnet_name: "subnet-emulator",
            subnet_cidr: "192.168.0.0/24",
            user_id: user.id.clone(),
            user_name: user.name.clone(),
            maintain_begin: "02:00:00",
            maintain_end: "06:00:00",
            enable_publicip: false,
            ssl_enable: false,
            kafka_security_protocol: "PLAINTEXT",
            enterprise_project_id: "0",
            is_logical_volume: true,
            extend_times: 0,
            enable_auto_topic: false,
            r#type: "cluster",
            product_id,
            available_zones: ["9f1c5806706d4c1fb0eb72f0a9b18c77"],
            total_storage_space: 600,
            storage_spec_code: "dms.physical.storage.high.v2",
            service_type: "advanced",
            storage_type: "hec",
            ipv6_enable: false,
            connector_enable,
            connector_node_num,
            connector_id,
            rest_enable: false,
            new_spec_billing_enable: self.flavor == Flavor::New,
            broker_num: 3,
            node_num: 3,
            tags: [],
        }
    }
}

fn old_resource_spec_code(bandwidth: &str) -> &'static str {
    match bandwidth {
        "300MB" => "dms.instance.kafka.cluster.c3.small.2",
        "600MB" => "dms.instance.kafka.cluster.c3.middle.2",
        "1200MB" => "dms.instance.kafka.cluster.c3.high.2",
        _ => "dms.instance.kafka.cluster.c3.mini",
    }
}

/// Who "ran" the tasks.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub name: String,
}

#[derive(Debug)]
pub struct State {
    pub(super) instances: HashMap<String, Instance>,
    user: User,
    /// Emulator-wide job duration, overridable per instance.
    job_duration_ms: Millis,
    /// How long a Smart Connect task is CREATING or RESTARTING.
    pub(super) task_duration_ms: Millis,
    /// No connector resources left in the region: enabling fails.
    connector_sold_out: bool,
    /// Peer Kafka clusters and OBS buckets the tasks can reach.
    pub(super) outside: Outside,
}

/// What enabling returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enabled {
    pub job_id: String,
    pub connector_id: String,
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InstanceNotFound,
        format!("The instance {id} does not exist."),
    )
}

impl State {
    pub fn new(job_duration: Duration, task_duration: Duration) -> Self {
        State {
            instances: HashMap::new(),
            user: User {
                id: uuid::Uuid::new_v4().simple().to_string(),
                name: "dmskafka-emulator".to_owned(),
            },
            job_duration_ms: duration_ms(job_duration),
            task_duration_ms: duration_ms(task_duration),
            connector_sold_out: false,
            outside: Outside::default(),
        }
    }

    /// Tells whether connector resources are sold out (and so whether enabling fails).
    pub fn set_connector_sold_out(&mut self, sold_out: bool) {
        self.connector_sold_out = sold_out;
    }

    /// `show_connector_resource_info` of an instance of the project.
    pub fn connector_sold_out(&mut self, project_id: &str, id: &str, now: Millis) -> Result<bool, ApiError> {
        self.instance(project_id, id, now)?;
        Ok(self.connector_sold_out)
    }

    /// The instance, settled, if it belongs to the project.
    pub(super) fn instance(&mut self, project_id: &str, id: &str, now: Millis) -> Result<&mut Instance, ApiError> {
        match self.instances.get_mut(id) {
            Some(inst) if inst.project_id == project_id => {
                inst.settle(now);
                Ok(inst)
            }
            _ => Err(not_found(id)),
        }
    }

    pub fn add(&mut self, spec: InstanceSpec, default_project: &str, now: Millis) -> Result<String, EmulatorError> {
        let id = spec.instance_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        crate::validate::id("instance_id", &id).map_err(|e| EmulatorError::invalid(e.to_string()))?;
        let project_id = spec.project_id.unwrap_or_else(|| default_project.to_owned());
        crate::validate::id("project_id", &project_id).map_err(|e| EmulatorError::invalid(e.to_string()))?;
        if self.instances.contains_key(&id) {
            return Err(EmulatorError::invalid(format!("instance {id} already exists")));
        }
        if spec.status.trim().is_empty() {
            return Err(EmulatorError::invalid("status must not be empty"));
        }
        let specification = match (spec.flavor, spec.specification) {
            (Flavor::Old, None) => "100MB".to_owned(),
            (Flavor::Old, Some(s)) => bandwidth(&s).map(str::to_owned).ok_or_else(|| {
                EmulatorError::invalid(format!(
                    "an old-flavor instance's specification is its bandwidth, one of {}; got {s:?}",
                    BANDWIDTHS.join(", ")
                ))
            })?,
            (Flavor::New, None) => "c6.2u4g.cluster".to_owned(),
            (Flavor::New, Some(s)) => s,
        };
        let name = spec
            .name
            .unwrap_or_else(|| format!("kafka-{}", id.chars().take(8).collect::<String>()));
        let instance = Instance {
            id: id.clone(),
            project_id,
            name,
            charging_mode: spec.charging_mode,
            flavor: spec.flavor,
            specification,
            status: Cow::Owned(spec.status),
            connector: Connector::Disabled,
            active: None,
            tasks: VecDeque::new(),
            task_index: HashMap::new(),
            first_seq: 0,
            created_ms: now,
            job_duration_ms: spec.job_duration.map(duration_ms),
            fail_enable: spec.fail_enable,
            connector_tasks: TaskBook::default(),
            max_tasks: spec.max_tasks,
        };
        self.instances.insert(id.clone(), instance);
        Ok(id)
    }

    /// `POST .../connector`: the check-and-start is one step under the state lock, so of
    /// concurrent enables exactly one starts a job.
    pub fn enable(&mut self, project_id: &str, id: &str, body: &EnableBody, now: Millis) -> Result<Enabled, ApiError> {
        let (default_ms, sold_out) = (self.job_duration_ms, self.connector_sold_out);
        let inst = self.instance(project_id, id, now)?;
        if inst.charging_mode == ChargingMode::PrePaid {
            return Err(ApiError::new(
                ErrorKind::NotPayPerUse,
                format!("The instance {id} is billed yearly/monthly; this API enables Smart Connect only for pay-per-use instances."),
            ));
        }
        if let Some(e) = inst.busy() {
            return Err(e);
        }
        if let Connector::Enabled { id: connector_id, .. } = &inst.connector {
            return Err(ApiError::new(
                ErrorKind::AlreadyEnabled,
                format!("Smart Connect is already enabled on the instance {id} (connector {connector_id})."),
            ));
        }
        if inst.flavor == Flavor::Old {
            check_old_flavor(&inst.specification, body)?;
        }
        if sold_out {
            return Err(ApiError::new(
                ErrorKind::ConnectorSoldOut,
                format!("The connector resources of the region are sold out; Smart Connect cannot be enabled on the instance {id} now."),
            ));
        }
        let connector_id = ids::new_v4().to_string();
        let params = to_json(&EnableParams {
            connector_id: &connector_id,
            node_cnt: body.node_cnt,
            spec_code: body.spec_code.as_deref(),
            specification: body.specification,
        });
        let effect = Effect::Enable {
            connector_id: connector_id.clone(),
            node_cnt: body.node_cnt,
        };
        let job_id = inst.start_task("createConnector", effect, params, now, default_ms);
        inst.status = Cow::Borrowed(EXTENDING);
        Ok(Enabled { job_id, connector_id })
    }

    /// `POST .../delete-connector`: returns the job id.
    pub fn disable(&mut self, project_id: &str, id: &str, now: Millis) -> Result<String, ApiError> {
        let default_ms = self.job_duration_ms;
        let inst = self.instance(project_id, id, now)?;
        if let Some(e) = inst.busy() {
            return Err(e);
        }
        let Connector::Enabled { id: connector_id, .. } = &inst.connector else {
            return Err(ApiError::new(
                ErrorKind::NotEnabled,
                format!("Smart Connect is not enabled on the instance {id}."),
            ));
        };
        let params = to_json(&DisableParams { connector_id });
        let job_id = inst.start_task("deleteConnector", Effect::Disable, params, now, default_ms);
        inst.status = Cow::Borrowed(CONNECTOR_DELETING);
        // The connector's tasks go with it: none is listed from now on.
        inst.connector_tasks.clear();
        Ok(job_id)
    }

    pub fn show(&mut self, project_id: &str, id: &str, now: Millis) -> Result<InstanceView, ApiError> {
        let user = self.user.clone();
        Ok(self.instance(project_id, id, now)?.view(&user))
    }

    pub fn task(&mut self, project_id: &str, id: &str, task_id: &str, now: Millis) -> Result<TaskList, ApiError> {
        let user = self.user.clone();
        let inst = self.instance(project_id, id, now)?;
        let task = inst.task_by_id(task_id).ok_or_else(|| {
            ApiError::new(
                ErrorKind::TaskNotFound,
                format!("The task {task_id} does not exist on the instance {id}."),
            )
        })?;
        Ok(TaskList {
            task_count: "1".to_owned(),
            tasks: vec![task.view(now, &user)],
        })
    }

    /// Control plane: any project.
    pub fn control_view(&mut self, id: &str, now: Millis) -> Option<ControlView> {
        let user = self.user.clone();
        let inst = self.instances.get_mut(id)?;
        inst.settle(now);
        Some(ControlView {
            instance: inst.view(&user),
            project_id: inst.project_id.clone(),
            flavor: match inst.flavor {
                Flavor::New => "new",
                Flavor::Old => "old",
            },
            tasks: inst.tasks.iter().map(|t| t.view(now, &user)).collect(),
        })
    }
}

/// A createConnector task's `params`: the keys sorted, as a `serde_json` map prints them.
#[derive(Serialize)]
struct EnableParams<'a> {
    connector_id: &'a str,
    node_cnt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    specification: Option<&'a str>,
}

/// A deleteConnector task's `params`.
#[derive(Serialize)]
struct DisableParams<'a> {
    connector_id: &'a str,
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Structs of strings and integers always serialize.
    serde_json::to_string(value).unwrap_or_default()
}

fn check_old_flavor(instance_bandwidth: &str, body: &EnableBody) -> Result<(), ApiError> {
    let Some(spec) = body.specification else {
        return Err(ApiError::new(
            ErrorKind::SpecificationRequired,
            format!("specification is mandatory for an old-flavor instance; this one's is {instance_bandwidth}."),
        ));
    };
    if body.spec_code.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(ApiError::new(
            ErrorKind::SpecCodeRequired,
            "spec_code is mandatory for an old-flavor instance.",
        ));
    }
    if spec != instance_bandwidth {
        return Err(ApiError::new(
            ErrorKind::SpecificationMismatch,
            format!("specification {spec} does not match the instance bandwidth {instance_bandwidth}."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Result<(), Box<dyn std::error::Error>>;
    const P: &str = "proj";

    fn state() -> State {
        State::new(Duration::from_secs(2), Duration::from_secs(2))
    }

    fn body(n: u32) -> EnableBody {
        EnableBody {
            node_cnt: n,
            specification: None,
            spec_code: None,
        }
    }

    fn task_status(s: &mut State, id: &str, job: &str, now: Millis) -> Result<&'static str, ApiError> {
        let list = s.task(P, id, job, now)?;
        Ok(list.tasks.first().map_or("", |t| t.status))
    }

    #[test]
    fn enable_runs_created_executing_success() -> R {
        let mut s = state();
        let id = s.add(InstanceSpec::default(), P, 0)?;
        let e = s.enable(P, &id, &body(3), 0)?;
        assert_eq!(task_status(&mut s, &id, &e.job_id, 0)?, "CREATED");
        assert_eq!(task_status(&mut s, &id, &e.job_id, 600)?, "EXECUTING");
        assert_eq!(s.show(P, &id, 1999)?.status, EXTENDING);
        assert_eq!(task_status(&mut s, &id, &e.job_id, 2000)?, "SUCCESS");
        let v = s.show(P, &id, 2000)?;
        assert_eq!(
            (v.status.as_str(), v.connector_enable, v.connector_node_num),
            (RUNNING, true, 3)
        );
        assert_eq!(v.connector_id, e.connector_id);
        Ok(())
    }

    #[test]
    fn second_enable_is_refused() -> R {
        let mut s = state();
        let id = s.add(InstanceSpec::default(), P, 0)?;
        s.enable(P, &id, &body(2), 0)?;
        assert_eq!(
            s.enable(P, &id, &body(2), 1).map_err(|e| e.kind),
            Err(ErrorKind::StatusConflict)
        );
        assert_eq!(
            s.enable(P, &id, &body(2), 5000).map_err(|e| e.kind),
            Err(ErrorKind::AlreadyEnabled)
        );
        Ok(())
    }

    #[test]
    fn failed_enable_leaves_no_connector() -> R {
        let mut s = state();
        let id = s.add(
            InstanceSpec {
                fail_enable: true,
                ..Default::default()
            },
            P,
            0,
        )?;
        let job = s.enable(P, &id, &body(2), 0)?.job_id;
        assert_eq!(task_status(&mut s, &id, &job, 2000)?, "FAILED");
        let v = s.show(P, &id, 2000)?;
        assert_eq!((v.status.as_str(), v.connector_enable), (RUNNING, false));
        Ok(())
    }

    #[test]
    fn delete_goes_through_connector_deleting() -> R {
        let mut s = state();
        let id = s.add(InstanceSpec::default(), P, 0)?;
        assert_eq!(s.disable(P, &id, 0).map_err(|e| e.kind), Err(ErrorKind::NotEnabled));
        s.enable(P, &id, &body(2), 0)?;
        s.disable(P, &id, 2000)?;
        assert_eq!(s.show(P, &id, 2001)?.status, CONNECTOR_DELETING);
        let v = s.show(P, &id, 4000)?;
        assert_eq!((v.status.as_str(), v.connector_enable), (RUNNING, false));
        Ok(())
    }

    #[test]
    fn other_projects_instances_are_not_found() -> R {
        let mut s = state();
        let id = s.add(InstanceSpec::default(), P, 0)?;
        assert_eq!(
            s.show("other", &id, 0).map_err(|e| e.kind).err(),
            Some(ErrorKind::InstanceNotFound)
        );
        Ok(())
    }

    #[test]
    fn params_print_as_a_sorted_json_map() {
        let params = |spec: Option<&'static str>, code: Option<&str>| {
            let mut map = serde_json::json!({ "connector_id": "c", "node_cnt": 3 });
            if let (Some(spec), Some(m)) = (spec, map.as_object_mut()) {
                m.insert("specification".to_owned(), spec.into());
            }
            if let (Some(code), Some(m)) = (code, map.as_object_mut()) {
                m.insert("spec_code".to_owned(), code.into());
            }
            let typed = to_json(&EnableParams {
                connector_id: "c",
                node_cnt: 3,
                spec_code: code,
                specification: spec,
            });
            (map.to_string(), typed)
        };
        for (spec, code) in [
            (None, None),
            (Some("100MB"), None),
            (None, Some("x\"\u{e9}")),
            (Some("300MB"), Some("k")),
        ] {
            let (want, got) = params(spec, code);
            assert_eq!(got, want);
        }
        assert_eq!(
            to_json(&DisableParams { connector_id: "c" }),
            serde_json::json!({ "connector_id": "c" }).to_string()
        );
    }

    #[test]
    fn tasks_are_found_by_id_after_old_ones_are_forgotten() -> R {
        let mut s = state();
        let id = s.add(
            InstanceSpec {
                fail_enable: true,
                job_duration: Some(Duration::ZERO),
                ..Default::default()
            },
            P,
            0,
        )?;
        let jobs = (0..MAX_TASKS_PER_INSTANCE + 5)
            .map(|_| s.enable(P, &id, &body(2), 0).map(|e| e.job_id))
            .collect::<Result<Vec<_>, _>>()?;
        for (n, job) in jobs.iter().enumerate() {
            let found = s.task(P, &id, job, 0);
            if n < 5 {
                assert_eq!(found.map_err(|e| e.kind).err(), Some(ErrorKind::TaskNotFound));
            } else {
                assert_eq!(found?.tasks.first().map(|t| t.id.as_str()), Some(job.as_str()));
            }
        }
        let last = jobs.last().ok_or("no job")?;
        for other in [
            last.to_uppercase(),
            format!("{{{last}}}"),
            last.replace('-', ""),
            "nope".into(),
        ] {
            assert_eq!(
                s.task(P, &id, &other, 0).map_err(|e| e.kind).err(),
                Some(ErrorKind::TaskNotFound)
            );
        }
        Ok(())
    }

    #[test]
    fn old_flavor_rules() -> R {
        let mut s = state();
        let spec = InstanceSpec {
            flavor: Flavor::Old,
            specification: Some("300MB".into()),
            ..Default::default()
        };
        let id = s.add(spec, P, 0)?;
        let mut b = body(2);
        assert_eq!(
            s.enable(P, &id, &b, 0).map_err(|e| e.kind),
            Err(ErrorKind::SpecificationRequired)
        );
        b.specification = Some("100MB");
        assert_eq!(
            s.enable(P, &id, &b, 0).map_err(|e| e.kind),
            Err(ErrorKind::SpecCodeRequired)
        );
        b.spec_code = Some("kafka.c3.mini.connector".into());
        assert_eq!(
            s.enable(P, &id, &b, 0).map_err(|e| e.kind),
            Err(ErrorKind::SpecificationMismatch)
        );
        b.specification = Some("300MB");
        s.enable(P, &id, &b, 0)?;
        Ok(())
    }
}
