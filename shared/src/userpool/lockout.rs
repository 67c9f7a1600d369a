//! Failed sign-in lockout as Cognito does it: after 5 failures each further one locks the user
//! out for 2^(n-5) seconds, up to 15 minutes; attempts while locked are refused without
//! counting; 15 idle minutes or a successful sign-in reset the count.

use super::model::Lockout;
use crate::error::{ApiError, ApiResult};

const FREE_FAILURES: u32 = 5;
const MAX_LOCK_MS: i64 = 15 * 60 * 1000;
/// Failures are forgotten after this long without one.
pub const IDLE_RESET_MS: i64 = 15 * 60 * 1000;

/// Refuses the attempt if the user is locked out now.
pub fn check(state: &Lockout, now_ms: i64) -> ApiResult<()> {
    if now_ms < state.locked_until_ms {
        return Err(ApiError::not_authorized("Password attempts exceeded"));
    }
    Ok(())
}

/// The state after one more failure at `now_ms`.
pub fn after_failure(state: &Lockout, now_ms: i64) -> Lockout {
    let failures = if now_ms - state.last_failure_ms > IDLE_RESET_MS {
        1
    } else {
        state.failures + 1
    };
    let locked_until_ms = if failures >= FREE_FAILURES {
        let exp = (failures - FREE_FAILURES).min(20);
        now_ms + (1000i64 << exp).min(MAX_LOCK_MS)
    } else {
        0
    };
    Lockout {
        failures,
        locked_until_ms,
        last_failure_ms: now_ms,
    }
}

/// The state that `failures` failures, the last at `last_failure_ms`, leave behind.
pub fn replay(failures: u32, last_failure_ms: i64) -> Lockout {
    let previous = Lockout {
        failures: failures.saturating_sub(1),
        locked_until_ms: 0,
        last_failure_ms,
    };
    if failures == 0 {
        return Lockout::default();
    }
    after_failure(&previous, last_failure_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_and_doubles_up_to_fifteen_minutes() {
        let mut s = Lockout::default();
        let t = 10_000_000;
        for _ in 0..4 {
            s = after_failure(&s, t);
            assert!(check(&s, t).is_ok());
        }
        s = after_failure(&s, t);
        assert_eq!(s.failures, 5);
        assert_eq!(s.locked_until_ms - t, 1000);
        assert_eq!(
            check(&s, t).unwrap_err().message,
            "Password attempts exceeded"
        );
        assert!(check(&s, t + 1000).is_ok());
        s = after_failure(&s, t + 1000);
        assert_eq!(s.locked_until_ms - (t + 1000), 2000);
        for _ in 0..30 {
            s = after_failure(&s, t + 2000);
        }
        assert_eq!(s.locked_until_ms - (t + 2000), MAX_LOCK_MS);
        let fresh = after_failure(&s, t + 2000 + IDLE_RESET_MS + 1);
        assert_eq!(fresh.failures, 1);
        let replayed = replay(s.failures, s.last_failure_ms);
        assert_eq!(replayed.locked_until_ms, s.locked_until_ms);
        assert_eq!(replay(0, t).locked_until_ms, 0);
    }
}
