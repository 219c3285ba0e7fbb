//! The operation table: every call the client makes, one entry each — its official name, HTTP
//! method, path template, parameters, body and response models, success statuses and whether
//! it is safe to re-send. The client executes any entry through one path (`Client::call`);
//! the emulator routes by the same templates; the binding, the logs and the benchmarks read
//! names and routes from here. Nothing else spells a route or an operation name.

use std::borrow::Cow;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::Error;

/// Which operation; each names one entry of [`OPERATIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpId {
    CreateConnector,
    ShowConnectorResourceInfo,
    ShowInstance,
    ShowBackgroundTask,
    DeleteConnector,
    CreateConnectorTask,
    ListConnectorTasks,
    ShowConnectorTask,
    ModifyConnectorTask,
    DeleteConnectorTask,
    PauseConnectorTask,
    ResumeConnectorTask,
    RestartConnectorTask,
    RestartSmartConnectorTask,
    ValidateConnectorConnectivity,
    ListObsBuckets,
    /// IAM: the projects of the AK in a region (project id discovery).
    KeystoneListProjects,
}

/// What a success body must be before it is handed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A JSON object, the response model's fields (unknown ones ignored).
    JsonObject,
    /// `{"job_id": str, "connector_id": str}`, read by the core.
    Connector,
    /// A JSON array: the response model's one field, `body`.
    JsonArray,
    /// Nothing to read (204, or a body the response model has no fields for).
    Nothing,
}

/// Which API an operation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Kafka,
    Iam,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Kafka => "kafka",
            Service::Iam => "iam",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Operation {
    pub id: OpId,
    pub service: Service,
    /// The official SDK's method name.
    pub name: &'static str,
    pub method: &'static str,
    /// `{name}` placeholders are path parameters; `{project_id}` comes from the credentials.
    pub path: &'static str,
    /// The placeholders other than `{project_id}`, in path order.
    pub path_params: &'static [&'static str],
    pub query_params: &'static [&'static str],
    /// The official request model (its path and query parameters, and `body`).
    pub request: &'static str,
    /// The request body model (a model of `spec/models.json`), if the operation has a body.
    pub body: Option<&'static str>,
    pub response: &'static str,
    pub reply: Reply,
    /// The statuses the API reference documents as success; another 2xx cannot be read.
    pub success: &'static [u16],
    /// Whether sending it twice is harmless (it changes nothing): only then may a failure
    /// after sending be retried.
    pub resend_safe: bool,
    /// Whether the request carries `Content-Type: application/json` (the IAM call does not).
    pub json: bool,
}

static CREATE_CONNECTOR: Operation = Operation {
    id: OpId::CreateConnector,
    service: Service::Kafka,
    name: "create_connector",
    method: "POST",
    path: "/v2/{project_id}/instances/{instance_id}/connector",
    path_params: &["instance_id"],
    query_params: &[],
    request: "CreateConnectorRequest",
    body: Some("CreateConnectorReq"),
    response: "CreateConnectorResponse",
    reply: Reply::Connector,
    success: &[200],
    resend_safe: false,
    json: true,
};

static SHOW_CONNECTOR_RESOURCE_INFO: Operation = Operation {
    id: OpId::ShowConnectorResourceInfo,
    service: Service::Kafka,
    name: "show_connector_resource_info",
    method: "GET",
    path: "/v2/{project_id}/instances/{instance_id}/connector",
    path_params: &["instance_id"],
    query_params: &[],
    request: "ShowConnectorResourceInfoRequest",
    body: None,
    response: "ShowConnectorResourceInfoResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: true,
};

static SHOW_INSTANCE: Operation = Operation {
    id: OpId::ShowInstance,
    service: Service::Kafka,
    name: "show_instance",
    method: "GET",
    path: "/v2/{project_id}/instances/{instance_id}",
    path_params: &["instance_id"],
    query_params: &[],
    request: "ShowInstanceRequest",
    body: None,
    response: "ShowInstanceResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: true,
};

static SHOW_BACKGROUND_TASK: Operation = Operation {
    id: OpId::ShowBackgroundTask,
    service: Service::Kafka,
    name: "show_background_task",
    method: "GET",
    path: "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "ShowBackgroundTaskRequest",
    body: None,
    response: "ShowBackgroundTaskResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: true,
};

static DELETE_CONNECTOR: Operation = Operation {
    id: OpId::DeleteConnector,
    service: Service::Kafka,
    name: "delete_connector",
    method: "POST",
    path: "/v2/{project_id}/kafka/instances/{instance_id}/delete-connector",
    path_params: &["instance_id"],
    query_params: &[],
    request: "DeleteConnectorRequest",
    body: None,
    response: "DeleteConnectorResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: false,
    json: true,
};

static CREATE_CONNECTOR_TASK: Operation = Operation {
    id: OpId::CreateConnectorTask,
    service: Service::Kafka,
    name: "create_connector_task",
    method: "POST",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks",
    path_params: &["instance_id"],
    query_params: &[],
    request: "CreateConnectorTaskRequest",
    body: Some("CreateSmartConnectTaskReq"),
    response: "CreateConnectorTaskResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: false,
    json: true,
};

static LIST_CONNECTOR_TASKS: Operation = Operation {
    id: OpId::ListConnectorTasks,
    service: Service::Kafka,
    name: "list_connector_tasks",
    method: "GET",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks",
    path_params: &["instance_id"],
    query_params: &["offset", "limit"],
    request: "ListConnectorTasksRequest",
    body: None,
    response: "ListConnectorTasksResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: true,
};

static SHOW_CONNECTOR_TASK: Operation = Operation {
    id: OpId::ShowConnectorTask,
    service: Service::Kafka,
    name: "show_connector_task",
    method: "GET",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "ShowConnectorTaskRequest",
    body: None,
    response: "ShowConnectorTaskResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: true,
};

static MODIFY_CONNECTOR_TASK: Operation = Operation {
    id: OpId::ModifyConnectorTask,
    service: Service::Kafka,
    name: "modify_connector_task",
    method: "PUT",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "ModifyConnectorTaskRequest",
    body: Some("SmartConnectTaskEntity"),
    response: "ModifyConnectorTaskResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: false,
    json: true,
};

static DELETE_CONNECTOR_TASK: Operation = Operation {
    id: OpId::DeleteConnectorTask,
    service: Service::Kafka,
    name: "delete_connector_task",
    method: "DELETE",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "DeleteConnectorTaskRequest",
    body: None,
    response: "DeleteConnectorTaskResponse",
    reply: Reply::Nothing,
    success: &[204],
    resend_safe: false,
    json: true,
};

static PAUSE_CONNECTOR_TASK: Operation = Operation {
    id: OpId::PauseConnectorTask,
    service: Service::Kafka,
    name: "pause_connector_task",
    method: "PUT",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/pause",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "PauseConnectorTaskRequest",
    body: None,
    response: "PauseConnectorTaskResponse",
    reply: Reply::Nothing,
    success: &[204],
    resend_safe: false,
    json: true,
};

static RESUME_CONNECTOR_TASK: Operation = Operation {
    id: OpId::ResumeConnectorTask,
    service: Service::Kafka,
    name: "resume_connector_task",
    method: "PUT",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/resume",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "ResumeConnectorTaskRequest",
    body: None,
    response: "ResumeConnectorTaskResponse",
    reply: Reply::Nothing,
    success: &[204],
    resend_safe: false,
    json: true,
};

static RESTART_CONNECTOR_TASK: Operation = Operation {
    id: OpId::RestartConnectorTask,
    service: Service::Kafka,
    name: "restart_connector_task",
    method: "PUT",
    path: "/v2/{project_id}/kafka/instances/{instance_id}/connector/tasks/{task_id}/restart",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "RestartConnectorTaskRequest",
    body: None,
    response: "RestartConnectorTaskResponse",
    reply: Reply::Nothing,
    success: &[204],
    resend_safe: false,
    json: true,
};

static RESTART_SMART_CONNECTOR_TASK: Operation = Operation {
    id: OpId::RestartSmartConnectorTask,
    service: Service::Kafka,
    name: "restart_smart_connector_task",
    method: "PUT",
    path: "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/restart",
    path_params: &["instance_id", "task_id"],
    query_params: &[],
    request: "RestartSmartConnectorTaskRequest",
    body: None,
    response: "RestartSmartConnectorTaskResponse",
    reply: Reply::Nothing,
    success: &[204],
    resend_safe: false,
    json: true,
};

static VALIDATE_CONNECTOR_CONNECTIVITY: Operation = Operation {
    id: OpId::ValidateConnectorConnectivity,
    service: Service::Kafka,
    name: "validate_connector_connectivity",
    method: "POST",
    path: "/v2/{project_id}/instances/{instance_id}/connector/validate",
    path_params: &["instance_id"],
    query_params: &[],
    request: "ValidateConnectorConnectivityRequest",
    body: Some("SmartConnectValidateEntity"),
    response: "ValidateConnectorConnectivityResponse",
    reply: Reply::Nothing,
    success: &[200, 204],
    resend_safe: true,
    json: true,
};

static LIST_OBS_BUCKETS: Operation = Operation {
    id: OpId::ListObsBuckets,
    service: Service::Kafka,
    name: "list_obs_buckets",
    method: "GET",
    path: "/v1.0/dms/obs/buckets",
    path_params: &[],
    query_params: &[],
    request: "ListObsBucketsRequest",
    body: None,
    response: "ListObsBucketsResponse",
    reply: Reply::JsonArray,
    success: &[200],
    resend_safe: true,
    json: true,
};

static KEYSTONE_LIST_PROJECTS: Operation = Operation {
    id: OpId::KeystoneListProjects,
    service: Service::Iam,
    name: "keystone_list_projects",
    method: "GET",
    path: "/v3/projects",
    path_params: &[],
    query_params: &["name"],
    request: "KeystoneListProjectsRequest",
    body: None,
    response: "KeystoneListProjectsResponse",
    reply: Reply::JsonObject,
    success: &[200],
    resend_safe: true,
    json: false,
};

/// Every operation, in the order the API reference lists them.
pub static OPERATIONS: [&Operation; 17] = [
    &CREATE_CONNECTOR,
    &SHOW_CONNECTOR_RESOURCE_INFO,
    &SHOW_INSTANCE,
    &SHOW_BACKGROUND_TASK,
    &DELETE_CONNECTOR,
    &CREATE_CONNECTOR_TASK,
    &LIST_CONNECTOR_TASKS,
    &SHOW_CONNECTOR_TASK,
    &MODIFY_CONNECTOR_TASK,
    &DELETE_CONNECTOR_TASK,
    &PAUSE_CONNECTOR_TASK,
    &RESUME_CONNECTOR_TASK,
    &RESTART_CONNECTOR_TASK,
    &RESTART_SMART_CONNECTOR_TASK,
    &VALIDATE_CONNECTOR_CONNECTIVITY,
    &LIST_OBS_BUCKETS,
    &KEYSTONE_LIST_PROJECTS,
];

impl OpId {
    /// Its entry in [`OPERATIONS`].
    pub fn op(self) -> &'static Operation {
        match self {
            OpId::CreateConnector => &CREATE_CONNECTOR,
            OpId::ShowConnectorResourceInfo => &SHOW_CONNECTOR_RESOURCE_INFO,
            OpId::ShowInstance => &SHOW_INSTANCE,
            OpId::ShowBackgroundTask => &SHOW_BACKGROUND_TASK,
            OpId::DeleteConnector => &DELETE_CONNECTOR,
            OpId::CreateConnectorTask => &CREATE_CONNECTOR_TASK,
            OpId::ListConnectorTasks => &LIST_CONNECTOR_TASKS,
            OpId::ShowConnectorTask => &SHOW_CONNECTOR_TASK,
            OpId::ModifyConnectorTask => &MODIFY_CONNECTOR_TASK,
            OpId::DeleteConnectorTask => &DELETE_CONNECTOR_TASK,
            OpId::PauseConnectorTask => &PAUSE_CONNECTOR_TASK,
            OpId::ResumeConnectorTask => &RESUME_CONNECTOR_TASK,
            OpId::RestartConnectorTask => &RESTART_CONNECTOR_TASK,
            OpId::RestartSmartConnectorTask => &RESTART_SMART_CONNECTOR_TASK,
            OpId::ValidateConnectorConnectivity => &VALIDATE_CONNECTOR_CONNECTIVITY,
            OpId::ListObsBuckets => &LIST_OBS_BUCKETS,
            OpId::KeystoneListProjects => &KEYSTONE_LIST_PROJECTS,
        }
    }
}

/// One path segment, percent-encoded as the official `quote(v, safe='')`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');

impl Operation {
    /// The path with its placeholders filled from `values` (each one segment, encoded);
    /// a placeholder without a value is a `ValidationException` naming it.
    pub fn fill_path(&self, values: &[(&str, &str)]) -> Result<String, Error> {
        let mut out = String::with_capacity(self.path.len() + 64);
        for (i, segment) in self.path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            match placeholder(segment) {
                Some(name) => {
                    let (_, value) = values.iter().find(|(k, _)| *k == name).ok_or_else(|| missing(name))?;
                    out.extend(utf8_percent_encode(value, SEGMENT));
                }
                None => out.push_str(segment),
            }
        }
        Ok(out)
    }

    /// The placeholders' values when `raw_path` is this operation's path (percent-decoded;
    /// an empty segment never matches a placeholder).
    pub fn match_path<'a>(&self, raw_path: &'a str) -> Option<Vec<(&'static str, Cow<'a, str>)>> {
        let mut captured = Vec::with_capacity(2);
        let mut template = self.path.split('/');
        let mut raw = raw_path.split('/');
        loop {
            match (template.next(), raw.next()) {
                (None, None) => return Some(captured),
                (Some(t), Some(r)) => match placeholder(t) {
                    Some(name) if !r.is_empty() => captured.push((name, percent_decode_str(r).decode_utf8_lossy())),
                    Some(_) => return None,
                    None if t == r => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }
}

/// `name` of a `{name}` segment.
fn placeholder(segment: &str) -> Option<&'static str> {
    let name = segment.strip_prefix('{')?.strip_suffix('}')?;
    // Names come from the static table, so the segment is 'static; look it up to say so.
    OPERATIONS
        .iter()
        .flat_map(|o| o.path_params.iter().copied().chain(std::iter::once("project_id")))
        .find(|p| *p == name)
}

fn missing(name: &'static str) -> Error {
    Error::validation(name, "is required")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_entry_and_names_are_unique() {
        for op in OPERATIONS {
            assert_eq!(op.id.op().name, op.name);
            assert_eq!(OPERATIONS.iter().filter(|o| o.name == op.name).count(), 1);
        }
    }

    #[test]
    fn path_params_are_the_templates_placeholders() {
        for op in OPERATIONS {
            let in_path: Vec<&str> = op
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .filter(|p| *p != "project_id")
                .collect();
            assert_eq!(in_path, op.path_params, "{}", op.name);
        }
    }

    #[test]
    fn fill_then_match_round_trips_and_encodes_each_value_as_one_segment() {
        let op = OpId::ShowBackgroundTask.op();
        let path = op
            .fill_path(&[("project_id", "p"), ("instance_id", "a/b c"), ("task_id", "t")])
            .unwrap_or_default();
        assert_eq!(path, "/v2/p/instances/a%2Fb%20c/tasks/t");
        let got = op.match_path(&path).unwrap_or_default();
        assert_eq!(
            got,
            vec![
                ("project_id", Cow::from("p")),
                ("instance_id", Cow::from("a/b c")),
                ("task_id", Cow::from("t"))
            ]
        );
        assert!(op.match_path("/v2/p/instances//tasks/t").is_none());
        assert!(op.match_path("/v2/p/instances/i/tasks").is_none());
        assert!(matches!(
            op.fill_path(&[("project_id", "p"), ("instance_id", "i")]),
            Err(Error::Validation { field: "task_id", .. })
        ));
    }
}
