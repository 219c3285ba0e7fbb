//! The async client: request -> sign -> send (failover, connect-phase retries) -> typed result.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use crate::config::HttpConfig;
use crate::credentials::{Credentials, KeyProvider, Keys};
use crate::error::{parse_error_body, Error, Phase, SdkError};
use crate::model::{Body, CreateConnectorReq, CreateConnectorResponse};
use crate::operations::{OpId, Operation, Reply};
use crate::signer::{self, Signer, SigningInput};
use crate::validate::{self, Input};
use crate::{timeouts, transport};

/// A response as received: status, request id and the raw body; with `CallOptions::trace`,
/// also the request line and headers as sent (the security token masked) and the response
/// headers.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
    pub trace: Option<Trace>,
    /// Filled only with `CallOptions::trace`.
    pub headers: Vec<(String, String)>,
}

/// What was sent, for debug logs and HTTP handlers. Never holds a secret.
#[derive(Debug, Clone)]
pub struct Trace {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// Per-call options: headers to add (signed like the others) and whether to keep a `Trace`.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub headers: Vec<(String, String)>,
    pub trace: bool,
}

impl RawResponse {
    /// A success body that is not a JSON object cannot be read: say so instead of returning nothing.
    fn unreadable(&self, what: &str) -> Error {
        Error::InvalidResponse {
            status: self.status,
            request_id: self.request_id.clone(),
            message: format!(
                "the {} response could not be read ({what}); the server accepted the call, so check \
                 its effect before trying again: {}",
                self.status,
                String::from_utf8_lossy(self.body.get(..200).unwrap_or(&self.body))
            ),
            response: Some(Box::new(self.clone())),
        }
    }

    /// A 2xx as is; any other status becomes `Error::Service`, read by the official rules,
    /// carrying the response itself for logs and HTTP handlers.
    fn into_success(self, success: &[u16]) -> Result<Self, Error> {
        let error = match self.status {
            s if success.contains(&s) => return Ok(self),
            200..=299 => {
                let documented: Vec<String> = success.iter().map(u16::to_string).collect();
                return Err(self.unreadable(&format!("the operation documents {} only", documented.join(", "))));
            }
            300..=399 => SdkError {
                request_id: self.request_id.clone(),
                error_code: Some(self.status.to_string()),
                error_msg: Some(format!(
                    "redirect to {} not followed (HttpConfig.allow_redirects is False)",
                    self.header("Location").unwrap_or("an unknown location")
                )),
                ..SdkError::default()
            },
            _ => parse_error_body(self.status, self.request_id.clone(), &self.body),
        };
        Err(Error::Service {
            status: self.status,
            error,
            response: Some(Box::new(self)),
        })
    }

    /// A response header kept with the trace (any case).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Checks that the body is a JSON object; lifecycle calls hand it to Python as is.
    pub fn require_json_object(&self) -> Result<(), Error> {
        match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&self.body) {
            Ok(_) => Ok(()),
            Err(_) => Err(self.unreadable("not a JSON object")),
        }
    }

    /// A success body that must be a JSON array (of the response model's `body`).
    pub fn require_json_array(&self) -> Result<(), Error> {
        match serde_json::from_slice::<Vec<serde_json::Value>>(&self.body) {
            Ok(_) => Ok(()),
            Err(_) => Err(self.unreadable("not a JSON array")),
        }
    }
}

/// An endpoint as configured: `scheme://netloc`, with the netloc kept as written for `Host`.
#[derive(Debug, Clone)]
struct Endpoint {
    base: String,
    host: String,
}

impl Endpoint {
    fn parse(raw: &str) -> Result<Self, Error> {
        let with_scheme = if raw.starts_with("http") {
            raw.to_owned()
        } else {
            format!("https://{raw}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|e| Error::Config(format!("invalid endpoint {raw:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Config(format!(
                "invalid endpoint {raw:?}: an http(s) URL with a host is required"
            )));
        }
        let after_scheme = with_scheme.split_once("://").map_or("", |(_, rest)| rest);
        let host = after_scheme.split(['/', '?', '#']).next().unwrap_or("").to_owned();
        Ok(Endpoint {
            base: format!("{}://{}", url.scheme(), host),
            host,
        })
    }
}

/// A request before signing.
struct Call<'a> {
    op: &'static Operation,
    path: String,
    query: Vec<(String, String)>,
    body: Vec<u8>,
    opts: &'a CallOptions,
}

/// A call's answer: the response as received, and the connector a `create_connector` made.
#[derive(Debug, Clone)]
pub struct Answer {
    pub raw: RawResponse,
    pub connector: Option<CreateConnectorResponse>,
}

/// A DMS for Kafka client. Cheap to share: clone the `Arc` it lives in.
pub struct Client {
    http: transport::Http,
    endpoints: Vec<Endpoint>,
    next_endpoint: AtomicUsize,
    keys: Arc<KeyProvider>,
    project_id: Option<String>,
    /// The signer of the keys in use, made again when they change (a refresh): an ECDSA or SM2
    /// key is derived once per keys, where the official signer derives it for every request.
    signer: RwLock<Option<(Arc<Keys>, Arc<Signer>)>>,
    config: HttpConfig,
    user_agent: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoints", &self.endpoints)
            .field("keys", &self.keys)
            .field("project_id", &self.project_id)
            .field("config", &self.config)
            .finish()
    }
}

impl Client {
    /// `product` leads the User-Agent (`dmskafka-python/0.1.0`); `config.user_agent` is appended.
    pub fn new(
        credentials: Credentials,
        endpoints: &[String],
        config: HttpConfig,
        product: &str,
    ) -> Result<Self, Error> {
        credentials.check()?;
        let keys = Arc::new(KeyProvider::given(credentials.keys()));
        Client::with_keys(keys, credentials.project_id, endpoints, config, product)
    }

    /// A client signing with the keys `keys` gives (refreshed when they are temporary).
    pub fn with_keys(
        keys: Arc<KeyProvider>,
        project_id: Option<String>,
        endpoints: &[String],
        config: HttpConfig,
        product: &str,
    ) -> Result<Self, Error> {
        if let Some(p) = &project_id {
            validate::id("project_id", p)?;
        }
        config.check_pools()?;
        if endpoints.is_empty() {
            return Err(Error::Config(
                "Could not find any endpoints, at least one endpoint is required".to_owned(),
            ));
        }
        let endpoints = endpoints
            .iter()
            .map(|e| Endpoint::parse(e))
            .collect::<Result<Vec<_>, _>>()?;
        let user_agent = match &config.user_agent {
            Some(extra) if !extra.is_empty() => {
                validate::header_value("user_agent", extra)?;
                format!("{product}; {extra}")
            }
            _ => product.to_owned(),
        };
        Ok(Client {
            http: transport::Http::new(&config)?,
            endpoints,
            next_endpoint: AtomicUsize::new(0),
            keys,
            project_id,
            signer: RwLock::new(None),
            config,
            user_agent,
        })
    }

    /// Runs a call of this client to completion on the calling thread (its own runtime and
    /// connection pool for this thread); not from inside an async runtime.
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> Result<F::Output, Error> {
        self.http.block_on(fut)
    }

    /// Closes this thread's connections of this client now, e.g. after an interrupted call.
    pub fn release_this_thread(&self) {
        self.http.release_this_thread();
    }

    /// Releases every connection and per-thread runtime now (those of calls in flight when
    /// they end); the client stays usable and connects again on its next call.
    pub fn close(&self) {
        self.http.close();
    }

    fn project_id(&self) -> Result<&str, Error> {
        self.project_id.as_deref().ok_or_else(|| {
            Error::validation(
                "project_id",
                "is required: set it in the credentials or let build() look it up",
            )
        })
    }

    /// Where a call goes, for a log line of a call that got no answer (an answered call's trace
    /// has the URL it used): the endpoint's URL when there is one endpoint; with several, the
    /// path (and query) alone, since failover may have used any of them. Values as given.
    pub fn url_for_log(&self, op: OpId, params: &[(&'static str, String)]) -> String {
        let op = op.op();
        let mut values: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        values.push(("project_id", self.project_id.as_deref().unwrap_or("")));
        let path = op.fill_path(&values).unwrap_or_else(|_| op.path.to_owned());
        let query: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| op.query_params.contains(k))
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let query = signer::canonical_query(&query);
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        match self.endpoints.as_slice() {
            [one] => format!("{}{target}", one.base),
            _ => target,
        }
    }

    /// Runs one operation of the table: validates its parameters (ids) and body, builds the
    /// request, signs it, sends it (endpoint failover; retries as `resend_safe` allows) and
    /// checks the reply. `params` are the operation's path and query parameters by name; the
    /// project id comes from the credentials.
    pub async fn call(
        &self,
        op: OpId,
        params: &[(&'static str, String)],
        body: Option<&Body>,
        opts: &CallOptions,
    ) -> Result<Answer, Error> {
        let op = op.op();
        let mut path_values: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 1);
        let mut query = Vec::new();
        for (name, value) in params {
            if op.path_params.contains(name) {
                validate::id(name, value)?;
                path_values.push((name, value));
            } else if op.query_params.contains(name) {
                query.push(((*name).to_owned(), value.clone()));
            } else {
                return Err(Error::validation(name, format!("is not a parameter of {}", op.name)));
            }
        }
        if op.path.contains("{project_id}") {
            path_values.push(("project_id", self.project_id()?));
        }
        let path = op.fill_path(&path_values)?;
        let body = match (op.body, body) {
            (None, None) => Vec::new(),
            (Some(model), Some(b)) if b.model == model => b.to_json()?,
            // An omitted body is sent as `{}` (the server's defaults), if `{}` passes the model's rules.
            (Some(model), None) => Body::check(model, &Input::Object(Vec::new()))?.to_json()?,
            (_, Some(b)) => {
                return Err(Error::validation(
                    "body",
                    format!("{} takes {}, not {}", op.name, op.body.unwrap_or("no body"), b.model),
                ))
            }
        };
        let raw = self
            .execute(Call {
                op,
                path,
                query,
                body,
                opts,
            })
            .await?;
        let connector = match op.reply {
            Reply::JsonObject => {
                raw.require_json_object()?;
                None
            }
            Reply::JsonArray => {
                raw.require_json_array()?;
                None
            }
            Reply::Nothing => None,
            Reply::Connector => Some(
                serde_json::from_slice::<CreateConnectorResponse>(&raw.body)
                    .map_err(|_| raw.unreadable("expected a JSON object with string job_id and connector_id"))?,
            ),
        };
        Ok(Answer { raw, connector })
    }

    /// Enables Smart Connect (`create_connector`); the body is sent as given, `{}` when omitted.
    pub async fn create_connector(
        &self,
        instance_id: &str,
        body: &CreateConnectorReq,
        opts: &CallOptions,
    ) -> Result<(CreateConnectorResponse, RawResponse), Error> {
        let params = [("instance_id", instance_id.to_owned())];
        let json = serde_json::to_value(body).map_err(|e| Error::Sdk(format!("cannot encode the body: {e}")))?;
        let model = OpId::CreateConnector.op().body.unwrap_or_default();
        let body = Body::check(model, &Input::from_json(&json))?;
        let answer = self.call(OpId::CreateConnector, &params, Some(&body), opts).await?;
        let parsed = answer
            .connector
            .ok_or_else(|| Error::Sdk("create_connector returned no connector".to_owned()))?;
        Ok((parsed, answer.raw))
    }

    /// Looks up the project id of a region from IAM (`GET /v3/projects?name=`), once per (ak, region).
    pub async fn discover_project_id(
        keys: &Arc<KeyProvider>,
        iam_endpoint: &str,
        region_id: &str,
        config: &HttpConfig,
        product: &str,
    ) -> Result<String, Error> {
        static CACHE: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        keys.use_region_iam_endpoint(iam_endpoint);
        let ak = keys.keys(time::OffsetDateTime::now_utc()).await?.ak.clone();
        let key = (ak, region_id.to_owned());
        if let Some(id) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(id);
        }
        let iam = Client::with_keys(keys.clone(), None, &[iam_endpoint.to_owned()], config.clone(), product)?;
        let fail = |why: String| Error::Sdk(format!("Failed to get project id of region '{region_id}', {why}"));
        let raw = iam
            .call(
                OpId::KeystoneListProjects,
                &[("name", region_id.to_owned())],
                None,
                &CallOptions::default(),
            )
            .await
            .map(|answer| answer.raw)
            .map_err(|e| match e {
                Error::Service { status, error, .. } => fail(format!(
                    "IAM answered {status} {}: {}",
                    error.error_code.unwrap_or_default(),
                    error.error_msg.unwrap_or_default()
                )),
                other => other,
            })?;
        #[derive(serde::Deserialize)]
        struct Project {
            id: String,
        }
        #[derive(serde::Deserialize)]
        struct Projects {
            projects: Vec<Project>,
        }
        let projects = serde_json::from_slice::<Projects>(&raw.body)
            .map_err(|_| raw.unreadable("expected {\"projects\": [{\"id\": ...}]}"))?
            .projects;
        let trace = raw.request_id.unwrap_or_default();
        let id = match projects.as_slice() {
            [one] => one.id.clone(),
            [] => {
                return Err(fail(format!(
                    "request id {trace}. Confirm that the project exists in your account, \
                     or set project id manually: BasicCredentials(ak, sk, project_id)"
                )))
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
                return Err(Error::Sdk(format!(
                    "Multiple project ids found: [{}], request id {trace}. Please select one when \
                     initializing the credentials: BasicCredentials(ak, sk, project_id)",
                    ids.join(",")
                )));
            }
        };
        validate::id("project_id", &id).map_err(|e| fail(format!("IAM returned an unusable project id: {e}")))?;
        if let Ok(mut c) = cache.lock() {
            c.insert(key, id.clone());
        }
        Ok(id)
    }

    /// Sends with endpoint failover: on unreachable-host or TLS errors the next endpoint is
    /// tried and remembered for later calls, as the official client does.
    async fn execute(&self, call: Call<'_>) -> Result<RawResponse, Error> {
        // Checked here, before any I/O: reqwest would only fail at send time, as if on the wire.
        for (name, _) in &call.opts.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(Error::validation(
                    "header name",
                    "must be a non-empty HTTP token: letters, digits and !#$%&'*+-.^_`|~",
                ));
            }
            // Framing is the HTTP stack's: a second, different length would corrupt the request.
            if name.eq_ignore_ascii_case("Content-Length") || name.eq_ignore_ascii_case("Transfer-Encoding") {
                return Err(Error::validation(
                    "header name",
                    format!("{name} is set from the body and cannot be added"),
                ));
            }
        }
        // As the official client: from the remembered endpoint to the last one (never back to
        // earlier ones), then the next call starts again at the first.
        let n = self.endpoints.len();
        let start = self.next_endpoint.load(Ordering::Relaxed) % n;
        let mut failures: Vec<String> = Vec::new();
        for idx in start..n {
            match self.send_with_retries(idx, &call).await {
                Err(e @ (Error::HostUnreachable { .. } | Error::SslHandshake { .. })) => {
                    if idx + 1 == n {
                        self.next_endpoint.store(0, Ordering::Relaxed);
                        if failures.is_empty() {
                            return Err(e);
                        }
                        failures.push(official_failure_text(&e));
                        return Err(Error::Connection {
                            message: failures.join("; "),
                            phase: Phase::Connect,
                        });
                    }
                    failures.push(official_failure_text(&e));
                    self.next_endpoint.store(idx + 1, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        Err(Error::Sdk("no endpoint was tried".to_owned()))
    }

    /// Retries (up to `retry_times`) failures before the request could have reached the
    /// server; failures after it, only for an operation the table says is safe to re-send.
    async fn send_with_retries(&self, idx: usize, call: &Call<'_>) -> Result<RawResponse, Error> {
        let mut retries = 0;
        loop {
            match self.send_once(idx, call).await {
                Err(e) if retries < self.config.retry_times && (!e.outcome_unknown() || call.op.resend_safe) => {
                    if !e.may_retry() {
                        return Err(e);
                    }
                    retries += 1;
                }
                other => return other,
            }
        }
    }

    /// The signed headers, in the order they are sent, one value per name: an added header
    /// replaces the SDK's of the same name in any case (Content-Type, User-Agent), and the
    /// authentication headers replace any added one, as in the official client.
    fn headers(&self, host: &str, call: &Call<'_>, keys: &Keys, sdk_date: String) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = Vec::with_capacity(8 + call.opts.headers.len());
        let added = !call.opts.headers.is_empty();
        let put = |headers: &mut Vec<(String, String)>, name: &str, value: String| {
            if added {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            }
            headers.push((name.to_owned(), value));
        };
        // `ignore_content_type_for_get_request`: a GET without a body has no Content-Type,
        // not even an added one.
        let no_content_type =
            self.config.ignore_content_type_for_get_request && call.op.method == "GET" && call.body.is_empty();
        if call.op.json && !no_content_type {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        headers.push(("User-Agent".to_owned(), self.user_agent.clone()));
        for (k, v) in &call.opts.headers {
            put(&mut headers, k, v.clone());
        }
        if added {
            if no_content_type {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"));
            }
            // The official signer does not hash a body that is neither JSON nor BSON.
            let content_type = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"));
            if content_type
                .is_some_and(|(_, v)| !v.starts_with("application/json") && !v.starts_with("application/bson"))
            {
                put(
                    &mut headers,
                    self.config.signing_algorithm.content_hash_header(),
                    "UNSIGNED-PAYLOAD".to_owned(),
                );
            }
        }
        if let Some(p) = &self.project_id {
            put(&mut headers, "X-Project-Id", p.clone());
        }
        if let Some(t) = &keys.security_token {
            put(&mut headers, "X-Security-Token", t.expose().to_owned());
        }
        put(&mut headers, signer::HEADER_SDK_DATE, sdk_date);
        put(&mut headers, "Host", host.to_owned());
        headers
    }

    /// The signer of `keys` with the configured algorithm: the one made for these keys last
    /// time, or a new one (the first call, or after a refresh gave new keys).
    fn signer_for(&self, keys: &Arc<Keys>) -> Result<Arc<Signer>, Error> {
        let cached = self.signer.read().unwrap_or_else(PoisonError::into_inner);
        if let Some((made_for, signer)) = cached.as_ref() {
            if Arc::ptr_eq(made_for, keys) {
                return Ok(signer.clone());
            }
        }
        drop(cached);
        let signer = Arc::new(Signer::new(self.config.signing_algorithm, &keys.ak, keys.sk.expose())?);
        *self.signer.write().unwrap_or_else(PoisonError::into_inner) = Some((keys.clone(), signer.clone()));
        Ok(signer)
    }

    async fn send_once(&self, idx: usize, call: &Call<'_>) -> Result<RawResponse, Error> {
        let endpoint = self
            .endpoints
            .get(idx)
            .ok_or_else(|| Error::Sdk("endpoint index out of range".to_owned()))?;
        // Sign afresh for every attempt: X-Sdk-Date must be current, and so must the keys.
        let now = time::OffsetDateTime::now_utc();
        let keys = self.keys.keys(now).await?;
        let sdk_date = signer::format_sdk_date(now);
        let mut headers = self.headers(&endpoint.host, call, &keys, sdk_date.clone());
        // As the official signer: an added Authorization is sent as it is, unsigned.
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("Authorization")) {
            let auth = self.signer_for(&keys)?.sign(&SigningInput {
                method: call.op.method,
                resource_path: &call.path,
                query: &call.query,
                headers: &headers,
                body: &call.body,
                sdk_date: &sdk_date,
            })?;
            headers.push(("Authorization".to_owned(), auth.to_string()));
        }

        let query = signer::canonical_query(&call.query);
        let url = if query.is_empty() {
            format!("{}{}", endpoint.base, call.path)
        } else {
            format!("{}{}?{}", endpoint.base, call.path, query)
        };
        let trace = call.opts.trace.then(|| Trace {
            method: call.op.method,
            url: url.clone(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    let shown = if k.eq_ignore_ascii_case("X-Security-Token") {
                        "****"
                    } else {
                        v.as_str()
                    };
                    (k.clone(), shown.to_owned())
                })
                .collect(),
        });
        let method = reqwest::Method::from_bytes(call.op.method.as_bytes()).map_err(|e| Error::Sdk(e.to_string()))?;
        let mut req = self.http.current()?.request(method, url);
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if !call.body.is_empty() {
            req = req.body(call.body.clone());
        }
        // A bound on the whole call, so a response trickled byte by byte cannot hang it.
        let deadline = self.config.connect_timeout.saturating_add(self.config.read_timeout);
        match tokio::time::timeout(deadline, self.receive(req, call.opts.trace)).await {
            Ok(result) => result.and_then(|raw| RawResponse { trace, ..raw }.into_success(call.op.success)),
            Err(_) => Err(transport::read_timeout(&self.config)),
        }
    }

    /// The response of any status, its body read within the cap.
    async fn receive(&self, req: reqwest::RequestBuilder, keep_headers: bool) -> Result<RawResponse, Error> {
        let read_timeout = self.config.read_timeout;
        let mut resp = timeouts::headers_within(req.send(), read_timeout)
            .await
            .map_err(|()| transport::read_timeout(&self.config))?
            .map_err(|e| transport::classify(&e, &self.config))?;
        let status = resp.status().as_u16();
        // As Python's http.client and requests read it: bytes as Latin-1, a repeated header's
        // values joined by ", ".
        let mut ids = resp.headers().get_all("X-Request-Id").iter().peekable();
        let request_id = ids.peek().is_some().then(|| {
            ids.map(|v| v.as_bytes().iter().map(|&b| char::from(b)).collect::<String>())
                .collect::<Vec<_>>()
                .join(", ")
        });
        // Location too, for the message of a redirect not followed.
        let headers = resp
            .headers()
            .iter()
            .filter(|(k, _)| keep_headers || (300..400).contains(&status) && k.as_str() == "location")
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.config.max_response_bytes;
        if resp.content_length().is_some_and(|len| len > cap as u64) {
            return Err(too_large(cap, status, request_id));
        }
        let mut body = Vec::new();
        // Each wait for more of the body is bounded by the read timeout, as urllib3's reads.
        while let Some(chunk) = tokio::time::timeout(read_timeout, resp.chunk())
            .await
            .map_err(|_| transport::read_timeout(&self.config))?
            .map_err(|e| transport::classify(&e, &self.config))?
        {
            if body.len() + chunk.len() > cap {
                return Err(too_large(cap, status, request_id));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            request_id,
            body,
            trace: None,
            headers,
        })
    }
}

/// One endpoint's failure in the joined message, as the official client words it:
/// `HostUnreachableException - ...`.
fn official_failure_text(e: &Error) -> String {
    let class = match e {
        Error::SslHandshake { .. } => "SslHandShakeException",
        _ => "HostUnreachableException",
    };
    format!("{class} - {e}")
}

/// A body over the cap, unread; the status and request id still say what the server did
/// (a 2xx: the call was accepted, as for any unreadable success body).
fn too_large(cap: usize, status: u16, request_id: Option<String>) -> Error {
    let message = format!(
        "the {status} response could not be read: its body is larger than {cap} bytes \
         (HttpConfig.max_response_bytes)"
    );
    if (200..300).contains(&status) {
        return Error::InvalidResponse {
            status,
            request_id,
            message,
            response: None,
        };
    }
    Error::Service {
        status,
        error: SdkError {
            request_id,
            error_code: Some(status.to_string()),
            error_msg: Some(message),
            ..SdkError::default()
        },
        response: None,
    }
}

/// Convenience for Rust users: a client shared across tasks.
pub type SharedClient = Arc<Client>;
