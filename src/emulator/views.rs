//! The JSON bodies the emulator answers with: official field names and types.

use serde::Serialize;

/// The ShowInstance subset the emulator answers with (official field names and types).
#[derive(Debug, Serialize)]
pub struct InstanceView {
    pub(super) name: String,
    pub(super) engine: &'static str,
    pub(super) engine_version: &'static str,
    pub(super) description: &'static str,
    pub(super) specification: String,
    pub(super) storage_space: u32,
    pub(super) partition_num: &'static str,
    pub(super) used_storage_space: u32,
    pub(super) dns_enable: bool,
    pub(super) connect_address: &'static str,
    pub(super) port: u16,
    pub(super) status: String,
    pub(super) instance_id: String,
    pub(super) resource_spec_code: &'static str,
    pub(super) charging_mode: u8,
    pub(super) vpc_id: &'static str,
    pub(super) vpc_name: &'static str,
    pub(super) created_at: String,
    pub(super) subnet_name: &'static str,
    pub(super) subnet_cidr: &'static str,
    pub(super) user_id: String,
    pub(super) user_name: String,
    pub(super) maintain_begin: &'static str,
    pub(super) maintain_end: &'static str,
    pub(super) enable_publicip: bool,
    pub(super) ssl_enable: bool,
    pub(super) kafka_security_protocol: &'static str,
    pub(super) enterprise_project_id: &'static str,
    pub(super) is_logical_volume: bool,
    pub(super) extend_times: u32,
    pub(super) enable_auto_topic: bool,
    pub(super) r#type: &'static str,
    pub(super) product_id: &'static str,
    pub(super) available_zones: [&'static str; 1],
    pub(super) total_storage_space: u32,
    pub(super) storage_spec_code: &'static str,
    pub(super) service_type: &'static str,
    pub(super) storage_type: &'static str,
    pub(super) ipv6_enable: bool,
    pub(super) connector_enable: bool,
    pub(super) connector_node_num: u32,
    pub(super) connector_id: String,
    pub(super) rest_enable: bool,
    pub(super) new_spec_billing_enable: bool,
    pub(super) broker_num: u32,
    pub(super) node_num: u32,
    pub(super) tags: [(); 0],
}

/// One `ListBackgroundTasksRespTasks` entry.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub(super) id: String,
    pub(super) name: &'static str,
    pub(super) user_name: String,
    pub(super) user_id: String,
    pub(super) params: String,
    pub(super) status: &'static str,
    pub(super) created_at: String,
    pub(super) updated_at: String,
}

/// The ShowBackgroundTask body.
#[derive(Debug, Serialize)]
pub struct TaskList {
    pub(super) task_count: String,
    pub(super) tasks: Vec<TaskView>,
}

/// The emulator's own view of an instance, for assertions.
#[derive(Debug, Serialize)]
pub struct ControlView {
    #[serde(flatten)]
    pub(super) instance: InstanceView,
    pub(super) project_id: String,
    pub(super) flavor: &'static str,
    pub(super) tasks: Vec<TaskView>,
}
