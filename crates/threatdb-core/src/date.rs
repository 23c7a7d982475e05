//! Dates as the API exchanges them: accepted leniently (any ISO-8601 date or date-time, with or
//! without an offset, padded or not), kept as UTC seconds, written as `YYYY-MM-DDTHH:MM:SSZ`.

use crate::Invalid;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time with one-second precision, always UTC.
pub type Timestamp = OffsetDateTime;

/// Writes `t` as `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn format_timestamp(t: Timestamp) -> String {
    let t = t.to_offset(UtcOffset::UTC);
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
    let (date_part, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = parse_date(date_part)?;
    let Some(rest) = rest else {
        return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    };
    // Split the time from its offset: `Z`, `+hh:mm`, `-hh:mm`, `+hhmm`, `+hh`.
    let (time_part, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, UtcOffset::UTC)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], parse_offset(&rest[i..])?)
    } else {
        (rest, UtcOffset::UTC)
    };
    let time = parse_time(time_part)?;
    let t = PrimitiveDateTime::new(date, time).assume_offset(offset);
    Some(t.to_offset(UtcOffset::UTC))
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
    let sign: i8 = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (number::<i8>(&digits, 2)?, 0),
        4 => (
            number::<i8>(&digits[..2], 2)?,
            number::<i8>(&digits[2..], 2)?,
        ),
        _ => return None,
    };
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// The current time, truncated to whole seconds.
pub fn now() -> Timestamp {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// The UTC timestamp of a Unix time in seconds (clamped to the representable range).
pub fn from_unix(seconds: i64) -> Timestamp {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad} should be rejected");
        }
    }
}
