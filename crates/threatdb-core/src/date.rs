//! Dates as the API exchanges them: accepted leniently (any ISO-8601 date or date-time, with or
//! without an offset, padded or not), kept as UTC seconds, written as `YYYY-MM-DDTHH:MM:SSZ`.

use crate::Invalid;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time with one-second precision, always UTC.
pub type Timestamp = OffsetDateTime;

/// Writes `t` as `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn format_timestamp(t: Timestamp) -> String {
    // Every timestamp this crate makes is UTC already; one that is not and cannot be shifted is
    // written in its own offset's fields rather than panicking.
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an ISO-8601 date (`2017-03-21`, meaning midnight UTC) or date-time (`2017-7-13T00:00:00-04:00`,
/// `2017-03-21T00:00:00Z`, `2017-07-13T00:00`, fractional seconds allowed; no offset means UTC).
/// The result is truncated to whole seconds and converted to UTC.
pub fn parse_timestamp(input: &str) -> Result<Timestamp, Invalid> {
    parse(input.trim()).ok_or_else(|| {
        Invalid::new(format!(
            "'{input}' is not a valid date: use ISO-8601, e.g. 2017-03-21T00:00:00Z or 2017-03-21"
        ))
    })
}

fn parse(s: &str) -> Option<Timestamp> {
    let (date_part, rest) = match s.split_once(['T', 't', ' ']) {
        Some((date, rest)) => (date, Some(rest)),
        None => (s, None),
    };
    let date = parse_date(date_part)?;
    let Some(rest) = rest else {
        return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    };
    // Split the time from its offset: `Z`, `+hh:mm`, `-hh:mm`, `+hhmm`, `+hh`.
    let (time_part, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, UtcOffset::UTC)
    } else if let Some((time, offset)) = rest
        .rfind(['+', '-'])
        .and_then(|i| rest.split_at_checked(i))
    {
        (time, parse_offset(offset)?)
    } else {
        (rest, UtcOffset::UTC)
    };
    let time = parse_time(time_part)?;
    // A date near the edge of the representable range can leave it once shifted to UTC
    // (9999-12-31T23:59:59-12:00): that is an invalid date, not a panic.
    PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
        .filter(|t| (1000..=9999).contains(&t.year()))
}

fn number<T: std::str::FromStr>(s: &str, max_len: usize) -> Option<T> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.split('-');
    let year: i32 = number(it.next()?, 4)?;
    let month: u8 = number(it.next()?, 2)?;
    let day: u8 = number(it.next()?, 2)?;
    if it.next().is_some() || year < 1000 {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    // Fractional seconds are accepted and dropped.
    let s = s.split(['.', ',']).next()?;
    let mut it = s.split(':');
    let hour: u8 = number(it.next()?, 2)?;
    let minute: u8 = number(it.next()?, 2)?;
    let second: u8 = match it.next() {
        Some(sec) => number(sec, 2)?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    Time::from_hms(hour, minute, second).ok()
}

fn parse_offset(s: &str) -> Option<UtcOffset> {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+')?),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (number::<i8>(&digits, 2)?, 0),
        4 => (
            number::<i8>(digits.get(..2)?, 2)?,
            number::<i8>(digits.get(2..)?, 2)?,
        ),
        _ => return None,
    };
    let (h, m) = if negative {
        (h.checked_neg()?, m.checked_neg()?)
    } else {
        (h, m)
    };
    UtcOffset::from_hms(h, m, 0).ok()
}

/// The current time, truncated to whole seconds.
pub fn now() -> Timestamp {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// `t` moved by `delta`, or an error naming `what` when that leaves the representable range
/// (years 1000 to 9999 on the wire).
pub fn shift(t: Timestamp, delta: time::Duration, what: &str) -> Result<Timestamp, Invalid> {
    t.checked_add(delta)
        .filter(|t| (1000..=9999).contains(&t.year()))
        .ok_or_else(|| {
            Invalid::new(format!(
                "{what} is out of range: use a year from 1000 to 9999"
            ))
        })
}

/// The UTC timestamp of a Unix time in seconds (the Unix epoch when `seconds` is outside the
/// representable range: check the range first where that matters).
pub fn from_unix(seconds: i64) -> Timestamp {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Any text, and any date-shaped text with any offset: an answer, never a panic; and
        // whatever parses formats back to a date that parses to the same instant.
        #[test]
        fn never_panics_and_round_trips(s in "\\PC{0,40}", y in 0i32..12000, mo in 0u8..14, d in 0u8..33,
                                        h in 0u8..26, mi in 0u8..61, off in -30i32..30) {
            let _ = parse_timestamp(&s);
            let shaped = format!("{y}-{mo}-{d}T{h}:{mi}:59{}{:02}:59", if off < 0 { '-' } else { '+' }, off.abs());
            if let Ok(t) = parse_timestamp(&shaped) {
                let text = format_timestamp(t);
                prop_assert_eq!(parse_timestamp(&text).ok(), Some(t));
                let _ = shift(t, time::Duration::days(1), "x");
                let _ = shift(t, time::Duration::seconds(-1), "x");
            }
        }
    }

    fn p(s: &str) -> String {
        format_timestamp(parse_timestamp(s).expect(s))
    }

    #[test]
    fn accepts_the_forms_seen_in_the_wild() {
        assert_eq!(p("2017-03-21T00:00:00Z"), "2017-03-21T00:00:00Z");
        assert_eq!(p("2017-7-13T00:00:00-04:00"), "2017-07-13T04:00:00Z");
        assert_eq!(p("2021-11-03"), "2021-11-03T00:00:00Z");
        assert_eq!(p("2017-07-13T00:00"), "2017-07-13T00:00:00Z");
        assert_eq!(p("2015-06-18T20:21:45-05:00"), "2015-06-19T01:21:45Z");
        assert_eq!(p("2015-06-18T20:21:45.123+0130"), "2015-06-18T18:51:45Z");
        assert_eq!(p(" 2015-06-18t20:21:45z "), "2015-06-18T20:21:45Z");
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "yesterday",
            "2017-13-01",
            "2017-02-30",
            "2017-03-21T25:00:00Z",
            "17-03-21",
            "2017-03-21T00:00:00+99:00",
            "2017/03/21",
            "2017-03-21T00:00:00:00",
            "2017-03-21X",
            // In range as written, past year 9999 (or before 1000) in UTC.
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T23:59:59-12:00",
            "1000-01-01T00:00:00+01:00",
            "2017-03-21T00:00:00+€a",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad} should be rejected");
        }
    }
}
