//! The emulator's clock: real time plus an offset that `advance` moves forward.
//!
//! Jobs and timestamps use this clock, so tests fast-forward instead of sleeping.
//! Signature checks never use it: X-Sdk-Date is compared with the real wall clock,
//! as the gateway does, so `advance` cannot make valid requests look skewed.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

pub fn real_now_ms() -> Millis {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        // A clock before 1970: treat as the epoch rather than fail.
        Err(_) => 0,
    }
}

pub fn duration_ms(d: Duration) -> Millis {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Clock {
    /// Emulator time now.
    pub fn now_ms(&self) -> Millis {
        real_now_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves emulator time forward; time never goes back.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(duration_ms(by), Ordering::Relaxed);
    }
}

/// `2021-09-06T11:55:47.093Z`, the background-task timestamp format.
pub fn iso_millis(ms: Millis) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_emulator_time_only() {
        let c = Clock::default();
        let before = c.now_ms();
        c.advance(Duration::from_secs(3600));
        assert!(c.now_ms() - before >= 3_600_000);
        assert!(real_now_ms() < c.now_ms() - 3_000_000);
    }

    #[test]
    fn iso_format() {
        assert_eq!(iso_millis(1_630_929_347_093), "2021-09-06T11:55:47.093Z");
    }
}
