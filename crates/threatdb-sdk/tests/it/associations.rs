//! Every API filter of the seed's `filter1.filters` against a real server with a small graph of
//! associations, alone, with `add_owner` and with AND/OR; the SDK's associate/disassociate calls
//! and association getters end to end (tc-v2-wire.md §6.5, §7.2–§7.4).

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use threatdb_sdk::{FilterSetOperator, GroupType, IncidentFilter, Incidents, IndicatorType};

/// A signed request outside the SDK (for what the SDK cannot make: adversaries, victims, ...).
async fn raw(app: &TestApp, method: &str, target: &str, body: Option<Value>) -> Value {
    let who = &app.admin;
    let ts = time_now();
    let signed = format!("/api{target}");
    let auth =
        threatdb_wire::signing::authorization(&who.access_id, &who.secret, &signed, method, ts);
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{signed}", app.origin))
        .header("Timestamp", ts.to_string())
        .header("Authorization", auth);
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let json: Value = resp.json().await.unwrap();
    assert!((200..300).contains(&status), "{method} {target}: {json}");
    json["data"].clone()
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Creates a group (or victim, task) of `path` in `owner`; returns its id.
async fn item(app: &TestApp, path: &str, owner: &str, body: Value) -> i64 {
    let target = format!("{path}?owner={}", owner.replace(' ', "+"));
    let data = raw(app, "POST", &target, Some(body)).await;
    data.as_object().unwrap().values().next().unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// One API filter and the incidents (of any owner) it is linked to.
#[derive(Clone)]
enum F {
    Adversary(i64),
    Campaign(i64),
    Document(i64),
    Email(i64),
    Id(i64),
    Incident(i64),
    Indicator(&'static str),
    Label(&'static str),
    Signature(i64),
    Tag(&'static str),
    Task(i64),
    Threat(i64),
    Victim(i64),
}

fn apply(f: &mut IncidentFilter, which: &F) {
    match which {
        F::Adversary(id) => f.add_adversary_id(*id),
        F::Campaign(id) => f.add_campaign_id(*id),
        F::Document(id) => f.add_document_id(*id),
        F::Email(id) => f.add_email_id(*id),
        F::Id(id) => f.add_id(*id),
        F::Incident(id) => f.add_incident_id(*id),
        F::Indicator(v) => f.add_indicator(v),
        F::Label(l) => f.add_security_label(l),
        F::Signature(id) => f.add_signature_id(*id),
        F::Tag(t) => f.add_tag(t),
        F::Task(id) => f.add_task_id(*id),
        F::Threat(id) => f.add_threat_id(*id),
        F::Victim(id) => f.add_victim_id(*id),
    };
}

async fn ids(mut incidents: Incidents) -> BTreeSet<i64> {
    incidents.retrieve().await.unwrap();
    incidents.iter().map(|i| i.id()).collect()
}

struct Graph {
    app: TestApp,
    org: BTreeSet<i64>,
    community: BTreeSet<i64>,
    /// Each filter with every incident it is linked to, whatever the owner.
    cases: Vec<(&'static str, F, BTreeSet<i64>)>,
}

async fn graph() -> Graph {
    let app = TestApp::spawn().await;
    let tc = app.tc(&app.admin);
    let adv = item(&app, "/v2/groups/adversaries", ORG, json!({"name": "Bear"})).await;
    let camp = item(&app, "/v2/groups/campaigns", ORG, json!({"name": "Camp"})).await;
    let doc_body = json!({"name": "Doc", "fileName": "d.pdf"});
    let doc = item(&app, "/v2/groups/documents", COMMUNITY, doc_body).await;
    let em_body = json!({"name": "Mail", "subject": "s", "header": "h", "body": "b"});
    let em = item(&app, "/v2/groups/emails", ORG, em_body).await;
    let sig_body = json!({"name": "Sig", "fileName": "s", "fileType": "YARA", "fileText": "t"});
    let sig = item(&app, "/v2/groups/signatures", ORG, sig_body).await;
    let thr = item(
        &app,
        "/v2/groups/threats",
        COMMUNITY,
        json!({"name": "Thr"}),
    )
    .await;
    let vic = item(&app, "/v2/victims", ORG, json!({"name": "Bank"})).await;
    let task = item(&app, "/v2/tasks", ORG, json!({"name": "Triage"})).await;
    for owner in [ORG, COMMUNITY] {
        let o = owner.replace(' ', "+");
        for (kind, body) in [
            ("hosts", json!({"hostName": "evil.test"})),
            ("addresses", json!({"ip": "10.0.0.1"})),
            ("emailAddresses", json!({"address": "bad@evil.test"})),
            ("files", json!({"md5": "d41d8cd98f00b204e9800998ecf8427e"})),
            ("urls", json!({"text": "http://evil.test/x"})),
        ] {
            raw(
                &app,
                "POST",
                &format!("/v2/indicators/{kind}?owner={o}"),
                Some(body),
            )
            .await;
        }
    }
    // Incidents, created and associated through the SDK.
    let incidents = tc.incidents();
    let make = |name: &str, owner: &str| {
        let mut i = incidents.add(name, owner);
        i.set_event_date("2017-03-21T00:00:00Z");
        i
    };
    let mut o1 = make("O1", ORG);
    o1.associate_group(GroupType::Adversaries, adv)
        .associate_group(GroupType::Signatures, sig)
        .associate_indicator(IndicatorType::Urls, "http://evil.test/x")
        .associate_indicator(IndicatorType::Files, "D41D8CD98F00B204E9800998ECF8427E")
        .add_security_label("TLP:GREEN");
    o1.commit().await.unwrap();
    let mut o2 = make("O2", ORG);
    o2.associate_group(GroupType::Campaigns, camp)
        .associate_group(GroupType::Incidents, o1.id())
        .associate_indicator(IndicatorType::Hosts, "Evil.Test")
        .add_tag("APT");
    o2.commit().await.unwrap();
    let mut o3 = make("O3", ORG);
    o3.associate_group(GroupType::Emails, em)
        .associate_indicator(IndicatorType::Addresses, "10.0.0.1")
        .associate_indicator(IndicatorType::EmailAddresses, "bad@evil.test")
        .associate_victim(vic);
    o3.commit().await.unwrap();
    let mut c1 = make("C1", COMMUNITY);
    c1.associate_group(GroupType::Adversaries, adv)
        .associate_group(GroupType::Threats, thr)
        .associate_victim(vic)
        .add_tag("APT");
    c1.commit().await.unwrap();
    let mut c2 = make("C2", COMMUNITY);
    c2.associate_group(GroupType::Documents, doc)
        .associate_indicator(IndicatorType::Hosts, "evil.test");
    c2.commit().await.unwrap();
    let (o1, o2, o3, c1, c2) = (o1.id(), o2.id(), o3.id(), c1.id(), c2.id());
    raw(
        &app,
        "POST",
        &format!("/v2/tasks/{task}/groups/incidents/{o2}"),
        None,
    )
    .await;
    let set = |v: &[i64]| v.iter().copied().collect::<BTreeSet<i64>>();
    let cases = vec![
        ("add_adversary_id", F::Adversary(adv), set(&[o1, c1])),
        ("add_campaign_id", F::Campaign(camp), set(&[o2])),
        ("add_document_id", F::Document(doc), set(&[c2])),
        ("add_email_id", F::Email(em), set(&[o3])),
        ("add_id", F::Id(o3), set(&[o3])),
        ("add_incident_id", F::Incident(o1), set(&[o2])),
        (
            "add_indicator host",
            F::Indicator("evil.test"),
            set(&[o2, c2]),
        ),
        (
            "add_indicator address",
            F::Indicator("10.0.0.1"),
            set(&[o3]),
        ),
        (
            "add_indicator email",
            F::Indicator("bad@evil.test"),
            set(&[o3]),
        ),
        (
            "add_indicator file",
            F::Indicator("d41d8cd98f00b204e9800998ecf8427e"),
            set(&[o1]),
        ),
        (
            "add_indicator url",
            F::Indicator("http://evil.test/x"),
            set(&[o1]),
        ),
        ("add_security_label", F::Label("TLP:GREEN"), set(&[o1])),
        ("add_signature_id", F::Signature(sig), set(&[o1])),
        ("add_tag", F::Tag("APT"), set(&[o2, c1])),
        ("add_task_id", F::Task(task), set(&[o2])),
        ("add_threat_id", F::Threat(thr), set(&[c1])),
        ("add_victim_id", F::Victim(vic), set(&[o3, c1])),
    ];
    Graph {
        app,
        org: set(&[o1, o2, o3]),
        community: set(&[c1, c2]),
        cases,
    }
}

impl Graph {
    fn incidents(&self) -> Incidents {
        self.app.tc(&self.app.admin).incidents()
    }

    /// One filter object with `which`, in `owners` (none: the default organization).
    async fn run(&self, which: &F, owners: &[&str]) -> BTreeSet<i64> {
        let mut i = self.incidents();
        let f = i.add_filter();
        if !owners.is_empty() {
            f.add_owner(owners.to_vec());
        }
        apply(f, which);
        ids(i).await
    }
}

#[tokio::test]
async fn every_seed_filter_alone_with_owners_and_combined() {
    let g = graph().await;
    let all: BTreeSet<i64> = g.org.union(&g.community).copied().collect();
    for (name, which, linked) in &g.cases {
        let only = |owned: &BTreeSet<i64>| linked.intersection(owned).copied().collect();
        let want_org: BTreeSet<i64> = only(&g.org);
        assert_eq!(g.run(which, &[]).await, want_org, "{name} alone");
        assert_eq!(g.run(which, &[ORG]).await, want_org, "{name} in the org");
        let want_c: BTreeSet<i64> = only(&g.community);
        assert_eq!(
            g.run(which, &[COMMUNITY]).await,
            want_c,
            "{name} in the community"
        );
        let want_both: BTreeSet<i64> = only(&all);
        assert_eq!(
            g.run(which, &[ORG, COMMUNITY]).await,
            want_both,
            "{name} in both"
        );
    }
    // AND and OR across filter objects, and OR within one object, in both owners.
    let case = |n: &str| g.cases.iter().find(|c| c.0 == n).unwrap().clone();
    for (a, b) in [
        ("add_adversary_id", "add_victim_id"),
        ("add_tag", "add_indicator host"),
        ("add_incident_id", "add_task_id"),
        ("add_threat_id", "add_email_id"),
    ] {
        let (a, b) = (case(a), case(b));
        for (op, want) in [
            (
                FilterSetOperator::And,
                a.2.intersection(&b.2).copied().collect(),
            ),
            (
                FilterSetOperator::Or,
                a.2.union(&b.2).copied().collect::<BTreeSet<_>>(),
            ),
        ] {
            let mut i = g.incidents();
            apply(i.add_filter().add_owner([ORG, COMMUNITY]), &a.1);
            apply(
                i.add_filter()
                    .add_owner([ORG, COMMUNITY])
                    .add_filter_operator(op),
                &b.1,
            );
            assert_eq!(ids(i).await, want, "{} {op:?} {}", a.0, b.0);
        }
        let mut i = g.incidents();
        let f = i.add_filter().add_owner([ORG, COMMUNITY]);
        apply(f, &a.1);
        apply(f, &b.1);
        let union: BTreeSet<i64> = a.2.union(&b.2).copied().collect();
        assert_eq!(ids(i).await, union, "{} or {} in one object", a.0, b.0);
    }
}

#[tokio::test]
async fn associate_disassociate_and_association_getters() {
    let g = graph().await;
    let o3 = *g.org.iter().nth(2).unwrap();
    let mut i = g.incidents();
    i.add_filter().add_id(o3);
    i.retrieve().await.unwrap();
    let mut o3_obj = i.iter().next().unwrap().clone();
    let groups = o3_obj.group_associations().await.unwrap();
    let kinds: Vec<_> = groups.iter().map(|g| g.kind.clone().unwrap()).collect();
    assert_eq!(kinds, vec!["Email".to_string()]);
    let inds = o3_obj.indicator_associations().await.unwrap();
    let values: Vec<_> = inds.iter().map(|i| i.summary.as_str()).collect();
    assert_eq!(values, vec!["10.0.0.1", "bad@evil.test"]);
    let victims = o3_obj.victim_associations().await.unwrap();
    assert_eq!(victims.len(), 1);
    assert_eq!(victims[0].name, "Bank");
    assert!(!victims[0].web_link.is_empty());
    let vic = victims[0].id;
    // Associating again succeeds; disassociating removes it from the filters.
    o3_obj
        .associate_victim(vic)
        .disassociate_victim(vic)
        .disassociate_indicator(IndicatorType::Addresses, "10.0.0.1")
        .disassociate_group(GroupType::Emails, groups[0].id);
    o3_obj.commit().await.unwrap();
    assert!(o3_obj.victim_associations().await.unwrap().is_empty());
    assert_eq!(o3_obj.indicator_associations().await.unwrap().len(), 1);
    assert!(o3_obj.group_associations().await.unwrap().is_empty());
    assert!(!g.run(&F::Victim(vic), &[]).await.contains(&o3));
    assert!(g.run(&F::Indicator("10.0.0.1"), &[]).await.is_empty());
    // Disassociating what is not there fails the commit with the server's 404.
    o3_obj.disassociate_victim(vic);
    assert!(o3_obj.commit().await.is_err());
    // The outsider's client sees none of it.
    let mut i = g.app.tc(&g.app.outsider).incidents();
    i.add_filter().add_victim_id(vic);
    assert!(ids(i).await.is_empty());
}

#[test]
fn blocking_associations() {
    let b = BlockingApp::spawn();
    let tc = b.blocking_tc(&b.app.admin);
    let incidents = tc.incidents();
    let mut one = incidents.add("One", ORG);
    one.set_event_date("2017-03-21T00:00:00Z");
    one.commit().unwrap();
    let mut two = incidents.add("Two", ORG);
    two.set_event_date("2017-03-21T00:00:00Z");
    two.associate_group(GroupType::Incidents, one.id());
    two.commit().unwrap();
    let groups = two.group_associations().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].id, one.id());
    assert!(two.indicator_associations().unwrap().is_empty());
    assert!(two.victim_associations().unwrap().is_empty());
    let mut filtered = tc.incidents();
    filtered.add_filter().add_incident_id(one.id());
    filtered.retrieve().unwrap();
    let ids: Vec<i64> = filtered.iter().map(|i| i.id()).collect();
    assert_eq!(ids, vec![two.id()]);
}
