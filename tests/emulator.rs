//! The emulator over real HTTP on 127.0.0.1: requests signed with the crate's signer and
//! sent with reqwest, or written byte by byte on a TCP socket where the wire matters.
#![cfg(feature = "emulator")]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use dmskafka::emulator::{
    ChargingMode, CredentialSpec, Emulator, EmulatorConfig, EmulatorHandle, ErrorKind, FaultSpec, Flavor, InstanceSpec,
    KafkaPeerSpec, ObsBucketSpec,
};
use dmskafka::signer::{self, SigningInput};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type R = Result<(), Box<dyn std::error::Error>>;

fn start() -> Result<EmulatorHandle, Box<dyn std::error::Error>> {
    Ok(Emulator::start("127.0.0.1:0".parse()?)?)
}

/// Who signs, and how.
#[derive(Clone)]
struct Signer {
    ak: String,
    sk: String,
    /// Sent as X-Project-Id when set.
    project_header: Option<String>,
    token: Option<String>,
    /// Overrides X-Sdk-Date.
    date: Option<String>,
    algorithm: signer::Algorithm,
}

impl Signer {
    fn seeded(emu: &EmulatorHandle) -> Self {
        let c = emu.credentials();
        Signer {
            ak: c.ak.clone(),
            sk: c.sk.clone(),
            project_header: Some(c.project_id.clone()),
            token: None,
            date: None,
            algorithm: signer::Algorithm::HmacSha256,
        }
    }

    /// The Authorization value for `input`; empty (refused by the emulator) if signing failed.
    fn authorization(&self, input: &SigningInput<'_>) -> String {
        signer::Signer::new(self.algorithm, &self.ak, &self.sk)
            .and_then(|s| s.sign(input))
            .map(|auth| auth.to_string())
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    fn field(&self, name: &str) -> String {
        match self.json().get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    fn code(&self) -> String {
        self.field("error_code")
    }
}

/// The signed headers (without Authorization) and the Authorization value.
fn sign(
    emu: &EmulatorHandle,
    s: &Signer,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Vec<(String, String)> {
    let date = s
        .date
        .clone()
        .unwrap_or_else(|| signer::format_sdk_date(time::OffsetDateTime::now_utc()));
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("Host".to_owned(), emu.local_addr().to_string()),
        ("X-Sdk-Date".to_owned(), date.clone()),
    ];
    if let Some(p) = &s.project_header {
        headers.push(("X-Project-Id".to_owned(), p.clone()));
    }
    if let Some(t) = &s.token {
        headers.push(("X-Security-Token".to_owned(), t.clone()));
    }
    let auth = s.authorization(&SigningInput {
        method,
        resource_path: path,
        query,
        headers: &headers,
        body,
        sdk_date: &date,
    });
    headers.push(("Authorization".to_owned(), auth));
    headers
}

async fn send(
    emu: &EmulatorHandle,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Resp, Box<dyn std::error::Error>> {
    let q = signer::canonical_query(query);
    let url = if q.is_empty() {
        format!("{}{path}", emu.endpoint())
    } else {
        format!("{}{path}?{q}", emu.endpoint())
    };
    let mut req = plain_http().request(reqwest::Method::from_bytes(method.as_bytes())?, url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = req.body(body.to_vec()).send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await?;
    Ok(Resp { status, headers, text })
}

async fn call(
    emu: &EmulatorHandle,
    s: &Signer,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Resp, Box<dyn std::error::Error>> {
    let headers = sign(emu, s, method, path, &[], body);
    send(emu, method, path, &[], &headers, body).await
}

fn project(emu: &EmulatorHandle) -> String {
    emu.credentials().project_id.clone()
}

fn connector_path(emu: &EmulatorHandle, id: &str) -> String {
    format!("/v2/{}/instances/{id}/connector", project(emu))
}

fn instance_path(emu: &EmulatorHandle, id: &str) -> String {
    format!("/v2/{}/instances/{id}", project(emu))
}

fn task_path(emu: &EmulatorHandle, id: &str, task: &str) -> String {
    format!("/v2/{}/instances/{id}/tasks/{task}", project(emu))
}

fn delete_path(emu: &EmulatorHandle, id: &str) -> String {
    format!("/v2/{}/kafka/instances/{id}/delete-connector", project(emu))
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

async fn task_status(
    emu: &EmulatorHandle,
    s: &Signer,
    id: &str,
    job: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let r = call(emu, s, "GET", &task_path(emu, id, job), b"").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v.get("task_count"), Some(&Value::from("1")));
    Ok(v.pointer("/tasks/0/status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
async fn enable_then_job_and_instance_follow_the_state_machine() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;

    let r = call(&emu, &s, "POST", &connector_path(&emu, &id), br#"{"node_cnt": 3}"#).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_uuid));
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let (job, connector) = (r.field("job_id"), r.field("connector_id"));
    assert!(is_uuid(&job) && is_uuid(&connector), "{}", r.text);

    assert_eq!(task_status(&emu, &s, &id, &job).await?, "CREATED");
    let shown = call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?;
    assert_eq!(shown.field("status"), "EXTENDING");
    assert_eq!(shown.json().get("connector_enable"), Some(&Value::Bool(false)));

    emu.advance(Duration::from_millis(600));
    assert_eq!(task_status(&emu, &s, &id, &job).await?, "EXECUTING");
    emu.advance(Duration::from_secs(2));
    assert_eq!(task_status(&emu, &s, &id, &job).await?, "SUCCESS");

    let v = call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?.json();
    assert_eq!(v.get("status"), Some(&Value::from("RUNNING")));
    assert_eq!(v.get("charging_mode"), Some(&Value::from(1)));
    assert_eq!(v.get("connector_enable"), Some(&Value::Bool(true)));
    assert_eq!(v.get("connector_id"), Some(&Value::from(connector.as_str())));
    assert_eq!(v.get("connector_node_num"), Some(&Value::from(3)));
    assert_eq!(v.get("engine"), Some(&Value::from("kafka")));
    Ok(())
}

/// Each official signing algorithm over HTTP: accepted as signed, refused with one changed
/// hex digit of the signature or a body other than the one signed.
#[tokio::test]
async fn every_signing_algorithm_is_verified() -> R {
    let emu = start()?;
    let id = emu.add_instance(InstanceSpec::default())?;
    for algorithm in signer::Algorithm::ALL {
        let s = Signer {
            algorithm,
            ..Signer::seeded(&emu)
        };
        let r = call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?;
        assert_eq!(r.status, 200, "{algorithm}: {}", r.text);

        let path = connector_path(&emu, &id);
        let mut headers = sign(&emu, &s, "POST", &path, &[], b"{}");
        let r = send(&emu, "POST", &path, &[], &headers, br#"{"node_cnt":3}"#).await?;
        assert_eq!(
            (r.status, r.code()),
            (401, "APIG.0301".to_owned()),
            "{algorithm}: {}",
            r.text
        );
        if let Some((_, auth)) = headers.iter_mut().find(|(k, _)| k == "Authorization") {
            let last = auth.pop();
            auth.push(if last == Some('0') { '1' } else { '0' });
        }
        let r = send(&emu, "POST", &path, &[], &headers, b"{}").await?;
        assert_eq!(
            (r.status, r.code()),
            (401, "APIG.0301".to_owned()),
            "{algorithm}: {}",
            r.text
        );
        assert!(
            r.field("error_msg").contains("verify aksk signature fail"),
            "{}",
            r.text
        );
    }
    Ok(())
}

#[tokio::test]
async fn node_cnt_as_numeric_string_is_accepted() -> R {
    let emu = start()?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let r = call(
        &emu,
        &Signer::seeded(&emu),
        "POST",
        &connector_path(&emu, &id),
        br#"{"node_cnt": "2"}"#,
    )
    .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(())
}

#[tokio::test]
async fn delete_connector_goes_through_connector_deleting() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;
    let r = call(&emu, &s, "POST", &delete_path(&emu, &id), b"").await?;
    assert_eq!((r.status, r.code()), (400, "DMS.00400018".to_owned()));

    call(&emu, &s, "POST", &connector_path(&emu, &id), b"{}").await?;
    emu.advance(Duration::from_secs(3));
    let r = call(&emu, &s, "POST", &delete_path(&emu, &id), b"").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let job = r.field("job_id");
    assert!(is_uuid(&job));
    assert_eq!(
        call(&emu, &s, "GET", &instance_path(&emu, &id), b"")
            .await?
            .field("status"),
        "CONNECTOR_DELETING"
    );
    emu.advance(Duration::from_secs(3));
    assert_eq!(task_status(&emu, &s, &id, &job).await?, "SUCCESS");
    let v = call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?.json();
    assert_eq!(v.get("status"), Some(&Value::from("RUNNING")));
    assert_eq!(v.get("connector_enable"), Some(&Value::Bool(false)));
    Ok(())
}

#[tokio::test]
async fn seeded_failure_ends_failed_without_connector() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec {
        fail_enable: true,
        ..Default::default()
    })?;
    let job = call(&emu, &s, "POST", &connector_path(&emu, &id), b"{}")
        .await?
        .field("job_id");
    emu.advance(Duration::from_secs(3));
    assert_eq!(task_status(&emu, &s, &id, &job).await?, "FAILED");
    let v = emu.show_instance(&id)?;
    assert_eq!(v.get("status"), Some(&Value::from("RUNNING")));
    assert_eq!(v.get("connector_enable"), Some(&Value::Bool(false)));
    Ok(())
}

#[tokio::test]
async fn per_instance_job_duration_overrides_the_default() -> R {
    let emu = Emulator::start_with(
        "127.0.0.1:0".parse()?,
        EmulatorConfig {
            job_duration: Duration::from_secs(100),
            ..Default::default()
        },
    )?;
    let s = Signer::seeded(&emu);
    let quick = emu.add_instance(InstanceSpec {
        job_duration: Some(Duration::ZERO),
        ..Default::default()
    })?;
    let slow = emu.add_instance(InstanceSpec::default())?;
    let quick_job = call(&emu, &s, "POST", &connector_path(&emu, &quick), b"{}")
        .await?
        .field("job_id");
    let slow_job = call(&emu, &s, "POST", &connector_path(&emu, &slow), b"{}")
        .await?
        .field("job_id");
    assert_eq!(task_status(&emu, &s, &quick, &quick_job).await?, "SUCCESS");
    assert_eq!(task_status(&emu, &s, &slow, &slow_job).await?, "CREATED");
    emu.advance(Duration::from_secs(100));
    assert_eq!(task_status(&emu, &s, &slow, &slow_job).await?, "SUCCESS");
    Ok(())
}

#[tokio::test]
async fn every_create_rule_has_its_own_code() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let new = emu.add_instance(InstanceSpec::default())?;
    let prepaid = emu.add_instance(InstanceSpec {
        charging_mode: ChargingMode::PrePaid,
        ..Default::default()
    })?;
    let old = emu.add_instance(InstanceSpec {
        flavor: Flavor::Old,
        specification: Some("300MB".into()),
        ..Default::default()
    })?;
    let creating = emu.add_instance(InstanceSpec {
        status: "CREATING".into(),
        ..Default::default()
    })?;
    let cases: Vec<(&str, &[u8], u16, &str)> = vec![
        (&new, b"{", 400, "DMS.00400009"),
        (&new, b"", 400, "DMS.00400009"),
        (&new, b"[2]", 400, "DMS.00400009"),
        (&new, br#"{"node_cnt": 2.5}"#, 400, "DMS.00400010"),
        (&new, br#"{"node_cnt": "two"}"#, 400, "DMS.00400010"),
        (&new, br#"{"node_cnt": 1}"#, 400, "DMS.00400011"),
        (&new, br#"{"node_cnt": 17}"#, 400, "DMS.00400011"),
        (&new, br#"{"specification": "150MB"}"#, 400, "DMS.00400014"),
        (&old, br#"{"node_cnt": 2}"#, 400, "DMS.00400012"),
        (&old, br#"{"specification": "300MB"}"#, 400, "DMS.00400013"),
        (
            &old,
            br#"{"specification": "100MB", "spec_code": "kafka.c3.mini.connector"}"#,
            400,
            "DMS.00400015",
        ),
        (&prepaid, b"{}", 400, "DMS.00400016"),
        (&creating, b"{}", 400, "DMS.00400026"),
        ("no-such-instance", b"{}", 404, "DMS.00404022"),
    ];
    for (id, body, status, code) in cases {
        let r = call(&emu, &s, "POST", &connector_path(&emu, id), body).await?;
        assert_eq!(
            (r.status, r.code()),
            (status, code.to_owned()),
            "{} {}",
            String::from_utf8_lossy(body),
            r.text
        );
        assert!(!r.field("error_msg").is_empty());
        assert!(r.headers.get("x-request-id").is_some());
    }
    // None of the refusals started a job.
    assert_eq!(
        emu.show_instance(&new)?
            .get("tasks")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(0)
    );

    let ok = call(
        &emu,
        &s,
        "POST",
        &connector_path(&emu, &old),
        br#"{"specification": "300 MB", "spec_code": "kafka.c3.small.connector", "node_cnt": 2}"#,
    )
    .await?;
    assert_eq!(ok.status, 200, "{}", ok.text);
    emu.advance(Duration::from_secs(3));
    let again = call(
        &emu,
        &s,
        "POST",
        &connector_path(&emu, &old),
        br#"{"specification": "300MB", "spec_code": "x"}"#,
    )
    .await?;
    assert_eq!((again.status, again.code()), (400, "DMS.00400017".to_owned()));
    let r = call(&emu, &s, "GET", &task_path(&emu, &new, "no-such-task"), b"").await?;
    assert_eq!((r.status, r.code()), (404, "DMS.00404023".to_owned()));
    Ok(())
}

#[tokio::test]
async fn concurrent_enables_exactly_one_wins() -> R {
    let emu = std::sync::Arc::new(start()?);
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (emu, s, path) = (emu.clone(), s.clone(), connector_path(&emu, &id));
        tasks.push(tokio::spawn(async move {
            call(&emu, &s, "POST", &path, br#"{"node_cnt": 2}"#)
                .await
                .map(|r| (r.status, r.code()))
                .map_err(|e| e.to_string())
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await??);
    }
    assert_eq!(outcomes.iter().filter(|(s, _)| *s == 200).count(), 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .filter(|(s, _)| *s != 200)
            .all(|o| *o == (400, "DMS.00400026".to_owned())),
        "{outcomes:?}"
    );
    assert_eq!(
        emu.show_instance(&id)?
            .get("tasks")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(1)
    );
    Ok(())
}

#[tokio::test]
async fn gateway_rejects_bad_signatures_with_apig_0301() -> R {
    let emu = start()?;
    emu.add_credentials(CredentialSpec {
        ak: "TEMPAK".into(),
        sk: "temp-secret-key".into(),
        project_id: project(&emu),
        security_token: Some("session-token-value".into()),
        region: None,
    })?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let path = instance_path(&emu, &id);
    let good = Signer::seeded(&emu);
    let seeded_sk = good.sk.clone();
    let temp = Signer {
        ak: "TEMPAK".into(),
        sk: "temp-secret-key".into(),
        token: Some("session-token-value".into()),
        ..good.clone()
    };
    assert_eq!(call(&emu, &temp, "GET", &path, b"").await?.status, 200);

    let skewed = time::OffsetDateTime::now_utc() - time::Duration::minutes(20);
    let cases: Vec<(Signer, &str)> = vec![
        (
            Signer {
                ak: "NOSUCHAK".into(),
                ..good.clone()
            },
            "does not exist",
        ),
        (
            Signer {
                sk: "wrong".into(),
                ..good.clone()
            },
            "signature",
        ),
        (
            Signer {
                date: Some(signer::format_sdk_date(skewed)),
                ..good.clone()
            },
            "15 minutes",
        ),
        (
            Signer {
                date: Some("2024-01-01T00:00:00Z".into()),
                ..good.clone()
            },
            "X-Sdk-Date",
        ),
        (
            Signer {
                project_header: Some("otherproject".into()),
                ..good.clone()
            },
            "does not match",
        ),
        (
            Signer {
                token: None,
                ..temp.clone()
            },
            "X-Security-Token",
        ),
        (
            Signer {
                token: Some("forged-token".into()),
                ..temp.clone()
            },
            "security token",
        ),
        (
            Signer {
                token: Some("unexpected".into()),
                ..good.clone()
            },
            "security token",
        ),
    ];
    for (signer, says) in cases {
        let r = call(&emu, &signer, "GET", &path, b"").await?;
        assert_eq!((r.status, r.code()), (401, "APIG.0301".to_owned()), "{}", r.text);
        let msg = r.field("error_msg");
        assert!(msg.contains(says), "{msg:?} should mention {says:?}");
        for secret in [
            seeded_sk.as_str(),
            "temp-secret-key",
            "session-token-value",
            "forged-token",
        ] {
            assert!(!r.text.contains(secret), "{} leaks a secret", r.text);
        }
    }
    Ok(())
}

#[tokio::test]
async fn requests_altered_after_signing_are_rejected() -> R {
    let emu = start()?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let other = emu.add_instance(InstanceSpec::default())?;
    let s = Signer::seeded(&emu);
    let path = connector_path(&emu, &id);
    let headers = sign(&emu, &s, "POST", &path, &[], br#"{"node_cnt": 2}"#);

    let tampered_body = send(&emu, "POST", &path, &[], &headers, br#"{"node_cnt": 16}"#).await?;
    assert_eq!(
        (tampered_body.status, tampered_body.code()),
        (401, "APIG.0301".to_owned())
    );
    let tampered_path = send(
        &emu,
        "POST",
        &connector_path(&emu, &other),
        &[],
        &headers,
        br#"{"node_cnt": 2}"#,
    )
    .await?;
    assert_eq!(tampered_path.status, 401);
    let mut swapped = headers.clone();
    for (k, v) in swapped.iter_mut() {
        if k == "Content-Type" {
            *v = "text/plain".into();
        }
    }
    assert_eq!(
        send(&emu, "POST", &path, &[], &swapped, br#"{"node_cnt": 2}"#)
            .await?
            .status,
        401
    );
    // Unchanged, it passes: the refusals above were about the changes.
    let r = send(&emu, "POST", &path, &[], &headers, br#"{"node_cnt": 2}"#).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(emu.show_instance(&other)?.get("status"), Some(&Value::from("RUNNING")));
    Ok(())
}

#[tokio::test]
async fn required_headers_must_be_present_and_signed() -> R {
    let emu = start()?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let s = Signer::seeded(&emu);
    let path = instance_path(&emu, &id);
    let headers = sign(&emu, &s, "GET", &path, &[], b"");

    let without = |name: &str| {
        headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
            .cloned()
            .collect::<Vec<_>>()
    };
    let r = send(&emu, "GET", &path, &[], &without("Authorization"), b"").await?;
    assert_eq!((r.status, r.code()), (401, "APIG.0301".to_owned()));
    assert!(r.field("error_msg").contains("Authorization"));
    let r = send(&emu, "GET", &path, &[], &without("X-Sdk-Date"), b"").await?;
    assert!(
        r.status == 401 && r.field("error_msg").contains("x-sdk-date"),
        "{}",
        r.text
    );

    // Signed without Host and X-Project-Id in SignedHeaders, but sent with them.
    let date = signer::format_sdk_date(time::OffsetDateTime::now_utc());
    let only_date = vec![("X-Sdk-Date".to_owned(), date.clone())];
    let auth = s.authorization(&SigningInput {
        method: "GET",
        resource_path: &path,
        query: &[],
        headers: &only_date,
        body: b"",
        sdk_date: &date,
    });
    let mut sent = only_date.clone();
    sent.push(("Authorization".into(), auth));
    let r = send(&emu, "GET", &path, &[], &sent, b"").await?;
    assert!(
        r.status == 401 && r.field("error_msg").contains("'host' is not listed"),
        "{}",
        r.text
    );

    let with_host = vec![
        ("Host".to_owned(), emu.local_addr().to_string()),
        ("X-Sdk-Date".to_owned(), date.clone()),
    ];
    let auth = s.authorization(&SigningInput {
        method: "GET",
        resource_path: &path,
        query: &[],
        headers: &with_host,
        body: b"",
        sdk_date: &date,
    });
    let mut sent = with_host.clone();
    sent.push(("X-Project-Id".into(), project(&emu)));
    sent.push(("Authorization".into(), auth));
    let r = send(&emu, "GET", &path, &[], &sent, b"").await?;
    assert!(
        r.status == 401 && r.field("error_msg").contains("'x-project-id' is not listed"),
        "{}",
        r.text
    );
    // Without X-Project-Id at all, the signature alone is enough.
    sent.retain(|(k, _)| k != "X-Project-Id");
    assert_eq!(send(&emu, "GET", &path, &[], &sent, b"").await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn projects_outside_the_aks_are_refused_and_other_instances_not_found() -> R {
    let emu = start()?;
    emu.add_credentials(CredentialSpec {
        ak: "AK2".into(),
        sk: "SK2".into(),
        project_id: "project2".into(),
        security_token: None,
        region: None,
    })?;
    let theirs = emu.add_instance(InstanceSpec {
        project_id: Some("project2".into()),
        ..Default::default()
    })?;
    let s = Signer {
        project_header: None,
        ..Signer::seeded(&emu)
    };
    let r = call(&emu, &s, "GET", &format!("/v2/project2/instances/{theirs}"), b"").await?;
    assert!(
        r.status == 401 && r.field("error_msg").contains("no access to the project"),
        "{}",
        r.text
    );
    let r = call(&emu, &s, "GET", &instance_path(&emu, &theirs), b"").await?;
    assert_eq!((r.status, r.code()), (404, "DMS.00404022".to_owned()));
    Ok(())
}

#[tokio::test]
async fn iam_lists_the_aks_projects_for_a_region() -> R {
    let emu = start()?;
    let s = Signer {
        project_header: None,
        ..Signer::seeded(&emu)
    };
    let query = vec![("name".to_owned(), "cn-north-4".to_owned())];
    async fn list(
        emu: &EmulatorHandle,
        s: &Signer,
        q: &[(String, String)],
    ) -> Result<Resp, Box<dyn std::error::Error>> {
        let headers = sign(emu, s, "GET", "/v3/projects", q, b"");
        send(emu, "GET", "/v3/projects", q, &headers, b"").await
    }
    let r = list(&emu, &s, &query).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers.get("x-iam-trace-id").is_some());
    let projects = r.json().get("projects").cloned().unwrap_or(Value::Null);
    assert_eq!(projects.pointer("/0/id"), Some(&Value::from(project(&emu))));
    assert_eq!(projects.pointer("/0/name"), Some(&Value::from("cn-north-4")));

    // A second project of the same AK in that region, and one elsewhere.
    let c = emu.credentials().clone();
    emu.add_credentials(CredentialSpec {
        ak: c.ak.clone(),
        sk: c.sk.clone(),
        project_id: "second".into(),
        security_token: None,
        region: Some("cn-north-4".into()),
    })?;
    emu.add_credentials(CredentialSpec {
        ak: c.ak.clone(),
        sk: c.sk.clone(),
        project_id: "elsewhere".into(),
        security_token: None,
        region: Some("ap-southeast-1".into()),
    })?;
    let ids = |r: &Resp| -> HashSet<String> {
        r.json()
            .get("projects")
            .and_then(Value::as_array)
            .map_or_else(HashSet::new, |a| {
                a.iter()
                    .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
    };
    let r = list(&emu, &s, &query).await?;
    assert_eq!(ids(&r), HashSet::from([c.project_id.clone(), "second".to_owned()]));
    let r = list(&emu, &s, &[]).await?;
    assert_eq!(ids(&r).len(), 3);

    // Signed like every other route.
    let bad = Signer {
        sk: "wrong".into(),
        ..s.clone()
    };
    let headers = sign(&emu, &bad, "GET", "/v3/projects", &[], b"");
    assert_eq!(send(&emu, "GET", "/v3/projects", &[], &headers, b"").await?.status, 401);
    Ok(())
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let r = call(&emu, &s, "GET", "/v2/nothing/here", b"").await?;
    assert_eq!((r.status, r.code()), (404, "APIG.0101".to_owned()));
    assert!(r.headers.get("x-request-id").is_some());
    let r = call(&emu, &s, "DELETE", &instance_path(&emu, "i"), b"").await?;
    assert_eq!((r.status, r.code()), (405, "APIG.0101".to_owned()));
    assert_eq!(r.headers.get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
    Ok(())
}

#[tokio::test]
async fn oversized_bodies_get_413() -> R {
    let emu = start()?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let body = vec![b' '; 2 * 1024 * 1024];
    let r = call(&emu, &Signer::seeded(&emu), "POST", &connector_path(&emu, &id), &body).await?;
    assert_eq!((r.status, r.code()), (413, "APIG.0201".to_owned()));
    Ok(())
}

#[tokio::test]
async fn status_faults_count_down_and_change_nothing() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;
    emu.inject_fault(FaultSpec {
        route: Some("create_connector".into()),
        status: Some(503),
        count: Some(2),
        ..Default::default()
    })?;
    for _ in 0..2 {
        let r = call(&emu, &s, "POST", &connector_path(&emu, &id), b"{}").await?;
        assert_eq!((r.status, r.code()), (503, "APIG.0202".to_owned()), "{}", r.text);
        // Other routes are untouched.
        assert_eq!(call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?.status, 200);
    }
    assert_eq!(emu.show_instance(&id)?.get("status"), Some(&Value::from("RUNNING")));
    assert_eq!(
        call(&emu, &s, "POST", &connector_path(&emu, &id), b"{}").await?.status,
        200
    );
    let faulted: Vec<_> = emu.requests().into_iter().filter(|r| r.fault.is_some()).collect();
    assert_eq!(faulted.len(), 2);
    assert!(faulted.iter().all(|r| r.status == Some(503)));
    Ok(())
}

#[tokio::test]
async fn faults_hit_unauthenticated_requests_and_bodies_may_be_anything() -> R {
    let emu = start()?;
    emu.inject_fault(FaultSpec {
        status: Some(502),
        body: Some("<html>Bad Gateway</html>".into()),
        count: Some(1),
        ..Default::default()
    })?;
    let r = send(&emu, "GET", "/v2/x/instances/y", &[], &[], b"").await?;
    assert_eq!((r.status, r.text.as_str()), (502, "<html>Bad Gateway</html>"));
    assert!(r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain")));
    assert!(r.headers.get("x-request-id").is_some());

    // A body without a status replaces a handled answer's body and keeps its status.
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;
    emu.inject_fault(FaultSpec {
        route: Some("show_instance".into()),
        body: Some("not json".into()),
        count: Some(1),
        ..Default::default()
    })?;
    let r = call(&emu, &s, "GET", &instance_path(&emu, &id), b"").await?;
    assert_eq!((r.status, r.text.as_str()), (200, "not json"));
    Ok(())
}

#[tokio::test]
async fn seeded_probability_faults_repeat_exactly() -> R {
    async fn pattern() -> Result<Vec<u16>, Box<dyn std::error::Error>> {
        let emu = start()?;
        emu.inject_fault(FaultSpec {
            status: Some(500),
            probability: Some(0.5),
            seed: Some(42),
            ..Default::default()
        })?;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(send(&emu, "GET", "/nowhere", &[], &[], b"").await?.status);
        }
        Ok(statuses)
    }
    let first = pattern().await?;
    assert_eq!(first, pattern().await?);
    assert!(first.contains(&500) && first.contains(&404), "{first:?}");
    Ok(())
}

/// Writes a raw request and reads until the server closes: (bytes, read timed out).
async fn raw_exchange(emu: &EmulatorHandle, request: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut stream = tokio::net::TcpStream::connect(emu.local_addr()).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut got)).await??;
    Ok(got)
}

fn raw_get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn drop_connection_closes_without_a_byte_and_is_logged() -> R {
    let emu = start()?;
    emu.inject_fault(FaultSpec {
        drop_connection: true,
        count: Some(1),
        ..Default::default()
    })?;
    assert!(raw_exchange(&emu, &raw_get("/v2/p/instances/i")).await?.is_empty());
    let log = emu.requests();
    assert_eq!(log.len(), 1);
    let Some(r) = log.first() else {
        return Err("the log is empty".into());
    };
    assert_eq!((r.status, r.request_id.as_ref()), (None, None));
    assert!(r.fault.as_ref().is_some_and(|f| f.drop_connection));
    // The rule is used up: the next request is answered.
    assert!(!raw_exchange(&emu, &raw_get("/v2/p/instances/i")).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn truncated_body_promises_more_than_it_sends_after_handling() -> R {
    let emu = start()?;
    let s = Signer::seeded(&emu);
    let id = emu.add_instance(InstanceSpec::default())?;
    emu.inject_fault(FaultSpec {
        route: Some("create_connector".into()),
        truncate_body: true,
        ..Default::default()
    })?;
    let path = connector_path(&emu, &id);
    let body = br#"{"node_cnt": 2}"#;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in sign(&emu, &s, "POST", &path, &[], body) {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(std::str::from_utf8(body)?);
    let got = raw_exchange(&emu, &request).await?;
    let text = String::from_utf8_lossy(&got);
    let (head, sent) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let promised: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        promised > 0 && sent.len() < promised,
        "promised {promised}, sent {}: {sent:?}",
        sent.len()
    );
    // The request was handled: the job exists even though the answer was cut.
    assert_eq!(emu.show_instance(&id)?.get("status"), Some(&Value::from("EXTENDING")));
    Ok(())
}

#[tokio::test]
async fn latency_and_trickle_slow_the_answer_down_but_keep_it_intact() -> R {
    let emu = start()?;
    emu.inject_fault(FaultSpec {
        latency: Some(Duration::from_millis(300)),
        count: Some(1),
        ..Default::default()
    })?;
    let started = Instant::now();
    let r = send(&emu, "GET", "/nowhere", &[], &[], b"").await?;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.code(), "APIG.0101");

    emu.inject_fault(FaultSpec {
        trickle: Some(Duration::from_millis(400)),
        count: Some(1),
        ..Default::default()
    })?;
    let started = Instant::now();
    let r = send(&emu, "GET", "/nowhere", &[], &[], b"").await?;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!((r.status, r.code()), (404, "APIG.0101".to_owned()), "{}", r.text);
    Ok(())
}

#[tokio::test]
async fn the_log_records_requests_and_redacts_tokens() -> R {
    let emu = start()?;
    emu.add_credentials(CredentialSpec {
        ak: "TMP".into(),
        sk: "tmp-sk".into(),
        project_id: project(&emu),
        security_token: Some("tok-123".into()),
        region: None,
    })?;
    let id = emu.add_instance(InstanceSpec::default())?;
    let s = Signer {
        ak: "TMP".into(),
        sk: "tmp-sk".into(),
        token: Some("tok-123".into()),
        ..Signer::seeded(&emu)
    };
    call(&emu, &s, "POST", &connector_path(&emu, &id), br#"{"node_cnt": 2}"#).await?;
    let log = emu.requests();
    assert_eq!(log.len(), 1);
    let Some(r) = log.first() else {
        return Err("the log is empty".into());
    };
    assert_eq!(
        (r.method.as_str(), r.route, r.status),
        ("POST", Some("create_connector"), Some(200))
    );
    assert_eq!(r.body, r#"{"node_cnt": 2}"#);
    assert!(r.headers.iter().any(|(k, v)| k == "x-security-token" && v == "****"));
    assert!(r.headers.iter().any(|(k, _)| k == "authorization"));
    assert!(!format!("{log:?}").contains("tok-123"));
    emu.clear_requests();
    assert!(emu.requests().is_empty());
    Ok(())
}

/// Smart Connect tasks: an instance with Smart Connect enabled, a bucket and two peers.
struct TaskWorld {
    emu: EmulatorHandle,
    s: Signer,
    id: String,
}

impl TaskWorld {
    async fn new(max_tasks: u32) -> Result<TaskWorld, Box<dyn std::error::Error>> {
        let emu = Emulator::start_with(
            "127.0.0.1:0".parse()?,
            EmulatorConfig {
                task_duration: Duration::from_secs(10),
                ..Default::default()
            },
        )?;
        let s = Signer::seeded(&emu);
        let id = emu.add_instance(InstanceSpec {
            max_tasks,
            ..Default::default()
        })?;
        let r = call(&emu, &s, "POST", &connector_path(&emu, &id), b"{}").await?;
        assert_eq!(r.status, 200, "{}", r.text);
        emu.advance(Duration::from_secs(3));
        emu.add_obs_bucket(ObsBucketSpec {
            name: "dump-bucket".into(),
            location: "cn-north-4".into(),
            storage_class: "STANDARD".into(),
        })?;
        emu.add_kafka_peer(KafkaPeerSpec {
            bootstrap_servers: Some("10.1.0.1:9093,10.1.0.2:9093".into()),
            brokers: 2,
            user: Some("replicator".into()),
            password: Some("peer-Secret-1".into()),
            ..Default::default()
        })?;
        Ok(TaskWorld { emu, s, id })
    }

    fn tasks_path(&self) -> String {
        format!("/v2/{}/instances/{}/connector/tasks", project(&self.emu), self.id)
    }

    fn task_path(&self, task: &str) -> String {
        format!("{}/{task}", self.tasks_path())
    }

    async fn req(&self, method: &str, path: &str, body: &Value) -> Result<Resp, Box<dyn std::error::Error>> {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(body)?
        };
        call(&self.emu, &self.s, method, path, &bytes).await
    }

    async fn create(&self, body: &Value) -> Result<Resp, Box<dyn std::error::Error>> {
        self.req("POST", &self.tasks_path(), body).await
    }

    async fn status_of(&self, task: &str) -> Result<String, Box<dyn std::error::Error>> {
        let r = self.req("GET", &self.task_path(task), &Value::Null).await?;
        assert_eq!(r.status, 200, "{}", r.text);
        Ok(r.field("status"))
    }

    async fn action(&self, task: &str, action: &str) -> Result<Resp, Box<dyn std::error::Error>> {
        let path = match action {
            "restart-kafka" => format!(
                "/v2/{}/kafka/instances/{}/connector/tasks/{task}/restart",
                project(&self.emu),
                self.id
            ),
            other => format!("{}/{other}", self.task_path(task)),
        };
        self.req("PUT", &path, &Value::Null).await
    }

    fn obs_sink(&self, name: &str) -> Value {
        let c = self.emu.credentials();
        serde_json::json!({
            "task_name": name, "topics": "orders,payments", "source_type": "NONE", "sink_type": "OBS_SINK",
            "sink_task": {"consumer_strategy": "earliest", "destination_file_type": "TEXT",
                          "access_key": c.ak, "secret_key": c.sk, "obs_bucket_name": "dump-bucket",
                          "partition_format": "yyyy/MM/dd", "record_delimiter": "\\n"}
        })
    }

    fn replicator(&self, name: &str) -> Value {
        serde_json::json!({
            "task_name": name, "topics_regex": "orders-.*", "start_later": true,
            "source_type": "KAFKA_REPLICATOR_SOURCE", "sink_type": "NONE",
            "source_task": {"bootstrap_servers": "10.1.0.2:9093", "security_protocol": "SASL_SSL",
                            "sasl_mechanism": "SCRAM-SHA-512", "user_name": "replicator",
                            "password": "peer-Secret-1", "direction": "pull", "replication_factor": 2}
        })
    }
}

#[tokio::test]
async fn smart_connect_tasks_follow_their_state_machine() -> R {
    let w = TaskWorld::new(18).await?;
    let sink = w.create(&w.obs_sink("dump")).await?;
    assert_eq!(sink.status, 200, "{}", sink.text);
    let v = sink.json();
    let sink_id = sink.field("id");
    assert!(is_uuid(&sink_id), "{}", sink.text);
    assert_eq!(sink.field("status"), "CREATING");
    assert!(v
        .get("create_time")
        .and_then(Value::as_i64)
        .is_some_and(|t| t > 1_600_000_000_000));
    assert_eq!(
        v.pointer("/sink_task/obs_bucket_name"),
        Some(&Value::from("dump-bucket"))
    );
    assert_eq!(v.pointer("/sink_task/deliver_time_interval"), Some(&Value::from(300)));
    assert_eq!(v.pointer("/sink_task/access_key"), None);

    let repl = w.create(&w.replicator("mirror")).await?;
    assert_eq!(
        (repl.status, repl.field("status")),
        (200, "WAITING".to_owned()),
        "{}",
        repl.text
    );
    let repl_id = repl.field("id");

    // Pausing a CREATING task is refused, then allowed once it runs.
    let early = w.action(&sink_id, "pause").await?;
    assert_eq!(
        (early.status, early.code()),
        (400, "DMS.00400904".to_owned()),
        "{}",
        early.text
    );
    w.emu.advance(Duration::from_secs(10));
    assert_eq!(w.status_of(&sink_id).await?, "RUNNING");
    let paused = w.action(&sink_id, "pause").await?;
    assert_eq!((paused.status, paused.text.as_str()), (204, ""));
    assert!(paused.headers.get("content-type").is_none());
    assert_eq!(w.status_of(&sink_id).await?, "PAUSED");
    assert_eq!(w.action(&sink_id, "resume").await?.status, 204);
    assert_eq!(w.status_of(&sink_id).await?, "RUNNING");
    for path in ["restart", "restart-kafka"] {
        assert_eq!(w.action(&sink_id, path).await?.status, 204);
        assert_eq!(w.status_of(&sink_id).await?, "RESTARTING");
        let again = w.action(&sink_id, "pause").await?;
        assert_eq!(again.code(), "DMS.00400904", "{}", again.text);
        w.emu.advance(Duration::from_secs(10));
        assert_eq!(w.status_of(&sink_id).await?, "RUNNING");
    }
    // A WAITING task starts on resume.
    assert_eq!(w.action(&repl_id, "resume").await?.status, 204);
    assert_eq!(w.status_of(&repl_id).await?, "RUNNING");

    let listed = w.req("GET", &w.tasks_path(), &Value::Null).await?.json();
    assert_eq!(listed.get("total_number"), Some(&Value::from(2)));
    assert_eq!(listed.get("max_tasks"), Some(&Value::from(18)));
    assert_eq!(listed.get("quota_tasks"), Some(&Value::from(18)));
    let ids: Vec<&str> = listed
        .get("tasks")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(|t| t.get("id").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    assert_eq!(ids, [sink_id.as_str(), repl_id.as_str()]);
    let q = |o: &str, l: &str| vec![("offset".to_owned(), o.to_owned()), ("limit".to_owned(), l.to_owned())];
    let page = send(
        &w.emu,
        "GET",
        &w.tasks_path(),
        &q("1", "1"),
        &sign(&w.emu, &w.s, "GET", &w.tasks_path(), &q("1", "1"), b""),
        b"",
    )
    .await?;
    assert_eq!(
        page.json().pointer("/tasks/0/id"),
        Some(&Value::from(repl_id.as_str())),
        "{}",
        page.text
    );
    assert_eq!(page.json().get("total_number"), Some(&Value::from(2)));

    let modified = w
        .req(
            "PUT",
            &w.task_path(&repl_id),
            &serde_json::json!({"topics": "orders", "status": "PAUSED", "id": "x"}),
        )
        .await?;
    assert_eq!(modified.status, 200, "{}", modified.text);
    let m = modified.json();
    assert_eq!(
        (m.get("topics"), m.get("topics_regex")),
        (Some(&Value::from("orders")), None)
    );
    assert_eq!(
        (modified.field("id"), modified.field("status")),
        (repl_id.clone(), "RUNNING".to_owned())
    );
    assert_eq!(m.pointer("/source_task/user_name"), Some(&Value::from("replicator")));

    let validate = format!("/v2/{}/instances/{}/connector/validate", project(&w.emu), w.id);
    let ok = w
        .req("POST", &validate, &serde_json::json!({"type": "KAFKA_REPLICATOR_SOURCE",
            "task": {"bootstrap_servers": "10.1.0.1:9093", "security_protocol": "SASL_PLAINTEXT", "user_name": "replicator"}}))
        .await?;
    assert_eq!((ok.status, ok.text.as_str()), (200, "{}"));
    let unreachable = w
        .req(
            "POST",
            &validate,
            &serde_json::json!({"type": "KAFKA_REPLICATOR_SOURCE", "task": {"bootstrap_servers": "10.9.9.9:9093"}}),
        )
        .await?;
    assert_eq!(
        (unreachable.status, unreachable.code()),
        (400, "DMS.00400905".to_owned())
    );

    let deleted = w.req("DELETE", &w.task_path(&sink_id), &Value::Null).await?;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    let gone = w.req("GET", &w.task_path(&sink_id), &Value::Null).await?;
    assert_eq!((gone.status, gone.code()), (404, "DMS.00404901".to_owned()));
    assert_eq!(w.emu.connector_tasks(&w.id)?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn obs_buckets_are_listed_for_the_signed_project_header() -> R {
    let w = TaskWorld::new(18).await?;
    let path = "/v1.0/dms/obs/buckets";
    let r = call(&w.emu, &w.s, "GET", path, b"").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed = r.json();
    assert_eq!(listed.pointer("/0/bucketName"), Some(&Value::from("dump-bucket")));
    assert_eq!(listed.pointer("/0/location"), Some(&Value::from("cn-north-4")));
    assert!(listed.pointer("/0/creationDate").is_some_and(Value::is_i64));
    let no_project = Signer {
        project_header: None,
        ..w.s.clone()
    };
    let r = call(&w.emu, &no_project, "GET", path, b"").await?;
    assert_eq!((r.status, r.code()), (401, "APIG.0301".to_owned()));
    assert!(r.field("error_msg").contains("X-Project-Id"), "{}", r.text);
    let foreign = Signer {
        project_header: Some("someoneelses".into()),
        ..w.s.clone()
    };
    let r = call(&w.emu, &foreign, "GET", path, b"").await?;
    assert_eq!((r.status, r.code()), (401, "APIG.0301".to_owned()), "{}", r.text);
    Ok(())
}

#[tokio::test]
async fn every_task_rule_has_its_own_code() -> R {
    let w = TaskWorld::new(2).await?;
    let code = |r: Resp| (r.status, r.code());
    let e = |status: u16, c: &str| (status, c.to_owned());
    // The body, checked as the client checks it, before the instance is looked up.
    let both_topics = serde_json::json!({"task_name": "x", "topics": "a", "topics_regex": "b.*"});
    let r = w.create(&both_topics).await?;
    assert!(r.field("error_msg").contains("topics"), "{}", r.text);
    assert_eq!(code(r), e(400, "DMS.00400901"));
    let unknown_instance = format!("/v2/{}/instances/nope/connector/tasks", project(&w.emu));
    assert_eq!(
        code(call(&w.emu, &w.s, "POST", &unknown_instance, b"[]").await?),
        e(400, "DMS.00400009")
    );
    assert_eq!(
        code(w.req("POST", &unknown_instance, &w.obs_sink("a")).await?),
        e(404, "DMS.00404022")
    );
    let bad_limit = vec![("limit".to_owned(), "51".to_owned())];
    let r = send(
        &w.emu,
        "GET",
        &w.tasks_path(),
        &bad_limit,
        &sign(&w.emu, &w.s, "GET", &w.tasks_path(), &bad_limit, b""),
        b"",
    )
    .await?;
    assert_eq!(code(r), e(400, "DMS.00400902"));

    // The peer and the bucket.
    let repl = w.replicator("r");
    let with = |pointer: &str, value: Value| -> Value {
        let mut v = repl.clone();
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = value;
        }
        v
    };
    for (body, expected) in [
        (
            with("/source_task/bootstrap_servers", "10.1.0.1:9093,10.9.0.1:9093".into()),
            e(400, "DMS.00400905"),
        ),
        (
            with("/source_task/password", "Typo-Pass-9".into()),
            e(400, "DMS.00400906"),
        ),
        (with("/source_task/user_name", "other".into()), e(400, "DMS.00400906")),
        (
            with("/source_task/security_protocol", "PLAINTEXT".into()),
            e(400, "DMS.00400906"),
        ),
        (
            with("/source_task/replication_factor", 3.into()),
            e(400, "DMS.00400861"),
        ),
    ] {
        let r = w.create(&body).await?;
        assert!(
            !r.text.contains("peer-Secret-1") && !r.text.contains("Typo-Pass-9"),
            "{}",
            r.text
        );
        assert_eq!(code(r), expected, "{body}");
    }
    let mut sink = w.obs_sink("s");
    if let Some(k) = sink.pointer_mut("/sink_task/secret_key") {
        *k = "not-the-sk".into();
    }
    let r = w.create(&sink).await?;
    assert!(!r.text.contains("not-the-sk"), "{}", r.text);
    assert_eq!(code(r), e(400, "DMS.00400907"));
    let mut sink = w.obs_sink("s");
    if let Some(b) = sink.pointer_mut("/sink_task/obs_bucket_name") {
        *b = "no-such-bucket".into();
    }
    assert_eq!(code(w.create(&sink).await?), e(400, "DMS.00400908"));

    // The name, the quota, the task and its state.
    assert_eq!(w.create(&repl).await?.status, 200);
    assert_eq!(code(w.create(&repl).await?), e(400, "DMS.00400903"));
    let second = w.create(&w.obs_sink("s")).await?.field("id");
    assert_eq!(code(w.create(&w.obs_sink("third")).await?), e(400, "DMS.00400039"));
    assert_eq!(code(w.action("no-such-task", "pause").await?), e(404, "DMS.00404901"));
    assert_eq!(code(w.action(&second, "resume").await?), e(400, "DMS.00400904"));
    w.emu.fail_task(&w.id, &second)?;
    assert_eq!(w.status_of(&second).await?, "FAILED");
    assert_eq!(code(w.action(&second, "resume").await?), e(400, "DMS.00400904"));
    assert_eq!(w.action(&second, "restart").await?.status, 204); // a restart brings it back

    // Without Smart Connect, every task call but list_obs_buckets is refused.
    let other = w.emu.add_instance(InstanceSpec::default())?;
    let plain = format!("/v2/{}/instances/{other}/connector/tasks", project(&w.emu));
    assert_eq!(code(w.req("GET", &plain, &Value::Null).await?), e(400, "DMS.00400018"));
    assert_eq!(
        code(w.req("POST", &plain, &w.obs_sink("z")).await?),
        e(400, "DMS.00400018")
    );
    Ok(())
}

#[tokio::test]
async fn disabling_smart_connect_removes_the_tasks() -> R {
    let w = TaskWorld::new(18).await?;
    assert_eq!(w.create(&w.obs_sink("dump")).await?.status, 200);
    let r = call(&w.emu, &w.s, "POST", &delete_path(&w.emu, &w.id), b"").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(w.emu.connector_tasks(&w.id)?.is_empty());
    let r = w.req("GET", &w.tasks_path(), &Value::Null).await?;
    assert_eq!((r.status, r.code()), (400, "DMS.00400018".to_owned()));
    w.emu.advance(Duration::from_secs(3));
    assert_eq!(
        call(&w.emu, &w.s, "POST", &connector_path(&w.emu, &w.id), b"{}")
            .await?
            .status,
        200
    );
    w.emu.advance(Duration::from_secs(3));
    let listed = w.req("GET", &w.tasks_path(), &Value::Null).await?.json();
    assert_eq!(listed.get("total_number"), Some(&Value::from(0)));
    Ok(())
}

#[tokio::test]
async fn task_secrets_stay_out_of_answers_the_log_and_the_control_plane() -> R {
    let w = TaskWorld::new(18).await?;
    let sk = w.emu.credentials().sk.clone();
    let secrets = ["peer-Secret-1", sk.as_str()];
    let mut answers = vec![
        w.create(&w.obs_sink("dump")).await?.text,
        w.create(&w.replicator("mirror")).await?.text,
        w.create(&w.replicator("mirror")).await?.text,
        w.req("GET", &w.tasks_path(), &Value::Null).await?.text,
    ];
    let mut wrong = w.replicator("again");
    if let Some(p) = wrong.pointer_mut("/source_task/password") {
        *p = "peer-Secret-1-typo".into();
    }
    answers.push(w.create(&wrong).await?.text);
    let log = w.emu.requests();
    assert!(log.iter().any(|r| r.body.contains("\"password\":\"****\"")), "{log:?}");
    let seen = format!("{answers:?} {log:?} {:?} {:?}", w.emu.connector_tasks(&w.id)?, w.emu);
    for secret in secrets {
        // The log keeps the Authorization header, which names the AK but never holds the SK.
        assert!(!seen.contains(secret), "{secret} leaked");
    }
    Ok(())
}

#[tokio::test]
async fn faults_apply_to_task_routes() -> R {
    let w = TaskWorld::new(18).await?;
    let id = w.create(&w.obs_sink("dump")).await?.field("id");
    w.emu.advance(Duration::from_secs(10));
    w.emu.inject_fault(FaultSpec {
        route: Some("pause_connector_task".into()),
        status: Some(503),
        count: Some(1),
        ..Default::default()
    })?;
    let r = w.action(&id, "pause").await?;
    assert_eq!((r.status, r.code()), (503, "APIG.0202".to_owned()));
    assert_eq!(w.status_of(&id).await?, "RUNNING");
    assert_eq!(w.action(&id, "pause").await?.status, 204);
    assert_eq!(w.status_of(&id).await?, "PAUSED");
    Ok(())
}

#[tokio::test]
async fn shutdown_stops_serving() -> R {
    let mut emu = start()?;
    let addr = emu.local_addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    emu.shutdown();
    emu.shutdown();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let dropped = start()?;
    let addr = dropped.local_addr();
    drop(dropped);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    Ok(())
}

#[test]
fn the_docs_carry_every_error_code() -> R {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/emulator.md"))?;
    for kind in ErrorKind::ALL {
        let row = format!("| `{}` | {} |", kind.code(), kind.status());
        assert!(
            doc.contains(&row),
            "docs/emulator.md lacks the row starting {row:?} ({kind:?})"
        );
    }
    Ok(())
}

/// Not a benchmark: a sanity check that many concurrent clients are all served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_signed_requests_are_all_served() -> R {
    let emu = std::sync::Arc::new(start()?);
    let id = emu.add_instance(InstanceSpec::default())?;
    let s = Signer::seeded(&emu);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (emu, s, path) = (emu.clone(), s.clone(), instance_path(&emu, &id));
        workers.push(tokio::spawn(async move {
            let client = plain_http();
            let mut ok = 0usize;
            for _ in 0..250 {
                let headers = sign(&emu, &s, "GET", &path, &[], b"");
                let mut req = client.get(format!("{}{path}", emu.endpoint()));
                for (k, v) in &headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                if req.send().await.map(|r| r.status().as_u16()).ok() == Some(200) {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut served = 0;
    for w in workers {
        served += w.await?;
    }
    assert_eq!(served, 2000);
    eprintln!(
        "2000 signed requests over 8 keep-alive clients in {:?}",
        started.elapsed()
    );
    Ok(())
}

/// A plain-HTTP reqwest client. reqwest is built without a TLS provider of its own (the SDK
/// configures rustls itself), so one is installed for the process first.
fn plain_http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
