//! Declarative field schemas: a type's fields, their kinds and whether they are required. One
//! validator reads them, so a rejection always names the field and the reason.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value};

/// What a field must hold.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An identifier: a string (or integer) of 1..=128 chars of `[A-Za-z0-9._:@-]`.
    Id,
    /// Free text up to this many characters.
    Text(usize),
    /// One of a closed set of values.
    OneOf(&'static [&'static str]),
    /// A lowercase word of an open vocabulary: `[a-z0-9_]{1,40}`.
    Token,
    /// A finite number within bounds. Every number has both: a realistic range catches unit
    /// mistakes and keeps every rollup contribution small (see [`crate::rollup::cells`]).
    Number {
        min: f64,
        max: f64,
    },
    /// A whole number within bounds.
    Integer {
        min: i64,
        max: i64,
    },
    Bool,
    /// RFC 3339 with an offset ([`parse_timestamp`]).
    Timestamp,
    /// `YYYY-MM-DD`.
    Date,
    /// An IANA zone name.
    TimeZone,
    /// A JSON object whose content is kept as given.
    Object,
    /// A JSON array whose content is kept as given.
    Array,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

impl Field {
    pub const fn req(name: &'static str, kind: Kind) -> Field {
        Field { name, kind, required: true }
    }
    pub const fn opt(name: &'static str, kind: Kind) -> Field {
        Field { name, kind, required: false }
    }
}

/// The schema of one event type.
#[derive(Debug)]
pub struct EventSchema {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// Type names are unique in the catalog.
impl PartialEq for EventSchema {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Why one field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path from the event: `data.duration_s`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

pub const MAX_ID_LEN: usize = 128;

/// True for 1..=128 chars of `[A-Za-z0-9._:@-]`: safe inside storage keys, which use `|` and `#`.
pub fn is_valid_id(text: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'@' | b'-'))
}

fn is_token(text: &str) -> bool {
    (1..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl EventSchema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Checks `data` against the schema and returns it normalised (integer ids become strings).
    /// Fields the schema does not know are kept untouched.
    pub fn validate(&self, mut data: Map<String, Value>) -> Result<Map<String, Value>, FieldError> {
        for field in self.fields {
            let path = || format!("data.{}", field.name);
            match data.get_mut(field.name) {
                None | Some(Value::Null) if field.required => {
                    return Err(FieldError::new(path(), "is required"));
                }
                None | Some(Value::Null) => {}
                Some(value) => check(field.kind, value).map_err(|message| FieldError::new(path(), message))?,
            }
        }
        Ok(data)
    }
}

/// Checks one value, normalising it in place where the kind allows two spellings.
fn check(kind: Kind, value: &mut Value) -> Result<(), String> {
    match kind {
        Kind::Id => {
            if let Value::Number(n) = value
                && (n.is_u64() || n.is_i64())
            {
                *value = Value::String(n.to_string());
            }
            match value.as_str() {
                Some(text) if is_valid_id(text) => Ok(()),
                Some(_) => Err("must be 1 to 128 characters of letters, digits and . _ : @ -".into()),
                None => Err("must be a string identifier".into()),
            }
        }
        Kind::Text(max) => match value.as_str() {
            Some(text) if text.chars().count() <= max => Ok(()),
            Some(_) => Err(format!("must be at most {max} characters")),
            None => Err("must be a string".into()),
        },
        Kind::OneOf(allowed) => match value.as_str() {
            Some(text) if allowed.contains(&text) => Ok(()),
            _ => Err(format!("must be one of: {}", allowed.join(", "))),
        },
        Kind::Token => match value.as_str() {
            Some(text) if is_token(text) => Ok(()),
            _ => Err("must be a lowercase word of 1 to 40 characters of a-z, 0-9 and _".into()),
        },
        Kind::Number { min, max } => match value.as_f64() {
            Some(number) if number.is_finite() && (min..=max).contains(&number) => Ok(()),
            Some(_) => Err(format!("must be between {min} and {max}")),
            None => Err("must be a number".into()),
        },
        Kind::Integer { min, max } => match value.as_i64() {
            Some(number) if (min..=max).contains(&number) => Ok(()),
            _ if value.is_number() => Err(format!("must be a whole number between {min} and {max}")),
            _ => Err("must be a whole number".into()),
        },
        Kind::Bool => value.as_bool().map(|_| ()).ok_or_else(|| "must be true or false".into()),
        Kind::Timestamp => match value.as_str().and_then(parse_timestamp) {
            Some(_) => Ok(()),
            None => Err(TIMESTAMP_RULE.into()),
        },
        Kind::Date => match value.as_str().map(str::parse::<Date>) {
            Some(Ok(_)) => Ok(()),
            _ => Err("must be a date as YYYY-MM-DD".into()),
        },
        Kind::TimeZone => match value.as_str() {
            Some(name) if crate::time::time_zone(name).is_some() => Ok(()),
            _ => Err("must be an IANA time zone name such as Europe/Paris".into()),
        },
        Kind::Object => value.as_object().map(|_| ()).ok_or_else(|| "must be an object".into()),
        Kind::Array => value.as_array().map(|_| ()).ok_or_else(|| "must be an array".into()),
    }
}

pub const TIMESTAMP_RULE: &str = "must be an RFC 3339 timestamp with an offset, such as 2025-01-15T10:00:00Z";

/// Parses a strict RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, with
/// hours 00-23 (offsets too), no leap second and no suffix. jiff alone is more lenient (offsets
/// up to 25 hours, `:60`, RFC 9557 `[zone]` annotations), which would let two spellings of
/// impossible instants in.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    let shape = digits(0..4).is_some()
        && at(4, b"-")
        && digits(5..7).is_some()
        && at(7, b"-")
        && digits(8..10).is_some()
        && at(10, b"Tt")
        && digits(11..13)? <= 23
        && at(13, b":")
        && digits(14..16)? <= 59
        && at(16, b":")
        && digits(17..19)? <= 59;
    if !shape {
        return None;
    }
    let mut rest = &bytes[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        rest = &fraction[len..];
    }
    let offset_ok = match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let number =
                |a: &u8, b: &u8| (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'));
            number(h1, h2).is_some_and(|h| h <= 23) && number(m1, m2).is_some_and(|m| m <= 59)
        }
        _ => false,
    };
    // The grammar is checked; jiff checks the calendar (February 30th) and converts.
    if offset_ok { text.parse().ok() } else { None }
}
