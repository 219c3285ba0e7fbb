//! dmskafka: a client for Huawei Cloud DMS for Kafka Smart Connect.
//!
//! The core — validation, signing (the four official algorithms), the HTTP call and typed errors —
//! is plain Rust. The `emulator` feature adds a local fake of the DMS API; the
//! `python` feature adds the thin pyo3 layer that maturin builds as `dmskafka._core`.

pub mod client;
pub mod config;
pub mod credentials;
pub mod error;
pub mod model;
pub mod operations;
pub mod region;
pub mod regions_file;
pub mod runtime;
pub mod signer;
pub mod spec;
mod timeouts;
mod tls;
mod transport;
pub mod validate;

#[cfg(feature = "emulator")]
pub mod emulator;

#[cfg(feature = "python")]
mod python;

pub use client::{CallOptions, Client, RawResponse, Trace};
pub use config::HttpConfig;
pub use credentials::Credentials;
pub use error::{Error, ErrorValues, JsonValue, SdkError};
pub use model::{CreateConnectorReq, CreateConnectorResponse, Specification};
pub use region::Region;

/// The crate version, sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
