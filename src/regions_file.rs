//! The regions file, `~/.huaweicloud/regions.yaml` (or `$HUAWEICLOUD_SDK_REGIONS_FILE`):
//! endpoints by service and region id, read as the official `ProfileRegionCache` reads it.
//!
//! ```yaml
//! kafka:                      # the service, in any case
//!   - id: cn-north-4
//!     endpoints: [https://a.example.com, https://b.example.com]
//!     endpoint: https://c.example.com   # appended after `endpoints`
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::Error;
use crate::region::Region;

pub const ENV_REGIONS_FILE: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";

/// `$HUAWEICLOUD_SDK_REGIONS_FILE`, else `regions.yaml` in `~/.huaweicloud`.
pub fn path(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Option<PathBuf> {
    env(ENV_REGIONS_FILE)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".huaweicloud").join("regions.yaml")))
}

/// One region of a service. Keys the official ignores are ignored.
#[derive(Deserialize)]
struct Entry {
    id: Option<String>,
    endpoint: Option<String>,
    endpoints: Option<Vec<String>>,
}

/// The region lists of one service (its name in any case) in the file's order; other
/// services' entries are skipped unread, so a mistake under another service does not stop
/// this one (as the official reads only the service it is asked for).
struct ForService<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for ForService<'_> {
    /// `None` for an empty document (only comments): it lists nothing.
    type Value = Option<Vec<Vec<Entry>>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ForService<'_> {
    type Value = Option<Vec<Vec<Entry>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of service names to lists of regions")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut lists = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if name.to_uppercase() == self.0.to_uppercase() {
                lists.push(map.next_value::<Vec<Entry>>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(lists))
    }
}

/// The region `region_id` of `service` in the file at `path`, if the file has it with at
/// least one endpoint. No file is no region; a file that cannot be read, or is not the
/// official shape, is an error naming the file and the line.
pub fn lookup(path: &Path, service: &str, region_id: &str) -> Result<Option<Region>, Error> {
    if !path.exists() {
        return Ok(None);
    }
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::Config(format!("cannot read regions file '{shown}': {e}")))?;
    // An empty file (or only comments) lists nothing.
    let lists = ForService(service)
        .deserialize(yaml_serde::Deserializer::from_str(&text))
        .map_err(|e| {
            // The message leaves out the very first position, and a wrong shape of the whole
            // document has none: it is where the document starts.
            let shown_at = e.to_string().contains(" at line ");
            let line = e.location().map_or_else(|| document_line(&text), |l| l.line());
            let at = if shown_at {
                String::new()
            } else {
                format!(" at line {line}")
            };
            Error::Config(format!("invalid regions file '{shown}': {e}{at}"))
        })?;
    let mut found = None;
    for entries in lists.unwrap_or_default() {
        for entry in entries {
            if entry.id.as_deref() != Some(region_id) {
                continue;
            }
            let mut endpoints = entry.endpoints.unwrap_or_default();
            endpoints.extend(entry.endpoint.filter(|e| !e.is_empty()));
            if !endpoints.is_empty() {
                found = Some(Region {
                    id: region_id.to_owned(),
                    endpoints,
                });
            }
        }
    }
    Ok(found)
}

/// The line (from 1) where the document's content starts: after blank lines, comments,
/// directives and the `---` marker.
fn document_line(text: &str) -> usize {
    let skipped = |line: &&str| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line.starts_with('%') || line == "---"
    };
    text.lines().take_while(skipped).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str, check: impl FnOnce(&Path)) {
        let path = std::env::temp_dir().join(format!(
            "dmskafka-regions-{}-{:?}.yaml",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = std::fs::write(&path, text);
        assert!(written.is_ok());
        check(&path);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn another_services_mistake_does_not_stop_this_one() {
        let text = "ecs:\n  - id: cn-north-4\n    endpoints: not-a-list\nkafka:\n  - id: cn-north-4\n    \
                    endpoint: https://k\n";
        with_file(text, |path| {
            let region = lookup(path, "kafka", "cn-north-4").ok().flatten();
            assert_eq!(region.map(|r| r.endpoints), Some(vec!["https://k".to_owned()]));
            let shown = lookup(path, "ecs", "cn-north-4")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(shown.contains("line 3"), "{shown}");
        });
    }

    #[test]
    fn endpoints_then_endpoint_for_the_service_in_any_case() {
        let text = "ECS:\n  - id: cn-north-4\n    endpoint: https://ecs\nKafka:\n  - id: cn-north-1\n    \
                    endpoint: https://other\n  - id: cn-north-4\n    endpoints: [https://a, https://b]\n    \
                    endpoint: https://c\n    comment: ignored\n";
        with_file(text, |path| {
            let region = lookup(path, "KAFKA", "cn-north-4").ok().flatten();
            let endpoints = region.map(|r| r.endpoints);
            assert_eq!(
                endpoints,
                Some(vec!["https://a".into(), "https://b".into(), "https://c".into()])
            );
            assert!(matches!(lookup(path, "KAFKA", "ap-southeast-1"), Ok(None)));
        });
    }

    #[test]
    fn entries_without_id_or_endpoint_are_skipped_and_empty_files_list_nothing() {
        with_file("kafka:\n  - endpoint: https://x\n  - id: cn-north-4\n", |path| {
            assert!(matches!(lookup(path, "KAFKA", "cn-north-4"), Ok(None)));
        });
        with_file("# nothing yet\n", |path| {
            assert!(matches!(lookup(path, "KAFKA", "cn-north-4"), Ok(None)));
        });
        assert!(matches!(
            lookup(Path::new("/nonexistent/regions.yaml"), "KAFKA", "x"),
            Ok(None)
        ));
    }

    #[test]
    fn a_malformed_file_names_the_file_and_the_line() {
        for text in [
            "kafka:\n  - id: cn-north-4\n    endpoint: [unclosed\n",
            "kafka:\n  - id: cn-north-4\n  - just-a-string\n",
            "kafka:\n  - id: cn-north-4\n    endpoints: https://not-a-list\n",
            "# a list, not a mapping\n- kafka\n",
            "- kafka\n",
        ] {
            with_file(text, |path| {
                let e = lookup(path, "KAFKA", "cn-north-4")
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                assert!(e.contains(&path.display().to_string()), "{e}");
                assert!(e.contains("line "), "{e}");
            });
        }
    }
}
