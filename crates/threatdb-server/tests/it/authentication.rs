//! HMAC authentication: every failure is a 401 with DECISIONS.md #2's message; repeated failures
//! are limited (429).

use crate::helpers::*;

crate::on_both_stores!(
    each_failure_has_its_message,
    the_raw_query_is_what_is_signed,
    repeated_failures_are_rate_limited
);
use threatdb_wire::signing;

async fn each_failure_has_its_message(app: TestApp) {
    let target = "/v2/owners";
    let signed = "/api/v2/owners";
    let a = &app.admin;
    // Out-of-window cases are 310 s off, not 301: the cases run one after another, and a second
    // can tick between `ts` and the server's check (a unit test pins the exact edges).
    let ts = now();
    let good = signing::authorization(&a.access_id, &a.secret, signed, "GET", ts);
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (vec![], "Unauthorized"),
        (vec![("Timestamp", ts.to_string())], "Unauthorized"),
        (
            vec![
                ("Timestamp", ts.to_string()),
                ("Authorization", "Bearer abc".into()),
            ],
            "Unauthorized",
        ),
        (vec![("Authorization", good.clone())], "Unauthorized"),
        (
            vec![
                ("Timestamp", "yesterday".into()),
                ("Authorization", good.clone()),
            ],
            "Unauthorized",
        ),
        (
            vec![
                ("Timestamp", (ts - 310).to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, &a.secret, signed, "GET", ts - 310),
                ),
            ],
            "Timestamp out of acceptable time range",
        ),
        (
            vec![
                ("Timestamp", (ts + 310).to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, &a.secret, signed, "GET", ts + 310),
                ),
            ],
            "Timestamp out of acceptable time range",
        ),
        (
            vec![
                ("Timestamp", ts.to_string()),
                (
                    "Authorization",
                    signing::authorization("00000000000000000000", &a.secret, signed, "GET", ts),
                ),
            ],
            "Access Denied",
        ),
        (
            vec![
                ("Timestamp", ts.to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, "wrong", signed, "GET", ts),
                ),
            ],
            "Signature data did not match expected result",
        ),
        // Signed for another method, path or query.
        (
            vec![
                ("Timestamp", ts.to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, &a.secret, signed, "POST", ts),
                ),
            ],
            "Signature data did not match expected result",
        ),
        (
            vec![
                ("Timestamp", ts.to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, &a.secret, "/v2/owners", "GET", ts),
                ),
            ],
            "Signature data did not match expected result",
        ),
    ];
    for (headers, message) in cases {
        let r = app.raw("GET", target, None, &headers).await;
        assert_eq!(r.status, 401, "{headers:?}");
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            r.json,
            serde_json::json!({"status": "Failure", "message": message}),
            "{headers:?}"
        );
    }
    // Within the skew window is fine.
    let ok_ts = ts - 290;
    let r = app
        .raw(
            "GET",
            target,
            None,
            &[
                ("Timestamp", ok_ts.to_string()),
                (
                    "Authorization",
                    signing::authorization(&a.access_id, &a.secret, signed, "GET", ok_ts),
                ),
            ],
        )
        .await;
    r.assert_success(200);
}

async fn the_raw_query_is_what_is_signed(app: TestApp) {
    // Parameter order is whatever the client sent; the server must not re-serialise it.
    for target in [
        "/v2/groups/incidents?resultStart=0&resultLimit=500&createActivityLog=false",
        "/v2/groups/incidents?createActivityLog=false&resultLimit=500&resultStart=0&owner=Example+Community",
        "/v2/groups/incidents?owner=Example%20Community",
    ] {
        app.get(&app.admin, target).await.assert_success(200);
    }
}

async fn repeated_failures_are_rate_limited(app: TestApp) {
    let ts = now();
    let bad = signing::authorization(&app.writer.access_id, "wrong", "/api/v2/owners", "GET", ts);
    let mut statuses = vec![];
    for _ in 0..25 {
        let r = app
            .raw(
                "GET",
                "/v2/owners",
                None,
                &[
                    ("Timestamp", ts.to_string()),
                    ("Authorization", bad.clone()),
                ],
            )
            .await;
        statuses.push(r.status);
        if r.status == 429 {
            r.assert_failure(429, "Too many failed authentication attempts");
            assert!(r.headers.get("retry-after").is_some());
        }
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}
