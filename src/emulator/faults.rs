//! Fault injection: per-route rules that delay, replace, damage or drop responses.
//!
//! Rules are checked in the order they were added, before authentication and routing,
//! as a misbehaving network or gateway would act; the first rule that fires applies.
//! A rule fires on a matching request with its probability (drawn from its own RNG,
//! seeded when `seed` is given, so a run is reproducible) until its count is used up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::EmulatorError;
use crate::operations::OPERATIONS;

/// A rule as given by the control plane.
#[derive(Debug, Clone, Default)]
pub struct FaultSpec {
    /// An operation name of the table; `None` matches every request, unknown paths included.
    pub route: Option<String>,
    /// Wait this long before handling the request.
    pub latency: Option<Duration>,
    /// Answer with this status instead of handling the request (nothing changes).
    pub status: Option<u16>,
    /// Answer with this body: with `status`, instead of the table's error body; without
    /// it, in place of the handled response's body (the status is kept).
    pub body: Option<String>,
    /// Fire this many times, then retire; `None` means until cleared.
    pub count: Option<u64>,
    /// Fire with this probability (0..=1); `None` means always.
    pub probability: Option<f64>,
    /// Close the connection after reading the request, without answering or handling it.
    pub drop_connection: bool,
    /// Handle the request, then send the headers with the full Content-Length but only
    /// half the body, and close the connection.
    pub truncate_body: bool,
    /// Handle the request, then send the body in up to 10 pieces spread over this long.
    pub trickle: Option<Duration>,
    pub seed: Option<u64>,
}

/// What a fired rule does to one request; recorded in the request log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    pub route: Option<String>,
    pub latency: Option<f64>,
    pub status: Option<u16>,
    pub body: Option<String>,
    pub drop_connection: bool,
    pub truncate_body: bool,
    pub trickle: Option<f64>,
}

impl Applied {
    pub fn latency(&self) -> Option<Duration> {
        self.latency.and_then(|s| Duration::try_from_secs_f64(s).ok())
    }

    pub fn trickle(&self) -> Option<Duration> {
        self.trickle.and_then(|s| Duration::try_from_secs_f64(s).ok())
    }
}

struct Rule {
    action: Applied,
    route: Option<String>,
    remaining: Option<u64>,
    probability: Option<f64>,
    rng: SmallRng,
}

#[derive(Default)]
pub struct FaultSet {
    rules: Mutex<Vec<Rule>>,
    /// Lets requests skip the lock entirely while no rule is set.
    any: AtomicBool,
}

impl FaultSet {
    pub fn add(&self, spec: FaultSpec) -> Result<(), EmulatorError> {
        if let Some(route) = &spec.route {
            if !OPERATIONS.iter().any(|op| op.name == route) {
                let names: Vec<&str> = OPERATIONS.iter().map(|op| op.name).collect();
                return Err(EmulatorError::invalid(format!(
                    "unknown route {route:?}; routes are {} (or None for every request)",
                    names.join(", ")
                )));
            }
        }
        if let Some(status) = spec.status {
            if !(200..=599).contains(&status) {
                return Err(EmulatorError::invalid(format!(
                    "status must be from 200 to 599, not {status}"
                )));
            }
        }
        if let Some(p) = spec.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(EmulatorError::invalid(format!(
                    "probability must be from 0 to 1, not {p}"
                )));
            }
        }
        if spec.count == Some(0) {
            return Err(EmulatorError::invalid(
                "count must be at least 1 (None means until cleared)",
            ));
        }
        let does_something = spec.latency.is_some()
            || spec.status.is_some()
            || spec.body.is_some()
            || spec.drop_connection
            || spec.truncate_body
            || spec.trickle.is_some();
        if !does_something {
            return Err(EmulatorError::invalid(
                "a fault needs at least one of latency, status, body, drop_connection, truncate_body, trickle",
            ));
        }
        let rng = match spec.seed {
            Some(seed) => SmallRng::seed_from_u64(seed),
            None => rand::make_rng(),
        };
        let rule = Rule {
            action: Applied {
                route: spec.route.clone(),
                latency: spec.latency.map(|d| d.as_secs_f64()),
                status: spec.status,
                body: spec.body,
                drop_connection: spec.drop_connection,
                truncate_body: spec.truncate_body,
                trickle: spec.trickle.map(|d| d.as_secs_f64()),
            },
            route: spec.route,
            remaining: spec.count,
            probability: spec.probability,
            rng,
        };
        let mut rules = self.rules.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        rules.push(rule);
        self.any.store(true, Ordering::Release);
        Ok(())
    }

    pub fn clear(&self) {
        let mut rules = self.rules.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        rules.clear();
        self.any.store(false, Ordering::Release);
    }

    /// The action of the first rule that fires for a request to `route`, if any.
    pub fn pick(&self, route: Option<&str>) -> Option<Applied> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = self.rules.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut fired = None;
        for (i, rule) in rules.iter_mut().enumerate() {
            if rule.route.as_deref().is_some_and(|r| Some(r) != route) {
                continue;
            }
            if let Some(p) = rule.probability {
                if rule.rng.random::<f64>() >= p {
                    continue;
                }
            }
            if let Some(n) = rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
            fired = Some((i, rule.action.clone(), rule.remaining == Some(0)));
            break;
        }
        let (index, action, used_up) = fired?;
        if used_up {
            rules.remove(index);
            self.any.store(!rules.is_empty(), Ordering::Release);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Result<(), Box<dyn std::error::Error>>;

    fn status(code: u16) -> FaultSpec {
        FaultSpec {
            status: Some(code),
            ..Default::default()
        }
    }

    #[test]
    fn count_retires_the_rule() -> R {
        let f = FaultSet::default();
        f.add(FaultSpec {
            count: Some(2),
            ..status(503)
        })?;
        assert!(f.pick(Some("show_instance")).is_some());
        assert!(f.pick(None).is_some());
        assert!(f.pick(Some("show_instance")).is_none());
        Ok(())
    }

    #[test]
    fn route_filter_and_order() -> R {
        let f = FaultSet::default();
        f.add(FaultSpec {
            route: Some("create_connector".into()),
            ..status(500)
        })?;
        f.add(status(429))?;
        assert_eq!(f.pick(Some("create_connector")).and_then(|a| a.status), Some(500));
        assert_eq!(f.pick(Some("show_instance")).and_then(|a| a.status), Some(429));
        Ok(())
    }

    #[test]
    fn seeded_probability_is_reproducible() -> R {
        let run = || -> Result<Vec<bool>, EmulatorError> {
            let f = FaultSet::default();
            f.add(FaultSpec {
                probability: Some(0.5),
                seed: Some(7),
                ..status(503)
            })?;
            Ok((0..64).map(|_| f.pick(None).is_some()).collect())
        };
        let a = run()?;
        assert_eq!(a, run()?);
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
        Ok(())
    }

    #[test]
    fn invalid_rules_are_refused() {
        let f = FaultSet::default();
        assert!(f.add(FaultSpec::default()).is_err());
        assert!(f
            .add(FaultSpec {
                route: Some("nope".into()),
                ..status(500)
            })
            .is_err());
        assert!(f
            .add(FaultSpec {
                probability: Some(1.5),
                ..status(500)
            })
            .is_err());
        assert!(f.add(status(99)).is_err());
    }
}
