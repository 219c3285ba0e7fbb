//! What Smart Connect tasks reach outside their instance: peer Kafka clusters (by instance id or
//! by addresses) and OBS buckets. The control plane seeds them; task settings are checked
//! against them. Nothing here is ever shown with its password.

use std::collections::BTreeSet;

use serde::Serialize;

use super::clock::Millis;
use super::errors::{ApiError, ErrorKind};
use super::EmulatorError;

/// A peer Kafka as the control plane gives it: exactly one of `instance_id` and
/// `bootstrap_servers`; `user` and `password` together or not at all (then no SASL).
#[derive(Clone, Default)]
pub struct KafkaPeerSpec {
    pub instance_id: Option<String>,
    /// `host:port` addresses, comma-separated.
    pub bootstrap_servers: Option<String>,
    pub brokers: u32,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for KafkaPeerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaPeerSpec")
            .field("instance_id", &self.instance_id)
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("brokers", &self.brokers)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .finish()
    }
}

/// An OBS bucket as the control plane gives it.
#[derive(Debug, Clone)]
pub struct ObsBucketSpec {
    pub name: String,
    pub location: String,
    /// One of the storage classes `ObsBucketEntity.bucket_storage_class` lists.
    pub storage_class: String,
}

#[derive(Clone)]
struct Sasl {
    user: String,
    password: String,
}

/// A reachable Kafka cluster.
#[derive(Clone)]
pub struct Peer {
    /// How a message names it: `instance <id>` or its addresses.
    name: String,
    brokers: u32,
    sasl: Option<Sasl>,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("name", &self.name)
            .field("brokers", &self.brokers)
            .field("user", &self.sasl.as_ref().map(|s| &s.user))
            .finish()
    }
}

/// Brokers of a Kafka instance seeded with `add_instance` (its ShowInstance `broker_num`).
const SEEDED_INSTANCE_BROKERS: u32 = 3;

/// The source settings a peer is checked with, read from a task's or a check's JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceRef<'a> {
    pub instance_id: Option<&'a str>,
    pub bootstrap_servers: Option<&'a str>,
    pub security_protocol: Option<&'a str>,
    pub user_name: Option<&'a str>,
    /// `None` where no password can be checked: the body model has none (modify, validate)
    /// and the body, given as a dict, did not carry one either.
    pub password: Option<Option<&'a str>>,
    pub replication_factor: Option<i64>,
}

impl<'a> SourceRef<'a> {
    pub fn read(config: &'a serde_json::Map<String, serde_json::Value>, with_password: bool) -> Self {
        let text = |k: &str| config.get(k).and_then(serde_json::Value::as_str);
        SourceRef {
            instance_id: text("instance_id"),
            bootstrap_servers: text("bootstrap_servers"),
            security_protocol: text("security_protocol"),
            user_name: text("user_name"),
            password: (with_password || config.contains_key("password")).then(|| text("password")),
            replication_factor: config.get("replication_factor").and_then(serde_json::Value::as_i64),
        }
    }
}

#[derive(Debug, Clone)]
struct Bucket {
    name: String,
    location: String,
    storage_class: String,
    created_ms: Millis,
}

/// One `ObsBucketEntity` of list_obs_buckets (its camelCase JSON names).
#[derive(Debug, Serialize)]
pub struct BucketView {
    #[serde(rename = "bucketName")]
    bucket_name: String,
    #[serde(rename = "creationDate")]
    creation_date: Millis,
    location: String,
    #[serde(rename = "storageClass")]
    storage_class: String,
    #[serde(rename = "bucketStorageClass")]
    bucket_storage_class: String,
}

#[derive(Debug, Default)]
pub struct Outside {
    by_instance: Vec<(String, Peer)>,
    /// Each peer added by addresses, with them.
    by_addresses: Vec<(BTreeSet<String>, Peer)>,
    buckets: Vec<Bucket>,
}

/// `h:p,h2:p2` as a set of trimmed addresses; `None` unless each is `host:port`.
fn addresses(list: &str) -> Option<BTreeSet<String>> {
    list.split(',')
        .map(|a| {
            let a = a.trim();
            let (host, port) = a.rsplit_once(':')?;
            (!host.is_empty() && port.parse::<u16>().is_ok()).then(|| a.to_owned())
        })
        .collect()
}

impl Outside {
    pub fn add_peer(&mut self, spec: KafkaPeerSpec) -> Result<(), EmulatorError> {
        if spec.brokers == 0 {
            return Err(EmulatorError::invalid("brokers must be at least 1"));
        }
        let sasl = match (spec.user, spec.password) {
            (Some(user), Some(password)) if !user.is_empty() && !password.is_empty() => Some(Sasl { user, password }),
            (None, None) => None,
            _ => {
                return Err(EmulatorError::invalid(
                    "give both user and password (non-empty), or neither",
                ))
            }
        };
        match (spec.instance_id, spec.bootstrap_servers) {
            (Some(id), None) => {
                crate::validate::id("instance_id", &id).map_err(|e| EmulatorError::invalid(e.to_string()))?;
                if self.by_instance.iter().any(|(known, _)| *known == id) {
                    return Err(EmulatorError::invalid(format!("a peer with instance_id {id} exists")));
                }
                let peer = Peer {
                    name: format!("instance {id}"),
                    brokers: spec.brokers,
                    sasl,
                };
                self.by_instance.push((id, peer));
            }
            (None, Some(list)) => {
                let set = addresses(&list).ok_or_else(|| {
                    EmulatorError::invalid(format!(
                        "bootstrap_servers must be host:port addresses separated by commas, not {list:?}"
                    ))
                })?;
                if let Some(taken) = self.by_addresses.iter().flat_map(|(s, _)| s).find(|a| set.contains(*a)) {
                    return Err(EmulatorError::invalid(format!(
                        "the address {taken} belongs to another peer"
                    )));
                }
                let peer = Peer {
                    name: set.iter().cloned().collect::<Vec<_>>().join(","),
                    brokers: spec.brokers,
                    sasl,
                };
                self.by_addresses.push((set, peer));
            }
            _ => {
                return Err(EmulatorError::invalid(
                    "give exactly one of instance_id and bootstrap_servers",
                ))
            }
        }
        Ok(())
    }

    pub fn add_bucket(&mut self, spec: ObsBucketSpec, now: Millis) -> Result<(), EmulatorError> {
        // OBS naming rules: 3 to 63 of lower-case letters, digits, '-' and '.', starting and
        // ending with a letter or digit.
        let name = &spec.name;
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !(3..=63).contains(&name.len())
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            || !edge_ok(name.chars().next())
            || !edge_ok(name.chars().last())
        {
            return Err(EmulatorError::invalid(format!(
                "{name:?} is not an OBS bucket name: 3 to 63 lower-case letters, digits, '-' or '.', \
                 starting and ending with a letter or digit"
            )));
        }
        if self.buckets.iter().any(|b| b.name == *name) {
            return Err(EmulatorError::invalid(format!("the bucket {name} exists")));
        }
        let classes = crate::spec::field("ObsBucketEntity", "bucket_storage_class")
            .map_err(|e| EmulatorError::invalid(e.to_string()))?
            .text_values();
        if !classes.contains(&spec.storage_class.as_str()) {
            return Err(EmulatorError::invalid(format!(
                "storage_class must be one of {}, not {:?}",
                classes.join(", "),
                spec.storage_class
            )));
        }
        if spec.location.trim().is_empty() {
            return Err(EmulatorError::invalid("location must not be empty"));
        }
        self.buckets.push(Bucket {
            name: spec.name,
            location: spec.location,
            storage_class: spec.storage_class,
            created_ms: now,
        });
        Ok(())
    }

    pub fn buckets(&self) -> Vec<BucketView> {
        self.buckets
            .iter()
            .map(|b| BucketView {
                bucket_name: b.name.clone(),
                creation_date: b.created_ms,
                location: b.location.clone(),
                storage_class: b.storage_class.clone(),
                bucket_storage_class: b.storage_class.clone(),
            })
            .collect()
    }

    pub fn check_bucket(&self, name: Option<&str>) -> Result<(), ApiError> {
        match name {
            Some(name) if self.buckets.iter().any(|b| b.name == name) => Ok(()),
            Some(name) => Err(ApiError::new(
                ErrorKind::ObsBucketUnknown,
                format!("The OBS bucket {name} does not exist."),
            )),
            None => Err(ApiError::new(
                ErrorKind::ObsBucketUnknown,
                "obs_bucket_name is required.",
            )),
        }
    }

    /// The peer `source` names. An instance id not added as a peer is reachable when
    /// `seeded(id)` (an instance of the project): 3 brokers, no SASL.
    pub fn reach(&self, source: &SourceRef<'_>, seeded: impl Fn(&str) -> bool) -> Result<Peer, ApiError> {
        let unreachable = |what: String| ApiError::new(ErrorKind::PeerUnreachable, what);
        if let Some(id) = source.instance_id {
            if let Some((_, peer)) = self.by_instance.iter().find(|(known, _)| known == id) {
                return Ok(peer.clone());
            }
            if seeded(id) {
                return Ok(Peer {
                    name: format!("instance {id}"),
                    brokers: SEEDED_INSTANCE_BROKERS,
                    sasl: None,
                });
            }
            return Err(unreachable(format!("The Kafka instance {id} cannot be reached.")));
        }
        let Some(list) = source.bootstrap_servers else {
            return Err(unreachable(
                "Give the peer's instance_id or bootstrap_servers.".to_owned(),
            ));
        };
        let wanted = addresses(list)
            .ok_or_else(|| unreachable(format!("bootstrap_servers {list:?} are not host:port addresses.")))?;
        let first = wanted.first().map_or("", String::as_str);
        let (known, peer) = self
            .by_addresses
            .iter()
            .find(|(set, _)| set.contains(first))
            .ok_or_else(|| unreachable(format!("The Kafka address {first} cannot be reached.")))?;
        match wanted.iter().find(|a| !known.contains(*a)) {
            Some(other) => Err(unreachable(format!(
                "The Kafka address {other} cannot be reached from the cluster of {first}."
            ))),
            None => Ok(peer.clone()),
        }
    }
}

impl Peer {
    /// The security protocol, user and (when the model carries it) password the peer accepts.
    pub fn authenticate(&self, source: &SourceRef<'_>) -> Result<(), ApiError> {
        let refused = |why: String| ApiError::new(ErrorKind::PeerAuthFailed, why);
        let protocol = source.security_protocol.unwrap_or("PLAINTEXT");
        let sasl = matches!(protocol, "SASL_SSL" | "SASL_PLAINTEXT");
        match &self.sasl {
            None if sasl => Err(refused(format!(
                "The peer {} does not use SASL: connect with security_protocol PLAINTEXT, not {protocol}.",
                self.name
            ))),
            None => Ok(()),
            Some(_) if !sasl => Err(refused(format!(
                "The peer {} requires SASL: security_protocol must be SASL_SSL or SASL_PLAINTEXT, not {protocol}.",
                self.name
            ))),
            Some(expected) => {
                let user_ok = source.user_name == Some(expected.user.as_str());
                let password_ok = source.password.is_none_or(|p| p == Some(expected.password.as_str()));
                if user_ok && password_ok {
                    Ok(())
                } else {
                    // Which of the two was wrong is not said, as a broker would not say it.
                    Err(refused(format!(
                        "SASL authentication with the peer {} failed: wrong user_name or password.",
                        self.name
                    )))
                }
            }
        }
    }

    pub fn check_replication(&self, source: &SourceRef<'_>) -> Result<(), ApiError> {
        match source.replication_factor {
            Some(factor) if factor > i64::from(self.brokers) => Err(ApiError::new(
                ErrorKind::ReplicationFactorTooLarge,
                format!(
                    "Replication factor larger than available brokers: {factor} > {} (the peer {}).",
                    self.brokers, self.name
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Result<(), Box<dyn std::error::Error>>;

    fn peer(spec: KafkaPeerSpec) -> Result<Outside, EmulatorError> {
        let mut o = Outside::default();
        o.add_peer(spec)?;
        Ok(o)
    }

    fn kind<T>(r: Result<T, ApiError>) -> Option<ErrorKind> {
        r.err().map(|e| e.kind)
    }

    #[test]
    fn addresses_are_reachable_when_all_belong_to_one_added_peer() -> R {
        let mut o = peer(KafkaPeerSpec {
            bootstrap_servers: Some("10.0.0.1:9092, 10.0.0.2:9092".into()),
            brokers: 2,
            ..Default::default()
        })?;
        o.add_peer(KafkaPeerSpec {
            bootstrap_servers: Some("10.0.1.1:9092".into()),
            brokers: 1,
            ..Default::default()
        })?;
        let at = |list: &'static str| SourceRef {
            bootstrap_servers: Some(list),
            ..Default::default()
        };
        let no_seed = |_: &str| false;
        assert!(o.reach(&at("10.0.0.2:9092"), no_seed).is_ok());
        assert!(o.reach(&at("10.0.0.1:9092,10.0.0.2:9092"), no_seed).is_ok());
        for bad in ["10.0.0.3:9092", "10.0.0.1:9092,10.0.1.1:9092", "10.0.0.1", ""] {
            assert_eq!(
                kind(o.reach(&at(bad), no_seed)),
                Some(ErrorKind::PeerUnreachable),
                "{bad}"
            );
        }
        Ok(())
    }

    #[test]
    fn instances_are_reachable_when_added_or_seeded_in_the_project() -> R {
        let o = peer(KafkaPeerSpec {
            instance_id: Some("peer".into()),
            brokers: 5,
            ..Default::default()
        })?;
        let by_id = |id: &'static str| SourceRef {
            instance_id: Some(id),
            replication_factor: Some(4),
            ..Default::default()
        };
        let seeded = |id: &str| id == "seeded";
        assert!(o
            .reach(&by_id("peer"), seeded)?
            .check_replication(&by_id("peer"))
            .is_ok());
        let default = o.reach(&by_id("seeded"), seeded)?;
        assert_eq!(
            kind(default.check_replication(&by_id("seeded"))),
            Some(ErrorKind::ReplicationFactorTooLarge)
        );
        assert_eq!(kind(o.reach(&by_id("other"), seeded)), Some(ErrorKind::PeerUnreachable));
        Ok(())
    }

    #[test]
    fn sasl_peers_take_their_user_and_password_and_nothing_else() -> R {
        let o = peer(KafkaPeerSpec {
            instance_id: Some("peer".into()),
            brokers: 3,
            user: Some("u".into()),
            password: Some("hunter2".into()),
            ..Default::default()
        })?;
        let source = |protocol: Option<&'static str>, user, password| SourceRef {
            instance_id: Some("peer"),
            security_protocol: protocol,
            user_name: user,
            password,
            ..Default::default()
        };
        let p = o.reach(&source(None, None, None), |_| false)?;
        assert!(p
            .authenticate(&source(Some("SASL_SSL"), Some("u"), Some(Some("hunter2"))))
            .is_ok());
        // Without a password in the body model, the user alone is checked.
        assert!(p.authenticate(&source(Some("SASL_PLAINTEXT"), Some("u"), None)).is_ok());
        for bad in [
            source(Some("SASL_SSL"), Some("u"), Some(Some("nope"))),
            source(Some("SASL_SSL"), Some("v"), Some(Some("hunter2"))),
            source(Some("PLAINTEXT"), Some("u"), Some(Some("hunter2"))),
            source(None, None, None),
        ] {
            let e = p.authenticate(&bad).err().ok_or("accepted")?;
            assert_eq!(e.kind, ErrorKind::PeerAuthFailed);
            assert!(!e.message.contains("hunter2"), "{}", e.message);
        }
        assert!(!format!("{p:?}").contains("hunter2"));
        let plain = Outside::default().reach(&source(None, None, None), |_| true)?;
        assert_eq!(
            kind(plain.authenticate(&source(Some("SASL_SSL"), Some("u"), None))),
            Some(ErrorKind::PeerAuthFailed)
        );
        Ok(())
    }

    #[test]
    fn bad_peers_and_buckets_are_refused() -> R {
        for spec in [
            KafkaPeerSpec {
                brokers: 3,
                ..Default::default()
            },
            KafkaPeerSpec {
                instance_id: Some("a".into()),
                bootstrap_servers: Some("h:1".into()),
                brokers: 3,
                ..Default::default()
            },
            KafkaPeerSpec {
                instance_id: Some("a".into()),
                brokers: 0,
                ..Default::default()
            },
            KafkaPeerSpec {
                instance_id: Some("a".into()),
                brokers: 3,
                user: Some("u".into()),
                ..Default::default()
            },
            KafkaPeerSpec {
                bootstrap_servers: Some("h:port".into()),
                brokers: 3,
                ..Default::default()
            },
        ] {
            assert!(peer(spec.clone()).is_err(), "{spec:?}");
        }
        let mut o = Outside::default();
        let bucket = |name: &str, class: &str| ObsBucketSpec {
            name: name.into(),
            location: "cn-north-4".into(),
            storage_class: class.into(),
        };
        o.add_bucket(bucket("logs-1", "WARM"), 7)?;
        for (name, class) in [
            ("logs-1", "STANDARD"),
            ("Logs", "STANDARD"),
            ("ab", "STANDARD"),
            ("x-y-", "STANDARD"),
            ("ok-name", "GLACIER"),
        ] {
            assert!(o.add_bucket(bucket(name, class), 0).is_err(), "{name} {class}");
        }
        assert!(o.check_bucket(Some("logs-1")).is_ok());
        assert_eq!(kind(o.check_bucket(Some("logs-2"))), Some(ErrorKind::ObsBucketUnknown));
        let listed = serde_json::to_value(o.buckets())?;
        assert_eq!(
            listed,
            serde_json::json!([{"bucketName": "logs-1", "creationDate": 7, "location": "cn-north-4",
                                "storageClass": "WARM", "bucketStorageClass": "WARM"}])
        );
        Ok(())
    }
}
