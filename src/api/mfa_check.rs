//! Code checks handed to the store: unseal the device's seed, ask the OTP engine. Shared by
//! every path that verifies TOTP codes (enable, resync, STS, and later the console).

use super::ApiState;
use crate::domain::AccountId;
use crate::domain::mfa_device::seed_context;
use crate::mfa::otp_check::{self, Outcome, PairWindow, Verdict};
use crate::secret::TotpSeed;
use crate::store::{CodeCheck, DeviceSecret};

/// A hardware token outside its validity dates answers like a wrong code (`otp.md` §8.5).
fn outside_validity(secret: &DeviceSecret, now_unix: i64) -> bool {
    secret.not_before.is_some_and(|start| now_unix < start) || secret.not_after.is_some_and(|end| now_unix > end)
}

/// Wraps an engine call: throttling and validity first, then the unsealed seed.
fn seeded(
    state: &ApiState,
    account: &AccountId,
    now_unix: i64,
    verify: impl Fn(&TotpSeed, &DeviceSecret) -> Verdict + Send + 'static,
) -> CodeCheck {
    let data_key = state.data_key.clone();
    let account = account.clone();
    Box::new(move |secret: &DeviceSecret| {
        if secret.state.throttle.is_locked(now_unix) {
            return Verdict {
                outcome: Outcome::Throttled,
                state: secret.state,
            };
        }
        if outside_validity(secret, now_unix) {
            let mut state = secret.state;
            state.throttle = state.throttle.after_failure(now_unix);
            return Verdict {
                outcome: Outcome::WrongCode,
                state,
            };
        }
        match data_key.open(&secret.sealed_seed, &seed_context(&account, &secret.serial)) {
            Ok(bytes) => verify(&TotpSeed::new(bytes), secret),
            Err(error) => {
                tracing::error!(error = %error, "a device seed could not be unsealed");
                Verdict {
                    outcome: Outcome::WrongCode,
                    state: secret.state,
                }
            }
        }
    })
}

/// Two consecutive codes, for EnableMFADevice and ResyncMFADevice.
pub fn pair_check(
    state: &ApiState,
    account: &AccountId,
    code1: String,
    code2: String,
    window: PairWindow,
    now_unix: i64,
) -> CodeCheck {
    seeded(state, account, now_unix, move |seed, secret| {
        otp_check::verify_pair(seed, secret.params, secret.state, &code1, &code2, window, now_unix)
    })
}

/// One code, for STS (and the console).
pub fn single_check(state: &ApiState, account: &AccountId, code: String, now_unix: i64) -> CodeCheck {
    seeded(state, account, now_unix, move |seed, secret| {
        otp_check::verify_single(seed, secret.params, secret.state, &code, now_unix)
    })
}
