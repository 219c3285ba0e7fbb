//! The HTTP server: an acceptor thread and worker threads, each with its own
//! current-thread runtime; the per-request pipeline (read -> fault -> route ->
//! authenticate -> handle -> log).
//!
//! Thread per core: a connection lives on one worker, so a request never wakes another
//! thread (a multi-thread runtime spent a futex wake-up every few requests on that). The
//! emulator never shares the client's runtime, so an in-process client and emulator do not
//! compete for the same workers. No lock is held across an await.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use super::auth::{self, parse_query, Received};
use super::body::EmuBody;
use super::errors::{error_body, ApiError, ErrorKind};
use super::faults::Applied;
use super::ids;
use super::log::{Entry, Received as LogReceived};
use super::routes::{self, Matched, Reply};
use super::{EmulatorError, Shared};
use crate::operations::{OpId, Service};
use crate::signer::HeaderDict;

/// Larger request bodies get 413.
const MAX_BODY: usize = 1024 * 1024;

/// The running server: a stop signal and its threads.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, drops every connection and joins the server threads. Idempotent.
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            // The acceptor may already be gone; either way it stops.
            let _ = tx.send(());
        }
        for thread in self.threads.drain(..) {
            // A panic in a server thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

/// Binds synchronously, so a taken port fails `start` instead of the background thread.
pub fn bind(addr: SocketAddr) -> Result<std::net::TcpListener, EmulatorError> {
    let listener =
        std::net::TcpListener::bind(addr).map_err(|e| EmulatorError::Start(format!("cannot bind {addr}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| EmulatorError::Start(format!("cannot configure the socket: {e}")))?;
    Ok(listener)
}

fn start_error(what: &str, e: std::io::Error) -> EmulatorError {
    EmulatorError::Start(format!("{what}: {e}"))
}

fn current_thread_runtime() -> Result<tokio::runtime::Runtime, EmulatorError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| start_error("cannot start the emulator runtime", e))
}

/// A thread running `task` to completion on `rt`; dropping the runtime then drops the
/// connection tasks (some asleep in latency faults).
fn run_on(
    rt: tokio::runtime::Runtime,
    name: &str,
    task: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<JoinHandle<()>, EmulatorError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || rt.block_on(task))
        .map_err(|e| start_error("cannot start an emulator thread", e))
}

pub fn spawn(
    std_listener: std::net::TcpListener,
    shared: Arc<Shared>,
    workers: usize,
) -> Result<Running, EmulatorError> {
    let acceptor = current_thread_runtime()?;
    let listener = {
        let _context = acceptor.enter();
        TcpListener::from_std(std_listener).map_err(|e| start_error("cannot register the socket", e))?
    };
    let (stop_tx, stop_rx) = oneshot::channel();
    let mut threads = Vec::new();
    let mut queues = Vec::new();
    for _ in 0..workers.max(1) {
        // On failure the workers already started end with this frame: it owns their queues.
        let (tx, rx) = mpsc::unbounded_channel();
        threads.push(run_on(
            current_thread_runtime()?,
            "dmskafka-emulator-io",
            worker(rx, shared.clone()),
        )?);
        queues.push(tx);
    }
    threads.push(run_on(
        acceptor,
        "dmskafka-emulator",
        accept_loop(listener, queues, stop_rx),
    )?);
    Ok(Running {
        stop: Some(stop_tx),
        threads,
    })
}

/// Serves the connections handed to this worker until the acceptor stops.
async fn worker(mut queue: mpsc::UnboundedReceiver<std::net::TcpStream>, shared: Arc<Shared>) {
    while let Some(stream) = queue.recv().await {
        if let Ok(stream) = TcpStream::from_std(stream) {
            tokio::spawn(serve(stream, shared.clone()));
        }
    }
}

/// Accepts connections and deals them to the workers in turn.
async fn accept_loop(
    listener: TcpListener,
    queues: Vec<mpsc::UnboundedSender<std::net::TcpStream>>,
    mut stop: oneshot::Receiver<()>,
) {
    for queue in queues.iter().cycle() {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted.and_then(|(s, _)| s.into_std()) {
                Ok(stream) => {
                    // A worker only goes away with the runtime; nothing to do if it did.
                    let _ = queue.send(stream);
                }
                // Out of descriptors and the like: back off rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    // Small JSON answers: Nagle would only add latency.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| handle(req, shared.clone()));
    // Errors here are client disconnects and injected aborts; nothing to report.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Returned to hyper to close the connection without a response.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for DropConnection {}

/// A request as it came off the wire: hyper's parsed head, kept as it is.
struct Wire {
    method: hyper::Method,
    uri: hyper::Uri,
    headers: HeaderMap,
    /// `None` when it was over `MAX_BODY`.
    body: Option<Bytes>,
}

/// Reads the head and the (bounded) body; `Err` when the client went away mid-body.
async fn read(req: Request<Incoming>) -> Result<Wire, DropConnection> {
    let (parts, incoming) = req.into_parts();
    let body = match Limited::new(incoming, MAX_BODY).collect().await {
        Ok(collected) => Some(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => None,
        Err(_) => return Err(DropConnection),
    };
    Ok(Wire {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    })
}

/// The pipeline: read -> fault -> (route -> authenticate -> handle) -> log -> respond.
async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<EmuBody>, DropConnection> {
    let received_at = shared.clock.now_ms();
    let wire = read(req).await?;
    let (route, fault, reply) = {
        let matched = routes::match_route(wire.method.as_str(), wire.uri.path());
        let route = matched.name();
        let fault = shared.faults.pick(route);
        if let Some(latency) = fault.as_ref().and_then(Applied::latency) {
            tokio::time::sleep(latency).await;
        }
        let reply = answer(&shared, &wire, &matched, fault.as_ref());
        (route, fault, reply)
    };
    let request_id = reply.as_ref().map(|_| ids::new_v4());

    shared.log.push(Entry::new(LogReceived {
        method: &wire.method,
        uri: &wire.uri,
        headers: &wire.headers,
        body: wire.body.as_deref(),
        route,
        status: reply.as_ref().map(|r| r.status),
        error_code: reply.as_ref().and_then(|r| r.error_code),
        request_id,
        fault: fault.clone(),
        received_at,
    }));
    // hyper's buffers go back to it now, not when the log forgets the request.
    drop(wire);

    let (Some(reply), Some(id)) = (reply, request_id) else {
        return Err(DropConnection);
    };
    let mut buf = uuid::Uuid::encode_buffer();
    let id = id.hyphenated().encode_lower(&mut buf);
    let mut resp = response(reply, id, fault.as_ref());
    if route == Some(OpId::KeystoneListProjects.op().name) {
        // IAM calls its request id X-IAM-Trace-Id; the SDKs quote it in their errors.
        if let Ok(v) = HeaderValue::from_str(id) {
            resp.headers_mut().insert("x-iam-trace-id", v);
        }
    }
    Ok(resp)
}

/// What to answer, after any fault; `None` to drop the connection.
fn answer(shared: &Shared, wire: &Wire, matched: &Matched<'_>, fault: Option<&Applied>) -> Option<Reply> {
    let mut reply = match (fault, &wire.body) {
        (Some(f), _) if f.drop_connection => return None,
        (
            Some(Applied {
                status: Some(status),
                body,
                ..
            }),
            _,
        ) => return Some(injected_reply(*status, body.as_deref())),
        (_, None) => Reply::error(&ApiError::new(
            ErrorKind::BodyTooLarge,
            format!("Request body too large: the limit is {MAX_BODY} bytes."),
        )),
        (_, Some(body)) => process(shared, matched, wire, body),
    };
    // A body-only fault replaces the handled answer's body and keeps its status.
    if let Some(Applied {
        status: None,
        body: Some(b),
        ..
    }) = fault
    {
        reply.body = b.clone().into_bytes();
        reply.json = is_json(&reply.body);
    }
    Some(reply)
}

/// The headers as text pairs, borrowed from hyper's map; invalid UTF-8 replaced, which
/// copies only the values that hold some.
fn header_pairs(headers: &HeaderMap) -> Vec<(&str, Cow<'_, str>)> {
    headers
        .iter()
        .map(|(k, v)| {
            let v = v.as_bytes();
            let text = match std::str::from_utf8(v) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(v),
            };
            (k.as_str(), text)
        })
        .collect()
}

/// Routes, authenticates and handles one request.
fn process(shared: &Shared, matched: &Matched<'_>, wire: &Wire, body: &[u8]) -> Reply {
    let (method, raw_path) = (wire.method.as_str(), wire.uri.path());
    let route = match matched {
        Matched::NotFound => return routes::not_found(method, raw_path),
        Matched::WrongMethod { allowed, .. } => return routes::wrong_method(method, raw_path, allowed),
        Matched::Route(route) => route,
    };
    let query = parse_query(wire.uri.query().unwrap_or(""));
    let headers = header_pairs(&wire.headers);
    let received = Received {
        method,
        raw_path,
        query: &query,
        headers: &headers,
        body,
    };
    // A DMS path without a project (list_obs_buckets) is scoped by the X-Project-Id the SDKs
    // sign; the AK must own that project as it must own a path's.
    let scoped_by_header = route.op.service == Service::Kafka && route.project().is_none();
    let project = match route.project() {
        Some(p) => Some(p),
        None if scoped_by_header => HeaderDict::new(&headers).get("X-Project-Id"),
        None => None,
    };
    let ak = match auth::verify(&received, &shared.creds, project, time::OffsetDateTime::now_utc()) {
        Ok(ak) => ak,
        Err(e) => return Reply::error(&e),
    };
    let now = shared.clock.now_ms();
    match (route.op.id, project) {
        (OpId::KeystoneListProjects, _) => {
            routes::list_projects(&shared.creds, &ak, &query, &shared.endpoint, &shared.domain_id)
        }
        (_, Some(project)) => {
            let call = routes::Call {
                route,
                project,
                query: &query,
                body,
                now,
            };
            let mut state = shared.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            routes::dispatch(&call, &mut state, &shared.creds)
        }
        (_, None) => Reply::error(&ApiError::auth(format!(
            "the X-Project-Id header is required: {raw_path} names no project"
        ))),
    }
}

/// The answer to an injected status: the given body, or the table's error body.
fn injected_reply(status: u16, body: Option<&str>) -> Reply {
    let kind = ErrorKind::for_injected_status(status);
    let body = match body {
        Some(b) => b.as_bytes().to_vec(),
        None if status < 400 => Vec::new(),
        None => error_body(kind.code(), &format!("Injected fault: HTTP {status}.")),
    };
    let json = is_json(&body);
    Reply {
        status,
        body,
        json,
        error_code: (status >= 400).then(|| kind.code()),
        allow: None,
    }
}

/// Injected bodies may be anything; only JSON is labelled as JSON.
fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn response(reply: Reply, request_id: &str, fault: Option<&Applied>) -> Response<EmuBody> {
    let full_len = reply.body.len();
    let content_type = match (reply.body.is_empty(), reply.json) {
        (true, _) => None,
        (false, true) => Some("application/json"),
        (false, false) => Some("text/plain; charset=utf-8"),
    };
    let truncate = fault.is_some_and(|f| f.truncate_body) && full_len > 0;
    let body = match fault.and_then(Applied::trickle) {
        _ if truncate => EmuBody::truncated(reply.body),
        Some(total) => EmuBody::trickle(reply.body, total),
        None => EmuBody::full(reply.body),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", v);
    }
    if let Some(ct) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if let Some(allow) = reply.allow.as_deref().and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.insert(ALLOW, allow);
    }
    if truncate {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(full_len));
    }
    resp
}
