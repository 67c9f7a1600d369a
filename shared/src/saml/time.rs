//! `xs:dateTime` instants as SAML writes them (`2026-01-01T00:05:00.000Z`), to milliseconds.

/// Milliseconds since the epoch of an `xs:dateTime` (`Z`, an offset, or no zone read as UTC);
/// `None` if it is not one.
pub fn parse_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = number(date_parts.next()?, 4)?;
    let month: i64 = number(date_parts.next()?, 2)?;
    let day: i64 = number(date_parts.next()?, 2)?;
    // The zone: Z, +hh:mm, -hh:mm, or none.
    let (clock, offset_ms) = if let Some(clock) = rest.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (h, m) = zone.get(1..)?.split_once(':')?;
        let minutes = number(h, 2)? * 60 + number(m, 2)?;
        (clock, sign * minutes * 60_000)
    } else {
        (rest, 0)
    };
    let mut clock_parts = clock.splitn(3, ':');
    let hour = number(clock_parts.next()?, 2)?;
    let minute = number(clock_parts.next()?, 2)?;
    let seconds = clock_parts.next()?;
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let second = number(whole, 2)?;
    if !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 12 {
        return None;
    }
    let millis = fraction
        .chars()
        .chain("000".chars())
        .take(3)
        .collect::<String>()
        .parse::<i64>()
        .ok()?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 24
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = crate::clock::days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis - offset_ms)
}

fn number(text: &str, digits: usize) -> Option<i64> {
    if text.len() != digits || !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_ms;

    #[test]
    fn reads_saml_instants() {
        assert_eq!(parse_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_ms("2026-01-01T00:00:00.000Z"),
            Some(1_767_225_600_000)
        );
        assert_eq!(parse_ms("2026-01-01T00:05:00.5Z"), Some(1_767_225_900_500));
        assert_eq!(
            parse_ms("2026-01-01T01:00:00+01:00"),
            Some(1_767_225_600_000)
        );
        assert_eq!(parse_ms("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_ms("yesterday"), None);
        assert_eq!(parse_ms("2026-01-01T00:00Z"), None);
    }
}
