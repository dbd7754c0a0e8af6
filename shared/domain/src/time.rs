//! Time buckets. Hours are UTC; days and months are the workspace's local calendar (IANA zone),
//! so a day in a DST-changing zone has 23 or 25 hours and a +05:30 zone still gets exact days.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// How finely a series is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    /// One bucket per UTC hour.
    Hour,
    /// One bucket per local calendar day.
    Day,
    /// One bucket per local ISO week (Monday to Sunday). Written directly, never folded.
    Week,
    /// One bucket per local calendar month (folded from days by the rollups function).
    Month,
    /// A single all-time bucket.
    Total,
}

/// One rollup bucket. Its [`Bucket::key`] sorts chronologically within a grain, so a store can
/// answer a time range with one ordered range read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// Start of a UTC hour, in whole hours since the Unix epoch.
    Hour(i64),
    Day(Date),
    /// The ISO week starting on this local Monday.
    Week(Date),
    Month {
        year: i16,
        month: i8,
    },
    Total,
    /// The current value of a gauge (state distribution), not a time bucket.
    Current,
}

impl Bucket {
    /// The bucket of `grain` that contains `at`, reading local dates in `tz`.
    pub fn of(grain: Grain, at: Timestamp, tz: &TimeZone) -> Bucket {
        match grain {
            Grain::Hour => Bucket::Hour(at.as_second().div_euclid(3600)),
            Grain::Day => Bucket::Day(at.to_zoned(tz.clone()).date()),
            Grain::Week => Bucket::week_of(at.to_zoned(tz.clone()).date()),
            Grain::Month => {
                let date = at.to_zoned(tz.clone()).date();
                Bucket::Month { year: date.year(), month: date.month() }
            }
            Grain::Total => Bucket::Total,
        }
    }

    pub fn hour_starting(at: Timestamp) -> Bucket {
        Bucket::of(Grain::Hour, at, &TimeZone::UTC)
    }

    /// The ISO week holding `date`.
    pub fn week_of(date: Date) -> Bucket {
        let since_monday = i64::from(date.weekday().to_monday_zero_offset());
        Bucket::Week(add_days(date, -since_monday))
    }

    pub fn month_of(date: Date) -> Bucket {
        Bucket::Month { year: date.year(), month: date.month() }
    }

    /// Sortable storage key: `h2025-01-15T10`, `d2025-01-15`, `w2025-01-13` (the week's Monday),
    /// `m2025-01`, `t`, `g`.
    pub fn key(&self) -> String {
        match self {
            // Hours outside jiff's range (years -9999..=9999) cannot come from a timestamp.
            Bucket::Hour(hours) => match self.hour_start() {
                Some(start) => format!("h{}", start.strftime("%Y-%m-%dT%H")),
                None => format!("h?{hours}"),
            },
            Bucket::Day(date) => format!("d{date}"),
            Bucket::Week(monday) => format!("w{monday}"),
            Bucket::Month { year, month } => format!("m{year:04}-{month:02}"),
            Bucket::Total => "t".to_owned(),
            Bucket::Current => "g".to_owned(),
        }
    }

    /// Inverse of [`Bucket::key`].
    pub fn parse_key(key: &str) -> Option<Bucket> {
        let (tag, rest) = key.split_at_checked(1)?;
        match tag {
            "h" => {
                let at: Timestamp = format!("{rest}:00:00Z").parse().ok()?;
                Some(Bucket::hour_starting(at))
            }
            "d" => rest.parse().ok().map(Bucket::Day),
            "w" => rest.parse().ok().map(Bucket::week_of).filter(|week| week.key() == key),
            "m" => {
                let (year, month) = rest.split_once('-')?;
                Some(Bucket::Month { year: year.parse().ok()?, month: month.parse().ok()? })
            }
            "t" if rest.is_empty() => Some(Bucket::Total),
            "g" if rest.is_empty() => Some(Bucket::Current),
            _ => None,
        }
    }

    pub fn hour_start(&self) -> Option<Timestamp> {
        match self {
            Bucket::Hour(hours) => Timestamp::from_second(hours * 3600).ok(),
            _ => None,
        }
    }

    pub fn grain(&self) -> Option<Grain> {
        match self {
            Bucket::Hour(_) => Some(Grain::Hour),
            Bucket::Day(_) => Some(Grain::Day),
            Bucket::Week(_) => Some(Grain::Week),
            Bucket::Month { .. } => Some(Grain::Month),
            Bucket::Total => Some(Grain::Total),
            Bucket::Current => None,
        }
    }

    /// The first and last day of a month bucket.
    pub fn month_days(&self) -> Option<(Date, Date)> {
        match *self {
            Bucket::Month { year, month } => {
                let first = Date::new(year, month, 1).ok()?;
                Some((first, first.last_of_month()))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// The `count` UTC hour buckets ending with the hour that contains `now`, oldest first.
pub fn last_hours(now: Timestamp, count: i64) -> Vec<Bucket> {
    let current = now.as_second().div_euclid(3600);
    (current - count + 1..=current).map(Bucket::Hour).collect()
}

/// Every local date from `start` to `end`, inclusive.
pub fn days_between(start: Date, end: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = start;
    while day <= end {
        days.push(day);
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    days
}

/// The local date `now` falls on in `tz`.
pub fn local_today(now: Timestamp, tz: &TimeZone) -> Date {
    now.to_zoned(tz.clone()).date()
}

/// The instant a local day starts (midnight, or the first instant after a DST gap at midnight).
pub fn start_of_local_day(date: Date, tz: &TimeZone) -> Option<Timestamp> {
    date.to_zoned(tz.clone()).and_then(|day| day.start_of_day()).ok().map(|z| z.timestamp())
}

/// `date` moved by `days` (negative goes back), saturating at the calendar's ends.
pub fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

/// An inclusive local date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
}

/// The longest range a request may ask for, in days (spec/API.md).
pub const MAX_RANGE_DAYS: i64 = 400;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("start ({start}) is after end ({end})")]
    Reversed { start: Date, end: Date },
    #[error("the range covers {days} days; at most {MAX_RANGE_DAYS} are allowed")]
    TooLong { days: i64 },
}

impl DateRange {
    pub fn new(start: Date, end: Date) -> Result<DateRange, RangeError> {
        if start > end {
            return Err(RangeError::Reversed { start, end });
        }
        let days = start.until(end).map(|span| i64::from(span.get_days())).unwrap_or(i64::MAX) + 1;
        if days > MAX_RANGE_DAYS {
            return Err(RangeError::TooLong { days });
        }
        Ok(DateRange { start, end })
    }

    /// The `days` local days ending with `last`.
    pub fn last_days(last: Date, days: i64) -> DateRange {
        DateRange { start: add_days(last, -(days - 1)), end: last }
    }

    pub fn days(&self) -> Vec<Date> {
        days_between(self.start, self.end)
    }
}

/// A span of time back from now, as seed 004's `period` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Period {
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
    #[serde(rename = "90d")]
    Quarter,
}

impl Period {
    pub const ALL: [Period; 5] = [Period::Hour, Period::Day, Period::Week, Period::Month, Period::Quarter];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "1h",
            Period::Day => "24h",
            Period::Week => "7d",
            Period::Month => "30d",
            Period::Quarter => "90d",
        }
    }

    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_hours(match self {
            Period::Hour => 1,
            Period::Day => 24,
            Period::Week => 24 * 7,
            Period::Month => 24 * 30,
            Period::Quarter => 24 * 90,
        })
    }
}

/// The time a request asks about, as it asked: resolved later in the workspace's zone
/// ([`RequestedRange::resolve`]), by the view that reads the workspace anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestedRange {
    /// Local dates, inclusive (`start`/`end`, or seed 000's `date_range`). A missing end is
    /// today; a missing start is the default number of days before the end.
    Dates { start: Option<Date>, end: Option<Date> },
    /// The last span up to now (seed 004's `period`).
    Last(Period),
}

/// A range resolved in a zone: the instants `[from, to)` and the local days they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedRange {
    pub from: Timestamp,
    pub to: Timestamp,
    pub days: DateRange,
}

impl RequestedRange {
    /// The range in `tz` at `now`; `default_days` is how many days a range with no start covers.
    /// Ranges of dates are at most [`MAX_RANGE_DAYS`] long and never reversed.
    pub fn resolve(&self, tz: &TimeZone, now: Timestamp, default_days: i64) -> Result<ResolvedRange, RangeError> {
        match *self {
            RequestedRange::Dates { start, end } => {
                let end = end.unwrap_or_else(|| local_today(now, tz));
                let start = start.unwrap_or_else(|| add_days(end, -(default_days - 1)));
                let days = DateRange::new(start, end)?;
                let from = start_of_local_day(start, tz).unwrap_or(now);
                let to = start_of_local_day(add_days(end, 1), tz).unwrap_or(now);
                Ok(ResolvedRange { from, to, days })
            }
            RequestedRange::Last(period) => {
                let from = now - period.duration();
                let days = DateRange { start: local_today(from, tz), end: local_today(now, tz) };
                Ok(ResolvedRange { from, to: now, days })
            }
        }
    }
}

/// Parses an IANA zone name (`Europe/Paris`) from the bundled database.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("valid timestamp")
    }

    #[test]
    fn bucket_keys_round_trip_and_sort_chronologically() {
        let buckets = [
            Bucket::hour_starting(ts("2025-01-15T10:59:59Z")),
            Bucket::Day(date(2025, 1, 15)),
            Bucket::Week(date(2025, 1, 13)),
            Bucket::Month { year: 2025, month: 1 },
            Bucket::Total,
            Bucket::Current,
        ];
        for bucket in buckets {
            assert_eq!(Bucket::parse_key(&bucket.key()), Some(bucket), "{bucket}");
        }
        assert_eq!(buckets[0].key(), "h2025-01-15T10");
        let earlier = Bucket::hour_starting(ts("2025-01-15T09:00:00Z")).key();
        let later = Bucket::hour_starting(ts("2025-01-15T23:00:00Z")).key();
        assert!(earlier < buckets[0].key() && buckets[0].key() < later);
    }

    #[test]
    fn a_week_is_the_iso_week_of_the_local_date_and_only_its_monday_is_a_key() {
        let paris = time_zone("Europe/Paris").expect("zone");
        // Sunday 23:30 UTC is already Monday in Paris: the next week.
        assert_eq!(Bucket::of(Grain::Week, ts("2025-01-19T22:30:00Z"), &paris), Bucket::Week(date(2025, 1, 13)));
        assert_eq!(Bucket::of(Grain::Week, ts("2025-01-19T23:30:00Z"), &paris), Bucket::Week(date(2025, 1, 20)));
        // ISO week 1 of 2026 starts on Monday 2025-12-29.
        assert_eq!(Bucket::week_of(date(2026, 1, 1)), Bucket::Week(date(2025, 12, 29)));
        assert_eq!(Bucket::parse_key("w2025-01-15"), None, "a Wednesday names no week");
    }

    #[test]
    fn a_day_in_a_dst_spring_forward_zone_has_23_hours() {
        let paris = time_zone("Europe/Paris").expect("zone");
        let start = start_of_local_day(date(2025, 3, 30), &paris).expect("start");
        let next = start_of_local_day(date(2025, 3, 31), &paris).expect("start");
        assert_eq!(next.as_second() - start.as_second(), 23 * 3600);
        // 23:30 UTC on the 29th is already the 30th in Paris (UTC+1 before the change).
        assert_eq!(Bucket::of(Grain::Day, ts("2025-03-29T23:30:00Z"), &paris), Bucket::Day(date(2025, 3, 30)));
    }

    #[test]
    fn half_hour_zones_get_exact_local_days() {
        let kolkata = time_zone("Asia/Kolkata").expect("zone");
        assert_eq!(Bucket::of(Grain::Day, ts("2025-01-15T18:29:59Z"), &kolkata), Bucket::Day(date(2025, 1, 15)));
        assert_eq!(Bucket::of(Grain::Day, ts("2025-01-15T18:30:00Z"), &kolkata), Bucket::Day(date(2025, 1, 16)));
    }

    #[test]
    fn last_hours_ends_with_the_current_hour() {
        let hours = last_hours(ts("2025-01-15T10:20:00Z"), 24);
        assert_eq!(hours.len(), 24);
        assert_eq!(hours[23].key(), "h2025-01-15T10");
        assert_eq!(hours[0].key(), "h2025-01-14T11");
    }

    #[test]
    fn requested_ranges_resolve_in_the_zone() {
        let paris = time_zone("Europe/Paris").expect("zone");
        let now = ts("2025-03-30T22:30:00Z"); // already March 31st in Paris
        let range = RequestedRange::Dates { start: None, end: None }.resolve(&paris, now, 30).expect("range");
        assert_eq!((range.days.start, range.days.end), (date(2025, 3, 2), date(2025, 3, 31)));
        assert_eq!(range.to, ts("2025-03-31T22:00:00Z"), "midnight of April 1st in Paris (summer time)");
        let one_bound = RequestedRange::Dates { start: None, end: Some(date(2025, 3, 1)) };
        assert_eq!(one_bound.resolve(&paris, now, 30).map(|r| r.days.start), Ok(date(2025, 1, 31)));
        let future_start = RequestedRange::Dates { start: Some(date(2025, 4, 2)), end: None };
        assert!(matches!(future_start.resolve(&paris, now, 30), Err(RangeError::Reversed { .. })));
        let week = RequestedRange::Last(Period::Week).resolve(&paris, now, 30).expect("range");
        assert_eq!((week.from, week.to), (ts("2025-03-23T22:30:00Z"), now));
        assert_eq!((week.days.start, week.days.end), (date(2025, 3, 23), date(2025, 3, 31)));
    }

    #[test]
    fn reversed_and_overlong_ranges_are_refused() {
        assert!(matches!(DateRange::new(date(2025, 2, 1), date(2025, 1, 1)), Err(RangeError::Reversed { .. })));
        assert!(matches!(DateRange::new(date(2024, 1, 1), date(2025, 2, 5)), Err(RangeError::TooLong { .. })));
        assert_eq!(DateRange::new(date(2025, 1, 1), date(2025, 1, 1)).map(|r| r.days().len()), Ok(1));
    }
}
