//! Property tests of hostile requests against a real server: generated `filters=` strings,
//! paging values, dates, JSON bodies and HMAC headers. Whatever is sent: never a 5xx, never a
//! dropped connection (a panic), and a rejected write changes nothing.
//!
//! `cargo test` runs `PROPTEST_CASES` cases per property (64 unless set); `bench/fuzz-requests.sh`
//! runs thousands.

use crate::helpers::{Backend, Creds, TestApp, spawn_app_on};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

/// One server for every case (a runtime of its own: proptest bodies are synchronous).
fn app() -> &'static (tokio::runtime::Runtime, TestApp, i64) {
    static APP: OnceLock<(tokio::runtime::Runtime, TestApp, i64)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (app, id) = rt.block_on(async {
            let app = spawn_app_on(Backend::Sqlite).await;
            let id = app
                .create_incident(&app.writer, "Example Organization", "target")
                .await;
            (app, id)
        });
        (rt, app, id)
    })
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Sends a signed request; panics (fails the case) on a 5xx or a dropped connection.
fn send(who: &Creds, method: &str, target: &str, body: Option<&str>) -> (u16, Value) {
    let (rt, app, _) = app();
    let reply = rt.block_on(app.call(who, method, target, body));
    assert!(
        reply.status < 500,
        "{method} {target} {body:?} -> {} {}",
        reply.status,
        reply.json
    );
    (reply.status, reply.json)
}

fn incident_state() -> Value {
    let (_, app, id) = app();
    let target = format!("/v2/groups/incidents/{id}?includes=additional,attributes,tags,labels");
    send(&app.writer, "GET", &target, None).1
}

fn count() -> Value {
    let (_, app, _) = app();
    send(
        &app.writer,
        "GET",
        "/v2/groups/incidents?resultLimit=1",
        None,
    )
    .1["data"]["resultCount"]
        .clone()
}

/// Something like a date: digits, separators, offsets, garbage.
fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}(T[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?(\\.[0-9]{1,12})?)?(Z|[+-][0-9]{1,2}(:?[0-9]{1,2})?)?",
        "\\PC{0,24}",
        Just("9999-12-31T23:59:59-23:59".to_string()),
        Just("1000-01-01T00:00:00+14:00".to_string()),
    ]
}

fn filter() -> impl Strategy<Value = String> {
    let clause = (
        prop_oneof![
            Just("name"),
            Just("dateAdded"),
            Just("eventDate"),
            Just("summary"),
            Just("")
        ],
        prop_oneof![
            Just("="),
            Just("^"),
            Just("<"),
            Just(">"),
            Just("!="),
            Just("")
        ],
        prop_oneof![date(), "\\PC{0,30}"],
    )
        .prop_map(|(f, o, v)| format!("{f}{o}{v}"));
    prop::collection::vec(clause, 0..4).prop_map(|c| c.join(","))
}

/// JSON-ish text: valid bodies with hostile values, and broken ones.
fn body() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        date().prop_map(Value::String),
        "\\PC{0,40}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(serde_json::json!([[[[[]]]]])),
    ];
    let object = prop::collection::vec(
        (
            prop_oneof![
                Just("name".to_string()),
                Just("eventDate".to_string()),
                Just("status".to_string()),
                Just("xid".to_string()),
                "[a-zA-Z]{0,8}"
            ],
            value,
        ),
        0..5,
    )
    .prop_map(|fields| Value::Object(fields.into_iter().collect()).to_string());
    prop_oneof![
        object.clone(),
        object.prop_map(|o| format!("{o} trailing")),
        "\\PC{0,80}",
        "[\\[\\]{}\",:0-9a-z ]{0,60}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn filters_and_paging_never_fail_the_server(f in filter(), start in "\\PC{0,12}|[0-9]{1,25}", limit in "\\PC{0,12}|[0-9]{1,25}") {
        let (_, app, _) = app();
        let target = format!(
            "/v2/groups/incidents?filters={}&resultStart={}&resultLimit={}",
            encode(&f), encode(&start), encode(&limit)
        );
        send(&app.writer, "GET", &target, None);
    }

    #[test]
    fn hostile_bodies_never_fail_the_server_and_rejections_change_nothing(b in body()) {
        let (_, app, id) = app();
        let before = (incident_state(), count());
        let (created, _) = send(&app.writer, "POST", "/v2/groups/incidents", Some(&b));
        let (updated, _) = send(&app.writer, "PUT", &format!("/v2/groups/incidents/{id}"), Some(&b));
        let after = (incident_state(), count());
        if created >= 400 {
            prop_assert_eq!(&before.1, &after.1, "a rejected create created something");
        }
        if updated >= 400 {
            // dateAdded and lastModified are the same only if nothing was written.
            prop_assert_eq!(&before.0, &after.0, "a rejected update changed the incident");
        }
    }

    #[test]
    fn hostile_signatures_are_401_or_429(ts in "[ -~]{0,24}|-?[0-9]{1,22}", auth in "[ -~]{0,80}|TC [0-9]{0,22}:[A-Za-z0-9+/=]{0,50}") {
        let (rt, app, _) = app();
        let reply = rt.block_on(app.raw("GET", "/v2/owners", None, &[("Timestamp", ts.clone()), ("Authorization", auth.clone())]));
        prop_assert!(matches!(reply.status, 401 | 429), "{ts:?} {auth:?} -> {} {}", reply.status, reply.json);
    }
}
