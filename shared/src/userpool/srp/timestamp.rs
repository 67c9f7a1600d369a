//! The SRP TIMESTAMP: `"ddd MMM D HH:mm:ss UTC YYYY"` in UTC with English abbreviations, the day
//! of the month not zero-padded (`Tue Sep 3 08:15:03 UTC 2024`); real Cognito rejects a padded
//! day. The signature covers the client's string verbatim; parsing is only for freshness.

use std::time::{SystemTime, UNIX_EPOCH};

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAY_SECS: i64 = 86_400;

/// Formats `time` as a Cognito TIMESTAMP, e.g. `Tue Sep 3 08:15:03 UTC 2024`.
pub fn cognito_timestamp(time: SystemTime) -> String {
    let secs = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    format_unix(secs)
}

/// Formats Unix seconds as a Cognito TIMESTAMP.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(DAY_SECS);
    let rem = secs.rem_euclid(DAY_SECS);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    format!(
        "{weekday} {} {day} {:02}:{:02}:{:02} UTC {year}",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses a TIMESTAMP into Unix seconds. Only the exact format is accepted: a zero-padded day,
/// a wrong weekday, an out-of-range field or any extra space gives None.
pub fn parse_cognito_timestamp(s: &str) -> Option<i64> {
    let mut parts = s.split(' ');
    let (_weekday, month, day, hms, zone, year) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() || zone != "UTC" || year.len() != 4 || day.len() > 2 {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day = digits(day)?;
    let year = digits(year)?;
    let mut hms_parts = hms.split(':');
    let mut field = |max: i64| {
        let f = hms_parts.next().filter(|f| f.len() == 2)?;
        digits(f).filter(|v| *v < max)
    };
    let (h, m, sec) = (field(24)?, field(60)?, field(60)?);
    if hms_parts.next().is_some() || !(1..=31).contains(&day) {
        return None;
    }
    let secs = crate::clock::days_from_civil(year, month, day) * DAY_SECS + h * 3600 + m * 60 + sec;
    // Re-formatting catches a padded day, a wrong weekday and days past the month's end.
    (format_unix(secs) == s).then_some(secs)
}

/// An unsigned decimal of ASCII digits.
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_without_padding_the_day() {
        assert_eq!(format_unix(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(format_unix(1_725_351_303), "Tue Sep 3 08:15:03 UTC 2024");
        assert_eq!(format_unix(1_537_882_063), "Tue Sep 25 13:27:43 UTC 2018");
        assert_eq!(format_unix(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
        assert_eq!(format_unix(-1), "Wed Dec 31 23:59:59 UTC 1969");
        let t = UNIX_EPOCH + Duration::from_secs(1_704_254_706);
        assert_eq!(cognito_timestamp(t), "Wed Jan 3 04:05:06 UTC 2024");
    }

    #[test]
    fn parses_what_it_formats_across_many_days() {
        let mut secs = -400 * DAY_SECS;
        while secs < 60 * 365 * DAY_SECS {
            let s = format_unix(secs);
            assert_eq!(parse_cognito_timestamp(&s), Some(secs), "{s}");
            secs += 7 * DAY_SECS + 3_671;
        }
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "Tue Sep 03 08:15:03 UTC 2024",
            "Wed Sep 3 08:15:03 UTC 2024",
            "Tue Sep  3 08:15:03 UTC 2024",
            "Tue Sep 3 8:15:03 UTC 2024",
            "Tue Sep 3 08:15:03 GMT 2024",
            "Tue Sep 3 08:15:60 UTC 2024",
            "Tue Sep 3 24:00:00 UTC 2024",
            "Sat Feb 30 00:00:00 UTC 2019",
            "Tue Sep 3 08:15:03 UTC 2024 ",
            "Tue Sep 3 08:15:03:00 UTC 2024",
            "Tue Sep +3 08:15:03 UTC 2024",
            "Tue Sept 3 08:15:03 UTC 2024",
            "",
            "Tue Sep 3",
        ] {
            assert_eq!(parse_cognito_timestamp(bad), None, "{bad:?}");
        }
    }
}
