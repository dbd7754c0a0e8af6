//! Reading one event's JSON text strictly: a key repeated within an object is refused, naming
//! it. serde_json would keep the last value silently, so two readers of the same stored body
//! (a producer's log, this product) could disagree on what the event said.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::FieldError;

/// Parses `text` into a JSON value, refusing repeated keys. The error names the repeated key's
/// dotted path from the event (`data.duration_s`) or, for malformed text, the event itself.
pub fn parse_event_json(text: &str) -> Result<Value, FieldError> {
    let repeated = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict { path: String::new(), repeated: &repeated }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| match repeated.into_inner() {
        Some(path) => FieldError::new(path, "appears more than once; each key may appear once"),
        None => FieldError::new("event", format!("is not valid JSON ({error})")),
    })
}

/// Builds a [`Value`] like serde_json's own, with the path of what it is reading.
struct Strict<'r> {
    path: String,
    /// Where a repeated key's path is left for [`parse_event_json`] to report.
    repeated: &'r RefCell<Option<String>>,
}

impl Strict<'_> {
    fn child(&self, segment: &str) -> String {
        if self.path.is_empty() { segment.to_owned() } else { format!("{}.{segment}", self.path) }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(Strict { path: self.child(&items.len().to_string()), repeated: self.repeated })?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.child(&key);
            if object.contains_key(&key) {
                *self.repeated.borrow_mut() = Some(path);
                return Err(de::Error::custom("a key appears more than once"));
            }
            let value = map.next_value_seed(Strict { path, repeated: self.repeated })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_well_formed_event_reads_as_serde_json_reads_it() {
        let text =
            r#"{"id": "e1", "data": {"n": 1.5, "big": 18446744073709551615, "neg": -3, "list": [1, {"a": null}]}}"#;
        assert_eq!(parse_event_json(text), Ok(serde_json::from_str::<Value>(text).expect("json")));
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_path() {
        let cases = [
            (r#"{"id": "a", "id": "b"}"#, "id"),
            (r#"{"data": {"duration_s": 1, "duration_s": 1e16}}"#, "data.duration_s"),
            (r#"{"data": {"list": [{"x": 1}, {"x": 1, "x": 2}]}}"#, "data.list.1.x"),
        ];
        for (text, field) in cases {
            assert_eq!(parse_event_json(text).map_err(|e| e.field), Err(field.to_owned()), "{text}");
        }
    }

    #[test]
    fn malformed_text_names_the_event() {
        let error = parse_event_json(r#"{"id": "#).expect_err("malformed");
        assert_eq!(error.field, "event");
        assert_eq!(parse_event_json(r#"{"a": 1} {"b": 2}"#).map_err(|e| e.field), Err("event".to_owned()));
        assert_eq!(parse_event_json("[1, 2]"), Ok(json!([1, 2])), "shape is the validator's concern");
    }
}
