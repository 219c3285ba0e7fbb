//! Kafka regions (the official table) with the official environment override and regions
//! file, and IAM endpoints.

use std::path::Path;

use crate::error::Error;
use crate::regions_file;

/// A region id and its endpoints, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub id: String,
    pub endpoints: Vec<String>,
}

/// Every region the official `KafkaRegion` lists, with its DMS endpoint.
pub const KAFKA_REGIONS: &[(&str, &str)] = &[
    ("eu-west-101", "https://dms.eu-west-101.myhuaweicloud.eu"),
    ("cn-north-1", "https://dms.cn-north-1.myhuaweicloud.com"),
    ("cn-north-2", "https://dms.cn-north-2.myhuaweicloud.com"),
    ("cn-north-4", "https://dms.cn-north-4.myhuaweicloud.com"),
    ("cn-east-3", "https://dms.cn-east-3.myhuaweicloud.com"),
    ("cn-east-2", "https://dms.cn-east-2.myhuaweicloud.com"),
    ("cn-south-1", "https://dms.cn-south-1.myhuaweicloud.com"),
    ("cn-south-2", "https://dms.cn-south-2.myhuaweicloud.com"),
    ("cn-southwest-2", "https://dms.cn-southwest-2.myhuaweicloud.com"),
    ("ap-southeast-1", "https://dms.ap-southeast-1.myhuaweicloud.com"),
    ("ap-southeast-2", "https://dms.ap-southeast-2.myhuaweicloud.com"),
    ("ap-southeast-3", "https://dms.ap-southeast-3.myhuaweicloud.com"),
    ("af-south-1", "https://dms.af-south-1.myhuaweicloud.com"),
    ("ru-northwest-2", "https://dms.ru-northwest-2.myhuaweicloud.com"),
    ("cn-north-9", "https://dms.cn-north-9.myhuaweicloud.com"),
    ("la-south-2", "https://dms.la-south-2.myhuaweicloud.com"),
    ("sa-brazil-1", "https://dms.sa-brazil-1.myhuaweicloud.com"),
    ("la-north-2", "https://dms.la-north-2.myhuaweicloud.com"),
    ("na-mexico-1", "https://dms.na-mexico-1.myhuaweicloud.com"),
    ("ap-southeast-4", "https://dms.ap-southeast-4.myhuaweicloud.com"),
    ("tr-west-1", "https://dms.tr-west-1.myhuaweicloud.com"),
    ("ae-ad-1", "https://dms.ae-ad-1.myhuaweicloud.com"),
    ("eu-west-0", "https://dms.eu-west-0.myhuaweicloud.com"),
    ("me-east-1", "https://dms.me-east-1.myhuaweicloud.com"),
    ("cn-east-5", "https://dms.cn-east-5.myhuaweicloud.com"),
    ("my-kualalumpur-1", "https://dms.my-kualalumpur-1.myhuaweicloud.com"),
    ("cn-east-4", "https://dms.cn-east-4.myhuaweicloud.com"),
    ("af-north-1", "https://dms.af-north-1.myhuaweicloud.com"),
    ("ap-southeast-5", "https://dms.ap-southeast-5.myhuaweicloud.com"),
    ("ru-moscow-1", "https://dms.ru-moscow-1.myhuaweicloud.com"),
    ("cn-south-4", "https://dms.cn-south-4.myhuaweicloud.com"),
    ("cn-north-12", "https://dms.cn-north-12.myhuaweicloud.com"),
    ("cn-north-11", "https://dms.cn-north-11.myhuaweicloud.com"),
    ("cn-southwest-3", "https://dms.cn-southwest-3.myhuaweicloud.com"),
];

/// IAM endpoints by region, for project-id discovery; others use `DEFAULT_IAM_ENDPOINT`.
const IAM_ENDPOINTS: &[(&str, &str)] = &[
    ("cn-north-2", "https://iam.cn-north-2.myhuaweicloud.com"),
    ("cn-north-4", "https://iam.cn-north-4.myhuaweicloud.com"),
    ("cn-north-1", "https://iam.cn-north-1.myhuaweicloud.com"),
    ("cn-east-2", "https://iam.cn-east-2.myhuaweicloud.com"),
    ("cn-east-3", "https://iam.cn-east-3.myhuaweicloud.com"),
    ("cn-south-1", "https://iam.cn-south-1.myhuaweicloud.com"),
    ("cn-south-2", "https://iam.cn-south-2.myhuaweicloud.com"),
    ("cn-southwest-2", "https://iam.cn-southwest-2.myhuaweicloud.com"),
    ("ap-southeast-1", "https://iam.ap-southeast-1.myhuaweicloud.com"),
    ("ap-southeast-2", "https://iam.ap-southeast-2.myhuaweicloud.com"),
    ("ap-southeast-3", "https://iam.ap-southeast-3.myhuaweicloud.com"),
    ("af-south-1", "https://iam.af-south-1.myhuaweicloud.com"),
    ("sa-brazil-1", "https://iam.sa-brazil-1.myhuaweicloud.com"),
    ("la-south-2", "https://iam.la-south-2.myhuaweicloud.com"),
    ("na-mexico-1", "https://iam.na-mexico-1.myhuaweicloud.com"),
    ("la-north-2", "https://iam.la-north-2.myhuaweicloud.com"),
    ("cn-north-9", "https://iam.cn-north-9.myhuaweicloud.com"),
    ("eu-west-0", "https://iam.eu-west-0.myhuaweicloud.com"),
    ("my-kualalumpur-1", "https://iam.my-kualalumpur-1.myhuaweicloud.com"),
    ("ru-moscow-1", "https://iam.ru-moscow-1.myhuaweicloud.com"),
    ("me-east-1", "https://iam.me-east-1.myhuaweicloud.com"),
    ("ap-southeast-4", "https://iam.ap-southeast-4.myhuaweicloud.com"),
    ("ae-ad-1", "https://iam.ae-ad-1.myhuaweicloud.com"),
    ("cn-east-4", "https://iam.cn-east-4.myhuaweicloud.com"),
    ("cn-east-5", "https://iam.cn-east-5.myhuaweicloud.com"),
    ("tr-west-1", "https://iam.tr-west-1.myhuaweicloud.com"),
    ("cn-north-12", "https://iam.cn-north-12.myhuaweicloud.com"),
];

pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";

/// `HUAWEICLOUD_SDK_REGION_KAFKA_<ID>`: the variable that overrides a region's endpoints.
pub fn override_variable(region_id: &str) -> String {
    format!(
        "HUAWEICLOUD_SDK_REGION_KAFKA_{}",
        region_id.replace('-', "_").to_uppercase()
    )
}

/// A Kafka region's endpoints configured outside the built-in table, in the official order:
/// the environment override (comma-separated endpoints), then the regions file (see
/// [`regions_file`]; `home` is where `~/.huaweicloud` is).
pub fn configured(
    region_id: &str,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Option<Region>, Error> {
    if let Some(value) = env(&override_variable(region_id)).filter(|v| !v.is_empty()) {
        return Ok(Some(Region {
            id: region_id.to_owned(),
            endpoints: value.split(',').map(str::to_owned).collect(),
        }));
    }
    match regions_file::path(env, home) {
        Some(path) => regions_file::lookup(&path, "KAFKA", region_id),
        None => Ok(None),
    }
}

/// The region for an id: [`configured`] endpoints first, then the built-in table; an
/// unknown id lists the supported ones.
pub fn value_of(region_id: &str, env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<Region, Error> {
    if region_id.is_empty() {
        return Err(Error::Config("Unexpected empty parameter: region_id".to_owned()));
    }
    if let Some(region) = configured(region_id, env, home)? {
        return Ok(region);
    }
    if let Some((id, endpoint)) = KAFKA_REGIONS.iter().find(|(id, _)| *id == region_id) {
        return Ok(Region {
            id: (*id).to_owned(),
            endpoints: vec![(*endpoint).to_owned()],
        });
    }
    let mut ids: Vec<&str> = KAFKA_REGIONS.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    Err(Error::Config(format!(
        "region_id '{region_id}' is not in the following supported regions of service 'Kafka': [{}]",
        ids.join(", ")
    )))
}

/// The IAM endpoint for a region: `$HUAWEICLOUD_SDK_IAM_ENDPOINT`, the region's, or the global one.
pub fn iam_endpoint(region_id: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some(v) = env(ENV_IAM_ENDPOINT).filter(|v| !v.is_empty()) {
        return v;
    }
    IAM_ENDPOINTS
        .iter()
        .find(|(id, _)| *id == region_id)
        .map_or(DEFAULT_IAM_ENDPOINT, |(_, e)| *e)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    // The table's content (ids and endpoints) is compared with the official `KafkaRegion` in
    // tests/test_client.py::test_region_table_is_the_official_one; here only its shape.
    #[test]
    fn table_ids_are_unique_and_endpoints_https() {
        let mut ids: Vec<&str> = KAFKA_REGIONS.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), KAFKA_REGIONS.len(), "duplicate region ids");
        for (id, endpoint) in KAFKA_REGIONS {
            assert!(endpoint.starts_with("https://"), "{id}: {endpoint}");
            let r = value_of(id, &no_env, None).ok();
            assert_eq!(r.map(|r| r.endpoints), Some(vec![(*endpoint).to_owned()]));
        }
    }

    #[test]
    fn env_overrides_endpoints() {
        let env = |k: &str| (k == "HUAWEICLOUD_SDK_REGION_KAFKA_CN_NORTH_4").then(|| "http://a,http://b".to_owned());
        let r = value_of("cn-north-4", &env, None).ok();
        assert_eq!(r.map(|r| r.endpoints.len()), Some(2));
    }

    #[test]
    fn unknown_region_lists_supported() {
        let e = value_of("mars-1", &no_env, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("mars-1") && e.contains("cn-north-4"));
    }
}
