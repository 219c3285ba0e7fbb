//! The error-code table: every error the emulator can answer with, in one place.
//!
//! `DMS.00400026`, `DMS.00404022`, `DMS.00400039`, `DMS.00400861`, `APIG.0101`, `APIG.0301` and
//! `APIG.0308` are codes the real service uses for the same situation. The other `DMS.*` codes are assigned by the
//! emulator in the real codes' shape (`DMS.00` + status + number), one per rule, so a test
//! can tell every rule apart. docs/emulator.md renders this table; a test keeps them equal.

use serde_json::json;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    RouteNotFound,
    MethodNotAllowed,
    Unauthorized,
    BadRequest,
    BodyTooLarge,
    Throttled,
    BackendUnavailable,
    MalformedBody,
    NodeCntNotInteger,
    NodeCntOutOfRange,
    SpecificationRequired,
    SpecCodeRequired,
    SpecificationInvalid,
    SpecificationMismatch,
    NotPayPerUse,
    AlreadyEnabled,
    NotEnabled,
    StatusConflict,
    InstanceNotFound,
    TaskNotFound,
    ConnectorSoldOut,
    TaskBodyInvalid,
    TaskQueryInvalid,
    TaskNameTaken,
    TaskQuotaReached,
    TaskStateConflict,
    ReplicationFactorTooLarge,
    PeerUnreachable,
    PeerAuthFailed,
    ObsCredentialsInvalid,
    ObsBucketUnknown,
    ConnectorTaskNotFound,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 33] = [
        ErrorKind::RouteNotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Unauthorized,
        ErrorKind::BadRequest,
        ErrorKind::BodyTooLarge,
        ErrorKind::Throttled,
        ErrorKind::BackendUnavailable,
        ErrorKind::MalformedBody,
        ErrorKind::NodeCntNotInteger,
        ErrorKind::NodeCntOutOfRange,
        ErrorKind::SpecificationRequired,
        ErrorKind::SpecCodeRequired,
        ErrorKind::SpecificationInvalid,
        ErrorKind::SpecificationMismatch,
        ErrorKind::NotPayPerUse,
        ErrorKind::AlreadyEnabled,
        ErrorKind::NotEnabled,
        ErrorKind::StatusConflict,
        ErrorKind::InstanceNotFound,
        ErrorKind::TaskNotFound,
        ErrorKind::ConnectorSoldOut,
        ErrorKind::TaskBodyInvalid,
        ErrorKind::TaskQueryInvalid,
        ErrorKind::TaskNameTaken,
        ErrorKind::TaskQuotaReached,
        ErrorKind::TaskStateConflict,
        ErrorKind::ReplicationFactorTooLarge,
        ErrorKind::PeerUnreachable,
        ErrorKind::PeerAuthFailed,
        ErrorKind::ObsCredentialsInvalid,
        ErrorKind::ObsBucketUnknown,
        ErrorKind::ConnectorTaskNotFound,
        ErrorKind::Internal,
    ];

    /// `(error_code, HTTP status, when it is answered)`.
    pub const fn row(self) -> (&'static str, u16, &'static str) {
        match self {
            ErrorKind::RouteNotFound => ("APIG.0101", 404, "no API has this path"),
            ErrorKind::MethodNotAllowed => ("APIG.0101", 405, "the path exists but not with this method"),
            ErrorKind::Unauthorized => (
                "APIG.0301",
                401,
                "authentication failed: missing or malformed Authorization, unknown AK, signature \
                 mismatch, a required header missing or unsigned, X-Sdk-Date more than 15 minutes \
                 off, a bad security token, X-Project-Id not matching the path (or missing where \
                 the path names no project), or a project the AK does not belong to",
            ),
            ErrorKind::BadRequest => ("APIG.0201", 400, "an injected 4xx fault without a body"),
            ErrorKind::BodyTooLarge => ("APIG.0201", 413, "the request body exceeds 1 MiB"),
            ErrorKind::Throttled => ("APIG.0308", 429, "an injected 429 fault without a body"),
            ErrorKind::BackendUnavailable => (
                "APIG.0202",
                502,
                "an injected 5xx fault without a body (sent with the injected status)",
            ),
            ErrorKind::MalformedBody => ("DMS.00400009", 400, "the body is empty, not JSON, or not a JSON object"),
            ErrorKind::NodeCntNotInteger => (
                "DMS.00400010",
                400,
                "node_cnt is neither a JSON integer nor a string holding an integer",
            ),
            ErrorKind::NodeCntOutOfRange => ("DMS.00400011", 400, "node_cnt is < 2 or > 16"),
            ErrorKind::SpecificationRequired => (
                "DMS.00400012",
                400,
                "specification is missing for an old-flavor instance",
            ),
            ErrorKind::SpecCodeRequired => (
                "DMS.00400013",
                400,
                "spec_code is missing, empty or not a string for an old-flavor instance",
            ),
            ErrorKind::SpecificationInvalid => (
                "DMS.00400014",
                400,
                "specification is not a string or not one of 100MB, 300MB, 600MB, 1200MB",
            ),
            ErrorKind::SpecificationMismatch => (
                "DMS.00400015",
                400,
                "specification differs from the old-flavor instance's bandwidth",
            ),
            ErrorKind::NotPayPerUse => ("DMS.00400016", 400, "the instance is yearly/monthly (prePaid)"),
            ErrorKind::AlreadyEnabled => ("DMS.00400017", 400, "Smart Connect is already enabled"),
            ErrorKind::NotEnabled => (
                "DMS.00400018",
                400,
                "delete-connector, or a Smart Connect task call (every one but list_obs_buckets), on an \
                 instance without Smart Connect or while it is being disabled",
            ),
            ErrorKind::StatusConflict => (
                "DMS.00400026",
                400,
                "the instance is not RUNNING or another job on it has not finished",
            ),
            ErrorKind::InstanceNotFound => ("DMS.00404022", 404, "no such instance in the project"),
            ErrorKind::TaskNotFound => ("DMS.00404023", 404, "no such task on the instance"),
            // No code is published for this case: the emulator's own (docs/emulator.md).
            ErrorKind::ConnectorSoldOut => (
                "DMS.00400900",
                400,
                "the region's connector resources are sold out (show_connector_resource_info says soldOut)",
            ),
            // Smart Connect tasks. No code is published for these but …039 and …861: the
            // emulator's own, in the shape of the published ones (docs/emulator.md).
            ErrorKind::TaskBodyInvalid => (
                "DMS.00400901",
                400,
                "a task call's JSON body fails the checks the client makes before sending (the \
                 operation's body model: types, enums, ranges, cross-field rules); the rule's message",
            ),
            ErrorKind::TaskQueryInvalid => (
                "DMS.00400902",
                400,
                "list_connector_tasks: offset is not an integer >= 0, or limit not an integer from 1 to 50",
            ),
            ErrorKind::TaskNameTaken => ("DMS.00400903", 400, "another task of the instance has this task_name"),
            ErrorKind::TaskQuotaReached => (
                "DMS.00400039",
                400,
                "create_connector_task when the instance already has max_tasks tasks (\"The quota limit has been reached\")",
            ),
            ErrorKind::TaskStateConflict => (
                "DMS.00400904",
                400,
                "invalid state for this action (pause, resume or restart; see State machine)",
            ),
            ErrorKind::ReplicationFactorTooLarge => (
                "DMS.00400861",
                400,
                "replication_factor exceeds the peer's broker count (\"Replication factor larger than available brokers\")",
            ),
            ErrorKind::PeerUnreachable => (
                "DMS.00400905",
                400,
                "the peer Kafka (instance_id or bootstrap_servers) is not one the emulator can reach",
            ),
            ErrorKind::PeerAuthFailed => (
                "DMS.00400906",
                400,
                "the peer refuses the security_protocol, user_name or password",
            ),
            ErrorKind::ObsCredentialsInvalid => (
                "DMS.00400907",
                400,
                "access_key/secret_key are missing or not an AK/SK pair the emulator knows",
            ),
            ErrorKind::ObsBucketUnknown => ("DMS.00400908", 400, "obs_bucket_name is not a bucket the emulator has"),
            ErrorKind::ConnectorTaskNotFound => ("DMS.00404901", 404, "no such Smart Connect task on the instance"),
            ErrorKind::Internal => ("DMS.00500000", 500, "an emulator bug; never expected"),
        }
    }

    pub const fn code(self) -> &'static str {
        self.row().0
    }

    pub const fn status(self) -> u16 {
        self.row().1
    }

    /// The table row for an injected status without a body: what a gateway would say.
    pub fn for_injected_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            404 => ErrorKind::RouteNotFound,
            413 => ErrorKind::BodyTooLarge,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::BackendUnavailable,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// An error answer: a table row and a message saying exactly what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    /// An authentication failure, worded like the gateway's.
    pub fn auth(detail: impl AsRef<str>) -> Self {
        ApiError::new(
            ErrorKind::Unauthorized,
            format!("Incorrect IAM authentication information: {}", detail.as_ref()),
        )
    }

    /// The official error-body shape.
    pub fn body(&self) -> Vec<u8> {
        error_body(self.kind.code(), &self.message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind.status(), self.kind.code(), self.message)
    }
}

impl std::error::Error for ApiError {}

pub fn error_body(code: &str, message: &str) -> Vec<u8> {
    // Serializing a map of two strings cannot fail; fall back to a fixed body anyway.
    serde_json::to_vec(&json!({ "error_code": code, "error_msg": message }))
        .unwrap_or_else(|_| br#"{"error_code":"DMS.00500000","error_msg":"internal error"}"#.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dms_rule_has_its_own_code() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            assert!(
                seen.insert((kind.code(), kind.status())),
                "{kind:?} repeats a (code, status) pair"
            );
        }
        let dms: Vec<_> = ErrorKind::ALL
            .iter()
            .map(|k| k.code())
            .filter(|c| c.starts_with("DMS."))
            .collect();
        let unique: std::collections::HashSet<_> = dms.iter().collect();
        assert_eq!(dms.len(), unique.len());
    }

    #[test]
    fn body_has_the_official_shape() {
        let e = ApiError::new(ErrorKind::StatusConflict, "busy");
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap_or_default();
        assert_eq!(v.get("error_code").and_then(|c| c.as_str()), Some("DMS.00400026"));
        assert_eq!(v.get("error_msg").and_then(|c| c.as_str()), Some("busy"));
    }
}
