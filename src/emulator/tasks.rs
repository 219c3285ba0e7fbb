//! The Smart Connect tasks of one instance: their settings as the service shows them (never a
//! secret), their status on the emulator clock, and which action each status allows.
//!
//! Settings are kept as `SmartConnectTaskEntity` JSON, shaped by the model descriptions
//! (`spec/models.json`): a create body is projected onto the entity (a source or sink config
//! keeps only its `Resp` model's fields, so the SASL password and the OBS keys are dropped),
//! and a modify body is merged into it.

use serde_json::{Map, Value};

use super::clock::Millis;
use super::errors::{ApiError, ErrorKind};
use crate::operations::OpId;
use crate::spec;

/// Tasks an instance may have unless seeded otherwise. No quota is published; this is the
/// emulator's own default (`add_instance(max_tasks=...)` sets another).
pub const DEFAULT_MAX_TASKS: u32 = 18;

/// The entity model: what a task shows.
const ENTITY: &str = "SmartConnectTaskEntity";
/// Entity fields the service sets; a modify body's values for them are ignored.
const SERVICE_FIELDS: [&str; 3] = ["id", "status", "create_time"];

/// Task statuses. WAITING, RUNNING, PAUSED and RESTARTING are the documented ones; CREATING is
/// what Huawei's Terraform provider waits on after creating a task
/// (huaweicloud/services/kafka/resource_huaweicloud_dms_kafkav2_smart_connect_task.go); FAILED
/// is the emulator's own, set only by the control plane's `fail_task`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Creating,
    Waiting,
    Running,
    Paused,
    Restarting,
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Creating => "CREATING",
            Status::Waiting => "WAITING",
            Status::Running => "RUNNING",
            Status::Paused => "PAUSED",
            Status::Restarting => "RESTARTING",
            Status::Failed => "FAILED",
        }
    }
}

/// The state-changing calls on one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pause,
    Resume,
    /// Either restart path.
    Restart,
}

impl Action {
    /// The status after the action from `from`, or `None` when `from` does not allow it.
    fn next(self, from: Status) -> Option<Status> {
        use Status::*;
        match (self, from) {
            (Action::Pause, Running) => Some(Paused),
            (Action::Resume, Paused | Waiting) => Some(Running),
            // Restarting is how a failed task is brought back (FAILED is the emulator's own).
            (Action::Restart, Running | Paused | Waiting | Failed) => Some(Restarting),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Restart => "restart",
        }
    }
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    /// The entity's other fields, under their JSON names.
    settings: Map<String, Value>,
    create_time: Millis,
    status: Status,
    /// When CREATING or RESTARTING turns into RUNNING.
    until: Millis,
}

impl Task {
    /// The status at `now`: CREATING and RESTARTING last one task duration.
    fn status(&self, now: Millis) -> Status {
        match self.status {
            Status::Creating | Status::Restarting if now >= self.until => Status::Running,
            other => other,
        }
    }

    fn name(&self) -> Option<&str> {
        self.settings.get("task_name").and_then(Value::as_str)
    }

    /// The `SmartConnectTaskEntity` JSON.
    fn view(&self, now: Millis) -> Value {
        let mut view = self.settings.clone();
        view.insert("id".to_owned(), Value::from(self.id.as_str()));
        view.insert("status".to_owned(), Value::from(self.status(now).name()));
        view.insert("create_time".to_owned(), Value::from(self.create_time));
        Value::Object(view)
    }
}

/// The tasks of an instance, in creation order.
#[derive(Debug, Clone, Default)]
pub struct TaskBook {
    tasks: Vec<Task>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ConnectorTaskNotFound,
        format!("The Smart Connect task {id} does not exist."),
    )
}

impl TaskBook {
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn clear(&mut self) {
        self.tasks.clear();
    }

    /// Refuses `name` when another task (not `except`) has it.
    pub fn check_name(&self, name: Option<&str>, except: Option<&str>) -> Result<(), ApiError> {
        let Some(name) = name else { return Ok(()) };
        if self
            .tasks
            .iter()
            .any(|t| t.name() == Some(name) && Some(t.id.as_str()) != except)
        {
            return Err(ApiError::new(
                ErrorKind::TaskNameTaken,
                format!("A Smart Connect task named {name} already exists on the instance."),
            ));
        }
        Ok(())
    }

    /// Adds a task with entity `settings`: CREATING for `duration_ms`, or WAITING when it
    /// starts later. Returns its view.
    pub fn create(
        &mut self,
        settings: Map<String, Value>,
        start_later: bool,
        now: Millis,
        duration_ms: Millis,
    ) -> Value {
        let task = Task {
            id: super::ids::new_v4().to_string(),
            settings,
            create_time: now,
            status: if start_later { Status::Waiting } else { Status::Creating },
            until: now.saturating_add(duration_ms),
        };
        let view = task.view(now);
        self.tasks.push(task);
        view
    }

    fn task(&self, id: &str) -> Result<&Task, ApiError> {
        self.tasks.iter().find(|t| t.id == id).ok_or_else(|| not_found(id))
    }

    fn task_mut(&mut self, id: &str) -> Result<&mut Task, ApiError> {
        self.tasks.iter_mut().find(|t| t.id == id).ok_or_else(|| not_found(id))
    }

    pub fn show(&self, id: &str, now: Millis) -> Result<Value, ApiError> {
        Ok(self.task(id)?.view(now))
    }

    /// A task's settings, for checking a change before it is made.
    pub fn settings(&self, id: &str) -> Result<&Map<String, Value>, ApiError> {
        Ok(&self.task(id)?.settings)
    }

    /// Replaces a task's settings (already checked); returns its view.
    pub fn replace(&mut self, id: &str, settings: Map<String, Value>, now: Millis) -> Result<Value, ApiError> {
        let task = self.task_mut(id)?;
        task.settings = settings;
        Ok(task.view(now))
    }

    pub fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        let before = self.tasks.len();
        self.tasks.retain(|t| t.id != id);
        if self.tasks.len() == before {
            return Err(not_found(id));
        }
        Ok(())
    }

    pub fn act(&mut self, id: &str, action: Action, now: Millis, duration_ms: Millis) -> Result<(), ApiError> {
        let task = self.task_mut(id)?;
        let from = task.status(now);
        let to = action.next(from).ok_or_else(|| {
            ApiError::new(
                ErrorKind::TaskStateConflict,
                format!(
                    "Invalid state for this action: the task {id} is {}, and {} needs it {}.",
                    from.name(),
                    action.name(),
                    match action {
                        Action::Pause => "RUNNING",
                        Action::Resume => "PAUSED or WAITING",
                        Action::Restart => "RUNNING, PAUSED, WAITING or FAILED",
                    }
                ),
            )
        })?;
        task.status = to;
        task.until = now.saturating_add(duration_ms);
        Ok(())
    }

    /// Control plane: the task goes FAILED. `false` if there is no such task.
    pub fn fail(&mut self, id: &str) -> bool {
        self.task_mut(id).map(|t| t.status = Status::Failed).is_ok()
    }

    /// Tasks `offset..offset + limit`, in creation order.
    pub fn page(&self, offset: usize, limit: usize, now: Millis) -> Vec<Value> {
        self.tasks
            .iter()
            .skip(offset)
            .take(limit)
            .map(|t| t.view(now))
            .collect()
    }

    pub fn views(&self, now: Millis) -> Vec<Value> {
        self.page(0, usize::MAX, now)
    }
}

/// A create body (checked against the operation's body model) as entity settings: the fields
/// the entity has, each nested config reduced to its `Resp` model's fields (so no secret), with
/// the service's defaults for what was left out.
pub fn settings_from_create(body: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let from = OpId::CreateConnectorTask.op().body.unwrap_or_default();
    project(body, from, ENTITY)
}

fn described(model: &str) -> Result<&'static [spec::Field], ApiError> {
    spec::model(model).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))
}

fn project(value: &Map<String, Value>, from: &str, to: &str) -> Result<Map<String, Value>, ApiError> {
    let source = described(from)?;
    let mut out = Map::new();
    for field in described(to)?
        .iter()
        .filter(|f| !SERVICE_FIELDS.contains(&f.name.as_str()))
    {
        let Some(origin) = source.iter().find(|f| f.json == field.json) else {
            continue;
        };
        let projected = match value.get(&field.json) {
            Some(Value::Object(inner)) if spec::described(&field.ty).is_some() => {
                Value::Object(project(inner, &origin.ty, &field.ty)?)
            }
            Some(given) => given.clone(),
            None => match &origin.service_default {
                Some(default) => default.clone(),
                None => continue,
            },
        };
        out.insert(field.json.clone(), projected);
    }
    Ok(out)
}

/// A modify body (`SmartConnectTaskEntity`, checked) merged into `stored`: each field given
/// replaces the stored one, nested configs field by field; `id`, `status` and `create_time`
/// are ignored. Giving one field of an "at most one of" pair (topics / topics_regex,
/// instance_id / bootstrap_servers, ...) removes the other, so the result stays valid.
pub fn merged(stored: &Map<String, Value>, patch: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let mut out = stored.clone();
    let patch: Map<String, Value> = patch
        .iter()
        .filter(|(k, _)| !SERVICE_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    merge(&mut out, &patch, ENTITY)?;
    Ok(out)
}

fn merge(out: &mut Map<String, Value>, patch: &Map<String, Value>, model: &str) -> Result<(), ApiError> {
    for field in described(model)? {
        let Some(given) = patch.get(&field.json) else { continue };
        match (out.get_mut(&field.json), given) {
            (Some(Value::Object(stored)), Value::Object(inner)) if spec::described(&field.ty).is_some() => {
                merge(stored, inner, &field.ty)?;
            }
            _ => {
                out.insert(field.json.clone(), given.clone());
            }
        }
    }
    for rule in spec::rules(model) {
        let (spec::RuleKind::AtMostOneOf(names) | spec::RuleKind::ExactlyOneOf(names)) = &rule.kind else {
            continue;
        };
        let json = |name: &str| spec::field(model, name).map(|f| f.json.as_str());
        let mut chosen = None;
        for name in names {
            let key = json(name).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
            if patch.get(key).is_some_and(is_given) {
                chosen = Some(key);
            }
        }
        if let Some(chosen) = chosen {
            for name in names {
                let key = json(name).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
                if key != chosen {
                    out.remove(key);
                }
            }
        }
    }
    Ok(())
}

/// Given, as the model rules count it: present and not null, `false` or "".
fn is_given(v: &Value) -> bool {
    !(v.is_null() || *v == Value::Bool(false) || v.as_str() == Some(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type R = Result<(), Box<dyn std::error::Error>>;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn status(book: &TaskBook, id: &str, now: Millis) -> String {
        book.show(id, now)
            .ok()
            .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default()
    }

    fn id_of(view: &Value) -> String {
        view.get("id").and_then(Value::as_str).unwrap_or_default().to_owned()
    }

    #[test]
    fn creating_then_running_and_waiting_until_resumed() -> R {
        let mut book = TaskBook::default();
        let started = id_of(&book.create(Map::new(), false, 0, 2000));
        let later = id_of(&book.create(Map::new(), true, 0, 2000));
        assert_eq!(status(&book, &started, 1999), "CREATING");
        assert_eq!(status(&book, &started, 2000), "RUNNING");
        assert_eq!(status(&book, &later, 99_999), "WAITING");
        book.act(&later, Action::Resume, 100, 2000)?;
        assert_eq!(status(&book, &later, 100), "RUNNING");
        Ok(())
    }

    #[test]
    fn each_action_is_allowed_in_its_statuses_only() -> R {
        use Status::*;
        let all = [Creating, Waiting, Running, Paused, Restarting, Failed];
        for action in [Action::Pause, Action::Resume, Action::Restart] {
            for from in all {
                let allowed = match action {
                    Action::Pause => from == Running,
                    Action::Resume => matches!(from, Paused | Waiting),
                    Action::Restart => matches!(from, Running | Paused | Waiting | Failed),
                };
                assert_eq!(action.next(from).is_some(), allowed, "{action:?} from {from:?}");
            }
        }
        let mut book = TaskBook::default();
        let id = id_of(&book.create(Map::new(), false, 0, 10));
        let e = book
            .act(&id, Action::Pause, 5, 10)
            .err()
            .ok_or("paused while CREATING")?;
        assert_eq!(e.kind, ErrorKind::TaskStateConflict);
        assert!(e.message.contains("CREATING"), "{}", e.message);
        book.act(&id, Action::Pause, 10, 10)?;
        book.act(&id, Action::Restart, 20, 10)?;
        assert_eq!(status(&book, &id, 29), "RESTARTING");
        assert_eq!(status(&book, &id, 30), "RUNNING");
        assert!(book.fail(&id));
        assert_eq!(status(&book, &id, 40), "FAILED");
        assert_eq!(
            book.act(&id, Action::Resume, 40, 10).map_err(|e| e.kind),
            Err(ErrorKind::TaskStateConflict)
        );
        // A failed task is brought back by a restart.
        book.act(&id, Action::Restart, 40, 10)?;
        assert_eq!(status(&book, &id, 50), "RUNNING");
        book.delete(&id)?;
        assert_eq!(
            book.act(&id, Action::Pause, 40, 10).map_err(|e| e.kind),
            Err(ErrorKind::ConnectorTaskNotFound)
        );
        assert!(!book.fail(&id));
        Ok(())
    }

    #[test]
    fn names_are_unique_and_pages_follow_creation_order() -> R {
        let mut book = TaskBook::default();
        let ids: Vec<String> = (0..5)
            .map(|n| id_of(&book.create(map(json!({"task_name": format!("t{n}")})), false, n, 0)))
            .collect();
        assert_eq!(
            book.check_name(Some("t1"), None).map_err(|e| e.kind),
            Err(ErrorKind::TaskNameTaken)
        );
        assert!(book.check_name(Some("t1"), ids.get(1).map(String::as_str)).is_ok());
        assert!(book.check_name(None, None).is_ok());
        let page: Vec<String> = book.page(1, 2, 0).iter().map(id_of).collect();
        assert_eq!(page, ids.get(1..3).ok_or("short")?);
        assert!(book.page(5, 10, 0).is_empty());
        Ok(())
    }

    #[test]
    fn a_create_body_keeps_no_secret_and_gets_the_service_defaults() -> R {
        let body = map(json!({
            "task_name": "t", "start_later": true, "topics": "a,b",
            "source_type": "KAFKA_REPLICATOR_SOURCE",
            "source_task": {"instance_id": "p", "user_name": "u", "password": "hunter2", "security_protocol": "SASL_SSL"},
            "sink_type": "OBS_SINK",
            "sink_task": {"obs_bucket_name": "b", "access_key": "AK", "secret_key": "SK"}
        }));
        let settings = settings_from_create(&body)?;
        assert_eq!(
            Value::Object(settings),
            json!({
                "task_name": "t", "topics": "a,b", "source_type": "KAFKA_REPLICATOR_SOURCE",
                "source_task": {"instance_id": "p", "user_name": "u", "security_protocol": "SASL_SSL", "task_num": 2},
                "sink_type": "OBS_SINK",
                "sink_task": {"obs_bucket_name": "b", "deliver_time_interval": 300}
            })
        );
        Ok(())
    }

    #[test]
    fn a_modify_body_replaces_given_fields_and_their_exclusive_partners() -> R {
        let stored = map(json!({
            "task_name": "t", "topics": "a",
            "source_task": {"instance_id": "p", "task_num": 2, "topics_mapping": "a:b"}
        }));
        let patch = map(json!({
            "topics_regex": "a.*", "id": "other", "status": "PAUSED", "create_time": 1,
            "source_task": {"bootstrap_servers": "h:1", "rename_topic_enabled": false}
        }));
        let got = merged(&stored, &patch)?;
        assert_eq!(
            Value::Object(got),
            json!({
                "task_name": "t", "topics_regex": "a.*",
                "source_task": {"bootstrap_servers": "h:1", "task_num": 2, "topics_mapping": "a:b",
                                "rename_topic_enabled": false}
            })
        );
        Ok(())
    }
}
