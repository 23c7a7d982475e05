//! Every incident filter, AND/OR between filter objects, post-filters, owners: what comes back
//! from a real server (tc-v2-wire.md §7.2, §7.3).

use crate::helpers::*;
use threatdb_sdk::server_filters::{Clause, Field, Op};
use threatdb_sdk::{Error, FilterOperator, FilterSetOperator, Incidents};

struct World {
    app: TestApp,
    alpha: i64,
    bravo: i64,
    charlie: i64,
    delta: i64,
}

/// Alpha, Bravo, Charlie in Example Community; Delta in Example Organization.
async fn world() -> World {
    let app = TestApp::spawn().await;
    let alpha = app
        .create(COMMUNITY, "Alpha", &["Nation State", "APT"], &["TLP:GREEN"])
        .await;
    let bravo = app.create(COMMUNITY, "Bravo", &["Nation State"], &[]).await;
    let charlie = app
        .create(COMMUNITY, "Charlie", &["APT"], &["TLP:RED"])
        .await;
    let delta = app.create(ORG, "Delta", &["Nation State"], &[]).await;
    World {
        app,
        alpha,
        bravo,
        charlie,
        delta,
    }
}

async fn ids(mut incidents: Incidents) -> Vec<i64> {
    incidents.retrieve().await.unwrap();
    let mut ids: Vec<i64> = incidents.iter().map(|i| i.id()).collect();
    ids.sort();
    ids
}

impl World {
    fn incidents(&self) -> Incidents {
        self.app.tc(&self.app.admin).incidents()
    }
}

#[tokio::test]
async fn api_filters_owners_and_operators() {
    let w = world().await;
    let (a, b, c, d) = (w.alpha, w.bravo, w.charlie, w.delta);

    // No filter: the default organization's list, without owner parameter.
    assert_eq!(ids(w.incidents()).await, vec![d]);

    // Tag, in an owner and in the default organization.
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_tag("Nation State");
    assert_eq!(ids(i).await, vec![a, b]);
    let mut i = w.incidents();
    i.add_filter().add_tag("Nation State");
    assert_eq!(ids(i).await, vec![d]);

    // Several owners: each API filter runs once per owner.
    let mut i = w.incidents();
    i.add_filter()
        .add_owner([COMMUNITY, ORG])
        .add_tag("nation state");
    assert_eq!(ids(i).await, vec![a, b, d]);

    // Security label, spelled as the seed spells labels.
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_security_label("TLP Green");
    assert_eq!(ids(i).await, vec![a]);

    // Id, and owner-only.
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_id(c);
    assert_eq!(ids(i).await, vec![c]);
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY);
    assert_eq!(ids(i).await, vec![a, b, c]);

    // API filters in one object are ORed and de-duplicated.
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_tag("Nation State")
        .add_security_label("TLP:RED")
        .add_id(a);
    assert_eq!(ids(i).await, vec![a, b, c]);

    // Filter objects: AND by default, OR when asked.
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_tag("Nation State");
    i.add_filter().add_owner(COMMUNITY).add_tag("APT");
    assert_eq!(ids(i).await, vec![a]);
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_tag("Nation State");
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_tag("APT")
        .add_filter_operator(FilterSetOperator::Or);
    assert_eq!(ids(i).await, vec![a, b, c]);
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_tag("APT");
    i.add_filter()
        .add_tag("Nation State")
        .add_filter_operator(FilterSetOperator::Or);
    i.add_filter()
        .add_owner([COMMUNITY, ORG])
        .add_tag("Nation State")
        .add_filter_operator(FilterSetOperator::And);
    assert_eq!(ids(i).await, vec![a, d]);
}

#[tokio::test]
async fn post_filters_are_anded() {
    let w = world().await;
    let (a, b, c) = (w.alpha, w.bravo, w.charlie);
    let community = |f: &mut threatdb_sdk::IncidentFilter| {
        f.add_owner(COMMUNITY);
    };
    let cases: Vec<(&str, FilterOperator, Vec<i64>)> = vec![
        ("Alpha", FilterOperator::Eq, vec![a]),
        ("Alpha", FilterOperator::Ne, vec![b, c]),
        ("Bravo", FilterOperator::Gt, vec![c]),
        ("Bravo", FilterOperator::Ge, vec![b, c]),
        ("Bravo", FilterOperator::Lt, vec![a]),
        ("Bravo", FilterOperator::Le, vec![a, b]),
    ];
    for (name, op, want) in cases {
        let mut i = w.incidents();
        let f = i.add_filter();
        community(f);
        f.add_pf_name(name, op);
        assert_eq!(ids(i).await, want, "name {op:?} {name}");
    }

    // Dates: everything was added after 2001 and before 2100.
    for (date, op, want) in [
        ("2001-01-01T00:00:00Z", FilterOperator::Gt, vec![a, b, c]),
        ("2001-01-01", FilterOperator::Ge, vec![a, b, c]),
        ("2001-01-01T00:00:00-05:00", FilterOperator::Lt, vec![]),
        ("2100-01-01T00:00:00Z", FilterOperator::Le, vec![a, b, c]),
        ("2100-01-01T00:00:00Z", FilterOperator::Eq, vec![]),
        ("2100-01-01T00:00:00Z", FilterOperator::Ne, vec![a, b, c]),
    ] {
        let mut i = w.incidents();
        i.add_filter()
            .add_owner(COMMUNITY)
            .add_pf_date_added(date, op);
        assert_eq!(ids(i).await, want, "dateAdded {op:?} {date}");
    }

    // Exactly the date an incident was added, read back from the server.
    let mut i = w.incidents();
    i.add_filter().add_owner(COMMUNITY).add_id(a);
    i.retrieve().await.unwrap();
    let added = i.iter().next().unwrap().date_added().to_string();
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_id(a)
        .add_pf_date_added(&added, FilterOperator::Eq);
    assert_eq!(ids(i).await, vec![a]);

    // Post-filters AND with each other and apply after the API filters' OR.
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_tag("Nation State")
        .add_tag("APT")
        .add_pf_name("Alpha", FilterOperator::Ne)
        .add_pf_name("Charlie", FilterOperator::Lt)
        .add_pf_file_type("exe", FilterOperator::Eq);
    assert_eq!(ids(i).await, vec![b]);

    // Post-filters combine with AND/OR between filter objects.
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_pf_name("Alpha", FilterOperator::Eq);
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_tag("APT")
        .add_pf_name("Charlie", FilterOperator::Eq)
        .add_filter_operator(FilterSetOperator::Or);
    assert_eq!(ids(i).await, vec![a, c]);
}

#[tokio::test]
async fn server_side_filters_narrow_every_request() {
    let w = world().await;
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_tag("Nation State")
        .add_server_filter(Clause {
            field: Field::Name,
            op: Op::StartsWith,
            value: "Br".into(),
        });
    assert_eq!(ids(i).await, vec![w.bravo]);
    let mut i = w.incidents();
    i.add_filter()
        .add_owner(COMMUNITY)
        .add_server_filter(Clause {
            field: Field::EventDate,
            op: Op::Gt,
            value: "2020-01-01".into(),
        });
    assert!(ids(i).await.is_empty());
}

#[tokio::test]
async fn association_filters_retrieve_nothing_until_the_server_has_associations() {
    let w = world().await;
    type Add = fn(&mut threatdb_sdk::IncidentFilter);
    let adds: Vec<Add> = vec![
        |f| {
            f.add_adversary_id(1);
        },
        |f| {
            f.add_campaign_id(1);
        },
        |f| {
            f.add_document_id(1);
        },
        |f| {
            f.add_email_id(1);
        },
        |f| {
            f.add_incident_id(1);
        },
        |f| {
            f.add_signature_id(1);
        },
        |f| {
            f.add_threat_id(1);
        },
        |f| {
            f.add_task_id(1);
        },
        |f| {
            f.add_victim_id(1);
        },
        |f| {
            f.add_indicator("192.0.2.1");
        },
    ];
    for add in adds {
        let mut i = w.incidents();
        add(i.add_filter().add_owner(COMMUNITY));
        assert!(ids(i).await.is_empty());
    }
}

#[tokio::test]
async fn failures_other_than_404_are_errors() {
    let w = world().await;
    let tc = w.app.tc(&w.app.outsider);
    let mut i = tc.incidents();
    i.add_filter().add_owner(COMMUNITY).add_tag("Nation State");
    let err = i.retrieve().await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 403, message } if message == "Access Denied"),
        "{err:?}"
    );

    let mut bad = w.app.admin.clone();
    bad.secret = "wrong".into();
    let err = w.app.tc(&bad).owners().await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 401, message } if message.contains("Signature")),
        "{err:?}"
    );
}

#[tokio::test]
async fn all_pages_are_fetched_and_can_be_streamed() {
    let app = TestApp::spawn().await;
    let mut want = Vec::new();
    for n in 0..7 {
        want.push(
            app.create(ORG, &format!("Incident {n}"), &["Bulk"], &[])
                .await,
        );
    }
    let mut tc = app.tc(&app.admin);
    tc.set_api_result_limit(3).unwrap();
    let mut i = tc.incidents();
    i.add_filter().add_tag("Bulk");
    let mut pages = i.retrieve_pages().unwrap();
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    while let Some(batch) = pages.next_page().await.unwrap() {
        sizes.push(batch.len());
        got.extend(batch.iter().map(|i| i.id()));
    }
    assert_eq!(sizes, vec![3, 3, 1]);
    let p = pages.progress();
    assert_eq!(
        (p.pages, p.received, p.announced, p.requests_left),
        (3, 7, 7, 0)
    );
    got.sort();
    assert_eq!(got, want);

    // Several filter objects: nothing is final until the end.
    let mut i = tc.incidents();
    i.add_filter().add_tag("Bulk");
    i.add_filter().add_owner(ORG);
    let mut pages = i.retrieve_pages().unwrap();
    let mut sizes = Vec::new();
    while let Some(batch) = pages.next_page().await.unwrap() {
        sizes.push(batch.len());
    }
    assert_eq!(sizes, vec![0, 0, 0, 0, 0, 0, 7]);
}

#[tokio::test]
async fn invalid_filter_arguments_fail_before_any_request() {
    let fake = FakeServer::ok("{}").await;
    for add in [
        (|f: &mut threatdb_sdk::IncidentFilter| {
            f.add_tag(" ");
        }) as fn(&mut threatdb_sdk::IncidentFilter),
        |f| {
            f.add_indicator("not an indicator");
        },
        |f| {
            f.add_pf_date_added("yesterday", FilterOperator::Eq);
        },
        |f| {
            f.add_owner("");
        },
    ] {
        let mut i = fake.tc("O").incidents();
        add(i.add_filter());
        let err = i.retrieve().await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert!(fake.seen().is_empty());
}
