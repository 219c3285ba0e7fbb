//! The ECS metadata service, as the official `MetadataAccessor` talks to it: a session token
//! (`PUT`, with `X-Metadata-Token-Ttl-Seconds`), then the instance agency's temporary keys
//! (`GET securitykey`, with `X-Metadata-Token`).

use std::time::{Duration, Instant};

use super::fetch::{exchange, fixed_timeouts, parse_credential, Reply};
use super::{Keys, Secret};
use crate::error::{Error, ErrorValues, JsonValue, SdkError};

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// The service's answer when the instance has no agency: no new token helps then.
const AGENCY_ERROR: &str = "Please configure Cloud Service Agency first";
const TOKEN_TTL_SECONDS: &str = "21600";
/// Without a token (the service offered none), ask again only after this long.
const TOKEN_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
const TIMEOUT_SECONDS: u64 = 3;

/// The session token, kept between refreshes as the official accessor keeps it.
#[derive(Default)]
pub(super) struct Session {
    token: Option<Secret>,
    last_token_call: Option<Instant>,
}

impl Session {
    /// The agency's temporary keys. A 401 other than the missing-agency one gets a new
    /// token and one more try.
    pub async fn credential(&mut self, endpoint: &str) -> Result<Keys, Error> {
        if self.token.is_none() && self.last_token_call.is_none_or(|at| at.elapsed() > TOKEN_RETRY_AFTER) {
            self.update_token(endpoint, false).await?;
        }
        let mut reply = self.security_key(endpoint).await?;
        if reply.status == 401 && !reply.text().contains(AGENCY_ERROR) {
            self.update_token(endpoint, true).await?;
            reply = self.security_key(endpoint).await?;
        }
        if reply.status >= 400 {
            return Err(refused(&reply));
        }
        parse_credential(&reply.body)
    }

    async fn security_key(&self, endpoint: &str) -> Result<Reply, Error> {
        let token = self.token.as_ref().map(Secret::expose);
        let headers: Vec<(&str, &str)> = token.map(|t| ("X-Metadata-Token", t)).into_iter().collect();
        let url = format!("{endpoint}{SECURITY_KEY_PATH}");
        exchange(
            &fixed_timeouts(TIMEOUT_SECONDS),
            reqwest::Method::GET,
            &url,
            &headers,
            None,
        )
        .await
    }

    /// 404, 405 and 503 mean the service offers no tokens: carry on without one (unless
    /// `must` get one).
    async fn update_token(&mut self, endpoint: &str, must: bool) -> Result<(), Error> {
        self.last_token_call = Some(Instant::now());
        let url = format!("{endpoint}{TOKEN_PATH}");
        let headers = [("X-Metadata-Token-Ttl-Seconds", TOKEN_TTL_SECONDS)];
        let reply = exchange(
            &fixed_timeouts(TIMEOUT_SECONDS),
            reqwest::Method::PUT,
            &url,
            &headers,
            None,
        )
        .await?;
        match reply.status {
            200 => self.token = Some(Secret::new(reply.text())),
            404 | 405 | 503 if !must => self.token = None,
            _ => return Err(refused(&reply)),
        }
        Ok(())
    }
}

/// The official `ClientRequestException(status, SdkError("", status, text))`.
fn refused(reply: &Reply) -> Error {
    Error::Service {
        status: reply.status,
        error: SdkError {
            request_id: Some(String::new()),
            error_code: Some(reply.status.to_string()),
            error_msg: Some(reply.text()),
            encoded_auth_msg: None,
            values: Box::new(ErrorValues {
                error_code: Some(JsonValue::Number(reply.status.into())),
                ..ErrorValues::default()
            }),
        },
        response: None,
    }
}
