//! Date values of TQL: absolute or relative to the time of the request, kept unevaluated so a
//! checked query can be evaluated against any `now` (the request's, or a test's).
//!
//! A date keyword's value is a quoted string in one of these forms:
//!
//! * absolute: any date the API accepts ([`threatdb_core::parse_timestamp`]): `"2024-01-31"`
//!   (midnight UTC), `"2024-01-31 13:45:00"` (tcex's form: space, no zone, meaning UTC),
//!   `"2024-01-31T13:45:00Z"`, `"2024-01-31T13:45:00-04:00"`, fractional seconds allowed;
//! * relative: `"NOW()"` (the request's time, to the second) or `"TODAY()"` (midnight UTC of
//!   the request's day), optionally followed by `+` or `-`, a whole number (at most six
//!   digits) and a unit: `SECOND(S)`, `MINUTE(S)`, `HOUR(S)`, `DAY(S)`, `WEEK(S)`, `MONTH(S)`,
//!   `YEAR(S)`; words in any case, spaces optional (`"NOW() - 7 DAYS"`, `"today()+1day"`).
//!   ThreatConnect documents `"TODAY()"` in its v3 TQL examples; the arithmetic form follows
//!   the same shape.
//!
//! Months and years move the calendar date and keep the time of day; a day that does not exist
//! in the target month becomes its last day (`2024-01-31` + 1 month = `2024-02-29`).

use std::fmt;
use threatdb_core::{Invalid, Timestamp, parse_timestamp, shift};
use time::{Date, Duration, Month, Time};

/// A date in a query: absolute or relative to the request's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A fixed instant (UTC, whole seconds).
    Absolute(Timestamp),
    /// `NOW()` or `TODAY()`, maybe moved by an amount of some unit.
    Relative(RelativeDate),
}

/// `NOW()` or `TODAY()` plus or minus an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeDate {
    /// What the amount is added to.
    pub base: DateBase,
    /// The signed amount (0 when none is written).
    pub amount: i64,
    /// The unit of `amount`.
    pub unit: DateUnit,
}

/// The start point of a relative date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBase {
    /// `NOW()`: the request's time.
    Now,
    /// `TODAY()`: midnight UTC at the start of the request's day.
    Today,
}

/// The unit of a relative date's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// `SECOND(S)`.
    Seconds,
    /// `MINUTE(S)`.
    Minutes,
    /// `HOUR(S)`.
    Hours,
    /// `DAY(S)`.
    Days,
    /// `WEEK(S)`.
    Weeks,
    /// `MONTH(S)`: calendar months.
    Months,
    /// `YEAR(S)`: calendar years.
    Years,
}

impl DateUnit {
    const ALL: [DateUnit; 7] = [
        DateUnit::Seconds,
        DateUnit::Minutes,
        DateUnit::Hours,
        DateUnit::Days,
        DateUnit::Weeks,
        DateUnit::Months,
        DateUnit::Years,
    ];

    /// The canonical (plural, upper-case) word.
    pub fn as_str(self) -> &'static str {
        match self {
            DateUnit::Seconds => "SECONDS",
            DateUnit::Minutes => "MINUTES",
            DateUnit::Hours => "HOURS",
            DateUnit::Days => "DAYS",
            DateUnit::Weeks => "WEEKS",
            DateUnit::Months => "MONTHS",
            DateUnit::Years => "YEARS",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        let upper = word.to_ascii_uppercase();
        let singular = upper.strip_suffix('S').unwrap_or(&upper);
        Self::ALL
            .into_iter()
            .find(|u| u.as_str().strip_suffix('S') == Some(singular))
    }
}

/// The longest amount a relative date may carry, in digits.
const MAX_AMOUNT_DIGITS: usize = 6;

impl DateValue {
    /// Reads a date value: relative forms first, then any absolute date. `None` when it is
    /// neither.
    pub fn parse(text: &str) -> Option<DateValue> {
        if let Some(r) = RelativeDate::parse(text) {
            return Some(DateValue::Relative(r));
        }
        parse_timestamp(text).ok().map(DateValue::Absolute)
    }

    /// The instant this value means when the request's time is `now`. An error when a relative
    /// date leaves the representable years (1000 to 9999).
    pub fn at(&self, now: Timestamp) -> Result<Timestamp, Invalid> {
        match self {
            DateValue::Absolute(t) => Ok(*t),
            DateValue::Relative(r) => r.at(now),
        }
    }
}

impl RelativeDate {
    /// Reads `NOW()`, `TODAY()` and their `± amount unit` forms (any case, spaces optional).
    pub fn parse(text: &str) -> Option<RelativeDate> {
        let upper = text.trim().to_ascii_uppercase();
        let (base, rest) = if let Some(rest) = upper.strip_prefix("NOW") {
            (DateBase::Now, rest)
        } else {
            (DateBase::Today, upper.strip_prefix("TODAY")?)
        };
        let rest = rest.trim_start().strip_prefix('(')?;
        let rest = rest.trim_start().strip_prefix(')')?.trim();
        if rest.is_empty() {
            return Some(RelativeDate {
                base,
                amount: 0,
                unit: DateUnit::Days,
            });
        }
        let (negative, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest.strip_prefix('+')?),
        };
        let rest = rest.trim_start();
        let digits_end = rest
            .char_indices()
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let (digits, unit) = rest.split_at_checked(digits_end)?;
        if digits.is_empty() || digits.len() > MAX_AMOUNT_DIGITS {
            return None;
        }
        let amount: i64 = digits.parse().ok()?;
        let unit = DateUnit::parse(unit.trim())?;
        Some(RelativeDate {
            base,
            amount: if negative {
                amount.checked_neg()?
            } else {
                amount
            },
            unit,
        })
    }

    /// The instant meant when the request's time is `now`.
    pub fn at(&self, now: Timestamp) -> Result<Timestamp, Invalid> {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let start = match self.base {
            DateBase::Now => now,
            DateBase::Today => now.replace_time(Time::MIDNIGHT),
        };
        let out_of_range = || Invalid::new(format!("the date {self} is out of range"));
        let seconds_per = |unit: DateUnit| -> i64 {
            match unit {
                DateUnit::Seconds => 1,
                DateUnit::Minutes => 60,
                DateUnit::Hours => 3_600,
                DateUnit::Days => 86_400,
                _ => 604_800,
            }
        };
        match self.unit {
            DateUnit::Months | DateUnit::Years => {
                let months = match self.unit {
                    DateUnit::Years => self.amount.checked_mul(12).ok_or_else(out_of_range)?,
                    _ => self.amount,
                };
                let date = add_months(start.date(), months).ok_or_else(out_of_range)?;
                let moved = start.replace_date(date);
                shift(moved, Duration::ZERO, &self.to_string())
            }
            unit => {
                let seconds = self
                    .amount
                    .checked_mul(seconds_per(unit))
                    .ok_or_else(out_of_range)?;
                shift(start, Duration::seconds(seconds), &self.to_string())
            }
        }
    }
}

/// `date` moved by `months` calendar months, the day clamped to the target month's length.
fn add_months(date: Date, months: i64) -> Option<Date> {
    let index = i64::from(date.year())
        .checked_mul(12)?
        .checked_add(i64::from(u8::from(date.month())))?
        .checked_sub(1)?
        .checked_add(months)?;
    let year = i32::try_from(index.checked_div_euclid(12)?).ok()?;
    let month = u8::try_from(index.checked_rem_euclid(12)?.checked_add(1)?).ok()?;
    let month = Month::try_from(month).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

impl fmt::Display for RelativeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = match self.base {
            DateBase::Now => "NOW()",
            DateBase::Today => "TODAY()",
        };
        match self.amount {
            0 => f.write_str(base),
            n if n < 0 => write!(f, "{base} - {} {}", n.unsigned_abs(), self.unit.as_str()),
            n => write!(f, "{base} + {n} {}", self.unit.as_str()),
        }
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateValue::Absolute(t) => f.write_str(&threatdb_core::format_timestamp(*t)),
            DateValue::Relative(r) => write!(f, "{r}"),
        }
    }
}
