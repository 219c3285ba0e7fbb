//! The Smart Connect task calls on the state, each with its checks in the order
//! docs/emulator.md gives: the instance, Smart Connect enabled, the task, then what the
//! settings reach (peer Kafka, OBS).

use serde::Serialize;
use serde_json::{Map, Value};

use super::auth::CredentialStore;
use super::clock::Millis;
use super::errors::{ApiError, ErrorKind};
use super::outside::{BucketView, KafkaPeerSpec, ObsBucketSpec, Peer, SourceRef};
use super::state::{Instance, State};
use super::tasks::{merged, settings_from_create, Action};
use super::EmulatorError;

const KAFKA_SOURCE: &str = "KAFKA_REPLICATOR_SOURCE";
const OBS_SINK: &str = "OBS_SINK";
/// Where a task's settings name their source type and config.
const SOURCE_KEYS: (&str, &str) = ("source_type", "source_task");

/// The list_connector_tasks body.
#[derive(Debug, Serialize)]
pub struct TaskPage {
    tasks: Vec<Value>,
    total_number: usize,
    max_tasks: u32,
    quota_tasks: u32,
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn object<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

/// The source config when `settings` replicate from a peer Kafka (an empty one, which
/// reaches nothing, if it is missing).
fn kafka_source<'a>(
    settings: &'a Map<String, Value>,
    (type_key, config_key): (&str, &str),
    with_password: bool,
) -> Option<SourceRef<'a>> {
    (text(settings, type_key) == Some(KAFKA_SOURCE))
        .then(|| object(settings, config_key).map_or_else(SourceRef::default, |c| SourceRef::read(c, with_password)))
}

fn obs_sink(settings: &Map<String, Value>) -> Option<Option<&Map<String, Value>>> {
    (text(settings, "sink_type") == Some(OBS_SINK)).then(|| object(settings, "sink_task"))
}

/// OBS takes the keys of a registered AK (its SK never quoted back).
fn check_obs_keys(creds: &CredentialStore, ak: Option<&str>, sk: Option<&str>) -> Result<(), ApiError> {
    match (ak, sk) {
        (Some(ak), Some(sk)) if creds.knows_pair(ak, sk) => Ok(()),
        (Some(_), Some(_)) => Err(ApiError::new(
            ErrorKind::ObsCredentialsInvalid,
            "OBS refused access_key/secret_key: they are not a valid AK/SK pair.",
        )),
        _ => Err(ApiError::new(
            ErrorKind::ObsCredentialsInvalid,
            "access_key and secret_key are required to write to OBS.",
        )),
    }
}

impl State {
    /// The instance when Smart Connect is enabled on it (and not being disabled).
    fn connect_instance(&mut self, project: &str, id: &str, now: Millis) -> Result<&mut Instance, ApiError> {
        let inst = self.instance(project, id, now)?;
        if !inst.connect_enabled() {
            return Err(ApiError::new(
                ErrorKind::NotEnabled,
                format!("Smart Connect is not enabled on the instance {id}."),
            ));
        }
        Ok(inst)
    }

    /// The peer `source` names: an added peer, or an instance of the project.
    fn reach(&self, project: &str, source: &SourceRef<'_>) -> Result<Peer, ApiError> {
        self.outside.reach(source, |peer_id| {
            self.instances.get(peer_id).is_some_and(|i| i.project_id == project)
        })
    }

    /// What a source reaches and whether it may: the peer, its SASL, the replication factor.
    fn check_source(&self, project: &str, source: &SourceRef<'_>) -> Result<(), ApiError> {
        let peer = self.reach(project, source)?;
        peer.authenticate(source)?;
        peer.check_replication(source)
    }

    /// `POST .../connector/tasks` with a body checked against the operation's body model.
    pub fn create_connector_task(
        &mut self,
        project: &str,
        id: &str,
        body: &Map<String, Value>,
        creds: &CredentialStore,
        now: Millis,
    ) -> Result<Value, ApiError> {
        // Judged before the instance is borrowed for the change, answered in the documented order.
        let source = kafka_source(body, SOURCE_KEYS, true).map(|source| self.check_source(project, &source));
        let sink = obs_sink(body).map(|config| {
            let field = |key| config.and_then(|c| text(c, key));
            check_obs_keys(creds, field("access_key"), field("secret_key"))?;
            self.outside.check_bucket(field("obs_bucket_name"))
        });
        let settings = settings_from_create(body)?;
        let duration_ms = self.task_duration_ms;
        let inst = self.connect_instance(project, id, now)?;
        inst.connector_tasks.check_name(text(body, "task_name"), None)?;
        if inst.connector_tasks.len() >= inst.max_tasks as usize {
            return Err(ApiError::new(
                ErrorKind::TaskQuotaReached,
                format!(
                    "The quota limit has been reached: the instance {id} has {} Smart Connect tasks.",
                    inst.max_tasks
                ),
            ));
        }
        source.transpose()?;
        sink.transpose()?;
        let start_later = body.get("start_later") == Some(&Value::Bool(true));
        Ok(inst.connector_tasks.create(settings, start_later, now, duration_ms))
    }

    /// `GET .../connector/tasks?offset=&limit=`.
    pub fn list_connector_tasks(
        &mut self,
        project: &str,
        id: &str,
        offset: usize,
        limit: usize,
        now: Millis,
    ) -> Result<TaskPage, ApiError> {
        let inst = self.connect_instance(project, id, now)?;
        Ok(TaskPage {
            tasks: inst.connector_tasks.page(offset, limit, now),
            total_number: inst.connector_tasks.len(),
            max_tasks: inst.max_tasks,
            quota_tasks: inst.max_tasks,
        })
    }

    pub fn show_connector_task(
        &mut self,
        project: &str,
        id: &str,
        task_id: &str,
        now: Millis,
    ) -> Result<Value, ApiError> {
        self.connect_instance(project, id, now)?
            .connector_tasks
            .show(task_id, now)
    }

    /// `PUT .../connector/tasks/{task_id}` with a checked `SmartConnectTaskEntity` body. The
    /// result is checked as a new task's settings would be, but for the SASL password and the
    /// OBS keys, which that model does not carry.
    pub fn modify_connector_task(
        &mut self,
        project: &str,
        id: &str,
        task_id: &str,
        patch: &Map<String, Value>,
        now: Millis,
    ) -> Result<Value, ApiError> {
        let tasks = &self.connect_instance(project, id, now)?.connector_tasks;
        let settings = merged(tasks.settings(task_id)?, patch)?;
        tasks.check_name(text(&settings, "task_name"), Some(task_id))?;
        if let Some(source) = kafka_source(&settings, SOURCE_KEYS, false) {
            self.check_source(project, &source)?;
        }
        if let Some(config) = obs_sink(&settings) {
            self.outside
                .check_bucket(config.and_then(|c| text(c, "obs_bucket_name")))?;
        }
        self.connect_instance(project, id, now)?
            .connector_tasks
            .replace(task_id, settings, now)
    }

    pub fn delete_connector_task(
        &mut self,
        project: &str,
        id: &str,
        task_id: &str,
        now: Millis,
    ) -> Result<(), ApiError> {
        self.connect_instance(project, id, now)?.connector_tasks.delete(task_id)
    }

    /// Pause, resume or restart.
    pub fn act_on_connector_task(
        &mut self,
        project: &str,
        id: &str,
        task_id: &str,
        action: Action,
        now: Millis,
    ) -> Result<(), ApiError> {
        let duration_ms = self.task_duration_ms;
        self.connect_instance(project, id, now)?
            .connector_tasks
            .act(task_id, action, now, duration_ms)
    }

    /// `POST .../connector/validate` with a checked `SmartConnectValidateEntity` body: a Kafka
    /// source must reach its peer and pass its SASL check (the password too when the body, as a
    /// dict, carries one: the model has none); an OBS_SINK check has nothing to reach in that
    /// model, so it passes.
    pub fn validate_connectivity(
        &mut self,
        project: &str,
        id: &str,
        body: &Map<String, Value>,
        now: Millis,
    ) -> Result<(), ApiError> {
        let reached = kafka_source(body, ("type", "task"), false)
            .map(|source| self.reach(project, &source).and_then(|peer| peer.authenticate(&source)));
        self.connect_instance(project, id, now)?;
        reached.transpose().map(|_| ())
    }

    /// `GET /v1.0/dms/obs/buckets`: every bucket, whatever the project.
    pub fn obs_buckets(&self) -> Vec<BucketView> {
        self.outside.buckets()
    }

    pub fn add_kafka_peer(&mut self, spec: KafkaPeerSpec) -> Result<(), EmulatorError> {
        self.outside.add_peer(spec)
    }

    pub fn add_obs_bucket(&mut self, spec: ObsBucketSpec, now: Millis) -> Result<(), EmulatorError> {
        self.outside.add_bucket(spec, now)
    }

    /// Control plane: the task goes FAILED (in any project).
    pub fn fail_connector_task(&mut self, id: &str, task_id: &str) -> Result<(), EmulatorError> {
        let inst = self
            .instances
            .get_mut(id)
            .ok_or_else(|| EmulatorError::NotFound(id.to_owned()))?;
        if inst.connector_tasks.fail(task_id) {
            Ok(())
        } else {
            Err(EmulatorError::TaskNotFound {
                instance_id: id.to_owned(),
                task_id: task_id.to_owned(),
            })
        }
    }

    /// Control plane: the tasks as show_connector_task shows them (in any project).
    pub fn connector_task_views(&mut self, id: &str, now: Millis) -> Result<Vec<Value>, EmulatorError> {
        let project = self
            .instances
            .get(id)
            .map(|i| i.project_id.clone())
            .ok_or_else(|| EmulatorError::NotFound(id.to_owned()))?;
        // Settled like a request would be, so a disable job that has ended shows no tasks.
        let inst = self
            .instance(&project, id, now)
            .map_err(|_| EmulatorError::NotFound(id.to_owned()))?;
        Ok(inst.connector_tasks.views(now))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::emulator::auth::CredentialSpec;
    use crate::emulator::params::EnableBody;
    use crate::emulator::state::InstanceSpec;

    type R = Result<(), Box<dyn std::error::Error>>;
    const P: &str = "proj";

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn kind<T: std::fmt::Debug>(r: Result<T, ApiError>) -> Option<ErrorKind> {
        r.err().map(|e| e.kind)
    }

    /// A state with one instance (quota 1) whose Smart Connect is enabled at time 0.
    fn enabled() -> Result<(State, String, CredentialStore), Box<dyn std::error::Error>> {
        let mut s = State::new(Duration::from_secs(2), Duration::from_secs(2));
        let spec = InstanceSpec {
            max_tasks: 1,
            job_duration: Some(Duration::ZERO),
            ..Default::default()
        };
        let id = s.add(spec, P, 0)?;
        let enable = EnableBody {
            node_cnt: 2,
            specification: None,
            spec_code: None,
        };
        s.enable(P, &id, &enable, 0)?;
        let creds = CredentialStore::default();
        creds.add(CredentialSpec {
            ak: "AK".into(),
            sk: "SK".into(),
            project_id: P.into(),
            security_token: None,
            region: None,
        })?;
        Ok((s, id, creds))
    }

    #[test]
    fn checks_run_in_the_documented_order() -> R {
        let (mut s, id, creds) = enabled()?;
        let unknown_peer = body(json!({"task_name": "t", "source_type": KAFKA_SOURCE,
                                        "source_task": {"instance_id": "nowhere"}}));
        let other = s.add(InstanceSpec::default(), P, 0)?;
        // Smart Connect comes before the peer...
        assert_eq!(
            kind(s.create_connector_task(P, &other, &unknown_peer, &creds, 0)),
            Some(ErrorKind::NotEnabled)
        );
        // ... the peer after the name and the quota.
        assert_eq!(
            kind(s.create_connector_task(P, &id, &unknown_peer, &creds, 0)),
            Some(ErrorKind::PeerUnreachable)
        );
        let to_other = body(json!({"task_name": "t", "source_type": KAFKA_SOURCE,
                                    "source_task": {"instance_id": other, "replication_factor": 3}}));
        s.create_connector_task(P, &id, &to_other, &creds, 0)?;
        assert_eq!(
            kind(s.create_connector_task(P, &id, &unknown_peer, &creds, 0)),
            Some(ErrorKind::TaskNameTaken)
        );
        let renamed = body(json!({"task_name": "u", "source_type": KAFKA_SOURCE,
                                   "source_task": {"instance_id": "nowhere"}}));
        assert_eq!(
            kind(s.create_connector_task(P, &id, &renamed, &creds, 0)),
            Some(ErrorKind::TaskQuotaReached)
        );
        Ok(())
    }

    #[test]
    fn obs_sinks_need_a_known_key_pair_then_a_known_bucket() -> R {
        let (mut s, id, creds) = enabled()?;
        s.add_obs_bucket(
            ObsBucketSpec {
                name: "b-1".into(),
                location: "cn-north-4".into(),
                storage_class: "STANDARD".into(),
            },
            0,
        )?;
        let sink = |ak: &str, sk: &str, bucket: &str| {
            body(
                json!({"sink_type": OBS_SINK, "sink_task": {"access_key": ak, "secret_key": sk, "obs_bucket_name": bucket}}),
            )
        };
        for (given, expected) in [
            (sink("AK", "nope", "b-1"), ErrorKind::ObsCredentialsInvalid),
            (sink("AK", "SK", "b-2"), ErrorKind::ObsBucketUnknown),
            (
                body(json!({"sink_type": OBS_SINK, "sink_task": {"obs_bucket_name": "b-1"}})),
                ErrorKind::ObsCredentialsInvalid,
            ),
        ] {
            assert_eq!(kind(s.create_connector_task(P, &id, &given, &creds, 0)), Some(expected));
        }
        let created = s.create_connector_task(P, &id, &sink("AK", "SK", "b-1"), &creds, 0)?;
        assert_eq!(created.pointer("/sink_task/secret_key"), None);
        assert_eq!(created.get("status"), Some(&Value::from("CREATING")));
        Ok(())
    }

    #[test]
    fn disabling_smart_connect_drops_the_tasks_at_once() -> R {
        let (mut s, id, creds) = enabled()?;
        s.create_connector_task(P, &id, &body(json!({"task_name": "t"})), &creds, 0)?;
        s.disable(P, &id, 1)?;
        assert_eq!(s.connector_task_views(&id, 1)?, Vec::<Value>::new());
        assert_eq!(
            kind(s.list_connector_tasks(P, &id, 0, 10, 1)),
            Some(ErrorKind::NotEnabled)
        );
        Ok(())
    }
}
