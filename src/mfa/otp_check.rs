//! Whether a submitted code is accepted, and the device state to store afterwards
//! (`otp.md` §5–§7, `iam-mfa.md` §2.2–§2.5).
//!
//! Pure decisions: the caller passes the stored [`OtpState`] and `now_unix`, and stores the
//! returned state whatever the outcome, with a guarded write that refuses to lower
//! `last_used_step` (`otp.md` §6.4); a lost race counts as a wrong code.
//!
//! Throttle (`otp.md` §7), the same for a device and for a principal's counter:
//! ```text
//!             failure (1st–4th)            5th failure
//!   open ──────────────────────► open ─────────────────► locked 60 s
//!    ▲                                                      │ every attempt: Throttled,
//!    │ success (any time it is not locked)                  │ nothing computed, no change
//!    │                                                      ▼ lock expires
//!    └──────────────────────────────────────────────── expired ──failure n≥6──► locked
//!                                                     60·2^(n−5) s, at most 15 min
//! ```

use subtle::ConstantTimeEq;

use super::totp::{TotpParams, step_at, totp_at_step};
use crate::secret::TotpSeed;

/// Failed verifications allowed before the first lock (`otp.md` §7).
pub const FAILURES_BEFORE_LOCK: u32 = 5;
/// The first lock; each further failure doubles it (`otp.md` §7).
pub const FIRST_LOCK_SECONDS: i64 = 60;
/// The longest lock: 15 minutes (`otp.md` §7).
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;
/// Largest `|drift|` ever stored, in steps (`otp.md` §6.5).
pub const MAX_DRIFT_STEPS: u64 = 120;

/// Consecutive failures and the lock they caused. Independent of any device, so the store also
/// keeps one per principal for unknown or foreign serials (`otp.md` §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    /// Unix seconds; attempts before this instant are refused.
    pub locked_until: Option<i64>,
}

impl Throttle {
    /// Whether attempts are refused at `now_unix`. A refused attempt computes nothing and
    /// changes nothing (`otp.md` §7).
    pub fn is_locked(&self, now_unix: i64) -> bool {
        self.locked_until.is_some_and(|until| now_unix < until)
    }

    /// The counter after a failed attempt that was not refused: the 5th consecutive failure
    /// locks for 60 s and each further one doubles the lock, up to 15 minutes (`otp.md` §7).
    pub fn after_failure(self, now_unix: i64) -> Throttle {
        let failures = self.failures.saturating_add(1);
        let locked_until = failures.checked_sub(FAILURES_BEFORE_LOCK).map(|doublings| {
            // 60 · 2^10 already exceeds the cap; bounding the shift keeps it from overflowing.
            let seconds = (FIRST_LOCK_SECONDS << doublings.min(10)).min(MAX_LOCK_SECONDS);
            now_unix.saturating_add(seconds)
        });
        Throttle { failures, locked_until }
    }

    /// A success resets the counter and any lock (`otp.md` §7).
    pub fn after_success(self) -> Throttle {
        Throttle::default()
    }
}

/// A device's verification state (`otp.md` §5); the secret and parameters are stored beside it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OtpState {
    /// Highest step ever accepted; never lowered, kept across deactivation (`otp.md` §5).
    pub last_used_step: Option<i64>,
    /// Device clock offset in steps (`otp.md` §5), within ±[`MAX_DRIFT_STEPS`].
    pub drift: i64,
    pub throttle: Throttle,
}

/// Which search range a pair of consecutive codes is looked for in (`otp.md` §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairWindow {
    /// `EnableMFADevice` and console enrolment: `s ∈ [t−10, t+9]`, about ±5 minutes.
    Enable,
    /// `ResyncMFADevice` and console resync: `s ∈ [t−120, t+119]`, about ±1 hour.
    Resync,
}

impl PairWindow {
    /// Steps before and after `t` that `s` may take.
    fn reach(self) -> (i64, i64) {
        match self {
            Self::Enable => (10, 9),
            Self::Resync => (120, 119),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Wrong, malformed, replayed or out-of-window code.
    WrongCode,
    /// Refused unchecked while locked; callers answer exactly as for [`Outcome::WrongCode`]
    /// (`otp.md` §7: no oracle).
    Throttled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// The state to store, whatever the outcome (failure counts and locks change too).
    pub state: OtpState,
}

/// One code, for console sign-in and `GetSessionToken` (`otp.md` §6.2).
///
/// Candidates are `u ∈ {t+drift−1, t+drift, t+drift+1}` with `u > last_used_step`; every
/// candidate's code is computed and compared in constant time, and the lowest match wins. On
/// success `last_used_step := u` and `drift := u − t`. A step whose drift would exceed
/// [`MAX_DRIFT_STEPS`] is not a candidate (`otp.md` §6.5). A code that is not exactly
/// `params.digits` ASCII digits is a failure that costs no HMAC (`otp.md` §6.1).
pub fn verify_single(seed: &TotpSeed, params: TotpParams, state: OtpState, code: &str, now_unix: i64) -> Verdict {
    if state.throttle.is_locked(now_unix) {
        return throttled(state);
    }
    if !well_formed(code, params.digits) {
        return failed(state, now_unix);
    }
    let t = step_at(now_unix, params.period);
    let Some(expected) = t.checked_add(state.drift) else {
        return failed(state, now_unix);
    };
    let mut accepted = None;
    for offset in [-1, 0, 1] {
        let Some(u) = expected.checked_add(offset) else {
            continue;
        };
        // Computed and compared for every candidate: the work does not depend on the code.
        let matches = same_code(&totp_at_step(seed, u, params), code);
        if matches && accepted.is_none() && after_last_used(u, state.last_used_step) {
            accepted = u
                .checked_sub(t)
                .filter(|&drift| within_cap(drift))
                .map(|drift| (u, drift));
        }
    }
    match accepted {
        Some((u, drift)) => succeeded(state, u, drift),
        None => failed(state, now_unix),
    }
}

/// Two consecutive codes, for `EnableMFADevice`, `ResyncMFADevice` and console enrolment
/// (`otp.md` §6.3).
///
/// Looks for `s` in the window's range around `t` with `s > last_used_step`,
/// code(`s`) = `code1` and code(`s+1`) = `code2`; of several, the one nearest `t`, then the
/// lower. Stored drift: for [`PairWindow::Enable`] 0 if `s+1 ≤ t+1` (the user was slow, the
/// clock is fine), else `(s+1) − t` (device ahead); for [`PairWindow::Resync`] `(s+1) − t`. A
/// pair whose drift would exceed [`MAX_DRIFT_STEPS`] is not accepted (`otp.md` §6.5). On
/// success `last_used_step := s+1`, so neither code can be replayed.
pub fn verify_pair(
    seed: &TotpSeed,
    params: TotpParams,
    state: OtpState,
    code1: &str,
    code2: &str,
    window: PairWindow,
    now_unix: i64,
) -> Verdict {
    if state.throttle.is_locked(now_unix) {
        return throttled(state);
    }
    if !well_formed(code1, params.digits) || !well_formed(code2, params.digits) {
        return failed(state, now_unix);
    }
    let t = step_at(now_unix, params.period);
    let (before, after) = window.reach();
    let (Some(first), Some(last)) = (t.checked_sub(before), t.checked_add(after + 1)) else {
        return failed(state, now_unix);
    };
    let codes: Vec<(i64, String)> = (first..=last)
        .map(|step| (step, totp_at_step(seed, step, params)))
        .collect();
    let mut best: Option<(i64, i64)> = None;
    for pair in codes.windows(2) {
        let [(s, at_s), (next, at_next)] = pair else {
            continue;
        };
        // `&`, not `&&`: both codes are always compared.
        let matches = same_code(at_s, code1) & same_code(at_next, code2);
        if !matches || !after_last_used(*s, state.last_used_step) {
            continue;
        }
        let Some(drift) = pair_drift(*next, t, window).filter(|&drift| within_cap(drift)) else {
            continue;
        };
        // Ascending order: a later `s` wins only when strictly nearer `t`.
        if best.is_none_or(|(chosen, _)| s.abs_diff(t) < chosen.abs_diff(t)) {
            best = Some((*s, drift));
        }
    }
    match best.and_then(|(s, drift)| Some((s.checked_add(1)?, drift))) {
        Some((next, drift)) => succeeded(state, next, drift),
        None => failed(state, now_unix),
    }
}

/// Drift after a pair ending at step `next` = `s+1` (`otp.md` §6.3).
fn pair_drift(next: i64, t: i64, window: PairWindow) -> Option<i64> {
    let offset = next.checked_sub(t)?;
    Some(match window {
        PairWindow::Enable if offset <= 1 => 0,
        PairWindow::Enable | PairWindow::Resync => offset,
    })
}

/// `^[0-9]{digits}$` (`otp.md` §6.1).
fn well_formed(code: &str, digits: u32) -> bool {
    usize::try_from(digits).is_ok_and(|digits| code.len() == digits) && code.bytes().all(|b| b.is_ascii_digit())
}

/// Constant-time over the code's bytes (`otp.md` §3); the length is public.
fn same_code(expected: &str, submitted: &str) -> bool {
    expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

/// Replay rule: only steps above the last accepted one (`otp.md` §6.4).
fn after_last_used(step: i64, last_used_step: Option<i64>) -> bool {
    last_used_step.is_none_or(|last| step > last)
}

fn within_cap(drift: i64) -> bool {
    drift.unsigned_abs() <= MAX_DRIFT_STEPS
}

fn throttled(state: OtpState) -> Verdict {
    Verdict {
        outcome: Outcome::Throttled,
        state,
    }
}

fn failed(state: OtpState, now_unix: i64) -> Verdict {
    Verdict {
        outcome: Outcome::WrongCode,
        state: OtpState {
            throttle: state.throttle.after_failure(now_unix),
            ..state
        },
    }
}

fn succeeded(state: OtpState, step: i64, drift: i64) -> Verdict {
    Verdict {
        outcome: Outcome::Accepted,
        state: OtpState {
            last_used_step: Some(step),
            drift,
            throttle: state.throttle.after_success(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfa::totp::HashAlgorithm;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// `otp.md` §2.1: the SHA-1 RFC seed; at 1111111111 the step `t` is 37037037.
    const NOW: i64 = 1111111111;
    const T: i64 = 37037037;

    fn seed() -> TotpSeed {
        TotpSeed::new(b"12345678901234567890".to_vec())
    }

    fn code_at(step: i64) -> String {
        totp_at_step(&seed(), step, TotpParams::VIRTUAL)
    }

    fn single(state: OtpState, code: &str) -> Verdict {
        verify_single(&seed(), TotpParams::VIRTUAL, state, code, NOW)
    }

    fn pair(state: OtpState, first: &str, second: &str, window: PairWindow) -> Verdict {
        verify_pair(&seed(), TotpParams::VIRTUAL, state, first, second, window, NOW)
    }

    fn pair_at(state: OtpState, s: i64, window: PairWindow) -> Verdict {
        pair(state, &code_at(s), &code_at(s + 1), window)
    }

    fn accepted(last_used_step: i64, drift: i64) -> Verdict {
        Verdict {
            outcome: Outcome::Accepted,
            state: OtpState {
                last_used_step: Some(last_used_step),
                drift,
                throttle: Throttle::default(),
            },
        }
    }

    fn one_failure(state: OtpState) -> Verdict {
        Verdict {
            outcome: Outcome::WrongCode,
            state: OtpState {
                throttle: Throttle {
                    failures: state.throttle.failures + 1,
                    locked_until: None,
                },
                ..state
            },
        }
    }

    /// `otp.md` §9: window edges on a fresh device with drift 0.
    #[test]
    fn single_code_window_is_one_step_each_side() {
        let fresh = OtpState::default();
        assert_eq!(single(fresh, "081804"), accepted(T - 1, -1));
        assert_eq!(single(fresh, "050471"), accepted(T, 0));
        assert_eq!(single(fresh, "266759"), accepted(T + 1, 1));
        assert_eq!(single(fresh, "731029"), one_failure(fresh));
        assert_eq!(single(fresh, "306183"), one_failure(fresh));
    }

    /// `otp.md` §6.4/§9: after `t+1` was used, older codes still in the window are refused.
    #[test]
    fn older_steps_are_refused_after_a_newer_one() {
        let used = single(OtpState::default(), "266759").state;
        assert_eq!(single(used, "081804"), one_failure(used));
        assert_eq!(single(used, "050471"), one_failure(used));
        assert_eq!(single(used, "266759"), one_failure(used));
    }

    #[test]
    fn the_same_code_twice_fails_the_second_time() {
        let first = single(OtpState::default(), "050471");
        assert_eq!(first.outcome, Outcome::Accepted);
        let second = single(first.state, "050471");
        assert_eq!(second.outcome, Outcome::WrongCode);
        assert_eq!(second.state.last_used_step, Some(T));
    }

    #[test]
    fn single_code_window_follows_the_drift() {
        let ahead = OtpState {
            drift: 3,
            ..OtpState::default()
        };
        assert_eq!(single(ahead, &code_at(T)), one_failure(ahead));
        assert_eq!(single(ahead, &code_at(T + 2)), accepted(T + 2, 2));
        assert_eq!(single(ahead, &code_at(T + 4)), accepted(T + 4, 4));
        assert_eq!(single(ahead, &code_at(T + 5)), one_failure(ahead));
        let behind = OtpState {
            drift: -2,
            ..OtpState::default()
        };
        assert_eq!(single(behind, &code_at(T - 3)), accepted(T - 3, -3));
        assert_eq!(single(behind, "050471"), one_failure(behind));
    }

    #[test]
    fn single_code_drift_stays_within_the_cap() {
        let at_cap = OtpState {
            drift: 120,
            ..OtpState::default()
        };
        assert_eq!(single(at_cap, &code_at(T + 120)), accepted(T + 120, 120));
        assert_eq!(single(at_cap, &code_at(T + 121)), one_failure(at_cap));
        let at_negative_cap = OtpState {
            drift: -120,
            ..OtpState::default()
        };
        assert_eq!(single(at_negative_cap, &code_at(T - 120)), accepted(T - 120, -120));
        assert_eq!(single(at_negative_cap, &code_at(T - 121)), one_failure(at_negative_cap));
    }

    #[test]
    fn malformed_codes_are_failures() {
        let fresh = OtpState::default();
        for code in [
            "",
            "05047",
            "0504711",
            "05047a",
            " 050471",
            "050 471",
            "０５０４７１",
            "-50471",
        ] {
            assert_eq!(single(fresh, code), one_failure(fresh), "{code:?}");
            assert_eq!(
                pair(fresh, code, "050471", PairWindow::Enable),
                one_failure(fresh),
                "{code:?}"
            );
            assert_eq!(
                pair(fresh, "081804", code, PairWindow::Enable),
                one_failure(fresh),
                "{code:?}"
            );
        }
    }

    /// With one-digit codes, codes repeat inside a window, which exercises the tie-breaks.
    fn one_digit() -> TotpParams {
        TotpParams {
            digits: 1,
            ..TotpParams::VIRTUAL
        }
    }

    #[test]
    fn single_code_takes_the_lowest_matching_step() {
        let seed = seed();
        let p = one_digit();
        let mut checked = 0;
        for t in T..T + 400 {
            let codes: Vec<String> = (t - 1..=t + 1).map(|u| totp_at_step(&seed, u, p)).collect();
            let lowest = (t - 1..=t + 1)
                .zip(&codes)
                .find(|(_, c)| **c == codes[2])
                .map(|(u, _)| u)
                .unwrap();
            if lowest == t + 1 {
                continue;
            }
            let verdict = verify_single(&seed, p, OtpState::default(), &codes[2], t * 30 + 7);
            assert_eq!(verdict.state.last_used_step, Some(lowest), "t = {t}");
            assert_eq!(verdict.state.drift, lowest - t);
            checked += 1;
        }
        assert!(checked > 20, "only {checked} repeated codes found");
    }

    #[test]
    fn pair_takes_the_match_nearest_now_then_the_lower() {
        let seed = seed();
        let p = one_digit();
        let mut equidistant = 0;
        for t in T..T + 300 {
            let code = |s: i64| totp_at_step(&seed, s, p);
            // The pair found at t+3; the expected winner among all matching s in [t−10, t+9].
            let (first, second) = (code(t + 3), code(t + 4));
            let matching: Vec<i64> = (t - 10..=t + 9)
                .filter(|&s| code(s) == first && code(s + 1) == second)
                .collect();
            let winner = *matching.iter().min_by_key(|&&s| (s.abs_diff(t), s)).unwrap();
            if matching
                .iter()
                .any(|&s| s != winner && s.abs_diff(t) == winner.abs_diff(t))
            {
                equidistant += 1;
            }
            let verdict = verify_pair(
                &seed,
                p,
                OtpState::default(),
                &first,
                &second,
                PairWindow::Resync,
                t * 30,
            );
            let resync_matching: Vec<i64> = (t - 120..=t + 119)
                .filter(|&s| code(s) == first && code(s + 1) == second)
                .collect();
            let resync_winner = *resync_matching.iter().min_by_key(|&&s| (s.abs_diff(t), s)).unwrap();
            assert_eq!(verdict.state.last_used_step, Some(resync_winner + 1), "t = {t}");
            let verdict = verify_pair(
                &seed,
                p,
                OtpState::default(),
                &first,
                &second,
                PairWindow::Enable,
                t * 30,
            );
            assert_eq!(verdict.state.last_used_step, Some(winner + 1), "t = {t}");
        }
        assert!(equidistant > 0, "no equidistant tie exercised");
    }

    /// `otp.md` §9: order and consecutiveness.
    #[test]
    fn pair_must_be_consecutive_and_in_order() {
        let fresh = OtpState::default();
        assert_eq!(pair(fresh, "081804", "050471", PairWindow::Enable), accepted(T, 0));
        assert_eq!(pair(fresh, "050471", "081804", PairWindow::Enable), one_failure(fresh));
        assert_eq!(pair(fresh, "081804", "266759", PairWindow::Enable), one_failure(fresh));
        assert_eq!(pair(fresh, "050471", "050471", PairWindow::Enable), one_failure(fresh));
    }

    /// `otp.md` §6.3: enable searches `[t−10, t+9]`; a pair in the past leaves drift 0, a
    /// device ahead gets `(s+1) − t`.
    #[test]
    fn enable_window_and_drift() {
        let fresh = OtpState::default();
        assert_eq!(pair_at(fresh, T - 10, PairWindow::Enable), accepted(T - 9, 0));
        assert_eq!(pair_at(fresh, T - 11, PairWindow::Enable), one_failure(fresh));
        assert_eq!(pair(fresh, "150727", "731029", PairWindow::Enable), accepted(T - 2, 0));
        assert_eq!(pair_at(fresh, T, PairWindow::Enable), accepted(T + 1, 0));
        assert_eq!(pair(fresh, "306183", "466594", PairWindow::Enable), accepted(T + 3, 3));
        assert_eq!(pair_at(fresh, T + 9, PairWindow::Enable), accepted(T + 10, 10));
        assert_eq!(pair_at(fresh, T + 10, PairWindow::Enable), one_failure(fresh));
    }

    #[test]
    fn after_enabling_a_device_ahead_the_next_code_is_found() {
        let enabled = pair(OtpState::default(), "306183", "466594", PairWindow::Enable).state;
        assert_eq!(single(enabled, "466594"), one_failure(enabled));
        assert_eq!(single(enabled, &code_at(T + 4)), accepted(T + 4, 4));
    }

    /// `otp.md` §6.3/§6.5: resync searches `[t−120, t+119]`, stores `(s+1) − t`, and the
    /// drift stays within ±120.
    #[test]
    fn resync_window_and_drift() {
        let fresh = OtpState::default();
        assert_eq!(pair_at(fresh, T - 50, PairWindow::Resync), accepted(T - 49, -49));
        assert_eq!(pair_at(fresh, T - 1, PairWindow::Resync), accepted(T, 0));
        assert_eq!(pair_at(fresh, T + 60, PairWindow::Resync), accepted(T + 61, 61));
        assert_eq!(pair_at(fresh, T - 120, PairWindow::Resync), accepted(T - 119, -119));
        assert_eq!(pair_at(fresh, T - 121, PairWindow::Resync), one_failure(fresh));
        assert_eq!(pair_at(fresh, T + 119, PairWindow::Resync), accepted(T + 120, 120));
        assert_eq!(pair_at(fresh, T + 120, PairWindow::Resync), one_failure(fresh));
        assert_eq!(
            pair_drift(T + 122, T, PairWindow::Resync).filter(|&d| within_cap(d)),
            None
        );
    }

    #[test]
    fn pair_respects_the_last_used_step() {
        let used = OtpState {
            last_used_step: Some(T),
            ..OtpState::default()
        };
        assert_eq!(pair_at(used, T, PairWindow::Enable), one_failure(used));
        assert_eq!(pair_at(used, T - 1, PairWindow::Resync), one_failure(used));
        assert_eq!(pair_at(used, T + 1, PairWindow::Enable), accepted(T + 2, 2));
        // A pair consumes both steps: neither code works as a single code afterwards.
        let enabled = pair(OtpState::default(), "081804", "050471", PairWindow::Enable).state;
        assert_eq!(single(enabled, "081804").outcome, Outcome::WrongCode);
        assert_eq!(single(enabled, "050471").outcome, Outcome::WrongCode);
        assert_eq!(single(enabled, "266759").outcome, Outcome::Accepted);
    }

    #[test]
    fn failures_leave_last_used_step_and_drift_alone() {
        let state = OtpState {
            last_used_step: Some(T - 5),
            drift: 1,
            throttle: Throttle::default(),
        };
        let after = single(state, "000000").state;
        assert_eq!((after.last_used_step, after.drift), (Some(T - 5), 1));
        let after = pair(state, "000000", "000000", PairWindow::Resync).state;
        assert_eq!((after.last_used_step, after.drift), (Some(T - 5), 1));
    }

    /// `otp.md` §7/§9: five wrong codes, then the right one is refused for 60 s.
    #[test]
    fn five_failures_lock_the_device_for_a_minute() {
        let wrong = if code_at(T) == "000000" { "111111" } else { "000000" };
        let mut state = OtpState::default();
        for n in 1..=5 {
            let verdict = single(state, wrong);
            assert_eq!(verdict.outcome, Outcome::WrongCode);
            assert_eq!(verdict.state.throttle.failures, n);
            state = verdict.state;
        }
        assert_eq!(state.throttle.locked_until, Some(NOW + 60));
        for later in [0, 1, 30, 59] {
            let verdict = verify_single(&seed(), TotpParams::VIRTUAL, state, "050471", NOW + later);
            assert_eq!(
                verdict,
                Verdict {
                    outcome: Outcome::Throttled,
                    state
                },
                "+{later} s"
            );
            let verdict = verify_pair(
                &seed(),
                TotpParams::VIRTUAL,
                state,
                "081804",
                "050471",
                PairWindow::Enable,
                NOW + later,
            );
            assert_eq!(
                verdict,
                Verdict {
                    outcome: Outcome::Throttled,
                    state
                },
                "+{later} s"
            );
        }
        let t = step_at(NOW + 60, 30);
        let verdict = verify_single(&seed(), TotpParams::VIRTUAL, state, &code_at(t), NOW + 60);
        assert_eq!(verdict.outcome, Outcome::Accepted);
        assert_eq!(verdict.state.throttle, Throttle::default());
    }

    #[test]
    fn locks_double_up_to_fifteen_minutes_and_success_resets() {
        let mut throttle = Throttle::default();
        let mut now = 1_000_000;
        for _ in 0..4 {
            throttle = throttle.after_failure(now);
            assert_eq!(throttle.locked_until, None);
            assert!(!throttle.is_locked(now));
        }
        for expected in [60, 120, 240, 480, 900, 900, 900] {
            throttle = throttle.after_failure(now);
            assert_eq!(
                throttle.locked_until,
                Some(now + expected),
                "failure {}",
                throttle.failures
            );
            assert!(throttle.is_locked(now + expected - 1));
            assert!(!throttle.is_locked(now + expected));
            now += expected;
        }
        assert_eq!(throttle.failures, 11);
        assert_eq!(throttle.after_success(), Throttle::default());
        let far = Throttle {
            failures: u32::MAX,
            locked_until: None,
        };
        assert_eq!(far.after_failure(i64::MAX).locked_until, Some(i64::MAX));
        assert_eq!(far.after_failure(0).failures, u32::MAX);
    }

    #[test]
    fn a_failed_pair_counts_like_a_failed_code() {
        let mut state = OtpState::default();
        for _ in 0..5 {
            state = pair(state, "000000", "000000", PairWindow::Resync).state;
        }
        assert!(state.throttle.is_locked(NOW));
        assert_eq!(single(state, "050471").outcome, Outcome::Throttled);
    }

    #[test]
    fn other_parameters_are_honoured() {
        let p = TotpParams {
            algorithm: HashAlgorithm::Sha256,
            digits: 6,
            period: 60,
        };
        let seed = TotpSeed::new(b"12345678901234567890123456789012".to_vec());
        let t = step_at(NOW, 60);
        let code = totp_at_step(&seed, t, p);
        let verdict = verify_single(&seed, p, OtpState::default(), &code, NOW);
        assert_eq!(verdict.state.last_used_step, Some(t));
        let verdict = verify_single(&seed, TotpParams::VIRTUAL, OtpState::default(), &code, NOW);
        assert_ne!(verdict.state.last_used_step, Some(t));
    }

    #[test]
    fn extreme_times_and_drifts_do_not_panic() {
        let wild = OtpState {
            last_used_step: Some(i64::MIN),
            drift: i64::MAX,
            throttle: Throttle::default(),
        };
        for now in [i64::MIN, -1, 0, 29, i64::MAX] {
            assert_ne!(single(wild, "123456").outcome, Outcome::Accepted);
            let _ = verify_single(&seed(), TotpParams::VIRTUAL, OtpState::default(), "123456", now);
            for window in [PairWindow::Enable, PairWindow::Resync] {
                let _ = verify_pair(&seed(), TotpParams::VIRTUAL, wild, "123456", "654321", window, now);
            }
        }
        // Near the epoch, negative candidate steps have no code and simply never match.
        let verdict = verify_single(&seed(), TotpParams::VIRTUAL, OtpState::default(), &code_at(0), 5);
        assert_eq!(verdict.state.last_used_step, Some(0));
    }

    #[derive(Clone, Debug)]
    enum Attempt {
        /// The clock moves by `advance` seconds (backwards too), then a code for step
        /// `t + offset` (or a fixed wrong code) is tried.
        Single { advance: i64, offset: i64, wrong: bool },
        Pair {
            advance: i64,
            offset: i64,
            window: PairWindow,
        },
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        let advance = -300i64..900;
        let window = prop_oneof![Just(PairWindow::Enable), Just(PairWindow::Resync)];
        prop_oneof![
            4 => (advance.clone(), -3i64..=3, proptest::bool::weighted(0.1))
                .prop_map(|(advance, offset, wrong)| Attempt::Single { advance, offset, wrong }),
            1 => (advance, -125i64..=125, window)
                .prop_map(|(advance, offset, window)| Attempt::Pair { advance, offset, window }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// `otp.md` §6.4: whatever the times and codes, with the state threaded through, a step
        /// is accepted at most once and accepted steps only go up.
        #[test]
        fn no_step_is_ever_accepted_twice(attempts in proptest::collection::vec(attempt(), 1..30)) {
            let seed = seed();
            let mut now = 1_700_000_000i64;
            let mut state = OtpState::default();
            let mut consumed = HashSet::new();
            let mut highest: Option<i64> = None;
            for attempt in attempts {
                let before = state;
                let (verdict, steps) = match attempt {
                    Attempt::Single { advance, offset, wrong } => {
                        now += advance;
                        let code = if wrong { "000000".to_owned() } else { code_at(step_at(now, 30) + offset) };
                        let verdict = verify_single(&seed, TotpParams::VIRTUAL, state, &code, now);
                        let u = verdict.state.last_used_step;
                        if verdict.outcome == Outcome::Accepted {
                            prop_assert_eq!(code_at(u.unwrap()), code);
                        }
                        (verdict, u.map(|u| vec![u]))
                    }
                    Attempt::Pair { advance, offset, window } => {
                        now += advance;
                        let s = step_at(now, 30) + offset;
                        let verdict = verify_pair(&seed, TotpParams::VIRTUAL, state, &code_at(s), &code_at(s + 1), window, now);
                        (verdict, verdict.state.last_used_step.map(|last| vec![last - 1, last]))
                    }
                };
                state = verdict.state;
                if verdict.outcome == Outcome::Accepted {
                    let steps = steps.unwrap();
                    for step in steps {
                        prop_assert!(highest.is_none_or(|h| step > h), "step {step} after {highest:?}");
                        prop_assert!(consumed.insert(step), "step {step} accepted twice");
                        highest = Some(step);
                    }
                    prop_assert!(state.drift.unsigned_abs() <= MAX_DRIFT_STEPS);
                } else {
                    prop_assert_eq!(state.last_used_step, before.last_used_step);
                    prop_assert_eq!(state.drift, before.drift);
                }
                if verdict.outcome == Outcome::Throttled {
                    prop_assert_eq!(state, before);
                }
            }
        }
    }
}
