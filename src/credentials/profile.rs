//! The environment and profile-file links of the chain: AK/SK, or an identity provider and
//! an id token file to federate with.

use std::path::{Path, PathBuf};

use super::chain::Found;
use super::{
    Credentials, Source, ENV_AK, ENV_CREDENTIALS_FILE, ENV_IDP_ID, ENV_ID_TOKEN_FILE, ENV_PROJECT_ID,
    ENV_SECURITY_TOKEN, ENV_SK,
};
use crate::error::Error;

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// `idp_id` and `id_token_file` federate (first, as the official); else AK and SK.
fn federal_or_keys(
    get: &dyn Fn(&str) -> Option<String>,
    names: [&str; 5],
    project_id: Option<String>,
) -> Option<Found> {
    let [ak, sk, token, idp_id, id_token_file] = names;
    let source = match (non_empty(get(idp_id)), non_empty(get(id_token_file))) {
        (Some(idp_id), Some(file)) => Source::Federal {
            idp_id,
            id_token_file: PathBuf::from(file),
        },
        _ => {
            let mut c = Credentials::new(non_empty(get(ak))?, non_empty(get(sk))?);
            c.security_token = non_empty(get(token)).map(super::Secret::new);
            Source::Given(c.keys())
        }
    };
    Some(Found {
        source,
        project_id,
        iam_endpoint: None,
    })
}

/// The official `EnvCredentialProvider`.
pub(super) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Found, Error> {
    let names = [ENV_AK, ENV_SK, ENV_SECURITY_TOKEN, ENV_IDP_ID, ENV_ID_TOKEN_FILE];
    federal_or_keys(env, names, non_empty(env(ENV_PROJECT_ID))).ok_or_else(|| {
        Error::ApiValue("ak&sk or idpId&idTokenFile does not exist in environmental variables".to_owned())
    })
}

/// `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`.
pub(super) fn profile_path(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Option<PathBuf> {
    non_empty(env(ENV_CREDENTIALS_FILE))
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".huaweicloud").join("credentials")))
}

/// The official `ProfileCredentialProvider`: the `[basic]` section of the profile file.
pub(super) fn from_profile(path: Option<&Path>) -> Result<Found, Error> {
    // As the official shows a missing home: 'None'.
    let shown = path.map_or_else(|| "None".to_owned(), |p| p.display().to_string());
    let Some(path) = path.filter(|p| p.is_file()) else {
        return Err(Error::ApiValue(format!("credentials file '{shown}' does not exist")));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("cannot read credentials file '{shown}': {e}")))?;
    let Some(section) = ini_section(&text, "basic") else {
        return Err(Error::ApiValue(format!(
            "credential type 'basic' does not exist in credentials file '{shown}'"
        )));
    };
    let get = |key: &str| section.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let names = ["ak", "sk", "security_token", "idp_id", "id_token_file"];
    let mut found = federal_or_keys(&get, names, non_empty(get("project_id"))).ok_or_else(|| {
        // Sic: the official message names ak&sk twice.
        Error::ApiValue(format!("ak&sk or ak&sk does not exist in credentials file '{shown}'"))
    })?;
    found.iam_endpoint = non_empty(get("iam_endpoint"));
    Ok(found)
}

/// The `key = value` (or `key: value`) pairs of one section, `None` without it; keys
/// lower-cased, as configparser does.
fn ini_section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut inside = false;
    let mut pairs: Option<Vec<(String, String)>> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.trim() == name;
            if inside {
                pairs.get_or_insert_with(Vec::new);
            }
            continue;
        }
        let (Some(pairs), true) = (pairs.as_mut(), inside) else {
            continue;
        };
        if let Some(at) = line.find(['=', ':']) {
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
    fn env_needs_both_keys_or_both_federation_values() {
        let only_ak = |k: &str| (k == ENV_AK).then(|| "a".to_owned());
        assert!(from_env(&only_ak).is_err());
        let keys = |k: &str| match k {
            ENV_AK => Some("a".to_owned()),
            ENV_SK => Some("s".to_owned()),
            ENV_PROJECT_ID => Some("p".to_owned()),
            _ => None,
        };
        let found = from_env(&keys).ok();
        assert_eq!(found.as_ref().and_then(|f| f.project_id.as_deref()), Some("p"));
        let federal = |k: &str| match k {
            ENV_AK | ENV_SK | ENV_IDP_ID | ENV_ID_TOKEN_FILE => Some("x".to_owned()),
            _ => None,
        };
        assert!(matches!(
            from_env(&federal).map(|f| f.source),
            Ok(Source::Federal { .. })
        ));
    }

    #[test]
    fn ini_reads_only_the_named_section() {
        let text = "[global]\nak = g\n\n[basic]\nAK = a1\nsk: s1\n; comment\nproject_id = p1\n";
        let pairs = ini_section(text, "basic").unwrap_or_default();
        assert_eq!(pairs.first(), Some(&("ak".to_owned(), "a1".to_owned())));
        assert_eq!(pairs.len(), 3);
        assert!(ini_section(text, "other").is_none());
        assert_eq!(ini_section("[basic]\n", "basic"), Some(vec![]));
    }
}
