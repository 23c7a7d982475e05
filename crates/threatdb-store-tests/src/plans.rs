//! Query plans: every shape of list a client can send, on a database big enough that the
//! planner's choice is the real one, must be served from indexes: no full scan of a large table,
//! and no walk of an owner's incidents where an index range exists for a rare condition. The
//! shapes are enumerated from the query tree's conditions (each alone, with a common tag, with a
//! common label, in pairs, in OR), every sort, first and deep pages. The few shapes that cannot
//! be index-served are listed in [`exception`] with their reason.
//!
//! Not in `for_each_case!`: it seeds its own large database (call it on a fresh store).

use crate::fixture::{fixture, ts};
use threatdb_core::{
    AdminStore, BulkLinks, BulkLoad, Cmp, Cond, Filter, IncidentOrder, IncidentQuery,
    IncidentStatus, IndicatorKind, IndicatorValue, Owner, Paging, PlanStep, SeedIncident, SortKey,
    Store, Subject, Target, TextMatch,
};
use time::Duration;

/// Incidents in the owner whose lists are planned; as many again in another owner.
pub const SEEDED: i64 = 40_000;
/// How many incidents carry each rare value.
const RARE: i64 = 5;

async fn seed<S: Store + AdminStore + BulkLoad + BulkLinks>(
    store: &S,
    owner: &Owner,
    other: &Owner,
) {
    let tags = store
        .bulk_tags(owner.id, vec!["common".into(), "rare".into()])
        .await
        .expect("tags");
    let green = store.label_id("TLP:GREEN").await.expect("label");
    // A system label common in the other owner and rare in this one: read from the label's side,
    // it must not read the other owner's links.
    let red = store.label_id("TLP:RED").await.expect("label");
    let base = ts("2020-01-01");
    for (target, n) in [(owner, SEEDED), (other, SEEDED)] {
        let mut batch = Vec::new();
        for i in 0..n {
            let rare = target.id == owner.id && i % (n / RARE) == 7;
            let mut tag_ids = vec![];
            if i % 2 == 0 && target.id == owner.id {
                tag_ids.push(tags[0]);
            }
            if rare {
                tag_ids.push(tags[1]);
            }
            batch.push(SeedIncident {
                owner_id: target.id,
                name: if rare {
                    format!("Zq rare zqxj {i}")
                } else {
                    format!(
                        "Incident {i} {}",
                        ["alpha", "bravo", "charlie", "delta"][(i % 4) as usize]
                    )
                },
                event_date: base + Duration::minutes(i),
                date_added: base + Duration::minutes(i),
                status: if rare {
                    IncidentStatus::Rejected
                } else {
                    IncidentStatus::New
                },
                created_by: "plans".into(),
                tag_ids,
                attributes: vec![],
                label_id: (i % 10 < 3).then_some(if target.id == owner.id { green } else { red }),
            });
            if batch.len() == 5_000 {
                store
                    .bulk_incidents(std::mem::take(&mut batch))
                    .await
                    .expect("seed");
            }
        }
        store.bulk_incidents(batch).await.expect("seed");
    }
    store.bulk_done().await.expect("statistics");
}

/// The shapes: a name and a query, all in `owner`.
fn shapes(
    owner: &Owner,
    rare_value: &IndicatorValue,
    rare_id: i64,
) -> Vec<(String, IncidentQuery)> {
    let t = |s: &str| ts(s);
    let rare: Vec<(&str, Vec<Cond>)> = vec![
        (
            "name =",
            vec![Cond::Name(TextMatch::Equals, "Zq rare zqxj 7".into())],
        ),
        (
            "name ^",
            vec![Cond::Name(TextMatch::StartsWith, "Zq".into())],
        ),
        (
            "name contains",
            vec![Cond::Name(TextMatch::Contains, "zqxj".into())],
        ),
        ("status", vec![Cond::Status(IncidentStatus::Rejected)]),
        ("tag", vec![Cond::Tag("rare".into())]),
        ("label", vec![Cond::Label("Plans Rare".into())]),
        (
            "system label, rare here and common in another owner",
            vec![Cond::Label("TLP:RED".into())],
        ),
        (
            "dateAdded window",
            vec![
                Cond::DateAdded(Cmp::Gt, t("2020-01-02T00:00:00Z")),
                Cond::DateAdded(Cmp::Lt, t("2020-01-02T00:05:00Z")),
            ],
        ),
        (
            "lastModified window",
            vec![
                Cond::LastModified(Cmp::Gt, t("2020-01-04T00:00:00Z")),
                Cond::LastModified(Cmp::Lt, t("2020-01-04T00:05:00Z")),
            ],
        ),
        ("id =", vec![Cond::Id(rare_id)]),
        (
            "summary = (any case)",
            vec![Cond::Name(TextMatch::EqualsFolded, "ZQ RARE ZQXJ 7".into())],
        ),
        (
            "summary STARTSWITH (any case)",
            vec![Cond::Name(TextMatch::StartsWithFolded, "zQ".into())],
        ),
        (
            "summary ENDSWITH",
            vec![
                Cond::Name(TextMatch::Contains, "zqxj 7".into()),
                Cond::Name(TextMatch::EndsWithFolded, "zqxj 7".into()),
            ],
        ),
        (
            "id range",
            vec![
                Cond::IdRange(Cmp::Gt, rare_id.saturating_sub(3)),
                Cond::IdRange(Cmp::Lt, rare_id.saturating_add(3)),
            ],
        ),
        ("xid =", vec![Cond::Xid("plans-none".into())]),
        (
            "eventDate window",
            vec![
                Cond::EventDate(Cmp::Gt, t("2020-01-03T00:00:00Z")),
                Cond::EventDate(Cmp::Lt, t("2020-01-03T00:05:00Z")),
            ],
        ),
        (
            "associated indicator",
            vec![Cond::Associated(Target::Indicator(rare_value.clone()))],
        ),
    ];
    let q = |conds: Vec<Cond>| {
        let mut q = IncidentQuery::owner(owner.clone());
        for c in conds {
            q.and(c);
        }
        q
    };
    let mut out = vec![("owner, unfiltered".to_string(), q(vec![]))];
    out.push((
        "name contains, 2 characters".into(),
        q(vec![Cond::Name(TextMatch::Contains, "zq".into())]),
    ));
    out.push((
        "common tag alone".into(),
        q(vec![Cond::Tag("common".into())]),
    ));
    out.push((
        "common label alone".into(),
        q(vec![Cond::Label("TLP:GREEN".into())]),
    ));
    for (name, conds) in &rare {
        out.push((name.to_string(), q(conds.clone())));
        let mut with_tag = conds.clone();
        with_tag.push(Cond::Tag("common".into()));
        out.push((format!("{name} + common tag"), q(with_tag)));
        let mut with_label = conds.clone();
        with_label.push(Cond::Label("TLP:GREEN".into()));
        out.push((format!("{name} + common label"), q(with_label)));
        let mut deep = q(conds.clone());
        deep.paging = Paging::new(1_000, 100).expect("paging");
        out.push((format!("{name}, deep page"), deep));
        for key in [SortKey::DateAdded, SortKey::EventDate, SortKey::Name] {
            let mut sorted = q(conds.clone());
            sorted.order = IncidentOrder {
                key,
                descending: true,
            };
            out.push((format!("{name}, by {key:?} descending"), sorted));
        }
    }
    for pair in rare.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let mut both = a.1.clone();
        both.extend(b.1.clone());
        out.push((format!("{} AND {}", a.0, b.0), q(both)));
        let mut either = IncidentQuery::owner(owner.clone());
        either.filter = Filter::Or(vec![
            Filter::And(a.1.iter().cloned().map(Filter::Cond).collect()),
            Filter::And(b.1.iter().cloned().map(Filter::Cond).collect()),
        ]);
        out.push((format!("{} OR {}", a.0, b.0), either));
    }
    out
}

/// Shapes that cannot be served from an index, and why.
fn exception(name: &str) -> Option<&'static str> {
    if name == "name contains, 2 characters" {
        return Some(
            "a substring shorter than a trigram has no index: it is checked on the owner's incidents",
        );
    }
    if name == "owner, unfiltered" || name.starts_with("common ") {
        return Some(
            "every incident of the owner (or half of them) matches: reading them in order until a page is full is the plan",
        );
    }
    None
}

/// What is wrong with a plan: a full scan of a large table, or a walk of all of the owner's
/// incidents (allowed only for an exception).
fn violations(steps: &[PlanStep], walk_allowed: bool) -> Vec<String> {
    let mut out = Vec::new();
    let big = [
        "incidents",
        "incident_labels",
        "incident_tags",
        "incident_indicators",
    ];
    for step in steps {
        for line in &step.plan {
            // SQLite: "SCAN i" (a table) or "SCAN i USING INDEX x" (a whole index); PostgreSQL:
            // "Seq Scan on incidents".
            let sqlite_scan = line.starts_with("SCAN ") && !line.contains("VIRTUAL TABLE");
            let pg_scan = line.starts_with("Seq Scan on ")
                && big
                    .iter()
                    .any(|t| line.starts_with(&format!("Seq Scan on {t}")));
            let sqlite_big_scan = sqlite_scan
                && [
                    "SCAN i",
                    "SCAN incidents",
                    "SCAN il",
                    "SCAN it",
                    "SCAN x",
                    "SCAN incident_",
                ]
                .iter()
                .any(|p| line.starts_with(p));
            if sqlite_big_scan || pg_scan {
                out.push(format!("full scan: {line} in {}", step.statement));
            }
            // A walk reads every incident of the owner: an owner-first index searched on the
            // owner alone, or a whole index scanned. A seek by (owner, id) per id found elsewhere
            // is not one.
            let sqlite_walk = (line.contains("INDEX incidents_owner")
                && line.ends_with("(owner_id=?)"))
                || (line.starts_with("SCAN i USING") && line.contains("incidents_owner"));
            let pg_walk = line.contains("on incidents using incidents_owner")
                && line.contains("[(owner_id = ")
                && !line.contains(" AND ");
            let walk = sqlite_walk || pg_walk;
            // A label's links or the trigram index read beyond the owner: every owner's links of
            // a system label, every owner's names with a trigram.
            let sqlite_labels_all =
                line.contains("INDEX incident_labels_label") && !line.contains("owner_id=?");
            let pg_labels_all =
                line.contains("using incident_labels_label") && !line.contains("owner_id = ");
            let sqlite_names_all = line.contains("incident_names VIRTUAL TABLE")
                && !(line.contains('<') && line.contains('>'));
            let pg_names_all = line.contains("_trgm") && !line.contains("owner_id = ");
            if sqlite_labels_all || pg_labels_all || sqlite_names_all || pg_names_all {
                out.push(format!(
                    "reads other owners' rows: {line} in {}",
                    step.statement
                ));
            }
            if walk && !walk_allowed {
                out.push(format!(
                    "walks the owner's incidents: {line} in {}",
                    step.statement
                ));
            }
        }
    }
    out
}

/// Plans every shape and fails with the list of offending ones.
pub async fn query_plans<S: Store + AdminStore + BulkLoad + BulkLinks>(store: &S) {
    let fx = fixture(store).await;
    seed(store, &fx.org_a, &fx.org_b).await;
    // A custom label on a few incidents, and an indicator linked to a few.
    store
        .create_label(fx.org_a.id, "Plans Rare", "rare", "112233")
        .await
        .expect("label");
    let mut q = IncidentQuery::owner(fx.org_a.clone());
    q.and(Cond::Tag("rare".into()));
    let rare_ids: Vec<i64> = store
        .list_incidents(&fx.admin_a, &q)
        .await
        .expect("rare")
        .items
        .iter()
        .map(|d| d.incident.id)
        .collect();
    assert_eq!(rare_ids.len() as i64, RARE);
    let value = IndicatorValue::parse(IndicatorKind::Host, "plans-rare.example").expect("host");
    let mut links: Vec<(String, i64)> = rare_ids
        .iter()
        .map(|id| (value.as_str().to_string(), *id))
        .collect();
    // Many other links, so the link table is large: 500 hosts over 10,000 incidents.
    let mut page = IncidentQuery::owner(fx.org_a.clone());
    page.paging = Paging::new(0, 10_000).expect("paging");
    let all = store.list_incidents(&fx.admin_a, &page).await.expect("ids");
    for d in &all.items {
        links.push((
            format!("common-{}.example", d.incident.id % 500),
            d.incident.id,
        ));
    }
    store
        .bulk_indicator_links(fx.org_a.id, IndicatorKind::Host, links)
        .await
        .expect("links");
    for id in &rare_ids {
        for label in ["Plans Rare", "TLP:RED"] {
            store
                .label(&fx.admin_a, &Subject::Incident(*id), label)
                .await
                .expect("label");
        }
    }
    store.links_done().await.expect("statistics");
    store.bulk_done().await.expect("statistics");

    let mut failures = Vec::new();
    for (name, query) in shapes(&fx.org_a, &value, rare_ids[0]) {
        let steps = store
            .explain_incidents(&fx.admin_a, &query)
            .await
            .unwrap_or_else(|e| panic!("explain {name}: {e}"));
        assert!(!steps.is_empty(), "{name}: no statements");
        if std::env::var("THREATDB_PRINT_PLANS").is_ok_and(|v| name.contains(&v)) {
            for step in &steps {
                eprintln!(
                    "{name}\n  {}\n    {}",
                    step.statement,
                    step.plan.join("\n    ")
                );
            }
        }
        let found = violations(&steps, exception(&name).is_some());
        if !found.is_empty() {
            failures.push(format!("{name}:\n    {}", found.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} shapes are not index-served:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
