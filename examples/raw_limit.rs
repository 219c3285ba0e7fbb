//! The raw limit for `bench/run.py`: a plain reqwest loop sending the same signed
//! create_connector POST as the SDKs, with no SDK in between, and the Rust signer alone.
//!
//! `cargo run --release --example raw_limit -- ENDPOINT AK SK PROJECT_ID INSTANCE[,INSTANCE..]`
//! then one command per line on stdin, one JSON line back per command:
//!
//! - `seq SECS`            one call at a time on a current-thread runtime (latencies kept)
//! - `blockon SECS`        one call at a time, each `block_on` on a multi-thread runtime
//! - `conc N SECS`         N calls in flight on a multi-thread runtime
//! - `sign SECS [ALGORITHM]` signing only, with a `SigningAlgorithm` name (HMAC_SHA256 by
//!   default); an ECDSA or SM2 key is derived once, as the client derives it
//! - `flood N SECS`        the emulator's own limit: N keep-alive connections on one
//!   thread, each replaying a request signed once (valid for the gateway's 15 minutes), over
//!   plain TCP with no HTTP client library in the way
//!
//! Each command first warms up (connections, caches) for a fifth of its time, builds its
//! own runtime and client (pooled connections belong to the runtime that opened them) and
//! counts only answers with status 200.

use std::error::Error;
use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dmskafka::operations::OpId;
use dmskafka::signer::{self, Algorithm, Signer, SigningInput};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// What to send: the create_connector call, exactly as the SDKs sign it.
struct Target {
    base: String,
    host: String,
    ak: String,
    sk: String,
    /// Signs the calls: the AK/SK with HMAC-SHA256, as the SDKs by default.
    signer: Signer,
    project_id: String,
    instances: Vec<String>,
}

const BODY: &[u8] = br#"{"node_cnt":2}"#;

impl Target {
    /// The signed headers and the URL of call number `n` (instances in turn).
    fn request(&self, n: u64) -> (String, Vec<(String, String)>) {
        let instance = self
            .instances
            .get(n as usize % self.instances.len().max(1))
            .map_or("", String::as_str);
        let path = create_connector_path(&self.project_id, instance);
        let date = signer::format_sdk_date(time::OffsetDateTime::now_utc());
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("User-Agent".to_owned(), "raw-limit".to_owned()),
            ("X-Project-Id".to_owned(), self.project_id.clone()),
            ("X-Sdk-Date".to_owned(), date.clone()),
            ("Host".to_owned(), self.host.clone()),
        ];
        let auth = sign_with(&self.signer, &path, &headers, &date);
        headers.push(("Authorization".to_owned(), auth));
        (format!("{}{}", self.base, path), headers)
    }
}

fn sign_with(signer: &Signer, path: &str, headers: &[(String, String)], date: &str) -> String {
    let input = SigningInput {
        method: OpId::CreateConnector.op().method,
        resource_path: path,
        query: &[],
        headers,
        body: BODY,
        sdk_date: date,
    };
    signer.sign(&input).map(|auth| auth.to_string()).unwrap_or_default()
}

fn http_client() -> Res<reqwest::Client> {
    // reqwest has no TLS provider of its own here (the SDK configures rustls itself): install
    // one, as any plain-HTTP user of this reqwest build must.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The same settings as the SDK's transport, where they matter for speed.
    Ok(reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1024)
        .build()?)
}

/// One call; true when the emulator answered 200 and the body was read.
async fn call(http: &reqwest::Client, target: &Target, n: u64) -> bool {
    let (url, headers) = target.request(n);
    let mut req = http.post(url).body(BODY);
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let outcome = match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            match resp.bytes().await {
                Ok(_) if status == 200 => Ok(()),
                Ok(body) => Err(format!("{status}: {}", String::from_utf8_lossy(&body))),
                Err(e) => Err(format!("body: {}", dmskafka_chain(&e))),
            }
        }
        Err(e) => Err(format!("send: {}", dmskafka_chain(&e))),
    };
    match outcome {
        Ok(()) => true,
        Err(why) => {
            report_first_error(&why);
            false
        }
    }
}

/// The error and its causes, so a failure says what failed.
fn dmskafka_chain(err: &(dyn Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        parts.push(e.to_string());
        cur = e.source();
    }
    parts.join(": ")
}

/// The first failure goes to stderr (the bench log); the rest are only counted.
fn report_first_error(why: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| eprintln!("raw_limit: first failed call: {why}"));
}

#[derive(Default)]
struct Outcome {
    calls: u64,
    errors: u64,
    secs: f64,
    latencies_ns: Vec<u64>,
    cpu_ns: u64,
    /// Requests sent in all, warm-up included.
    sent: u64,
}

/// CPU time of this process's live threads, in ns (first field of each thread's schedstat):
/// a cost per call that a busy machine disturbs far less than the wall clock.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()))
        .sum()
}

/// Runs `measure` and records the CPU time it took.
fn with_cpu(measure: impl FnOnce() -> Outcome) -> Outcome {
    let before = process_cpu_ns();
    let mut out = measure();
    out.cpu_ns = process_cpu_ns().saturating_sub(before);
    out
}

impl Outcome {
    fn json(mut self) -> String {
        self.latencies_ns.sort_unstable();
        let pct = |p: f64| -> Option<f64> {
            let n = self.latencies_ns.len();
            if n == 0 {
                return None;
            }
            let idx = ((n as f64 - 1.0) * p).round() as usize;
            self.latencies_ns.get(idx).map(|&ns| ns as f64 / 1000.0)
        };
        serde_json::json!({
            "calls": self.calls,
            "errors": self.errors,
            "secs": self.secs,
            "rate": self.calls as f64 / self.secs.max(1e-9),
            "p50_us": pct(0.50),
            "p99_us": pct(0.99),
            "cpu_us": (self.calls > 0).then(|| self.cpu_ns as f64 / 1000.0 / self.calls as f64),
            "sent": self.sent,
        })
        .to_string()
    }
}

/// One call at a time, timed; `each` runs one call to completion.
fn sequential(secs: f64, mut each: impl FnMut(u64) -> bool) -> Outcome {
    let warm_until = Instant::now() + Duration::from_secs_f64(secs / 5.0);
    let mut n = 0;
    while Instant::now() < warm_until {
        each(n);
        n += 1;
    }
    let mut out = with_cpu(|| {
        let mut out = Outcome::default();
        let start = Instant::now();
        let end = start + Duration::from_secs_f64(secs);
        while Instant::now() < end {
            let t = Instant::now();
            if each(n) {
                out.calls += 1;
                out.latencies_ns.push(t.elapsed().as_nanos() as u64);
            } else {
                out.errors += 1;
            }
            n += 1;
        }
        out.secs = start.elapsed().as_secs_f64();
        out
    });
    out.sent = n;
    out
}

fn seq(target: &Target, secs: f64) -> Res<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let http = rt.block_on(async { http_client() })?;
    Ok(sequential(secs, |n| rt.block_on(call(&http, target, n))))
}

fn blockon(target: &Target, secs: f64) -> Res<Outcome> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let http = rt.block_on(async { http_client() })?;
    Ok(sequential(secs, |n| rt.block_on(call(&http, target, n))))
}

/// Counts of one timed run of concurrent workers.
#[derive(Clone, Default)]
struct Counters {
    ok: Arc<AtomicU64>,
    bad: Arc<AtomicU64>,
}

impl Counters {
    fn count(&self, ok: bool) {
        let counter = if ok { &self.ok } else { &self.bad };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A warm-up run, then a measured run (CPU included) of the workers `spawn` starts on `rt`;
/// each worker stops at the deadline it is given.
fn concurrent<F>(rt: &tokio::runtime::Runtime, secs: f64, spawn: F) -> Outcome
where
    F: Fn(Instant, &Counters) -> Vec<tokio::task::JoinHandle<()>>,
{
    let run = |secs: f64| -> Outcome {
        let counters = Counters::default();
        let start = Instant::now();
        rt.block_on(async {
            for task in spawn(start + Duration::from_secs_f64(secs), &counters) {
                // A panicked worker only loses its own count.
                let _ = task.await;
            }
        });
        Outcome {
            calls: counters.ok.load(Ordering::Relaxed),
            errors: counters.bad.load(Ordering::Relaxed),
            secs: start.elapsed().as_secs_f64(),
            ..Outcome::default()
        }
    };
    let warm = run(secs / 5.0);
    let mut out = with_cpu(|| run(secs));
    out.sent = warm.calls + warm.errors + out.calls + out.errors;
    out
}

fn conc(target: Arc<Target>, in_flight: u64, secs: f64) -> Res<Outcome> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let http = rt.block_on(async { http_client() })?;
    Ok(concurrent(&rt, secs, |end, counters| {
        (0..in_flight)
            .map(|worker| {
                let (http, target, counters) = (http.clone(), target.clone(), counters.clone());
                tokio::spawn(async move {
                    let mut n = worker;
                    while Instant::now() < end {
                        counters.count(call(&http, &target, n).await);
                        n += in_flight;
                    }
                })
            })
            .collect()
    }))
}

/// The bytes of call `n` as an HTTP/1.1 request, signed now.
fn wire_request(target: &Target, n: u64) -> Vec<u8> {
    let (url, headers) = target.request(n);
    let path = url.strip_prefix(&target.base).unwrap_or(&url);
    let method = OpId::CreateConnector.op().method;
    let mut head = format!("{method} {path} HTTP/1.1\r\nContent-Length: {}\r\n", BODY.len());
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    [head.as_bytes(), BODY].concat()
}

/// Reads one response off `stream` into `buf` (which may hold the start of it); true if 200.
async fn read_response(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Res<bool> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(buf.get(..end).ok_or("head")?)?;
            let length = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map_or(Ok(0), |(_, v)| v.trim().parse::<usize>())?;
            let ok = head.starts_with("HTTP/1.1 200");
            while buf.len() < end + 4 + length {
                if stream.read_buf(buf).await? == 0 {
                    return Err("connection closed mid-body".into());
                }
            }
            buf.drain(..end + 4 + length);
            return Ok(ok);
        }
        if stream.read_buf(buf).await? == 0 {
            return Err("connection closed".into());
        }
    }
}

/// One connection replaying `request` until `end`.
async fn flood_connection(addr: String, request: Vec<u8>, end: Instant, counters: Counters) {
    use tokio::io::AsyncWriteExt;
    let mut stream = match tokio::net::TcpStream::connect(&addr).await {
        Ok(s) => s,
        Err(e) => return report_first_error(&format!("connect: {e}")),
    };
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    while Instant::now() < end {
        let answer = match stream.write_all(&request).await {
            Ok(()) => read_response(&mut stream, &mut buf).await,
            Err(e) => Err(e.into()),
        };
        match answer {
            Ok(ok) => counters.count(ok),
            Err(e) => return report_first_error(&format!("flood: {e}")),
        }
    }
}

fn flood(target: &Target, connections: u64, secs: f64) -> Res<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let requests: Vec<Vec<u8>> = (0..connections).map(|n| wire_request(target, n)).collect();
    Ok(concurrent(&rt, secs, |end, counters| {
        requests
            .iter()
            .map(|r| tokio::spawn(flood_connection(target.host.clone(), r.clone(), end, counters.clone())))
            .collect()
    }))
}

/// The create_connector path, from the core's operation table.
fn create_connector_path(project_id: &str, instance_id: &str) -> String {
    OpId::CreateConnector
        .op()
        .fill_path(&[("project_id", project_id), ("instance_id", instance_id)])
        .unwrap_or_default()
}

fn sign(target: &Target, secs: f64, algorithm: &str) -> Res<Outcome> {
    let algorithm = Algorithm::from_option_name(algorithm).ok_or("unknown signing algorithm")?;
    let signer = Signer::new(algorithm, &target.ak, &target.sk)?;
    let path = create_connector_path(&target.project_id, &"x".repeat(32));
    let date = "20240101T000000Z";
    let headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("User-Agent".to_owned(), "raw-limit".to_owned()),
        ("X-Project-Id".to_owned(), target.project_id.clone()),
        ("X-Sdk-Date".to_owned(), date.to_owned()),
        ("Host".to_owned(), target.host.clone()),
    ];
    let mut out = sequential(secs, |_| !sign_with(&signer, &path, &headers, date).is_empty());
    out.latencies_ns.clear();
    Ok(out)
}

fn run_command(target: &Arc<Target>, line: &str) -> Res<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let num = |i: usize| -> Res<f64> { Ok(words.get(i).ok_or("missing argument")?.parse::<f64>()?) };
    let outcome = match words.first().copied() {
        Some("seq") => seq(target, num(1)?)?,
        Some("blockon") => blockon(target, num(1)?)?,
        Some("conc") => conc(target.clone(), num(1)? as u64, num(2)?)?,
        Some("sign") => sign(target, num(1)?, words.get(2).copied().unwrap_or("HMAC_SHA256"))?,
        Some("flood") => flood(target, num(1)? as u64, num(2)?)?,
        _ => return Err(format!("unknown command {line:?}").into()),
    };
    Ok(outcome.json())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, ak, sk, project_id, instances] = args.as_slice() else {
        return Err("usage: raw_limit ENDPOINT AK SK PROJECT_ID INSTANCE[,INSTANCE..]".into());
    };
    let host = endpoint
        .split_once("://")
        .map_or(endpoint.as_str(), |(_, h)| h)
        .trim_end_matches('/')
        .to_owned();
    let target = Arc::new(Target {
        base: endpoint.trim_end_matches('/').to_owned(),
        host,
        ak: ak.clone(),
        sk: sk.clone(),
        signer: Signer::new(Algorithm::HmacSha256, ak, sk)?,
        project_id: project_id.clone(),
        instances: instances.split(',').map(str::to_owned).collect(),
    });
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim() == "quit" {
            break;
        }
        let answer =
            run_command(&target, &line).unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
        println!("{answer}");
    }
    Ok(())
}
