//! AK/SK credentials and the official provider chain (environment, then profile file).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::validate;

/// A secret string: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Basic (project-scoped) credentials, as the official `BasicCredentials`.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub ak: String,
    pub sk: Secret,
    pub project_id: Option<String>,
    pub security_token: Option<Secret>,
    pub iam_endpoint: Option<String>,
}

impl Credentials {
    pub fn new(ak: impl Into<String>, sk: impl Into<String>) -> Self {
        Credentials {
            ak: ak.into(),
            sk: Secret::new(sk),
            project_id: None,
            security_token: None,
            iam_endpoint: None,
        }
    }

    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    pub fn with_iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Everything that goes into a header must be a clean header value.
    /// A DMS client needs the project id (IAM's lookup does not).
    pub fn check_project(&self) -> Result<(), Error> {
        match &self.project_id {
            Some(p) if !p.is_empty() => Ok(()),
            _ => Err(Error::validation(
                "project_id",
                "is required: set it in BasicCredentials, or give with_region() so it can be looked up",
            )),
        }
    }

    pub fn check(&self) -> Result<(), Error> {
        if self.ak.is_empty() {
            return Err(Error::validation("ak", "is required in credentials"));
        }
        if self.sk.expose().is_empty() {
            return Err(Error::validation("sk", "is required in credentials"));
        }
        validate::header_value("ak", &self.ak)?;
        if let Some(p) = &self.project_id {
            validate::id("project_id", p)?;
        }
        if let Some(t) = &self.security_token {
            validate::header_value("security_token", t.expose())?;
        }
        Ok(())
    }
}

pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

/// The official default chain: environment variables, then the `[basic]` section of
/// `~/.huaweicloud/credentials` (or `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`).
/// `env` is a lookup so tests need not touch the process environment.
pub fn default_chain(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<Credentials, Error> {
    if let Some(c) = from_env(env) {
        return Ok(c);
    }
    let path = env(ENV_CREDENTIALS_FILE)
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".huaweicloud").join("credentials")));
    let from_file = match &path {
        Some(p) if p.is_file() => from_profile(p)?,
        _ => None,
    };
    from_file.ok_or_else(|| {
        Error::Config(format!(
            "credential can not be None: give BasicCredentials, or set {ENV_AK} and {ENV_SK}, \
             or write ak and sk in the [basic] section of {}",
            path.map_or_else(|| "~/.huaweicloud/credentials".to_owned(), |p| p.display().to_string())
        ))
    })
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// Credentials from `HUAWEICLOUD_SDK_*`, when both AK and SK are set.
pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
    let ak = non_empty(env(ENV_AK))?;
    let sk = non_empty(env(ENV_SK))?;
    let mut c = Credentials::new(ak, sk);
    c.project_id = non_empty(env(ENV_PROJECT_ID));
    c.security_token = non_empty(env(ENV_SECURITY_TOKEN)).map(Secret::new);
    Some(c)
}

/// Credentials from the `[basic]` section of an INI profile file, when it has ak and sk.
pub fn from_profile(path: &Path) -> Result<Option<Credentials>, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("cannot read credentials file '{}': {e}", path.display())))?;
    let section = ini_section(&text, "basic");
    let get = |key: &str| non_empty(section.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
    let (Some(ak), Some(sk)) = (get("ak"), get("sk")) else {
        return Ok(None);
    };
    let mut c = Credentials::new(ak, sk);
    c.project_id = get("project_id");
    c.security_token = get("security_token").map(Secret::new);
    c.iam_endpoint = get("iam_endpoint");
    Ok(Some(c))
}

/// The `key = value` (or `key: value`) pairs of one section; keys lower-cased, as configparser does.
fn ini_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.trim() == name;
            continue;
        }
        if !inside {
            continue;
        }
        let split = line.find(['=', ':']);
        if let Some(at) = split {
            let (k, v) = line.split_at(at);
            pairs.push((
                k.trim().to_ascii_lowercase(),
                v.get(1..).unwrap_or("").trim().to_owned(),
            ));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AK1", "very-secret-sk").with_security_token("tok-secret");
        let shown = format!("{c:?}");
        assert!(shown.contains("AK1"));
        assert!(!shown.contains("very-secret-sk"));
        assert!(!shown.contains("tok-secret"));
    }

    #[test]
    fn env_needs_both_keys() {
        let env = |k: &str| match k {
            ENV_AK => Some("a".to_owned()),
            ENV_PROJECT_ID => Some("p".to_owned()),
            _ => None,
        };
        assert!(from_env(&env).is_none());
        let env2 = |k: &str| match k {
            ENV_AK => Some("a".to_owned()),
            ENV_SK => Some("s".to_owned()),
            ENV_PROJECT_ID => Some("p".to_owned()),
            _ => None,
        };
        let c = from_env(&env2);
        assert_eq!(c.and_then(|c| c.project_id), Some("p".to_owned()));
    }

    #[test]
    fn ini_reads_only_basic_section() {
        let text = "[global]\nak = g\n\n[basic]\nAK = a1\nsk: s1\n; comment\nproject_id = p1\n";
        let pairs = ini_section(text, "basic");
        assert_eq!(pairs.first(), Some(&("ak".to_owned(), "a1".to_owned())));
        assert_eq!(pairs.len(), 3);
    }
}
