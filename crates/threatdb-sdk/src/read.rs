//! Reading v2 envelopes: `{"status":"Success","data":{"resultCount":n,"<key>":[...] or {...}}}`
//! and `{"status":"Failure","message":"..."}`, without building a JSON tree first.

use crate::error::{Error, Result};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess};
use std::fmt;
use std::marker::PhantomData;

/// What a list answer carries.
#[derive(Debug)]
pub(crate) struct ListData<T> {
    /// `resultCount`, when given (first pages).
    pub result_count: Option<u64>,
    /// The items under the key; a single object counts as a list of one.
    pub items: Vec<T>,
}

/// The message of a failure answer: the envelope's `message`, else the body as text (cut to
/// 500 characters), else the status's reason.
pub(crate) fn failure_message(status: u16, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Failure {
        message: Option<String>,
    }
    if let Ok(Failure { message: Some(m) }) = serde_json::from_slice::<Failure>(body) {
        return m;
    }
    let text = String::from_utf8_lossy(body).trim().to_string();
    if text.is_empty() {
        return reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message")
            .to_string();
    }
    text.chars().take(500).collect()
}

/// Reads a list answer's `data`.
pub(crate) fn list<T: DeserializeOwned>(body: &[u8], key: &str) -> Result<ListData<T>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let data = EnvelopeSeed {
        key,
        _t: PhantomData::<T>,
    }
    .deserialize(&mut de)
    .map_err(|e| Error::UnexpectedResponse(format!("cannot read the '{key}' list: {e}")))?;
    data.ok_or_else(|| {
        Error::UnexpectedResponse(format!("the answer has no data.{key}: {}", snippet(body)))
    })
}

/// Reads a single-object answer's `data.<key>` (the first item if it is a list).
pub(crate) fn one<T: DeserializeOwned>(body: &[u8], key: &str) -> Result<T> {
    list::<T>(body, key)?
        .items
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::UnexpectedResponse(format!(
                "the answer's data.{key} is empty: {}",
                snippet(body)
            ))
        })
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

struct EnvelopeSeed<'k, T> {
    key: &'k str,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = Option<ListData<T>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> de::Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = Option<ListData<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a v2 envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut data = None;
        while let Some(k) = map.next_key::<String>()? {
            if k == "data" {
                data = map.next_value_seed(DataSeed {
                    key: self.key,
                    _t: PhantomData::<T>,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(data)
    }
}

struct DataSeed<'k, T> {
    key: &'k str,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for DataSeed<'_, T> {
    type Value = Option<ListData<T>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> de::Visitor<'de> for DataSeed<'_, T> {
    type Value = Option<ListData<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with '{}'", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut result_count = None;
        let mut items = None;
        while let Some(k) = map.next_key::<String>()? {
            if k == "resultCount" {
                result_count = map.next_value::<Option<u64>>()?;
            } else if k == self.key {
                items = Some(map.next_value::<OneOrMany<T>>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(items.map(|items| ListData {
            result_count,
            items,
        }))
    }
}

/// A list, or one object read as a list of one (the legacy SDK accepts both).
struct OneOrMany<T>(Vec<T>);

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> de::Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list or an object")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(10_000));
                while let Some(item) = seq.next_element::<T>()? {
                    out.push(item);
                }
                Ok(OneOrMany(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let one = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![one]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatdb_wire::dto::{IncidentDto, TagDto};

    #[test]
    fn reads_lists_single_objects_and_failures() {
        let body = br#"{"status":"Success","data":{"resultCount":2,"tag":[{"name":"a","webLink":"w"},{"name":"b","webLink":"w"}]}}"#;
        let l: ListData<TagDto> = list(body, "tag").expect("list");
        assert_eq!(l.result_count, Some(2));
        assert_eq!(l.items.len(), 2);

        let body = br#"{"data":{"incident":{"id":5,"name":"n","owner":{"id":1,"name":"O","type":"Organization"},"dateAdded":"d","webLink":"w","eventDate":"e"}},"status":"Success"}"#;
        let i: IncidentDto = one(body, "incident").expect("one");
        assert_eq!((i.id, i.owner_name()), (5, Some("O")));

        let empty: ListData<TagDto> = list(
            br#"{"status":"Success","data":{"resultCount":0,"tag":[]}}"#,
            "tag",
        )
        .expect("empty");
        assert!(empty.items.is_empty());
        assert!(list::<TagDto>(br#"{"status":"Success","data":{}}"#, "tag").is_err());
        assert!(list::<TagDto>(b"<html>", "tag").is_err());

        assert_eq!(
            failure_message(
                404,
                br#"{"status":"Failure","message":"The requested resource was not found"}"#
            ),
            "The requested resource was not found"
        );
        assert_eq!(
            failure_message(500, b"Could not find resource"),
            "Could not find resource"
        );
        assert_eq!(failure_message(503, b""), "Service Unavailable");
    }
}
