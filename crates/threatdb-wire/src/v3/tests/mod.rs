//! Golden tests: values serialised and compared with JSON written from the spec's and
//! ThreatConnect's documented examples, and those examples read back.

mod bodies;
mod groups;
mod indicators;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `value` serialises to exactly `want` (key order aside), and `want` reads back to `value`.
pub(super) fn golden<T>(value: &T, want: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let got = serde_json::to_value(value).unwrap();
    assert_eq!(got, want, "serialised:\n{got:#}\nwanted:\n{want:#}");
    let back: T = serde_json::from_value(want).unwrap();
    assert_eq!(&back, value);
}

/// `json` reads as a `T` and writes back to the same JSON.
pub(super) fn round_trip<T>(json: Value) -> T
where
    T: Serialize + DeserializeOwned,
{
    let value: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&value).unwrap(), json);
    value
}
