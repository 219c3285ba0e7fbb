//! The API: route matching on the raw path, and one handler per route.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use serde::Serialize;

use super::auth::CredentialStore;
use super::clock::Millis;
use super::errors::{ApiError, ErrorKind};
use super::params::{json_object, parse_enable_body};
use super::state::State;

/// Route names, as fault rules name them.
pub const ROUTE_NAMES: [&str; 5] = [
    "create_connector",
    "show_instance",
    "show_background_task",
    "delete_connector",
    "list_projects",
];

/// A matched route; the ids borrow from the request path unless they were percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    CreateConnector {
        project: Cow<'a, str>,
        instance: Cow<'a, str>,
    },
    ShowInstance {
        project: Cow<'a, str>,
        instance: Cow<'a, str>,
    },
    ShowBackgroundTask {
        project: Cow<'a, str>,
        instance: Cow<'a, str>,
        task: Cow<'a, str>,
    },
    DeleteConnector {
        project: Cow<'a, str>,
        instance: Cow<'a, str>,
    },
    /// IAM `GET /v3/projects?name={region}`.
    ListProjects,
}

impl Route<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Route::CreateConnector { .. } => "create_connector",
            Route::ShowInstance { .. } => "show_instance",
            Route::ShowBackgroundTask { .. } => "show_background_task",
            Route::DeleteConnector { .. } => "delete_connector",
            Route::ListProjects => "list_projects",
        }
    }

    /// The `{project_id}` of the path, which authentication checks against the AK.
    pub fn project(&self) -> Option<&str> {
        match self {
            Route::CreateConnector { project, .. }
            | Route::ShowInstance { project, .. }
            | Route::ShowBackgroundTask { project, .. }
            | Route::DeleteConnector { project, .. } => Some(project),
            Route::ListProjects => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched<'a> {
    Route(Route<'a>),
    /// The path is a route's, the method is not.
    WrongMethod {
        name: &'static str,
        allowed: &'static str,
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

/// Matches the raw path segment by segment; ids are percent-decoded, empty ones never match.
pub fn match_route<'a>(method: &str, raw_path: &'a str) -> Matched<'a> {
    /// The shapes of the routes; the ids are taken from the segments afterwards.
    enum Shape {
        ShowInstance,
        CreateConnector,
        ShowBackgroundTask,
        DeleteConnector,
        ListProjects,
    }
    /// More segments than any route has.
    const MAX: usize = 8;
    // The segments on the stack, borrowed from the path unless percent-encoded.
    let mut seg: [Cow<'a, str>; MAX] = Default::default();
    let mut n = 0;
    for s in raw_path.split('/') {
        let Some(slot) = seg.get_mut(n) else {
            return Matched::NotFound;
        };
        *slot = percent_decode_str(s).decode_utf8_lossy();
        n += 1;
    }
    let shape = {
        let all = seg.each_ref().map(|s| s.as_ref());
        let id = |s: &str| !s.is_empty();
        match all.get(..n).unwrap_or_default() {
            ["", "v2", p, "instances", i] if id(p) && id(i) => Shape::ShowInstance,
            ["", "v2", p, "instances", i, "connector"] if id(p) && id(i) => Shape::CreateConnector,
            ["", "v2", p, "instances", i, "tasks", t] if id(p) && id(i) && id(t) => Shape::ShowBackgroundTask,
            ["", "v2", p, "kafka", "instances", i, "delete-connector"] if id(p) && id(i) => Shape::DeleteConnector,
            ["", "v3", "projects"] => Shape::ListProjects,
            _ => return Matched::NotFound,
        }
    };
    let mut take = |i: usize| seg.get_mut(i).map(std::mem::take).unwrap_or_default();
    let (route, allowed) = match shape {
        Shape::ShowInstance => (
            Route::ShowInstance {
                project: take(2),
                instance: take(4),
            },
            "GET",
        ),
        Shape::CreateConnector => (
            Route::CreateConnector {
                project: take(2),
                instance: take(4),
            },
            "POST",
        ),
        Shape::ShowBackgroundTask => (
            Route::ShowBackgroundTask {
                project: take(2),
                instance: take(4),
                task: take(6),
            },
            "GET",
        ),
        Shape::DeleteConnector => (
            Route::DeleteConnector {
                project: take(2),
                instance: take(5),
            },
            "POST",
        ),
        Shape::ListProjects => (Route::ListProjects, "GET"),
    };
    if method == allowed {
        Matched::Route(route)
    } else {
        Matched::WrongMethod {
            name: route.name(),
            allowed,
        }
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
    pub allow: Option<&'static str>,
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

pub fn wrong_method(method: &str, raw_path: &str, allowed: &'static str) -> Reply {
    let mut r = Reply::error(&ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!("The API {raw_path} does not accept {method}; use {allowed}."),
    ));
    r.allow = Some(allowed);
    r
}

#[derive(Serialize)]
struct JobOnly {
    job_id: String,
}

/// Runs an authenticated request against the state.
pub fn dispatch(route: &Route<'_>, body: &[u8], state: &mut State, now: Millis) -> Reply {
    let result = match route {
        Route::CreateConnector { project, instance } => parse_enable_body(body)
            .and_then(|b| state.enable(project, instance, &b, now))
            .map(|enabled| Reply::json(&enabled)),
        Route::ShowInstance { project, instance } => state.show(project, instance, now).map(|v| Reply::json(&v)),
        Route::ShowBackgroundTask {
            project,
            instance,
            task,
        } => state.task(project, instance, task, now).map(|v| Reply::json(&v)),
        Route::DeleteConnector { project, instance } => {
            // The official SDK sends no body; others send {"instance_id": ...}. Both are fine.
            let body_ok = if body.iter().all(u8::is_ascii_whitespace) {
                Ok(())
            } else {
                json_object(body).map(|_| ())
            };
            body_ok
                .and_then(|()| state.disable(project, instance, now))
                .map(|job_id| Reply::json(&JobOnly { job_id }))
        }
        Route::ListProjects => Err(ApiError::new(
            ErrorKind::Internal,
            "list_projects is answered by the IAM handler",
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
                self_link: format!("{base}/v3/projects/{}", p.id),
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
            self_link: format!("{base}/v3/projects"),
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
        assert_eq!(
            m,
            Matched::Route(Route::CreateConnector {
                project: "p".into(),
                instance: "i".into()
            })
        );
        assert_eq!(
            match_route("GET", "/v2/p/instances/i/connector"),
            Matched::WrongMethod {
                name: "create_connector",
                allowed: "POST"
            }
        );
        assert_eq!(match_route("GET", "/v2/p/instances/i/"), Matched::NotFound);
        assert_eq!(match_route("GET", "/v2//instances/i"), Matched::NotFound);
        assert_eq!(match_route("GET", "/v3/projects").name(), Some("list_projects"));
        assert_eq!(
            match_route("POST", "/v2/p/kafka/instances/i/delete-connector").name(),
            Some("delete_connector")
        );
        assert_eq!(
            match_route("GET", "/v2/p/instances/i/tasks/t").name(),
            Some("show_background_task")
        );
    }

    #[test]
    fn every_route_name_is_listed() {
        for (method, path) in [
            ("POST", "/v2/p/instances/i/connector"),
            ("GET", "/v2/p/instances/i"),
            ("GET", "/v2/p/instances/i/tasks/t"),
            ("POST", "/v2/p/kafka/instances/i/delete-connector"),
            ("GET", "/v3/projects"),
        ] {
            let name = match_route(method, path).name();
            assert!(name.is_some_and(|n| ROUTE_NAMES.contains(&n)), "{path}");
        }
    }
}
