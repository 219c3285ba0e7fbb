//! The API: route matching on the raw path, and one handler per route.

use std::borrow::Cow;

use serde::Serialize;

use super::auth::CredentialStore;
use super::clock::Millis;
use super::errors::{ApiError, ErrorKind};
use super::params::{checked_body, ignored_body, page, parse_enable_body};
use super::state::State;
use super::tasks::Action;
use crate::operations::{OpId, Operation, OPERATIONS};

/// A matched route: an operation of the table and its path parameters (borrowed from the
/// request path unless they were percent-encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<'a> {
    pub op: &'static Operation,
    params: Vec<(&'static str, Cow<'a, str>)>,
}

impl Route<'_> {
    pub fn name(&self) -> &'static str {
        self.op.name
    }

    /// A path parameter's value ("" if the operation has none of that name).
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v)
    }

    /// The `{project_id}` of the path, which authentication checks against the AK.
    pub fn project(&self) -> Option<&str> {
        self.op.path.contains("{project_id}").then(|| self.param("project_id"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched<'a> {
    Route(Route<'a>),
    /// The path is an operation's, the method is not: `allowed` lists the methods it takes.
    WrongMethod {
        name: &'static str,
        allowed: String,
    },
    NotFound,
}

impl Matched<'_> {
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Matched::Route(r) => Some(r.name()),
            Matched::WrongMethod { name, .. } => Some(name),
            Matched::NotFound => None,
        }
    }
}

/// Matches the raw path against every operation's template (`Operation::match_path`).
pub fn match_route<'a>(method: &str, raw_path: &'a str) -> Matched<'a> {
    let mut wrong: Option<(&'static str, Vec<&'static str>)> = None;
    for op in OPERATIONS {
        let Some(params) = op.match_path(raw_path) else {
            continue;
        };
        if op.method == method {
            return Matched::Route(Route { op, params });
        }
        wrong.get_or_insert((op.name, Vec::new())).1.push(op.method);
    }
    match wrong {
        Some((name, allowed)) => Matched::WrongMethod {
            name,
            allowed: allowed.join(", "),
        },
        None => Matched::NotFound,
    }
}

/// A response before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// Sent with `Content-Type: application/json`.
    pub json: bool,
    pub error_code: Option<&'static str>,
    /// The `Allow` header of a 405.
    pub allow: Option<String>,
}

impl Reply {
    pub fn json<T: Serialize>(value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status: 200,
                body,
                json: true,
                error_code: None,
                allow: None,
            },
            Err(e) => Reply::error(&ApiError::new(
                ErrorKind::Internal,
                format!("cannot encode the response: {e}"),
            )),
        }
    }

    /// 204, no body.
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: Vec::new(),
            json: false,
            error_code: None,
            allow: None,
        }
    }

    pub fn error(e: &ApiError) -> Reply {
        Reply {
            status: e.kind.status(),
            body: e.body(),
            json: true,
            error_code: Some(e.kind.code()),
            allow: None,
        }
    }
}

impl From<Result<Reply, ApiError>> for Reply {
    fn from(r: Result<Reply, ApiError>) -> Self {
        r.unwrap_or_else(|e| Reply::error(&e))
    }
}

pub fn not_found(method: &str, raw_path: &str) -> Reply {
    Reply::error(&ApiError::new(
        ErrorKind::RouteNotFound,
        format!("The API does not exist or has not been published in the environment: {method} {raw_path}"),
    ))
}

pub fn wrong_method(method: &str, raw_path: &str, allowed: &str) -> Reply {
    let mut r = Reply::error(&ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!("The API {raw_path} does not accept {method}; use {allowed}."),
    ));
    r.allow = Some(allowed.to_owned());
    r
}

#[derive(Serialize)]
struct JobOnly {
    job_id: String,
}

#[derive(Serialize)]
struct ResourceInfo {
    #[serde(rename = "soldOut")]
    sold_out: bool,
}

/// One authenticated request, as the handlers see it.
pub struct Call<'a> {
    pub route: &'a Route<'a>,
    /// The path's project, or for a path without one the signed X-Project-Id.
    pub project: &'a str,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub now: Millis,
}

/// The body model the operation table names for `op`.
fn body_model(op: &Operation) -> Result<&'static str, ApiError> {
    op.body
        .ok_or_else(|| ApiError::new(ErrorKind::Internal, format!("{} has no body model", op.name)))
}

/// Runs an authenticated request against the state; `creds` are the AK/SK pairs OBS accepts.
pub fn dispatch(call: &Call<'_>, state: &mut State, creds: &CredentialStore) -> Reply {
    let Call {
        route,
        project,
        query,
        body,
        now,
    } = *call;
    let (instance, task) = (route.param("instance_id"), route.param("task_id"));
    let act = |state: &mut State, action| {
        ignored_body(body)
            .and_then(|()| state.act_on_connector_task(project, instance, task, action, now))
            .map(|()| Reply::no_content())
    };
    let result = match route.op.id {
        OpId::CreateConnector => parse_enable_body(body)
            .and_then(|b| state.enable(project, instance, &b, now))
            .map(|enabled| Reply::json(&enabled)),
        OpId::ShowConnectorResourceInfo => state
            .connector_sold_out(project, instance, now)
            .map(|sold_out| Reply::json(&ResourceInfo { sold_out })),
        OpId::ShowInstance => state.show(project, instance, now).map(|v| Reply::json(&v)),
        OpId::ShowBackgroundTask => state
            .task(project, instance, route.param("task_id"), now)
            .map(|v| Reply::json(&v)),
        // The official SDK sends no body; others send {"instance_id": ...}. Both are fine.
        OpId::DeleteConnector => ignored_body(body)
            .and_then(|()| state.disable(project, instance, now))
            .map(|job_id| Reply::json(&JobOnly { job_id })),
        // Task bodies are checked before the instance is looked up, as for create_connector.
        OpId::CreateConnectorTask => body_model(route.op)
            .and_then(|model| checked_body(model, body))
            .and_then(|b| state.create_connector_task(project, instance, &b, creds, now))
            .map(|task| Reply::json(&task)),
        OpId::ListConnectorTasks => page(route.op, query)
            .and_then(|(offset, limit)| state.list_connector_tasks(project, instance, offset, limit, now))
            .map(|listed| Reply::json(&listed)),
        OpId::ShowConnectorTask => state
            .show_connector_task(project, instance, task, now)
            .map(|shown| Reply::json(&shown)),
        OpId::ModifyConnectorTask => body_model(route.op)
            .and_then(|model| checked_body(model, body))
            .and_then(|patch| state.modify_connector_task(project, instance, task, &patch, now))
            .map(|changed| Reply::json(&changed)),
        OpId::DeleteConnectorTask => ignored_body(body)
            .and_then(|()| state.delete_connector_task(project, instance, task, now))
            .map(|()| Reply::no_content()),
        OpId::PauseConnectorTask => act(state, Action::Pause),
        OpId::ResumeConnectorTask => act(state, Action::Resume),
        OpId::RestartConnectorTask | OpId::RestartSmartConnectorTask => act(state, Action::Restart),
        OpId::ValidateConnectorConnectivity => body_model(route.op)
            .and_then(|model| checked_body(model, body))
            .and_then(|b| state.validate_connectivity(project, instance, &b, now))
            .map(|()| Reply::json(&serde_json::Map::new())),
        OpId::ListObsBuckets => Ok(Reply::json(&state.obs_buckets())),
        OpId::KeystoneListProjects => Err(ApiError::new(
            ErrorKind::Internal,
            "keystone_list_projects is answered by the IAM handler",
        )),
    };
    result.into()
}

#[derive(Serialize)]
struct ProjectLinks {
    #[serde(rename = "self")]
    self_link: String,
}

#[derive(Serialize)]
struct KeystoneProject {
    id: String,
    name: String,
    domain_id: String,
    parent_id: String,
    is_domain: bool,
    enabled: bool,
    description: &'static str,
    links: ProjectLinks,
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    self_link: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct Projects {
    projects: Vec<KeystoneProject>,
    links: PageLinks,
}

/// IAM: the AK's projects named `region` (every project when no name is asked).
pub fn list_projects(
    store: &CredentialStore,
    ak: &str,
    query: &[(String, String)],
    base: &str,
    domain_id: &str,
) -> Reply {
    let wanted = query.iter().rev().find(|(k, _)| k == "name").map(|(_, v)| v.as_str());
    let projects = store
        .projects(ak, wanted)
        .into_iter()
        .map(|p| KeystoneProject {
            links: ProjectLinks {
                self_link: format!("{base}{}/{}", OpId::KeystoneListProjects.op().path, p.id),
            },
            name: wanted
                .map(str::to_owned)
                .or(p.region)
                .unwrap_or_else(|| "cn-north-4".to_owned()),
            id: p.id,
            domain_id: domain_id.to_owned(),
            parent_id: domain_id.to_owned(),
            is_domain: false,
            enabled: true,
            description: "",
        })
        .collect();
    Reply::json(&Projects {
        projects,
        links: PageLinks {
            self_link: format!("{base}{}", OpId::KeystoneListProjects.op().path),
            previous: None,
            next: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_on_method_and_path() {
        let m = match_route("POST", "/v2/p/instances/i/connector");
        assert!(matches!(&m, Matched::Route(r)
            if (r.name(), r.project(), r.param("instance_id")) == ("create_connector", Some("p"), "i")));
        assert_eq!(
            match_route("PUT", "/v2/p/instances/i/connector"),
            Matched::WrongMethod {
                name: "create_connector",
                allowed: "POST, GET".to_owned()
            }
        );
        assert_eq!(match_route("GET", "/v2/p/instances/i/").name(), None);
        assert_eq!(match_route("GET", "/v2//instances/i"), Matched::NotFound);
        assert_eq!(
            match_route("GET", "/v3/projects").name(),
            Some("keystone_list_projects")
        );
    }

    #[test]
    fn every_operation_is_routed_from_its_own_template() {
        for op in OPERATIONS {
            let path = op
                .path
                .replace("{project_id}", "p")
                .replace("{instance_id}", "i")
                .replace("{task_id}", "t");
            let m = match_route(op.method, &path);
            assert_eq!(m.name(), Some(op.name), "{path}");
        }
    }
}
