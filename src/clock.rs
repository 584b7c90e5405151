//! The one place that reads the system clock.
//!
//! Everything time-based (dates in responses, expiry, TOTP steps) reads [`Clock::now`], which
//! test mode can freeze, set and advance (`spec/test-mode.md`). SigV4 freshness uses
//! [`Clock::real_now`] because clients sign with real time.

use std::sync::{Arc, Mutex, PoisonError};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Real,
    Frozen(OffsetDateTime),
}

/// A shared, cheaply cloned clock.
#[derive(Clone, Debug)]
pub struct Clock {
    mode: Arc<Mutex<Mode>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The real, running clock.
    pub fn system() -> Self {
        Self {
            mode: Arc::new(Mutex::new(Mode::Real)),
        }
    }

    /// A clock frozen at `at` (unit tests).
    pub fn fixed(at: OffsetDateTime) -> Self {
        Self {
            mode: Arc::new(Mutex::new(Mode::Frozen(at))),
        }
    }

    /// Real time, whatever test mode did to the clock.
    #[allow(clippy::disallowed_methods)] // this module is the one allowed reader
    pub fn real_now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn mode(&self) -> Mode {
        *self.mode.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap_or_else(PoisonError::into_inner) = mode;
    }

    /// The time everything in Tessera runs on.
    pub fn now(&self) -> OffsetDateTime {
        match self.mode() {
            Mode::Real => Self::real_now(),
            Mode::Frozen(at) => at,
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self.mode(), Mode::Frozen(_))
    }

    /// Freeze the clock at `at`.
    pub fn freeze_at(&self, at: OffsetDateTime) {
        self.set_mode(Mode::Frozen(at));
    }

    /// Move the clock forward; a running clock becomes frozen at real time + `seconds`.
    pub fn advance(&self, seconds: u32) {
        let at = self.now() + time::Duration::seconds(i64::from(seconds));
        self.set_mode(Mode::Frozen(at));
    }

    /// Back to real, running time.
    pub fn release(&self) {
        self.set_mode(Mode::Real);
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC; callers add AWS's zone suffix (`Z` in API dates,
/// `+00:00` in credential reports).
pub fn utc_seconds(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let clock = Clock::fixed(datetime!(2024-01-15 12:00:00 UTC));
        assert_eq!(clock.now(), datetime!(2024-01-15 12:00:00 UTC));
        clock.advance(90);
        assert_eq!(clock.now(), datetime!(2024-01-15 12:01:30 UTC));
        assert!(clock.is_frozen());
        clock.release();
        assert!(!clock.is_frozen());
        assert!(clock.now().year() >= 2024);
    }
}
