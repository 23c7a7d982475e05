//! Inputs that used to panic the server or slip through, and replays.

use super::{Server, client_from, now, raw_api, signed};
use serde_json::json;

/// Signs in as the administrator; the session cookie and a form token of the session.
async fn web_session(client: &reqwest::Client, server: &Server) -> (String, String) {
    let token = "hostile-test-token-0123456789";
    let r = client
        .post(server.url("/signin"))
        .header("Cookie", format!("threatdb_signin={token}"))
        .form(&[
            ("csrf", token),
            ("next", "/incidents"),
            ("login", server.login.as_str()),
            ("password", server.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("threatdb_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let page = client
        .get(server.url("/incidents/new"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

/// Was: 9 panics from in-range dates whose UTC is past year 9999, each dropping the connection
/// with a backtrace. Now each is a 400 with a message, and nothing changes.
#[tokio::test]
async fn dates_past_the_representable_range_are_a_400_not_a_panic() {
    let server = Server::start(&[], None);
    let c = client_from("127.0.0.1");
    let (status, created) = signed(
        &c,
        &server,
        "POST",
        "/v2/groups/incidents",
        Some(r#"{"name":"edge","eventDate":"2020-01-01T00:00:00Z"}"#),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["incident"]["id"].as_i64().unwrap();
    let target = format!("/v2/groups/incidents/{id}");
    let edge = "9999-12-31T23:59:59-12:00";
    for filter in [
        "eventDate%3E9999-12-31T23:59:59-23:59",
        "eventDate%3C9999-12-31T23:59:59-00:01",
        "dateAdded%3E9999-12-31T23:59:59-12:00",
        "dateAdded%3C1000-01-01T00:00:00%2B14:00",
    ] {
        let (status, body) = signed(
            &c,
            &server,
            "GET",
            &format!("/v2/groups/incidents?filters={filter}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{filter}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("not a valid date"),
            "{body}"
        );
    }
    let body = json!({"name": "past the end", "eventDate": edge}).to_string();
    let (status, _) = signed(&c, &server, "POST", "/v2/groups/incidents", Some(&body)).await;
    assert_eq!(status, 400);
    let body = json!({"eventDate": edge}).to_string();
    let (status, _) = signed(&c, &server, "PUT", &target, Some(&body)).await;
    assert_eq!(status, 400);

    let (cookie, csrf) = web_session(&c, &server).await;
    for query in [
        "to=9999-12-31",
        "from=1000-01-01",
        "to=9999-12-31T23:59:59-12:00",
    ] {
        let r = c
            .get(server.url(&format!("/incidents?{query}")))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{query}");
        assert!(r.text().await.unwrap().contains("out of range") || query.contains('T'));
    }
    for (path, form) in [
        (format!("/incidents/{id}/edit"), vec![("eventDate", edge)]),
        (
            "/incidents".to_string(),
            vec![("name", "web edge"), ("eventDate", edge)],
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form);
        let r = c
            .post(server.url(&path))
            .header("Cookie", &cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
    }
    let (status, incident) = signed(&c, &server, "GET", &target, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        incident["data"]["incident"]["eventDate"],
        "2020-01-01T00:00:00Z"
    );
    let (_, all) = signed(&c, &server, "GET", "/v2/groups/incidents", None).await;
    assert_eq!(all["data"]["resultCount"], 1, "nothing was created: {all}");
}

/// Was: `Timestamp: now - 2^63` passed the clock-skew check (the subtraction wrapped).
#[tokio::test]
async fn timestamps_at_the_ends_of_the_integers_are_refused() {
    let server = Server::start(&[], None);
    let c = client_from("127.0.0.1");
    let wrapped = now().wrapping_sub(i64::MIN);
    for ts in [
        now().wrapping_add(i64::MIN),
        wrapped,
        i64::MIN,
        i64::MAX,
        -1,
        0,
    ] {
        let auth = threatdb_wire::signing::authorization(
            &server.creds.access_id,
            &server.creds.secret,
            "/api/v2/owners",
            "GET",
            ts,
        );
        let (status, body) = raw_api(
            &c,
            &server,
            "GET",
            "/v2/owners",
            &ts.to_string(),
            &auth,
            None,
        )
        .await;
        assert_eq!(status, 401, "{ts}");
        assert_eq!(
            body["message"], "Timestamp out of acceptable time range",
            "{ts}"
        );
    }
    let (status, _) = raw_api(
        &c,
        &server,
        "GET",
        "/v2/owners",
        "99999999999999999999",
        "TC 1:x",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

/// Was: JSON with trailing garbage was accepted, and control characters and ANSI escapes were
/// stored in names and tags (and reached the command line's tables).
#[tokio::test]
async fn trailing_json_and_control_characters_are_refused_with_a_message() {
    let server = Server::start(&[], None);
    let c = client_from("127.0.0.1");
    let (status, body) = signed(
        &c,
        &server,
        "POST",
        "/v2/groups/incidents",
        Some(r#"{"name":"x","eventDate":"2020-01-01"} {"name":"y"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("nothing after it"),
        "{body}"
    );
    let (status, body) = signed(
        &c,
        &server,
        "POST",
        "/v2/groups/incidents",
        Some("{\"name\":\"red \\u001b[31malert\",\"eventDate\":\"2020-01-01\"}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains(
            "must not contain control characters other than tab and line breaks (found U+001B)"
        ),
        "{body}"
    );
    let (_, all) = signed(&c, &server, "GET", "/v2/groups/incidents", None).await;
    assert_eq!(all["data"]["resultCount"], 0, "nothing was created: {all}");

    let (status, created) = signed(
        &c,
        &server,
        "POST",
        "/v2/groups/incidents",
        Some(r#"{"name":"clean","eventDate":"2020-01-01"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["data"]["incident"]["id"].as_i64().unwrap();
    let (status, body) = signed(
        &c,
        &server,
        "POST",
        &format!("/v2/groups/incidents/{id}/tags/bell%07tag"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = signed(
        &c,
        &server,
        "POST",
        &format!("/v2/groups/incidents/{id}/attributes"),
        Some("{\"type\":\"Description\",\"value\":\"nul \\u0000 here\"}"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Line breaks and tabs in free text stay allowed.
    let (status, body) = signed(
        &c,
        &server,
        "POST",
        &format!("/v2/groups/incidents/{id}/attributes"),
        Some("{\"type\":\"Description\",\"value\":\"two\\nlines\\tand a tab\"}"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// `--reject-replays` refuses a write sent again with the same signature; without it (the
/// default, as ThreatConnect) both go through; reads are never refused.
#[tokio::test]
async fn replays_are_refused_only_when_asked() {
    for (flags, second) in [(&[][..], 201), (&["--reject-replays"][..], 401)] {
        let server = Server::start(flags, None);
        let c = client_from("127.0.0.1");
        let ts = now();
        let target = "/v2/groups/incidents";
        let auth = threatdb_wire::signing::authorization(
            &server.creds.access_id,
            &server.creds.secret,
            &format!("/api{target}"),
            "POST",
            ts,
        );
        let body = r#"{"name":"once","eventDate":"2020-01-01"}"#;
        let stamp = ts.to_string();
        let send = || raw_api(&c, &server, "POST", target, &stamp, &auth, Some(body));
        assert_eq!(send().await.0, 201);
        let (status, answer) = send().await;
        assert_eq!(status, second, "{flags:?}: {answer}");
        if second == 401 {
            assert!(answer["message"].as_str().unwrap().contains("already used"));
        }
        let get = threatdb_wire::signing::authorization(
            &server.creds.access_id,
            &server.creds.secret,
            "/api/v2/owners",
            "GET",
            ts,
        );
        for _ in 0..2 {
            let (status, _) = raw_api(
                &c,
                &server,
                "GET",
                "/v2/owners",
                &ts.to_string(),
                &get,
                None,
            )
            .await;
            assert_eq!(status, 200);
        }
    }
}
