//! TQL and v2's `filters=` are two spellings of one filter tree: for generated conjunctions of
//! name and date conditions (v2: `name=`, `name^`, `eventDate>`/`<`, `dateAdded>`/`<`; TQL:
//! `summary =`, `summary STARTSWITH`, `eventDate >`/`<`, `dateAdded >`/`<`), the v2 list and the
//! v3 list of one owner hold the same incidents, on a real server.
//!
//! Names are lower-case, as are the values asked for: TQL compares ASCII letters regardless of
//! case and v2 exactly, and on such names the two agree (DECISIONS 45).

use crate::helpers::{Backend, TestApp, spawn_app_on, tql as encode};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

const WORDS: [&str; 5] = ["alpha", "bravo", "charlie", "delta", "echo"];

fn app() -> &'static (tokio::runtime::Runtime, TestApp) {
    static APP: OnceLock<(tokio::runtime::Runtime, TestApp)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let app = rt.block_on(async {
            let app = spawn_app_on(Backend::Sqlite).await;
            for n in 0..60 {
                let body = serde_json::json!({
                    "name": format!("{} {}", WORDS[n % 5], n / 5),
                    "eventDate": format!("2020-01-{:02}T12:00:00Z", 1 + n % 28),
                });
                let r = app
                    .call(
                        &app.writer,
                        "POST",
                        "/v2/groups/incidents",
                        Some(&body.to_string()),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.json);
            }
            app
        });
        (rt, app)
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

/// One condition, as (v2 clause, TQL comparison).
fn condition() -> impl Strategy<Value = (String, String)> {
    let word = prop::sample::select(WORDS.to_vec());
    let date = (1u32..=29, prop::bool::ANY)
        .prop_map(|(d, noon)| format!("2020-01-{d:02}T{}:00:00Z", if noon { "12" } else { "00" }));
    prop_oneof![
        (word.clone(), 0u32..14)
            .prop_map(|(w, n)| (format!("name={w} {n}"), format!("summary = \"{w} {n}\""))),
        (word.clone(), 0usize..=5).prop_map(|(w, k)| {
            let prefix: String = w.chars().take(k.max(1)).collect();
            (
                format!("name^{prefix}"),
                format!("summary STARTSWITH \"{prefix}\""),
            )
        }),
        (date.clone(), prop::bool::ANY).prop_map(|(d, after)| {
            let op = if after { ">" } else { "<" };
            (
                format!("eventDate{op}{d}"),
                format!("eventDate {op} \"{d}\""),
            )
        }),
        prop::bool::ANY.prop_map(|after| {
            // Every incident was added now: a date long past or far ahead splits nothing or all.
            let op = if after { ">" } else { "<" };
            let d = "2021-06-01T00:00:00Z";
            (
                format!("dateAdded{op}{d}"),
                format!("dateAdded {op} \"{d}\""),
            )
        }),
    ]
}

fn ids(json: &Value, v2: bool) -> BTreeSet<i64> {
    let list = if v2 {
        &json["data"]["incident"]
    } else {
        &json["data"]
    };
    list.as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tql_and_v2_filters_select_the_same_incidents(conds in prop::collection::vec(condition(), 1..4)) {
        let (rt, app) = app();
        let v2: Vec<&str> = conds.iter().map(|(a, _)| a.as_str()).collect();
        let tql: Vec<&str> = conds.iter().map(|(_, b)| b.as_str()).collect();
        let v2_target = format!(
            "/v2/groups/incidents?resultLimit=10000&filters={}",
            encode(&v2.join(","))
        );
        let v3_target = format!(
            "/v3/groups?resultLimit=10000&count=true&tql={}",
            encode(&tql.join(" AND "))
        );
        let a = rt.block_on(app.get(&app.reader, &v2_target));
        let b = rt.block_on(app.get(&app.reader, &v3_target));
        prop_assert_eq!(a.status, 200, "{}: {}", v2_target, a.json);
        prop_assert_eq!(b.status, 200, "{}: {}", v3_target, b.json);
        let (x, y) = (ids(&a.json, true), ids(&b.json, false));
        prop_assert_eq!(&x, &y, "{:?} vs {:?}", v2, tql);
        prop_assert_eq!(b.json["count"].as_u64(), Some(y.len() as u64));
    }
}
