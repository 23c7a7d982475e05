//! The v3 catalogues tcex reads: `/v3/tags`, `/v3/securityLabels`, `/v3/security/owners`,
//! `/v3/attributeTypes`, with TQL on tags and labels, paging, and another owner's tags invisible;
//! and `ownerName` in TQL choosing the owner of a group or indicator list.

use crate::helpers::*;
use serde_json::{Value, json};

crate::on_both_stores!(
    catalogues_list_and_filter,
    another_owners_tags_are_invisible,
    owner_name_in_tql_picks_the_owner
);

fn names(r: &Value) -> Vec<String> {
    r["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn catalogues_list_and_filter(app: TestApp) {
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v3/groups",
            Some(
                &json!({"type": "Incident", "name": "tagged",
                        "tags": {"data": [{"name": "Bravo"}, {"name": "alpha"}, {"name": "Charlie"}]}})
                .to_string(),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);

    let r = app
        .get(&app.reader, "/v3/tags?count=true&resultLimit=2")
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["count"], 3);
    assert_eq!(
        names(&r.json),
        vec!["alpha", "Bravo"],
        "by name, regardless of case"
    );
    let next = r.json["next"].as_str().expect("a next link").to_string();
    assert!(next.starts_with("/v3/tags?"), "{next}");
    let r = app.get(&app.reader, &next).await;
    assert_eq!(names(&r.json), vec!["Charlie"]);
    assert!(r.json.get("next").is_none(), "{}", r.json);

    for (query, want) in [
        ("summary = \"bravo\"", vec!["Bravo"]),
        ("name = \"bravo\"", vec![]),
        ("name IN (\"Bravo\", \"alpha\")", vec!["alpha", "Bravo"]),
        ("summary != \"alpha\"", vec!["Bravo", "Charlie"]),
    ] {
        let r = app
            .get(&app.reader, &format!("/v3/tags?tql={}", tql(query)))
            .await;
        assert_eq!(r.status, 200, "{query}: {}", r.json);
        assert_eq!(names(&r.json), want, "{query}");
    }
    let bad = app
        .get(
            &app.reader,
            &format!("/v3/tags?tql={}", tql("name CONTAINS \"a\"")),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.json);
    assert!(bad.message().contains("column 1"), "{}", bad.json);

    let r = app
        .get(
            &app.reader,
            &format!(
                "/v3/securityLabels?tql={}",
                tql("name IN (\"TLP:RED\", \"TLP:GREEN\")")
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let mut got = names(&r.json);
    got.sort();
    assert_eq!(got, vec!["TLP:GREEN", "TLP:RED"]);
    let red = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "TLP:RED")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let one = app
        .get(&app.reader, &format!("/v3/securityLabels/{red}"))
        .await;
    assert_eq!(one.json["data"]["name"], "TLP:RED", "{}", one.json);

    let r = app.get(&app.writer, "/v3/security/owners?count=true").await;
    assert_eq!(r.status, 200, "{}", r.json);
    let mine = r.json["data"].as_array().unwrap();
    let org = mine
        .iter()
        .find(|o| o["name"] == ORG)
        .expect("the organization");
    assert_eq!(org["type"], "Organization");
    assert_eq!(org["ownerRole"], "Standard User");
    let id = org["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&app.writer, &format!("/v3/security/owners/{id}"))
            .await
            .json["data"]["name"],
        ORG
    );
    let theirs = app
        .get(&app.outsider, &format!("/v3/security/owners/{id}"))
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.json);

    let r = app.get(&app.reader, "/v3/attributeTypes?count=true").await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(
        names(&r.json).contains(&"Description".to_string()),
        "{}",
        r.json
    );
    let first = r.json["data"][0]["id"].as_i64().unwrap();
    let one = app
        .get(&app.reader, &format!("/v3/attributeTypes/{first}"))
        .await;
    assert_eq!(one.status, 200, "{}", one.json);
    assert!(one.json["data"]["maxSize"].as_i64().is_some());

    for target in [
        "/v3/tags",
        "/v3/securityLabels",
        "/v3/security/owners",
        "/v3/attributeTypes",
    ] {
        assert_eq!(
            app.raw("GET", target, None, &[]).await.status,
            401,
            "{target}"
        );
    }
}

async fn another_owners_tags_are_invisible(app: TestApp) {
    let r = app
        .call(
            &app.writer,
            "POST",
            "/v3/indicators",
            Some(&json!({"type": "Host", "hostName": "t.example", "tags": {"data": [{"name": "Secret Tag"}]}}).to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app
        .get(
            &app.outsider,
            &format!("/v3/tags?tql={}", tql("summary = \"secret tag\"")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"], json!([]), "{}", r.json);
    let r = app.get(&app.outsider, "/v3/tags?resultLimit=10000").await;
    assert!(!r.json.to_string().contains("Secret"), "{}", r.json);
    let r = app
        .get(&app.outsider, &format!("/v3/tags?owner={}", tql(ORG)))
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
}

/// `ownerName = "…"` in TQL picks the owner a list is of, as `owner=` does.
async fn owner_name_in_tql_picks_the_owner(app: TestApp) {
    let community = "Example Community";
    let r = app
        .call(
            &app.admin,
            "POST",
            "/v3/groups",
            Some(
                &json!({"type": "Incident", "name": "in the community", "ownerName": community})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["data"]["id"].as_i64().unwrap();
    let r = app
        .call(
            &app.admin,
            "POST",
            "/v3/indicators",
            Some(
                &json!({"type": "Host", "hostName": "community.example", "ownerName": community})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let q = |t: &str| format!("tql={}", tql(t));
    let r = app
        .get(
            &app.admin,
            &format!(
                "/v3/groups?count=true&{}",
                q("ownerName = \"Example Community\" AND summary = \"in the community\"")
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["count"], 1, "{}", r.json);
    assert_eq!(r.json["data"][0]["id"], id);
    let r = app
        .get(
            &app.admin,
            &format!(
                "/v3/indicators?count=true&{}",
                q("ownerName = \"Example Community\"")
            ),
        )
        .await;
    assert_eq!(r.json["count"], 1, "{}", r.json);
    // The organization's list does not hold it.
    let r = app
        .get(
            &app.admin,
            &format!(
                "/v3/groups?count=true&{}",
                q("summary = \"in the community\"")
            ),
        )
        .await;
    assert_eq!(r.json["count"], 0, "{}", r.json);
    // An owner the caller is not a member of: 403; two owners: 400; inside an OR: 400.
    let r = app
        .get(
            &app.outsider,
            &format!("/v3/groups?{}", q("ownerName = \"Example Community\"")),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.json);
    for target in [
        format!(
            "/v3/groups?owner=Example+Organization&{}",
            q("ownerName = \"Example Community\"")
        ),
        format!(
            "/v3/groups?{}",
            q("ownerName = \"Example Community\" OR summary = \"x\"")
        ),
        format!(
            "/v3/groups?{}",
            q("ownerName = \"A\" AND ownerName = \"B\"")
        ),
    ] {
        let r = app.get(&app.admin, &target).await;
        assert_eq!(r.status, 400, "{target}: {}", r.json);
    }
    // A bulk delete needs more than the owner.
    let r = app
        .call(
            &app.admin,
            "DELETE",
            &format!("/v3/groups?{}", q("ownerName = \"Example Community\"")),
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(
        app.get(&app.admin, &format!("/v3/groups/{id}"))
            .await
            .status,
        200
    );
}
