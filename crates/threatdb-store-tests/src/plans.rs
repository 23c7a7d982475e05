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
    AdminStore, AttributeCond, AttributeText, AttributeType, BulkLinks, BulkLoad, ChangeKey,
    ChangeQuery, ChangedKind, Cmp, Cond, Filter, IncidentName, IncidentOrder, IncidentQuery,
    IncidentStatus, IndicatorFilter, IndicatorKind, IndicatorQuery, IndicatorValue, ItemKind,
    NewAttribute, NewItem, Owner, Paging, PlanStep, SeedIncident, SortKey, Span, Store, Subject,
    TagName, Target, TextMatch, Window,
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
    let description = AttributeType::lookup("Description").expect("type");
    let attack_vector = AttributeType::lookup("Attack Vector").expect("type");
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
                // A Description on half of each owner's incidents (a common type), an Attack
                // Vector on the rare ones only (a rare type).
                attributes: if rare {
                    vec![(attack_vector, format!("zq vector {i}"))]
                } else if i % 2 == 1 {
                    vec![(description, format!("Described {i}"))]
                } else {
                    vec![]
                },
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
    rare_item: i64,
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
        (
            "associated incident",
            vec![Cond::Associated(Target::Incident(rare_id))],
        ),
        (
            "attribute of a rare type",
            vec![attribute(Some("Attack Vector"), None)],
        ),
        (
            "attribute of a rare type and value",
            vec![attribute(
                Some("Attack Vector"),
                Some(AttributeText::Is("ZQ VECTOR 7".into())),
            )],
        ),
        (
            "associated group of another type",
            vec![Cond::Associated(Target::Item(
                ItemKind::Adversary,
                rare_item,
            ))],
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
        "attribute of a common type".into(),
        q(vec![attribute(Some("Description"), None)]),
    ));
    out.push((
        "attribute value of a common type".into(),
        q(vec![attribute(
            Some("Description"),
            Some(AttributeText::Is("described 9".into())),
        )]),
    ));
    out.push((
        "attribute value of any type".into(),
        q(vec![attribute(
            None,
            Some(AttributeText::Contains("vector".into())),
        )]),
    ));
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

fn attribute(type_name: Option<&str>, text: Option<AttributeText>) -> Cond {
    Cond::Attribute(attribute_cond(type_name, text))
}

fn attribute_cond(type_name: Option<&str>, text: Option<AttributeText>) -> AttributeCond {
    AttributeCond {
        type_name: type_name.map(str::to_owned),
        text,
    }
}

/// Shapes that cannot be served from an index, and why.
fn exception(name: &str) -> Option<&'static str> {
    if name == "attribute of a common type" {
        return Some(
            "half of the owner's incidents match: probing them in order until a page is full is the plan",
        );
    }
    if name.starts_with("attribute value of") {
        return Some(
            "attribute values are free text of up to 65,500 characters with no index of their own (the full-text search of issue 18 will add one): a value is checked on the incidents of its type, or on every incident of the owner when no rare type is named",
        );
    }
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

/// With `THREATDB_PRINT_PLANS=<part of a shape's name>`, prints the plans of those shapes.
fn print_plan(name: &str, steps: &[PlanStep]) {
    if std::env::var("THREATDB_PRINT_PLANS").is_ok_and(|v| name.contains(&v)) {
        for step in steps {
            eprintln!(
                "{name}\n  {}\n    {}",
                step.statement,
                step.plan.join("\n    ")
            );
        }
    }
}

/// The shapes of an indicator list (`/v3/indicators`): each condition alone and with the
/// others, counted, first and deep pages.
fn indicator_shapes(
    owner: &Owner,
    rare_value: &IndicatorValue,
    rare_id: i64,
) -> Vec<(String, IndicatorQuery)> {
    let filters: Vec<(&str, IndicatorFilter)> = vec![
        ("indicators, owner, unfiltered", IndicatorFilter::default()),
        (
            "indicators, a rare type",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::EmailAddress]),
                ..Default::default()
            },
        ),
        (
            "indicators, common type",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::Address]),
                ..Default::default()
            },
        ),
        (
            "indicators, two types, one rare",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::EmailAddress, IndicatorKind::File]),
                ..Default::default()
            },
        ),
        (
            "indicators, a value",
            IndicatorFilter {
                values: Some(vec![rare_value.clone()]),
                ..Default::default()
            },
        ),
        (
            "indicators, a value of any type",
            IndicatorFilter {
                values: Some(
                    IndicatorKind::ALL
                        .into_iter()
                        .filter_map(|k| IndicatorValue::parse(k, "10.0.0.7").ok())
                        .collect(),
                ),
                ..Default::default()
            },
        ),
        (
            "indicators, ids",
            IndicatorFilter {
                ids: Some(vec![rare_id, rare_id + 1]),
                ..Default::default()
            },
        ),
        (
            "indicators, a narrow id range",
            IndicatorFilter {
                id_above: Some(rare_id),
                id_below: Some(rare_id + 20),
                ..Default::default()
            },
        ),
        (
            "indicators, a rare tag",
            IndicatorFilter {
                tags: Some(vec!["plans rare indicator".into()]),
                ..Default::default()
            },
        ),
        (
            "indicators, a rare tag and common type",
            IndicatorFilter {
                tags: Some(vec!["Plans Rare Indicator".into()]),
                kinds: Some(vec![IndicatorKind::Address]),
                ..Default::default()
            },
        ),
        (
            "indicators, a narrow dateAdded window",
            IndicatorFilter {
                added: Window {
                    after: Some(ts("2020-01-01T00:00:00Z")),
                    before: Some(ts("2020-01-01T01:00:00Z")),
                },
                ..Default::default()
            },
        ),
        (
            "indicators, a narrow lastModified window and a type",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::Address]),
                modified: Window {
                    after: Some(ts("2020-01-01T00:00:00Z")),
                    before: Some(ts("2020-01-01T01:00:00Z")),
                },
                ..Default::default()
            },
        ),
        (
            "indicators, a high rating",
            IndicatorFilter {
                rating: Span {
                    min: Some(450),
                    max: None,
                },
                ..Default::default()
            },
        ),
        (
            "indicators, a narrow confidence range and a type",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::Address]),
                confidence: Span {
                    min: Some(97),
                    max: Some(99),
                },
                ..Default::default()
            },
        ),
        (
            "indicators, an attribute of a rare type",
            IndicatorFilter {
                attributes: vec![attribute_cond(Some("Attack Vector"), None)],
                ..Default::default()
            },
        ),
        (
            "indicators, an attribute of a rare type and value, and a common type",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::Address]),
                attributes: vec![attribute_cond(
                    Some("Attack Vector"),
                    Some(AttributeText::Is("ZQ indicator vector".into())),
                )],
                ..Default::default()
            },
        ),
        (
            "indicators, an attribute value of any type",
            IndicatorFilter {
                attributes: vec![attribute_cond(
                    None,
                    Some(AttributeText::Contains("vector".into())),
                )],
                ..Default::default()
            },
        ),
        (
            "indicators, common type after an id (a next link)",
            IndicatorFilter {
                kinds: Some(vec![IndicatorKind::Address]),
                id_above: Some(rare_id),
                ..Default::default()
            },
        ),
    ];
    let mut out = Vec::new();
    for (name, filter) in filters {
        for (page, start) in [("first page", 0), ("deep page", 5_000)] {
            let mut q = IndicatorQuery::owner(owner.clone());
            q.filter = filter.clone();
            q.count = true;
            q.paging = Paging::new(start, 100).expect("paging");
            out.push((format!("{name}, {page}"), q));
        }
    }
    out
}

/// Indicator shapes that cannot be served from an index, and why.
fn indicator_exception(name: &str) -> Option<&'static str> {
    if name.starts_with("indicators, an attribute value of any type") {
        return Some(
            "attribute values have no index of their own: with no type named, each of the owner's indicators is probed",
        );
    }
    (name.starts_with("indicators, owner, unfiltered")
        || name.starts_with("indicators, common type"))
    .then_some(
        "every indicator of the owner (or most) matches: reading them in id order until a page is full is the plan",
    )
}

/// What is wrong with an indicator list's plan: a full scan of `indicators` or of a link
/// table, or a walk of all of the owner's indicators (allowed only for an exception).
fn indicator_violations(steps: &[PlanStep], walk_allowed: bool) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        for line in &step.plan {
            let sqlite_scan = ["SCAN d", "SCAN x", "SCAN indicators"]
                .iter()
                .any(|p| line.starts_with(p))
                && !line.contains("USING INDEX indicators_owner");
            let pg_scan = line.starts_with("Seq Scan on indicators");
            if sqlite_scan || pg_scan {
                out.push(format!("full scan: {line} in {}", step.statement));
            }
            // A walk: an owner-first index of indicators searched on the owner alone, or
            // scanned whole.
            let sqlite_walk = (line.contains("INDEX indicators_owner")
                || line.contains("INDEX sqlite_autoindex_indicators"))
                && (line.ends_with("(owner_id=?)") || line.starts_with("SCAN "));
            let pg_walk = line.contains("on indicators using ")
                && line.contains("[(owner_id = ")
                && !line.contains(" AND ");
            if (sqlite_walk || pg_walk) && !walk_allowed {
                out.push(format!(
                    "walks the owner's indicators: {line} in {}",
                    step.statement
                ));
            }
        }
    }
    out
}

/// The change-order walks (TAXII pages, incremental exports): each table alone and all three,
/// from the start and from a position deep in the owner.
fn change_shapes(owner: &Owner, deep_incident: i64) -> Vec<(String, ChangeQuery)> {
    let deep = ChangeKey {
        modified: ts("2026-06-01"),
        kind: ChangedKind::Incident,
        id: deep_incident,
    };
    let mut out = Vec::new();
    for (what, incidents, items, indicators) in [
        ("incidents", true, vec![], false),
        (
            "items",
            false,
            // The kinds a TAXII collection serves (those STIX 2.1 has objects for).
            vec![
                ItemKind::Adversary,
                ItemKind::Campaign,
                ItemKind::IntrusionSet,
                ItemKind::Malware,
                ItemKind::Tool,
                ItemKind::AttackPattern,
                ItemKind::Vulnerability,
                ItemKind::CourseOfAction,
                ItemKind::Report,
                ItemKind::Victim,
            ],
            false,
        ),
        ("indicators", false, vec![], true),
        ("everything", true, ItemKind::ALL.to_vec(), true),
    ] {
        for (page, after) in [("first page", None), ("deep page", Some(deep))] {
            out.push((
                format!("changes, {what}, {page}"),
                ChangeQuery {
                    owner: owner.clone(),
                    after,
                    incidents,
                    items: items.clone(),
                    indicators,
                    limit: 1000,
                    stix_keys: None,
                },
            ));
        }
        // TAXII objects/{id}/ and match[id]: a few keys, each looked up in the owner, on a
        // first page and on a page after a cursor.
        for (page, after) in [("first page", None), ("deep page", Some(deep))] {
            out.push((
                format!("changes by STIX id, {what}, {page}"),
                ChangeQuery {
                    owner: owner.clone(),
                    after,
                    incidents,
                    items: items.clone(),
                    indicators,
                    limit: 1000,
                    stix_keys: Some(vec![-5, 17, 0x0123_4567_89ab_cdef]),
                },
            ));
        }
    }
    out
}

/// What is wrong with a look-up by STIX keys: a statement of the three tables that does not
/// start from the `(owner_id, stix_key)` index (sorting what the keys found is fine).
fn key_violations(steps: &[PlanStep]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        if !step.statement.contains("stix_key IN") {
            continue;
        }
        let keyed = step.plan.iter().any(|l| l.contains("_stix_key"));
        let scan = step.plan.iter().find(|l| {
            (l.starts_with("SCAN ") && !l.contains("USING")) || l.starts_with("Seq Scan")
        });
        if !keyed || scan.is_some() {
            out.push(format!("{} in {}", step.plan.join(" / "), step.statement));
        }
    }
    out
}

/// What is wrong with a change-order page's plan: a scan of a table, or a sort (which reads
/// every row of the owner after the position before returning the first). The statements that
/// read a page's associations start from the page's incident ids: they must not scan, and may
/// sort what they found.
fn change_violations(steps: &[PlanStep]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        let links = step.statement.starts_with("SELECT x.incident_id")
            || step.statement.starts_with("SELECT x.item_id");
        for line in &step.plan {
            let scan = (line.starts_with("SCAN ") && !line.contains("USING INDEX"))
                || line.starts_with("Seq Scan");
            if links {
                // The owners table holds a row per owner: reading it whole is fine. PostgreSQL
                // hashes this fixture's 2,000 items rather than probe them by key; with 200,000
                // (and 600,000 links) it probes `items_pkey` per link found, as for incidents.
                let small = line.contains("owners")
                    || line == "SCAN o"
                    || line.starts_with("SCAN o ")
                    || line.starts_with("Seq Scan on items");
                // The way in is the page's incident ids, never the owner's rows.
                let by_owner = line.contains("owner_id=") || line.contains("(owner_id = ");
                if (scan && !small) || by_owner {
                    out.push(format!("{line} in {}", step.statement));
                }
                continue;
            }
            let sort = line.contains("TEMP B-TREE") || line.starts_with("Sort");
            let unordered = line.contains("USING INDEX")
                && !line.contains("_owner_modified")
                && !line.contains("owners");
            if scan || sort || unordered {
                out.push(format!("{line} in {}", step.statement));
            }
        }
    }
    out
}

/// The dashboard's exception for scans: PostgreSQL reads a counter table or the tags of a few
/// pages whole (`Seq Scan on status_counts (rows=40)`), cheaper than an index at that size; an
/// owner's counters and tags are a few dozen to a few thousand rows, never its incidents.
fn small_catalogue(line: &str) -> bool {
    small_seq_scan(
        line,
        &["status_counts", "label_counts", "tag_counts", "tags"],
    )
}

/// A PostgreSQL sequential scan of one of `tables` estimated under 1,000 rows.
fn small_seq_scan(line: &str, tables: &[&str]) -> bool {
    let table = tables
        .iter()
        .any(|t| line.starts_with(&format!("Seq Scan on {t} ")));
    let rows = line
        .rsplit_once("(rows=")
        .and_then(|(_, r)| r.trim_end_matches(')').parse::<u64>().ok());
    table && rows.is_some_and(|r| r < 1_000)
}

/// Search's exception for scans: PostgreSQL reads a table of under 1,000 rows whole rather than
/// through an index, and the seed holds few tags, other groups and their attributes (the same
/// statements over incidents and their attributes, which the seed makes large, must be
/// index-served).
fn small_search_table(line: &str) -> bool {
    small_seq_scan(line, &["tags", "items", "item_attributes"])
}

/// The dashboard's exception for sorts: its top tags are ordered by their counts (a sort of
/// the owner's tags, a few thousand at most, never its incidents), its labels and statuses
/// grouped from their counters (a few dozen rows: one per label or status and shard).
fn counted_order(statement: &str) -> bool {
    statement.contains("FROM tags t JOIN tag_counts c")
        || statement.contains("FROM label_counts c")
        || statement.contains("FROM status_counts")
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
    // Indicators: 10,000 Addresses in A (one per incident), 10,000 Hosts in B, three
    // EmailAddresses in A (a rare type) and a rare tag on two of A's indicators.
    let addresses: Vec<(String, i64)> = all
        .items
        .iter()
        .map(|d| {
            let n = d.incident.id;
            (
                format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
                n,
            )
        })
        .collect();
    store
        .bulk_indicator_links(fx.org_a.id, IndicatorKind::Address, addresses)
        .await
        .expect("addresses");
    let mut other = IncidentQuery::owner(fx.org_b.clone());
    other.paging = Paging::new(0, 10_000).expect("paging");
    let other = store
        .list_incidents(&fx.member_b, &other)
        .await
        .expect("ids");
    let hosts: Vec<(String, i64)> = other
        .items
        .iter()
        .map(|d| (format!("h{}.example", d.incident.id), d.incident.id))
        .collect();
    store
        .bulk_indicator_links(fx.org_b.id, IndicatorKind::Host, hosts)
        .await
        .expect("hosts");
    let emails: Vec<(String, i64)> = rare_ids
        .iter()
        .take(3)
        .map(|id| (format!("rare{id}@example.com"), *id))
        .collect();
    store
        .bulk_indicator_links(fx.org_a.id, IndicatorKind::EmailAddress, emails)
        .await
        .expect("emails");
    let rare_address = IndicatorValue::parse(IndicatorKind::Address, "10.0.0.7").expect("ip");
    for v in [&value, &rare_address] {
        store
            .tag(
                &fx.admin_a,
                &Subject::Indicator(fx.org_a.clone(), v.clone()),
                &TagName::parse("Plans Rare Indicator").expect("tag"),
            )
            .await
            .expect("tag");
    }
    let rare_indicator = store
        .get_indicator(&fx.admin_a, &fx.org_a, &rare_address)
        .await
        .expect("indicator")
        .id;
    // An attribute of a type no other indicator has, on two of A's indicators.
    for v in [&value, &rare_address] {
        store
            .add_attribute(
                &fx.admin_a,
                &Subject::Indicator(fx.org_a.clone(), v.clone()),
                NewAttribute {
                    kind: AttributeType::lookup("Attack Vector").expect("type"),
                    value: "zq indicator vector".into(),
                    displayed: false,
                    source: None,
                },
            )
            .await
            .expect("attribute");
    }
    // An adversary linked to the rare incidents, and the rare incidents to each other.
    let rare_item = store
        .create_item(
            &fx.admin_a,
            &fx.org_a,
            NewItem {
                kind: ItemKind::Adversary,
                name: IncidentName::parse("Plans adversary").expect("name"),
                fields: "{}".into(),
            },
        )
        .await
        .expect("adversary")
        .id;
    for id in &rare_ids {
        store
            .associate(
                &fx.admin_a,
                *id,
                &Target::Item(ItemKind::Adversary, rare_item),
            )
            .await
            .expect("link");
        if *id != rare_ids[0] {
            store
                .associate(&fx.admin_a, rare_ids[0], &Target::Incident(*id))
                .await
                .expect("link");
        }
    }
    // Enough items that the planner's choice for them is the real one.
    for n in 0..2_000 {
        store
            .create_item(
                &fx.admin_a,
                &fx.org_a,
                NewItem {
                    kind: [ItemKind::Adversary, ItemKind::Campaign][n % 2],
                    name: IncidentName::parse(&format!("Plans group {n}")).expect("name"),
                    fields: "{}".into(),
                },
            )
            .await
            .expect("group");
    }
    store.links_done().await.expect("statistics");
    store.bulk_done().await.expect("statistics");

    let mut failures = Vec::new();
    for (name, query) in indicator_shapes(&fx.org_a, &rare_address, rare_indicator) {
        let steps = store
            .explain_indicators(&fx.admin_a, &query)
            .await
            .unwrap_or_else(|e| panic!("explain {name}: {e}"));
        assert!(!steps.is_empty(), "{name}: no statements");
        print_plan(&name, &steps);
        let found = indicator_violations(&steps, indicator_exception(&name).is_some());
        if !found.is_empty() {
            failures.push(format!("{name}:\n    {}", found.join("\n    ")));
        }
    }
    for (name, query) in shapes(&fx.org_a, &value, rare_ids[0], rare_item) {
        let steps = store
            .explain_incidents(&fx.admin_a, &query)
            .await
            .unwrap_or_else(|e| panic!("explain {name}: {e}"));
        assert!(!steps.is_empty(), "{name}: no statements");
        print_plan(&name, &steps);
        let found = violations(&steps, exception(&name).is_some());
        if !found.is_empty() {
            failures.push(format!("{name}:\n    {}", found.join("\n    ")));
        }
    }
    for (name, query) in change_shapes(&fx.org_a, rare_ids[0]) {
        let steps = store
            .explain_changes(&fx.admin_a, &query)
            .await
            .unwrap_or_else(|e| panic!("explain {name}: {e}"));
        assert!(!steps.is_empty(), "{name}: no statements");
        print_plan(&name, &steps);
        let found = if query.stix_keys.is_some() {
            key_violations(&steps)
        } else {
            change_violations(&steps)
        };
        if !found.is_empty() {
            failures.push(format!("{name}:\n    {}", found.join("\n    ")));
        }
    }
    let steps = store
        .explain_import(&fx.admin_a, &fx.org_a)
        .await
        .unwrap_or_else(|e| panic!("explain the import's look-ups: {e}"));
    print_plan("import look-ups", &steps);
    for step in &steps {
        for line in &step.plan {
            let scan = (line.starts_with("SCAN ") && !line.contains("USING"))
                || line.starts_with("Seq Scan")
                || line.contains("TEMP B-TREE")
                || line.starts_with("Sort");
            if scan {
                failures.push(format!("import look-up: {line} in {}", step.statement));
            }
        }
        let indexed = step.plan.iter().any(|l| {
            l.contains("USING INDEX")
                || l.contains("USING COVERING INDEX")
                || l.contains("Index Scan")
                || l.contains("Index Only Scan")
                || l.contains("Bitmap Index Scan")
        });
        if !indexed {
            failures.push(format!(
                "import look-up without an index: {}: {:?}",
                step.statement, step.plan
            ));
        }
        // A derived STIX id is found by its key, not by walking the owner's rows.
        if step.statement.contains("stix_key = ")
            && !step.plan.iter().any(|l| l.contains("_stix_key"))
        {
            failures.push(format!(
                "import look-up by STIX key without its index: {}: {:?}",
                step.statement, step.plan
            ));
        }
    }
    let steps = store
        .explain_dashboard(fx.org_a.id)
        .await
        .unwrap_or_else(|e| panic!("explain the dashboard: {e}"));
    print_plan("dashboard", &steps);
    for step in &steps {
        for line in &step.plan {
            let scan = (line.starts_with("SCAN ") && !line.contains("USING"))
                || line.starts_with("Seq Scan");
            let sort = line.contains("TEMP B-TREE") || line.starts_with("Sort");
            if (scan && !small_catalogue(line)) || (sort && !counted_order(&step.statement)) {
                failures.push(format!("dashboard: {line} in {}", step.statement));
            }
        }
    }
    // Search: names from the trigram indexes, an indicator by its value, tags from the owner's
    // range, attribute words from the word indexes. Its sorts are of bounded sets (at most 500
    // candidates, or the owner's matching tags).
    for query in [
        "zqxj",
        "Described 1234",
        "plans-rare.example",
        "10.0.0.1",
        "zq",
        // In every name: on PostgreSQL no trigram is selective, so the owner's last changed
        // names are the candidates.
        "incident",
    ] {
        let steps = store
            .explain_search(fx.org_a.id, query)
            .await
            .unwrap_or_else(|e| panic!("explain a search of {query}: {e}"));
        print_plan(&format!("search {query}"), &steps);
        for step in &steps {
            for line in &step.plan {
                let scan = (line.starts_with("SCAN ")
                    && !line.contains("USING")
                    && !line.contains("VIRTUAL TABLE"))
                    || line.starts_with("Seq Scan");
                if scan && !small_catalogue(line) && !small_search_table(line) {
                    failures.push(format!("search {query}: {line} in {}", step.statement));
                }
                // A walk: the owner's names or attributes read through an owner-only range
                // (SQLite), or a whole index read without a condition (PostgreSQL).
                let owner_walk = ["SEARCH n ", "SEARCH a ", "SEARCH h "]
                    .iter()
                    .any(|p| line.starts_with(p))
                    && line.ends_with("(owner_id=?)");
                let rows = line
                    .rsplit_once("(rows=")
                    .and_then(|(_, r)| r.trim_end_matches(')').parse::<u64>().ok());
                let index_walk = line.starts_with("Index")
                    && !line.contains('[')
                    && rows.is_some_and(|r| r >= 10_000);
                if owner_walk || index_walk {
                    failures.push(format!(
                        "search {query} walks: {line} in {}",
                        step.statement
                    ));
                }
            }
            let indexed = step.plan.iter().any(|l| {
                l.contains("USING INDEX")
                    || l.contains("USING COVERING INDEX")
                    || l.contains("VIRTUAL TABLE")
                    || l.contains("Index Scan")
                    || l.contains("Index Only Scan")
                    || l.contains("Bitmap Index Scan")
                    || small_catalogue(l)
                    || small_search_table(l)
            });
            if !indexed {
                failures.push(format!(
                    "search {query} without an index: {}: {:?}",
                    step.statement, step.plan
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} shapes are not index-served:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
