//! Property tests of hostile v3 requests against a real server: generated TQL (from keywords,
//! operators and values the grammar knows, and from noise), `fields=`, paging and sorting
//! values, and JSON bodies for POST and PUT of groups and indicators, one by id and in bulk by
//! TQL (nested collections with hostile items and modes). Whatever is sent: never a 5xx, never
//! a dropped connection, and a rejected write changes nothing.
//!
//! `cargo test` runs `PROPTEST_CASES` cases per property (64 unless set).

use crate::helpers::{Backend, Creds, TestApp, spawn_app_on};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// One server with an incident and an indicator to aim writes at.
fn app() -> &'static (tokio::runtime::Runtime, TestApp, i64, i64) {
    static APP: OnceLock<(tokio::runtime::Runtime, TestApp, i64, i64)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (app, group, indicator) = rt.block_on(async {
            let app = spawn_app_on(Backend::Sqlite).await;
            let g = app
                .call(
                    &app.writer,
                    "POST",
                    "/v3/groups",
                    Some(r#"{"type":"Incident","name":"target","tags":{"data":[{"name":"t"}]}}"#),
                )
                .await;
            let i = app
                .call(
                    &app.writer,
                    "POST",
                    "/v3/indicators",
                    Some(r#"{"type":"Host","hostName":"target.example"}"#),
                )
                .await;
            let (g, i) = (
                g.json["data"]["id"].as_i64().unwrap(),
                i.json["data"]["id"].as_i64().unwrap(),
            );
            (app, g, i)
        });
        (rt, app, group, indicator)
    })
}

/// Held by each case: the two properties share one server, and one compares its state before
/// and after while the other writes.
fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
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

fn send(who: &Creds, method: &str, target: &str, body: Option<&str>) -> (u16, Value) {
    let (rt, app, _, _) = app();
    let reply = rt.block_on(app.call(who, method, target, body));
    assert!(
        reply.status < 500,
        "{method} {target} {body:?} -> {} {}",
        reply.status,
        reply.json
    );
    (reply.status, reply.json)
}

/// TQL-ish text: comparisons of known keywords with typed and mistyped values, nested forms,
/// and noise.
fn tql() -> impl Strategy<Value = String> {
    let keyword = prop::sample::select(vec![
        "id",
        "summary",
        "name",
        "typeName",
        "tag",
        "securityLabel",
        "dateAdded",
        "eventDate",
        "lastModified",
        "status",
        "xid",
        "ownerName",
        "rating",
        "isGroup",
        "nope",
    ]);
    let op = prop::sample::select(vec![
        "=",
        "EQ",
        "!=",
        ">",
        ">=",
        "<",
        "<=",
        "CONTAINS",
        "NOT CONTAINS",
        "STARTSWITH",
        "ENDSWITH",
        "IN",
        "NOT IN",
        "LIKE",
        "IS NULL",
        "",
    ]);
    let value = prop_oneof![
        "\"[^\"\\\\]{0,12}\"",
        "-?[0-9]{1,20}",
        Just("\"NOW() - 2 DAYS\"".to_string()),
        Just("(\"a\", \"b\", 1)".to_string()),
        Just("true".to_string()),
        "\\PC{0,8}",
    ];
    let cmp = (keyword, op, value).prop_map(|(k, o, v)| format!("{k} {o} {v}"));
    let nested = (
        prop::sample::select(vec![
            "hasTag",
            "hasSecurityLabel",
            "hasIndicator",
            "hasGroup",
            "hasAttribute",
            "hasNothing",
        ]),
        cmp.clone(),
    )
        .prop_map(|(f, c)| format!("{f}({c})"));
    let term = prop_oneof![cmp, nested];
    prop_oneof![
        prop::collection::vec(term, 1..4).prop_map(|t| t.join(" AND ")),
        prop::collection::vec("\\PC{0,20}", 1..3).prop_map(|t| t.join(" OR ")),
        "[()\" a-zA-Z0-9=<>!]{0,60}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    (
        tql(),
        prop_oneof![Just(""), Just("tags"), Just("associatedGroups,attributes"), Just("bogus")],
        prop_oneof!["-?[0-9]{1,22}", "\\PC{0,6}"],
        prop_oneof!["-?[0-9]{1,22}", "\\PC{0,6}"],
        prop_oneof![Just(""), Just("id desc"), Just("name asc"), Just("owner"), Just("id sideways")],
        prop_oneof![Just(""), Just("-5"), Just("abc"), Just("99999999999999999999999")],
        any::<bool>(),
    )
        .prop_map(|(t, f, start, limit, sorting, after, explain)| {
            format!(
                "tql={}&fields={}&resultStart={}&resultLimit={}&sorting={}&afterId={}&count=true&explain={explain}",
                encode(&t),
                encode(f),
                encode(&start),
                encode(&limit),
                encode(sorting),
                encode(after)
            )
        })
}

/// v3 bodies: the fields of groups and indicators with hostile values, nested collections with
/// hostile items and modes, and broken JSON.
fn body() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        "\\PC{0,30}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(json!([[[]]])),
        Just(json!({"a": {"b": []}})),
    ];
    let item = prop::collection::vec(
        (
            prop::sample::select(vec![
                "id", "name", "type", "value", "default", "hostName", "ip",
            ]),
            scalar.clone(),
        ),
        0..4,
    )
    .prop_map(|f| Value::Object(f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    let nested = (
        prop::collection::vec(item, 0..4),
        prop_oneof![
            Just(json!("append")),
            Just(json!("replace")),
            Just(json!("delete")),
            Just(json!("sideways")),
            Just(json!(7))
        ],
    )
        .prop_map(|(data, mode)| json!({"data": data, "mode": mode}));
    let field = prop_oneof![
        (
            prop::sample::select(vec![
                "type",
                "name",
                "eventDate",
                "status",
                "xid",
                "ownerName",
                "ownerId",
                "hostName",
                "ip",
                "md5",
                "text",
                "rating",
                "subject",
                "fileName",
            ]),
            scalar,
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
        (
            prop::sample::select(vec![
                "tags",
                "securityLabels",
                "attributes",
                "associatedGroups",
                "associatedIndicators",
            ]),
            prop_oneof![nested, Just(json!("not a collection"))],
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
    ];
    let object = prop::collection::vec(field, 0..6)
        .prop_map(|f| Value::Object(f.into_iter().collect()).to_string());
    prop_oneof![
        object.clone(),
        object.prop_map(|o| format!("{o}]")),
        "\\PC{0,60}"
    ]
}

/// What a rejected write must leave as it was.
fn state() -> (Value, Value, Value) {
    let (_, app, g, i) = app();
    let all = "fields=tags&fields=securityLabels&fields=attributes&fields=associatedGroups&fields=associatedIndicators";
    let group = send(&app.reader, "GET", &format!("/v3/groups/{g}?{all}"), None).1;
    let indicator = send(
        &app.reader,
        "GET",
        &format!("/v3/indicators/{i}?{all}"),
        None,
    )
    .1;
    let counts = json!([
        send(
            &app.reader,
            "GET",
            "/v3/groups?count=true&resultLimit=1",
            None
        )
        .1["count"],
        send(
            &app.reader,
            "GET",
            "/v3/indicators?count=true&resultLimit=1",
            None
        )
        .1["count"],
        send(
            &app.reader,
            "GET",
            "/v3/groups?count=true&resultLimit=1&tql=typeName%20%3D%20%22Adversary%22",
            None
        )
        .1["count"],
    ]);
    (group, indicator, counts)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn v3_lists_never_fail_the_server(q in query()) {
        let _one_at_a_time = exclusive();
        let (_, app, _, _) = app();
        for path in ["/v3/groups", "/v3/indicators", "/v3/tags", "/v3/securityLabels"] {
            let (status, json) = send(&app.reader, "GET", &format!("{path}?{q}"), None);
            if status >= 400 {
                prop_assert_eq!(&json["status"], "Error", "{} {}", path, json);
            }
        }
        // A bulk delete as a reader: refused or a dry run, never a change.
        let before = state();
        send(&app.reader, "DELETE", &format!("/v3/groups?{q}"), None);
        prop_assert_eq!(before, state());
    }

    #[test]
    fn v3_writes_never_fail_the_server_and_rejections_change_nothing(b in body()) {
        let _one_at_a_time = exclusive();
        let (_, app, g, i) = app();
        let before = state();
        let mut rejected = true;
        for (method, target) in [
            ("POST", "/v3/groups".to_string()),
            ("PUT", format!("/v3/groups/{g}")),
            ("POST", "/v3/indicators".to_string()),
            ("PUT", format!("/v3/indicators/{i}")),
            // Bulk updates by TQL, with the same bodies.
            ("PUT", "/v3/groups?tql=typeName%20%3D%20%22Incident%22".to_string()),
            ("PUT", "/v3/indicators?tql=typeName%20%3D%20%22Host%22".to_string()),
        ] {
            let (status, _) = send(&app.writer, method, &target, Some(&b));
            rejected &= status >= 400;
        }
        if rejected {
            prop_assert_eq!(before, state(), "a rejected write changed something: {}", b);
        }
    }
}
