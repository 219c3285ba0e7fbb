//! The one tokio runtime every client shares: sync calls block on it, async calls run on it.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::Error;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

pub fn runtime() -> Result<&'static Runtime, Error> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .thread_name("dmskafka-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Sdk(format!("cannot start the I/O runtime: {e}")))
}
